// The fault-injecting TCP proxy of the integration tests, against plain local echo servers (no broker).

import net from 'node:net'
import { startTcpProxy, type TcpProxy } from '../../integration/helpers/tcp-proxy.js'
import { waitFor } from '../helpers/wait.js'
import { closedPort } from '../network/ports.js'

interface EchoServer {
  port: number
  /** Bytes received, all connections together. */
  received: () => number
  connections: () => number
  close: () => Promise<void>
}

/** A server answering every chunk with `prefix` + the chunk. */
async function echoServer(prefix = ''): Promise<EchoServer> {
  let received = 0
  let connections = 0
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.on('data', (chunk) => {
      received += chunk.length
      socket.write(prefix === '' ? chunk : Buffer.concat([Buffer.from(prefix), chunk]))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    received: () => received,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

interface Client {
  socket: net.Socket
  /** Everything received so far. */
  data: () => Buffer
  /** The socket's error, once it had one. */
  error: () => NodeJS.ErrnoException | undefined
  closed: () => boolean
}

async function connect(port: number): Promise<Client> {
  const chunks: Buffer[] = []
  let error: NodeJS.ErrnoException | undefined
  let closed = false
  const socket = net.connect({ host: '127.0.0.1', port })
  socket.on('data', (chunk) => chunks.push(chunk))
  socket.on('close', () => {
    closed = true
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  socket.on('error', (e) => {
    error = e
  })
  return { socket, data: () => Buffer.concat(chunks), error: () => error, closed: () => closed }
}

function connectError(port: number): Promise<NodeJS.ErrnoException> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      reject(new Error('connected'))
    })
    socket.once('error', resolve)
  })
}

