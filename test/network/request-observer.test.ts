import { KafkaJSInvalidArgumentError, KafkaJSRequestTimeoutError } from '../../src/errors.js'
import { Connection } from '../../src/network/connection.js'
import type { ConnectionOptions } from '../../src/network/connection-options.js'
import type {
  RequestObserver,
  RequestQueueSizeRecord,
  RequestRecord,
  RequestTimeoutRecord,
} from '../../src/network/request-observer.js'
import { ApiVersions } from '../../src/protocol/generated/api-versions.js'
import { waitFor } from '../helpers/wait.js'
import { Echo, echoed, type FakeServer, fakeServerPerTest, type ReceivedRequest } from './fake-server.js'

let server: FakeServer
const track = fakeServerPerTest((started) => {
  server = started
})

/** Records what it is told; each kind is wanted only while its flag is set. */
class RecordingObserver implements RequestObserver {
  observesRequests = true
  observesTimeouts = true
  observesQueueSize = true
  readonly requests: RequestRecord[] = []
  readonly timeouts: RequestTimeoutRecord[] = []
  readonly queueSizes: number[] = []
  onRequest(record: RequestRecord): void {
    this.requests.push(record)
  }
  onRequestTimeout(record: RequestTimeoutRecord): void {
    this.timeouts.push(record)
  }
  onRequestQueueSize(record: RequestQueueSizeRecord): void {
    expect(record.broker).toBe(server.broker)
    this.queueSizes.push(record.queueSize)
  }
}

async function connected(observer: RequestObserver, options: Partial<ConnectionOptions> = {}): Promise<Connection> {
  const c = new Connection({ host: '127.0.0.1', port: server.port, requestObserver: observer, ...options })
  track(c)
  await c.connect()
  return c
}

function holdEchoes(): { held: ReceivedRequest[]; answer: () => void } {
  const held: ReceivedRequest[] = []
  server.handlers.set(Echo.apiKey, (req) => held.push(req))
  return {
    held,
    answer: () => {
      for (const req of held.splice(0)) server.reply(req, Echo, { value: echoed(req) })
    },
  }
}

function receivedCount(n: number): Promise<void> {
  return waitFor(() => server.received(Echo).length >= n, `${n} Echo requests at the fake server`, 10000, 0)
}

