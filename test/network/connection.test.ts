import net from 'node:net'
import {
  KafkaJSConnectionClosedError,
  KafkaJSConnectionError,
  KafkaJSDecodeError,
  KafkaJSError,
  KafkaJSInvalidArgumentError,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSServerDoesNotSupportApiKey,
} from '../../src/errors.js'
import { Connection } from '../../src/network/connection.js'
import type { ConnectionOptions } from '../../src/network/connection-options.js'
import { defaultSocketFactory, type SocketFactory } from '../../src/network/socket-factory.js'
import { ApiVersions } from '../../src/protocol/generated/api-versions.js'
import { Reader } from '../../src/protocol/primitives/reader.js'
import { VERSION } from '../../src/version.js'
import { waitFor } from '../helpers/wait.js'
import { Echo, echoed, type FakeServer, fakeServerPerTest, type ReceivedRequest } from './fake-server.js'
import { closedPort } from './ports.js'

let server: FakeServer
const track = fakeServerPerTest((started) => {
  server = started
})

function connection(options: Partial<ConnectionOptions> = {}): Connection {
  const c = new Connection({ host: '127.0.0.1', port: server.port, ...options })
  track(c)
  return c
}

async function connected(options: Partial<ConnectionOptions> = {}): Promise<Connection> {
  const c = connection(options)
  await c.connect()
  return c
}

/** Holds every Echo request unanswered; `answer` replies to the held ones in the order given. */
function holdEchoes(): { held: ReceivedRequest[]; answer: (order?: number[]) => void } {
  const held: ReceivedRequest[] = []
  server.handlers.set(Echo.apiKey, (req) => held.push(req))
  return {
    held,
    answer: (order = held.map((_, i) => i)) => {
      for (const i of order) server.reply(held[i]!, Echo, { value: echoed(held[i]!) })
    },
  }
}

/** Resolves once the server has received `n` requests of `api`. */
function receivedCount(api: { apiKey: number }, n: number): Promise<void> {
  return waitFor(
    () => server.received(api).length >= n,
    `${n} requests of API ${api.apiKey} at the fake server`,
    10000,
    0,
  )
}

