// The client side of TLS against local Node servers: what the connection sends (SNI) and checks
// (certificate, host name), and how it names each failure. Kafka's own listeners are exercised in
// integration/security.test.ts.

import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import { KafkaJSConnectionClosedError, KafkaJSConnectionError, KafkaJSTLSError } from '../../src/errors.js'
import { Connection } from '../../src/network/connection.js'
import type { ConnectionOptions } from '../../src/network/connection-options.js'
import { looksLikeTlsRecord } from '../../src/network/tls-errors.js'
import { createTestCertificates, type TestCertificates } from '../../src/testing/test-certificates.js'
import { waitFor } from '../helpers/wait.js'

let dir: string
let certificates: TestCertificates
const closers: (() => Promise<void>)[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kafkit-tls-test-'))
  certificates = await createTestCertificates(dir)
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

afterEach(async () => {
  // clients first (they were registered after their server), then the servers
  for (const close of closers.splice(0).reverse()) await close()
})

/** A TLS server with the test broker certificate; records the SNI name of each handshake. */
async function tlsServer(options: tls.TlsOptions = {}): Promise<{ port: number; servernames: (string | false)[] }> {
  const servernames: (string | false)[] = []
  const server = tls.createServer(
    { cert: certificates.broker.certificate, key: certificates.broker.privateKey, ...options },
    (socket) => {
      servernames.push((socket as tls.TLSSocket & { servername: string | false }).servername)
      socket.on('error', () => {})
    },
  )
  return { port: await listen(server), servernames }
}

/** A plain TCP server that does `onData` with whatever arrives. */
async function tcpServer(onData: (socket: net.Socket, data: Buffer) => void): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {})
    socket.once('data', (data) => onData(socket, data))
  })
  return listen(server)
}

async function listen(server: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>()
  server.on(server instanceof tls.Server ? 'secureConnection' : 'connection', (socket: net.Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  )
  return (server.address() as net.AddressInfo).port
}

async function connectError(options: ConnectionOptions): Promise<unknown> {
  const connection = new Connection({ connectionTimeout: 5000, ...options })
  closers.push(() => connection.close())
  return connection.connect().then(
    () => undefined,
    (error: unknown) => error,
  )
}

/**
 * Waits until the server saw `n` handshakes (the client's connect() then waits for an ApiVersions
 * answer that never comes). A `connecting` that fails first fails the wait with its error.
 */
async function handshakes(servernames: unknown[], n: number, connecting: Promise<void>): Promise<void> {
  let failed: unknown
  connecting.catch((error: unknown) => {
    failed = error
  })
  await waitFor(
    () => {
      if (failed !== undefined) throw failed
      return servernames.length >= n
    },
    `${n} TLS handshake(s) at the test server`,
    10000,
    5,
  )
}

/**
 * Resolves every name to 127.0.0.1, where the test servers listen, so that a test of host names does
 * not depend on what the machine's resolver makes of "localhost" (::1 first, or no answer at all).
 */
const loopbackLookup: net.LookupFunction = (_hostname, options, callback) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }])
  else callback(null, '127.0.0.1', 4)
}

test('SNI carries the host name, never an IP address', async () => {
  const { port, servernames } = await tlsServer()
  const ssl = { ca: [certificates.ca.certificate], lookup: loopbackLookup }
  const byName = new Connection({ host: 'localhost', port, ssl })
  const byAddress = new Connection({ host: '127.0.0.1', port, ssl })
  closers.push(
    () => byName.close(),
    () => byAddress.close(),
  )
  await handshakes(servernames, 1, byName.connect())
  await handshakes(servernames, 2, byAddress.connect())
  expect(servernames).toEqual(['localhost', false])
})

test('a certificate that does not chain to a trusted CA fails with untrusted-certificate', async () => {
  const { port } = await tlsServer()
  const error = await connectError({ host: '127.0.0.1', port, ssl: true })
  expect(error).toBeInstanceOf(KafkaJSTLSError)
  expect(error).toBeInstanceOf(KafkaJSConnectionError)
  expect(error).toMatchObject({
    reason: 'untrusted-certificate',
    retriable: true,
    name: 'KafkaJSConnectionError',
    broker: `127.0.0.1:${port}`,
  })
  expect((error as KafkaJSTLSError).tlsCode).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/)
  expect((error as KafkaJSTLSError).detail).toMatch(/the broker's certificate is not trusted .*give its CA in ssl.ca/)
  // KafkaJS's text: Node's message after "Connection error: ", and Node's code
  expect((error as Error).message).toBe(`Connection error: ${((error as Error).cause as Error).message}`)
  expect((error as KafkaJSConnectionError).code).toBe((error as KafkaJSTLSError).tlsCode)
})

