// How a connection gets its socket. The shape is KafkaJS's `socketFactory` option, so a custom factory
// written for KafkaJS (proxies, custom TLS, instrumentation) plugs in unchanged: it returns the socket
// and calls `onConnect` once it is connected (after the TLS handshake when there is one).

// Namespace imports: a default import would reach the emitted .d.ts and need esModuleInterop in the user's project.
import * as net from 'node:net'
import * as tls from 'node:tls'

export interface SocketFactoryArgs {
  host: string
  port: number
  /** TLS options; undefined for plaintext. */
  ssl: tls.ConnectionOptions | undefined
  onConnect: () => void
}

export type SocketFactory = (args: SocketFactoryArgs) => net.Socket

export const defaultSocketFactory: SocketFactory = ({ host, port, ssl, onConnect }) => {
  if (ssl === undefined) return net.connect({ host, port }, onConnect)
  // SNI carries host names only; Node warns when it is given an IP address
  const servername = net.isIP(host) === 0 ? host : undefined
  return tls.connect({ servername, ...ssl, host, port }, onConnect)
}

/** Where a plaintext socket made by `plainSocketReadingInto` puts its bytes, and who hears of them. */
export interface SocketReader {
  /** The buffer the next read goes into. */
  buffer(): Buffer
  /** `n` bytes were read into the last buffer. */
  read(n: number, buffer: Buffer): void
}

/**
 * The default factory's plaintext socket, reading into the buffers `reader` gives (net's `onread`)
 * instead of emitting a new chunk per read: the connection reads responses straight into them.
 */
export function plainSocketReadingInto(
  host: string,
  port: number,
  onConnect: () => void,
  reader: SocketReader,
): net.Socket {
  const onread = {
    buffer: () => reader.buffer(),
    // true: keep reading (false would pause the socket)
    callback: (n: number, buffer: Uint8Array): boolean => {
      reader.read(n, buffer as Buffer)
      return true
    },
  }
  return net.connect({ host, port, onread }, onConnect)
}