describe('handshake', () => {
  test('connects, sends ApiVersions first with the client software name and version, then is ready', async () => {
    const c = await connected()
    expect(c.state).toBe('ready')
    const [first] = server.requests
    expect(first!.apiKey).toBe(ApiVersions.apiKey)
    expect(first!.apiVersion).toBe(ApiVersions.maxVersion)
    expect(ApiVersions.readRequest(new Reader(first!.body), first!.apiVersion)).toEqual({
      clientSoftwareName: 'kafkit',
      clientSoftwareVersion: VERSION,
    })
    expect(first!.clientId).toBe('kafkajs')
    expect(c.apiVersions.get(Echo.apiKey)).toEqual({ minVersion: 0, maxVersion: 2 })
  })

  test('concurrent connect() calls share one attempt', async () => {
    const c = connection()
    await Promise.all([c.connect(), c.connect()])
    expect(server.received(ApiVersions)).toHaveLength(1)
  })

  test('UNSUPPORTED_VERSION answered in v0 with the broker range: retries at the highest common version', async () => {
    server.handlers.set(ApiVersions.apiKey, (req) => {
      if (req.apiVersion > 2) {
        const refusal = ApiVersions.createResponse({
          errorCode: 35,
          apiKeys: [{ apiKey: ApiVersions.apiKey, minVersion: 0, maxVersion: 2 }],
        })
        server.reply(req, ApiVersions, refusal, 0)
      } else {
        server.reply(req, ApiVersions, ApiVersions.createResponse({ apiKeys: server.apiVersions }))
      }
    })
    const c = await connected()
    expect(server.received(ApiVersions).map((r) => r.apiVersion)).toEqual([ApiVersions.maxVersion, 2])
    expect(c.versionFor(Echo)).toBe(2)
  })

  test('UNSUPPORTED_VERSION without a range for ApiVersions: retries at v0', async () => {
    server.handlers.set(ApiVersions.apiKey, (req) => {
      const response =
        req.apiVersion > 0
          ? ApiVersions.createResponse({ errorCode: 35 })
          : ApiVersions.createResponse({ apiKeys: server.apiVersions })
      server.reply(req, ApiVersions, response, 0)
    })
    await connected()
    expect(server.received(ApiVersions).map((r) => r.apiVersion)).toEqual([ApiVersions.maxVersion, 0])
  })

  test('another ApiVersions error fails connect() with the protocol error and closes', async () => {
    server.handlers.set(ApiVersions.apiKey, (req) => {
      server.reply(req, ApiVersions, ApiVersions.createResponse({ errorCode: 31 }))
    })
    const c = connection()
    const error = await c.connect().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSProtocolError)
    expect((error as KafkaJSProtocolError).type).toBe('CLUSTER_AUTHORIZATION_FAILED')
    expect(c.state).toBe('closed')
  })

  test('the authenticator runs after ApiVersions, before ready, and may send requests', async () => {
    const seen: string[] = []
    const c = connection({
      authenticator: async (ctx) => {
        seen.push(`state ${c.state}`, `broker ${ctx.broker}`, `echo v${ctx.versionFor(Echo)}`)
        const response = await ctx.send(Echo, { value: 42 })
        seen.push(`echoed ${response.value}`)
      },
    })
    await c.connect()
    expect(seen).toEqual(['state authenticating', `broker ${server.broker}`, 'echo v2', 'echoed 42'])
    expect(c.state).toBe('ready')
    expect(server.requests.map((r) => r.apiKey)).toEqual([ApiVersions.apiKey, Echo.apiKey])
  })

  test('an authenticator failure fails connect() with that error and closes the connection', async () => {
    const refused = new KafkaJSError('bad credentials', { retriable: false })
    const c = connection({ authenticator: () => Promise.reject(refused) })
    await expect(c.connect()).rejects.toBe(refused)
    expect(c.state).toBe('closed')
    await expect(c.send(Echo, { value: 1 })).rejects.toMatchObject({
      name: 'KafkaJSConnectionError',
      message: 'Not connected',
      cause: refused,
    })
  })

  test('an unreachable port is a KafkaJSConnectionError naming host:port', async () => {
    const port = await closedPort()
    const c = new Connection({ host: '127.0.0.1', port })
    track(c)
    const error = await c.connect().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSConnectionError)
    expect((error as KafkaJSConnectionError).message).toContain(`127.0.0.1:${port}`)
    expect((error as KafkaJSConnectionError).broker).toBe(`127.0.0.1:${port}`)
    expect((error as KafkaJSConnectionError).retriable).toBe(true)
  })

  test('a socket that never connects fails with a connection timeout naming host:port', async () => {
    // a socket the factory never connects stands for a peer that never answers the SYN
    const c = connection({ connectionTimeout: 20, socketFactory: () => new net.Socket() })
    await expect(c.connect()).rejects.toMatchObject({ message: 'Connection timeout', broker: server.broker })
    expect(c.state).toBe('closed')
  })

  test('a custom socket factory gets KafkaJS factory arguments and its socket is used', async () => {
    const calls: unknown[] = []
    await connected({
      ssl: false,
      socketFactory: (args) => {
        calls.push({ host: args.host, port: args.port, ssl: args.ssl })
        return defaultSocketFactory(args)
      },
    })
    expect(calls).toEqual([{ host: '127.0.0.1', port: server.port, ssl: undefined }])
  })
})