test('host names are verified by default: a certificate for other names fails with hostname-mismatch', async () => {
  const { port } = await tlsServer()
  const ca = [certificates.ca.certificate]
  const error = await connectError({ host: '127.0.0.1', port, ssl: { ca, servername: 'kafka.example.com' } })
  expect(error).toMatchObject({ reason: 'hostname-mismatch', tlsCode: 'ERR_TLS_CERT_ALTNAME_INVALID' })
  expect((error as KafkaJSTLSError).detail).toMatch(/not valid for this host .*kafka\.example\.com/)
})

test('a broker that requires a client certificate refuses the handshake without one: handshake-failed', async () => {
  const { port, servernames } = await tlsServer({
    requestCert: true,
    rejectUnauthorized: true,
    ca: [certificates.ca.certificate],
  })
  const ca = [certificates.ca.certificate]
  const error = await connectError({ host: '127.0.0.1', port, ssl: { ca } })
  expect(error).toBeInstanceOf(KafkaJSTLSError)
  expect(error).toMatchObject({ reason: 'handshake-failed' })
  expect((error as KafkaJSTLSError).tlsCode).toMatch(/^ERR_SSL_/)
  expect(servernames).toEqual([])
  // with the client certificate the same server completes the handshake
  const { certificate: cert, privateKey: key } = certificates.client
  const accepted = new Connection({ host: '127.0.0.1', port, ssl: { ca, cert, key } })
  closers.push(() => accepted.close())
  await handshakes(servernames, 1, accepted.connect())
})

test('TLS to a listener that drops the handshake (a plaintext Kafka listener) says so', async () => {
  const port = await tcpServer((socket) => socket.destroy())
  const error = await connectError({ host: '127.0.0.1', port, ssl: { ca: [certificates.ca.certificate] } })
  expect(error).toMatchObject({ reason: 'listener-is-plaintext' })
  expect((error as KafkaJSTLSError).detail).toMatch(/probably a plaintext listener .*leave ssl off/)
})

test('plaintext to a listener that answers with a TLS alert (a TLS Kafka listener) says so', async () => {
  // what Kafka's SSL listener answers to a plaintext request: an alert record, then it closes
  const port = await tcpServer((socket) => socket.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50])))
  const error = await connectError({ host: '127.0.0.1', port })
  // KafkaJS's error (it sees the broker close the connection), caused by kafkit's diagnosis
  expect(error).toBeInstanceOf(KafkaJSConnectionClosedError)
  expect(error).toMatchObject({ name: 'KafkaJSConnectionClosedError', retriable: true, message: 'Closed connection' })
  const diagnosis = (error as Error).cause as KafkaJSTLSError
  expect(diagnosis).toMatchObject({ reason: 'listener-requires-tls' })
  expect(diagnosis.detail).toMatch(/answered with TLS; this is an SSL or SASL_SSL listener: set ssl/)
})

test('a TLS record header arriving one byte at a time is still recognized', async () => {
  const port = await tcpServer((socket) => {
    const alert = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50]
    const drip = (i: number): void => {
      if (i === alert.length) return void socket.end()
      socket.write(Buffer.from([alert[i]!]), () => setTimeout(() => drip(i + 1), 5))
    }
    drip(0)
  })
  const error = await connectError({ host: '127.0.0.1', port })
  expect((error as Error).cause).toMatchObject({ reason: 'listener-requires-tls' })
})

test('looksLikeTlsRecord: handshake and alert records of TLS 1.0-1.3, nothing a Kafka frame starts with', () => {
  expect(looksLikeTlsRecord(Buffer.from([0x16, 0x03, 0x01]))).toBe(true)
  expect(looksLikeTlsRecord(Buffer.from([0x15, 0x03, 0x03]))).toBe(true)
  expect(looksLikeTlsRecord(Buffer.from([0x00, 0x00, 0x01]))).toBe(false)
  expect(looksLikeTlsRecord(Buffer.from([0x17, 0x03, 0x03]))).toBe(false)
  expect(looksLikeTlsRecord(Buffer.from([0x15, 0x03]))).toBe(false)
})