describe('TcpProxy', () => {
  let echo: EchoServer
  let proxy: TcpProxy
  const clients: Client[] = []
  const open = async (port = proxy.port) => {
    const client = await connect(port)
    clients.push(client)
    return client
  }

  beforeEach(async () => {
    echo = await echoServer()
    proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: echo.port } })
  })

  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy()
    await proxy.close()
    await echo.close()
  })

  test('forwards both ways on 127.0.0.1', async () => {
    expect(proxy.address).toBe(`127.0.0.1:${proxy.port}`)
    const client = await open()
    client.socket.write('hello')
    await waitFor(() => client.data().toString() === 'hello', 'the echo')
    expect(proxy.connections).toBe(1)
    expect(proxy.stats).toMatchObject({ accepted: 1, bytesFromClients: 5, bytesToClients: 5 })
  })

  test('retarget: new connections go to the new target, open ones stay', async () => {
    const other = await echoServer('other:')
    try {
      const before = await open()
      proxy.retarget({ host: '127.0.0.1', port: other.port })
      const after = await open()
      before.socket.write('a')
      after.socket.write('b')
      await waitFor(() => before.data().toString() === 'a', 'the first echo')
      await waitFor(() => after.data().toString() === 'other:b', 'the retargeted echo')
    } finally {
      await other.close()
    }
  })

  test('a target that refuses resets the client', async () => {
    proxy.retarget({ host: '127.0.0.1', port: await closedPort() })
    const client = await open()
    await waitFor(client.closed, 'the client closed')
    expect(client.error()?.code).toBe('ECONNRESET')
  })

  test('reset: a connection is reset mid-request, after the bytes allowed through', async () => {
    const client = await open()
    client.socket.write('ping')
    await waitFor(() => client.data().length === 4, 'the first echo')
    await proxy.setFaults({ reset: { afterBytes: 3 } })
    client.socket.write('request')
    await waitFor(client.closed, 'the reset')
    expect(client.error()?.code).toBe('ECONNRESET')
    expect(proxy.stats.reset).toBe(1)
    await waitFor(() => echo.received() === 7, 'the 3 bytes let through')
    // new connections meet the same fault (3 bytes through, then a reset) until it is cleared
    const next = await open()
    next.socket.write('xxxx')
    await waitFor(next.closed, 'the second reset')
    await proxy.heal()
    const healed = await open()
    healed.socket.write('ok')
    await waitFor(() => healed.data().toString() === 'ok', 'the echo after heal')
  })

  test('resetAll resets every open connection', async () => {
    const a = await open()
    const b = await open()
    await waitFor(() => proxy.connections === 2, 'two connections')
    proxy.resetAll()
    await waitFor(() => a.closed() && b.closed(), 'both reset')
    expect(a.error()?.code).toBe('ECONNRESET')
    expect(b.error()?.code).toBe('ECONNRESET')
    expect(proxy.connections).toBe(0)
  })

  test('blackHole: bytes are read and dropped, nothing answers, the connection stays open', async () => {
    const live = await open()
    await proxy.setFaults({ blackHole: true })
    const fresh = await open()
    live.socket.write('lost')
    fresh.socket.write('lost too')
    await waitFor(() => proxy.stats.bytesDropped === 12, 'the proxy reading the bytes')
    expect(echo.received()).toBe(0)
    expect(echo.connections()).toBe(1) // the connection opened before the fault only
    expect(live.data().length + fresh.data().length).toBe(0)
    expect(live.closed() || fresh.closed()).toBe(false)
    // a black-holed connection stays dead; a new one after heal is forwarded
    await proxy.heal()
    live.socket.write('still lost')
    const healed = await open()
    healed.socket.write('ok')
    await waitFor(() => healed.data().toString() === 'ok', 'the echo after heal')
    expect(live.data().length).toBe(0)
  })

  test('delayMs holds the answers back, in order', async () => {
    const client = await open()
    await proxy.setFaults({ delayMs: 200 })
    const sent = Date.now()
    client.socket.write('one')
    await waitFor(() => echo.received() === 3, 'the echo server answering')
    client.socket.write('two')
    await waitFor(() => client.data().toString() === 'onetwo', 'the delayed echoes')
    // a timer never fires before its time: a lower bound, not a measure
    expect(Date.now() - sent).toBeGreaterThanOrEqual(190)
  })

  test('stopReading: the client meets backpressure, and everything passes once reading resumes', async () => {
    const client = await open()
    await proxy.setFaults({ stopReading: true })
    const payload = Buffer.alloc(32 * 1024 * 1024, 7)
    const flushed = client.socket.write(payload)
    expect(flushed).toBe(false)
    await waitFor(() => proxy.stats.bytesFromClients > 0 || client.socket.writableLength > 0, 'the write queued')
    // the kernel buffers fill up and the rest of the payload waits in the client's socket
    const stuck = client.socket.writableLength
    expect(stuck).toBeGreaterThan(0)
    expect(echo.received()).toBeLessThan(payload.length)
    await proxy.setFaults({ stopReading: false })
    await waitFor(() => client.data().length === payload.length, 'the whole payload echoed', 60000)
    expect(client.socket.writableLength).toBe(0)
  })

  test('refuse: new connections are refused, open ones carry on; heal listens again on the same port', async () => {
    const client = await open()
    const port = proxy.port
    await proxy.setFaults({ refuse: true })
    expect((await connectError(port)).code).toBe('ECONNREFUSED')
    client.socket.write('still here')
    await waitFor(() => client.data().toString() === 'still here', 'the open connection echoing')
    await proxy.heal()
    expect(proxy.port).toBe(port)
    const next = await open()
    next.socket.write('back')
    await waitFor(() => next.data().toString() === 'back', 'a new connection after heal')
  })

  test('a fixed port can be bound again after close; close ends every connection', async () => {
    const client = await open()
    const port = proxy.port
    await proxy.close()
    await waitFor(client.closed, 'the connection closed')
    expect(proxy.connections).toBe(0)
    proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: echo.port }, port })
    expect(proxy.port).toBe(port)
    const again = await open()
    again.socket.write('again')
    await waitFor(() => again.data().toString() === 'again', 'the echo on the re-bound port')
  })
})