describe('version negotiation', () => {
  test('picks the highest version in both ranges', async () => {
    const c = await connected()
    expect(c.versionFor(Echo)).toBe(2) // client 0-3, broker 0-2
    server.apiVersions[1] = { apiKey: Echo.apiKey, minVersion: 1, maxVersion: 9 }
    expect((await connected()).versionFor(Echo)).toBe(3)
  })

  test('no common version: the error names the API and both ranges', async () => {
    server.apiVersions[1] = { apiKey: Echo.apiKey, minVersion: 5, maxVersion: 7 }
    const c = await connected()
    const message = `Broker ${server.broker} supports Echo (API key 1000) v5-v7, the client supports v0-v3: no common version`
    expect(() => c.versionFor(Echo)).toThrow(message)
    await expect(c.send(Echo, { value: 1 })).rejects.toBeInstanceOf(KafkaJSServerDoesNotSupportApiKey)
  })

  test('an API the broker does not list: the error names the API and the client range', async () => {
    server.apiVersions.pop()
    const c = await connected()
    expect(() => c.versionFor(Echo)).toThrow(
      `Broker ${server.broker} does not support Echo (API key 1000); the client supports v0-v3`,
    )
  })

  test('an explicit version outside either range is refused before anything is sent', async () => {
    const c = await connected()
    await expect(c.send(Echo, { value: 1 }, { version: 3 })).rejects.toThrow(
      `Echo v3 cannot be sent to ${server.broker}: the client supports v0-v3, the broker v0-v2`,
    )
    await expect(c.send(Echo, { value: 1 }, { version: 1 })).resolves.toEqual({ value: 1 })
    expect(server.received(Echo).map((r) => r.apiVersion)).toEqual([1])
  })
})

describe('requests', () => {
  test('each request is one socket write of one buffer', async () => {
    const writes: number[] = []
    const c = await connected({ socketFactory: recordingWrites(writes) })
    await Promise.all([c.send(Echo, { value: 1 }), c.send(Echo, { value: 2 })])
    // ApiVersions, then two Echo frames of 4 (size) + 8 (header) + 9 (client id 'kafkajs') + 4 (body) bytes
    expect(writes.slice(1)).toEqual([25, 25])
  })

  test('pipelined requests are answered in order, each with its own response', async () => {
    const c = await connected()
    const values = Array.from({ length: 50 }, (_, i) => i * 7)
    const responses = await Promise.all(values.map((value) => c.send(Echo, { value })))
    expect(responses.map((r) => r.value)).toEqual(values)
    const ids = server.received(Echo).map((r) => r.correlationId)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
  })

  test('no more than maxInFlightRequests are written; the rest wait in the queue, in order', async () => {
    const writes: number[] = []
    const c = await connected({ maxInFlightRequests: 2, socketFactory: recordingWrites(writes) })
    const { answer } = holdEchoes()
    const pending = [1, 2, 3, 4, 5].map((value) => c.send(Echo, { value }))
    expect(writes).toHaveLength(1 + 2)
    expect(c.pendingRequests).toBe(5)
    await receivedCount(Echo, 2)
    answer([0])
    await receivedCount(Echo, 3)
    answer([1, 2])
    await receivedCount(Echo, 5)
    answer([3, 4])
    expect((await Promise.all(pending)).map((r) => r.value)).toEqual([1, 2, 3, 4, 5])
    expect(c.pendingRequests).toBe(0)
  })

  test('many responses in one chunk and responses split byte by byte are all delivered', async () => {
    const c = await connected()
    const { held } = holdEchoes()
    const pending = [10, 20, 30].map((value) => c.send(Echo, { value }))
    await receivedCount(Echo, 3)
    const frames = held.map((req) => server.frame(req, Echo, { value: echoed(req) + 1 }))
    held[0]!.socket.write(Buffer.from(frames.flatMap((f) => [...f]).slice(0, 30)))
    const rest = Buffer.from(frames.flatMap((f) => [...f]).slice(30))
    for (let i = 0; i < rest.length; i++) held[0]!.socket.write(rest.subarray(i, i + 1))
    expect((await Promise.all(pending)).map((r) => r.value)).toEqual([11, 21, 31])
  })

  test('expectResponse: false resolves once written, and the responses after it still match', async () => {
    const c = await connected()
    server.handlers.set(Echo.apiKey, (req) => {
      const value = echoed(req)
      if (value !== 0) server.reply(req, Echo, { value })
    })
    const fireAndForget = c.send(Echo, { value: 0 }, { expectResponse: false })
    const answered = c.send(Echo, { value: 5 })
    await expect(fireAndForget).resolves.toBeUndefined()
    await expect(answered).resolves.toEqual({ value: 5 })
    expect(server.received(Echo)).toHaveLength(2)
  })

  test('a response that does not decode fails only its request; the connection stays usable', async () => {
    const c = await connected()
    server.handlers.set(Echo.apiKey, (req) => {
      const value = echoed(req)
      // two bytes short of an int32: the frame is intact, its body is not
      if (value === 1) req.socket.write(Buffer.from([0, 0, 0, 6, ...int32(req.correlationId), 0, 0]))
      else server.reply(req, Echo, { value })
    })
    await expect(c.send(Echo, { value: 1 })).rejects.toBeInstanceOf(KafkaJSDecodeError)
    await expect(c.send(Echo, { value: 2 })).resolves.toEqual({ value: 2 })
    expect(c.state).toBe('ready')
  })

  test('a closed connection cannot connect again', async () => {
    const c = connection()
    await c.close()
    await expect(c.connect()).rejects.toThrow(
      `Connection to ${server.broker} is closed: a closed connection cannot connect`,
    )
  })

  test('send before connect is refused', async () => {
    const c = connection()
    await expect(c.send(Echo, { value: 1 })).rejects.toMatchObject({ message: 'Not connected', broker: server.broker })
  })
})