describe('request observer', () => {
  test('reports every request, the handshake included, with the correlation id it carried on the wire', async () => {
    const observer = new RecordingObserver()
    const c = await connected(observer, { clientId: 'observed' })
    await Promise.all([c.send(Echo, { value: 1 }), c.send(Echo, { value: 2 }, { version: 1 })])
    const wireIds = server.requests.map((r) => r.correlationId)
    expect(observer.requests.map((r) => r.correlationId)).toEqual(wireIds)
    expect(new Set(wireIds).size).toBe(3)
    expect(observer.requests.map((r) => [r.apiName, r.apiKey, r.apiVersion])).toEqual([
      ['ApiVersions', ApiVersions.apiKey, 4],
      ['Echo', Echo.apiKey, 2],
      ['Echo', Echo.apiKey, 1],
    ])
    for (const record of observer.requests) {
      expect(record).toEqual({
        apiKey: expect.any(Number),
        apiName: expect.any(String),
        apiVersion: expect.any(Number),
        broker: server.broker,
        clientId: 'observed',
        correlationId: expect.any(Number),
        createdAt: expect.any(Number),
        sentAt: expect.any(Number),
        pendingDuration: record.sentAt - record.createdAt,
        duration: expect.any(Number),
        size: expect.any(Number),
      })
      expect(record.sentAt).toBeGreaterThanOrEqual(record.createdAt)
      expect(record.duration).toBeGreaterThanOrEqual(0)
    }
    // an Echo response is a correlation id and an int32: the size counts the frame after its length prefix
    expect(observer.requests[1]!.size).toBe(8)
  })

  test('a request without response is reported once written, with size 0', async () => {
    const observer = new RecordingObserver()
    const c = await connected(observer)
    server.handlers.set(Echo.apiKey, () => {})
    await c.send(Echo, { value: 0 }, { expectResponse: false })
    expect(observer.requests.at(-1)).toMatchObject({ apiName: 'Echo', size: 0 })
  })

  test('a timeout in flight is reported with its correlation id and when it was sent', async () => {
    const observer = new RecordingObserver()
    const c = await connected(observer)
    holdEchoes()
    const error = await c.send(Echo, { value: 1 }, { timeout: 20 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSRequestTimeoutError)
    const [wire] = server.received(Echo)
    expect(observer.timeouts).toEqual([
      {
        apiKey: Echo.apiKey,
        apiName: 'Echo',
        apiVersion: 2,
        broker: server.broker,
        clientId: 'kafkajs',
        correlationId: wire!.correlationId,
        createdAt: expect.any(Number),
        sentAt: expect.any(Number),
        pendingDuration: expect.any(Number),
      },
    ])
    expect(observer.requests.map((r) => r.apiName)).toEqual(['ApiVersions'])
  })

  test('a timeout before the request could be written has no sentAt', async () => {
    const observer = new RecordingObserver()
    const c = await connected(observer, { maxInFlightRequests: 1 })
    const { answer } = holdEchoes()
    const first = c.send(Echo, { value: 1 })
    await receivedCount(1)
    await expect(c.send(Echo, { value: 2 }, { timeout: 20 })).rejects.toBeInstanceOf(KafkaJSRequestTimeoutError)
    expect(observer.timeouts).toEqual([expect.objectContaining({ apiName: 'Echo', sentAt: null })])
    answer()
    await first
  })

  test('the queue size is reported when a request has to wait and when it stops waiting, not otherwise', async () => {
    const observer = new RecordingObserver()
    const c = await connected(observer, { maxInFlightRequests: 1 })
    await c.send(Echo, { value: 0 })
    expect(observer.queueSizes).toEqual([])
    const { answer } = holdEchoes()
    const pending = [1, 2, 3].map((value) => c.send(Echo, { value }))
    expect(observer.queueSizes).toEqual([1, 2])
    for (let n = 1; n <= 3; n++) {
      await receivedCount(n + 1)
      answer()
    }
    await Promise.all(pending)
    expect(observer.queueSizes).toEqual([1, 2, 1, 0])
  })

  test('closing with requests still queued reports an empty queue', async () => {
    const observer = new RecordingObserver()
    const c = await connected(observer, { maxInFlightRequests: 1 })
    holdEchoes()
    const pending = [1, 2].map((value) => c.send(Echo, { value }).catch(() => undefined))
    await c.close()
    await Promise.all(pending)
    expect(observer.queueSizes).toEqual([1, 0])
  })

  test('a failure that closes the connection reports the emptied queue; close() with nothing queued does not', async () => {
    const observer = new RecordingObserver()
    const c = await connected(observer)
    holdEchoes()
    await expect(c.send(Echo, { value: 1 }, { timeout: 20 })).rejects.toBeInstanceOf(KafkaJSRequestTimeoutError)
    expect(c.state).toBe('closed')
    expect(observer.queueSizes).toEqual([0])
    const quiet = new RecordingObserver()
    const d = await connected(quiet)
    await d.close()
    expect(quiet.queueSizes).toEqual([])
  })

  test('reports nothing of a kind the observer does not want at that moment', async () => {
    const observer = new RecordingObserver()
    observer.observesRequests = false
    observer.observesQueueSize = false
    const c = await connected(observer, { maxInFlightRequests: 1 })
    await Promise.all([c.send(Echo, { value: 1 }), c.send(Echo, { value: 2 })])
    expect(observer.requests).toEqual([])
    expect(observer.queueSizes).toEqual([])
    observer.observesRequests = true
    await c.send(Echo, { value: 3 })
    expect(observer.requests.map((r) => r.apiName)).toEqual(['Echo'])
  })

  test('an observer that throws does not disturb the connection', async () => {
    const throwing: RequestObserver = {
      observesRequests: true,
      observesTimeouts: true,
      observesQueueSize: true,
      onRequest: () => {
        throw new Error('observer broke')
      },
      onRequestTimeout: () => {
        throw new Error('observer broke')
      },
      onRequestQueueSize: () => {
        throw new Error('observer broke')
      },
    }
    const c = await connected(throwing, { maxInFlightRequests: 1 })
    const responses = await Promise.all([1, 2, 3].map((value) => c.send(Echo, { value })))
    expect(responses.map((r) => r.value)).toEqual([1, 2, 3])
    expect(c.state).toBe('ready')
  })

  test('an observer without the observer methods is refused at construction', () => {
    expect(() => new Connection({ host: 'h', port: 1, requestObserver: {} as unknown as RequestObserver })).toThrow(
      KafkaJSInvalidArgumentError,
    )
    expect(() => new Connection({ host: 'h', port: 1, requestObserver: {} as unknown as RequestObserver })).toThrow(
      'requestObserver must be an object with onRequest, onRequestTimeout and onRequestQueueSize methods',
    )
  })
})