describe('timeouts', () => {
  test('a request without a response times out naming the request and broker, and closes the connection', async () => {
    const c = await connected({ requestTimeout: 60_000 })
    holdEchoes()
    const other = c.send(Echo, { value: 1 })
    const error = await c.send(Echo, { value: 2 }, { timeout: 30 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSRequestTimeoutError)
    expect((error as Error).message).toBe('Request Echo(key: 1000, version: 2) timed out')
    expect((error as KafkaJSRequestTimeoutError).broker).toBe(server.broker)
    expect((error as KafkaJSRequestTimeoutError).retriable).toBe(true)
    expect(c.state).toBe('closed')
    await expect(other).rejects.toBeInstanceOf(KafkaJSConnectionClosedError)
  })

  test("a request's timer is requestTimeout plus the wait it asks of the broker, or the explicit timeout", async () => {
    const c = await connected({ requestTimeout: 60_000 })
    holdEchoes()
    const timers = jest.spyOn(global, 'setTimeout')
    try {
      // Echo carries no wait field: brokerWaitMs names one, as SyncGroup does (request-timeout.ts)
      void c.send(Echo, { value: 1 }).catch(() => undefined)
      void c.send(Echo, { value: 2 }, { brokerWaitMs: 1000 }).catch(() => undefined)
      void c.send(Echo, { value: 3 }, { brokerWaitMs: 1000, timeout: 50_000 }).catch(() => undefined)
      const delays = timers.mock.calls.map(([, delay]) => delay)
      expect(delays).toEqual(expect.arrayContaining([60_000, 61_000, 50_000]))
    } finally {
      timers.mockRestore()
    }
  })

  test('a request that times out while queued is dropped from the queue; the connection stays up', async () => {
    const c = await connected({ maxInFlightRequests: 1 })
    const { answer } = holdEchoes()
    const first = c.send(Echo, { value: 1 })
    await receivedCount(Echo, 1)
    const error = await c.send(Echo, { value: 2 }, { timeout: 20 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSRequestTimeoutError)
    expect((error as KafkaJSRequestTimeoutError).sentAt).toBeUndefined()
    answer()
    await expect(first).resolves.toEqual({ value: 1 })
    expect(c.state).toBe('ready')
    server.handlers.set(Echo.apiKey, (req) => server.reply(req, Echo, { value: echoed(req) }))
    await expect(c.send(Echo, { value: 3 })).resolves.toEqual({ value: 3 })
    // the timed-out request was never written
    expect(server.received(Echo).map(echoed)).toEqual([1, 3])
  })
})

describe('close and failures', () => {
  test('close() fails in-flight and queued requests with KafkaJSConnectionClosedError', async () => {
    const c = await connected({ maxInFlightRequests: 1 })
    holdEchoes()
    const outcomes = [c.send(Echo, { value: 1 }), c.send(Echo, { value: 2 })].map((p) => p.catch((e: unknown) => e))
    await receivedCount(Echo, 1)
    await c.close()
    for (const error of await Promise.all(outcomes)) {
      expect(error).toBeInstanceOf(KafkaJSConnectionClosedError)
      expect((error as Error).message).toContain(server.broker)
    }
    expect(c.state).toBe('closed')
    expect(c.pendingRequests).toBe(0)
    await c.close()
  })

  test('close() during the handshake fails connect()', async () => {
    server.handlers.set(ApiVersions.apiKey, () => {})
    const c = connection()
    const connecting = c.connect().catch((e: unknown) => e)
    await receivedCount(ApiVersions, 1)
    await c.close()
    expect(await connecting).toBeInstanceOf(KafkaJSConnectionClosedError)
  })

  test('the broker closing the socket fails in-flight requests with a connection error naming it', async () => {
    const c = await connected()
    server.handlers.set(Echo.apiKey, (req) => req.socket.destroy())
    const error = await c.send(Echo, { value: 1 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSConnectionClosedError)
    expect(error).toMatchObject({ message: 'Closed connection', broker: server.broker })
    expect(c.state).toBe('closed')
  })

  test('a frame size above maxResponseSize is a decode error and closes the connection', async () => {
    const c = await connected({ maxResponseSize: 1024 })
    server.handlers.set(Echo.apiKey, (req) => req.socket.write(Buffer.from(int32(1025))))
    const error = await c.send(Echo, { value: 1 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSDecodeError)
    expect((error as Error).message).toContain(`from ${server.broker}: invalid frame size 1025`)
    expect(c.state).toBe('closed')
  })

  test('a negative frame size is a decode error and closes the connection', async () => {
    const c = await connected()
    server.handlers.set(Echo.apiKey, (req) => req.socket.write(Buffer.from(int32(-5))))
    await expect(c.send(Echo, { value: 1 })).rejects.toThrow(/invalid frame size -5/)
    expect(c.state).toBe('closed')
  })

  test('a response with an unexpected correlation id closes the connection', async () => {
    const c = await connected()
    server.handlers.set(Echo.apiKey, (req) =>
      server.reply({ ...req, correlationId: req.correlationId + 7 }, Echo, { value: 1 }),
    )
    await expect(c.send(Echo, { value: 1 })).rejects.toThrow(/correlation id \d+, expected \d+/)
    expect(c.state).toBe('closed')
  })
})

describe('options', () => {
  test.each([
    [{ port: 0 }, 'port must be an integer between 1 and 65535, got 0'],
    [{ host: '' }, 'host must be a non-empty string, got ""'],
    [{ connectionTimeout: -1 }, 'connectionTimeout must be an integer between 1 and 2147483647 (ms), got -1'],
    [{ requestTimeout: 1.5 }, 'requestTimeout must be an integer between 1 and 2147483647 (ms), got 1.5'],
    [{ maxInFlightRequests: 0 }, 'maxInFlightRequests must be a positive integer or null (no limit), got 0'],
    [{ maxResponseSize: 4 }, 'maxResponseSize must be an integer >= 8 (bytes), got 4'],
  ])('%j is refused: %s', (bad, message) => {
    expect(() => new Connection({ host: '127.0.0.1', port: 9092, ...bad })).toThrow(message)
    expect(() => new Connection({ host: '127.0.0.1', port: 9092, ...bad })).toThrow(KafkaJSInvalidArgumentError)
  })
})

/** A socket factory whose sockets record the size of every write. */
function recordingWrites(writes: number[]): SocketFactory {
  return (args) => {
    const socket = defaultSocketFactory(args)
    const original = socket.write.bind(socket) as (...a: unknown[]) => boolean
    ;(socket as { write: (...a: unknown[]) => boolean }).write = (...a: unknown[]) => {
      writes.push((a[0] as Buffer).length)
      return original(...a)
    }
    return socket
  }
}

function int32(value: number): number[] {
  const b = Buffer.alloc(4)
  b.writeInt32BE(value)
  return [...b]
}
