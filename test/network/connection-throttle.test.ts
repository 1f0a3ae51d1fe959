// The connection's client-side throttling (KIP-219, invariant 10 of connection.ts) and its bound on
// the bytes left in the socket's buffer (invariant 11), against the fake server. What a broker's
// quota really does is tested against Kafka in integration/quotas-throttle.test.ts.

import { Connection } from '../../src/network/connection.js'
import type { ConnectionOptions } from '../../src/network/connection-options.js'
import type {
  RequestObserver,
  RequestQueueSizeRecord,
  RequestRecord,
  RequestThrottleRecord,
} from '../../src/network/request-observer.js'
import { CLIENT_THROTTLED_APIS, clientThrottleMs, ThrottleClock } from '../../src/network/throttle.js'
import type { ApiDefinition } from '../../src/protocol/api.js'
import { Heartbeat } from '../../src/protocol/generated/heartbeat.js'
import * as generated from '../../src/protocol/generated/index.js'
import { waitFor } from '../helpers/wait.js'
import { Echo, type FakeServer, fakeServerPerTest } from './fake-server.js'

let server: FakeServer
const track = fakeServerPerTest((started) => {
  server = started
})

class Recorder implements RequestObserver {
  readonly observesRequests = true
  readonly observesTimeouts = true
  readonly observesQueueSize = true
  readonly observesThrottles = true
  readonly requests: RequestRecord[] = []
  readonly throttles: RequestThrottleRecord[] = []
  readonly queueSizes: RequestQueueSizeRecord[] = []
  onRequest(record: RequestRecord): void {
    this.requests.push(record)
  }
  onRequestTimeout(): void {}
  onRequestQueueSize(record: RequestQueueSizeRecord): void {
    this.queueSizes.push(record)
  }
  onRequestThrottle(record: RequestThrottleRecord): void {
    this.throttles.push(record)
  }
}

async function connected(options: Partial<ConnectionOptions> = {}): Promise<Connection> {
  const c = track(new Connection({ host: '127.0.0.1', port: server.port, ...options }))
  await c.connect()
  return c
}

const heartbeat = Heartbeat.createRequest({ groupId: 'g', generationId: 1, memberId: 'm' })

/** Serves Heartbeat answering with the throttle times given in turn (then 0). */
function serveHeartbeats(throttles: number[]): void {
  server.serve(Heartbeat, () => Heartbeat.createResponse({ throttleTimeMs: throttles.shift() ?? 0 }))
}

describe('client-side throttling (KIP-219)', () => {
  test('a throttled response holds later requests until the throttle ends, and is reported once', async () => {
    const observer = new Recorder()
    serveHeartbeats([300])
    const c = await connected({ requestObserver: observer, clientId: 'throttled' })
    const before = Date.now()
    await c.send(Heartbeat, heartbeat, { version: 4 })
    expect(c.throttledUntil).toBeGreaterThanOrEqual(before + 300)
    expect(observer.throttles).toEqual([
      expect.objectContaining({
        apiName: 'Heartbeat',
        apiVersion: 4,
        broker: server.broker,
        clientId: 'throttled',
        throttleTimeMs: 300,
        throttledUntil: c.throttledUntil,
      }),
    ])
    // the next request waits in the queue; it is written once the throttle is over
    await c.send(Heartbeat, heartbeat, { version: 4 })
    const second = observer.requests.filter((r) => r.apiName === 'Heartbeat')[1]!
    expect(second.sentAt).toBeGreaterThanOrEqual(c.throttledUntil)
    expect(server.received(Heartbeat)).toHaveLength(2)
    expect(observer.throttles).toHaveLength(1)
    expect(observer.queueSizes.some((r) => r.queueSize === 1)).toBe(true)
  })

  test('the time held by a throttle does not count against the request timeout', async () => {
    // the timeout also bounds the handshake, so it leaves room for a loaded machine
    serveHeartbeats([2500])
    const c = await connected({ requestTimeout: 1000 })
    await c.send(Heartbeat, heartbeat, { version: 4 })
    // queued for ~2.5 s behind the throttle, with a 1 s timeout: answered, not timed out
    await expect(c.send(Heartbeat, heartbeat, { version: 4 })).resolves.toMatchObject({ errorCode: 0 })
    expect(c.state).toBe('ready')
  })

  test('a request still unanswered past its timeout after the throttle times out as usual', async () => {
    serveHeartbeats([1500])
    const c = await connected({ requestTimeout: 1000 })
    await c.send(Heartbeat, heartbeat, { version: 4 })
    server.handlers.set(Heartbeat.apiKey, () => {})
    await expect(c.send(Heartbeat, heartbeat, { version: 4 })).rejects.toMatchObject({
      name: 'KafkaJSRequestTimeoutError',
    })
  })

  test('a response version from before KIP-219 was waited out by the broker: no client throttle', async () => {
    serveHeartbeats([300])
    const c = await connected()
    await c.send(Heartbeat, heartbeat, { version: 1 })
    expect(c.throttledUntil).toBe(0)
  })

  test('the table follows Java: the first throttling version per response', () => {
    expect(clientThrottleMs('Produce', 5, { throttleTimeMs: 10 })).toBe(0)
    expect(clientThrottleMs('Produce', 6, { throttleTimeMs: 10 })).toBe(10)
    expect(clientThrottleMs('Fetch', 7, { throttleTimeMs: 10 })).toBe(0)
    expect(clientThrottleMs('Fetch', 8, { throttleTimeMs: 10 })).toBe(10)
    expect(clientThrottleMs('Fetch', 8, { throttleTimeMs: 0 })).toBe(0)
    // Java's client does not wait for APIs it does not list
    expect(clientThrottleMs('ConsumerGroupHeartbeat', 0, { throttleTimeMs: 10 })).toBe(0)
    const names = new Set(
      Object.values(generated as Record<string, unknown>)
        .filter((v): v is ApiDefinition<unknown, unknown> => typeof v === 'object' && v !== null && 'apiKey' in v)
        .map((api) => api.name),
    )
    for (const name of CLIENT_THROTTLED_APIS) {
      if (name === 'UnregisterBroker' || name === 'DescribeTopicPartitions') continue
      expect([name, names.has(name)]).toEqual([name, true])
    }
  })

  test('ThrottleClock sums the time throttled, overlapping throttles counted once', () => {
    const clock = new ThrottleClock()
    expect(clock.elapsed(1000)).toBe(0)
    clock.throttle(100, 1000)
    expect(clock.elapsed(1050)).toBe(50)
    clock.throttle(100, 1050) // extends to 1150
    expect(clock.until).toBe(1150)
    expect(clock.elapsed(2000)).toBe(150)
    clock.throttle(10, 3000)
    expect(clock.elapsed(3005)).toBe(155)
    expect(clock.elapsed(4000)).toBe(160)
    expect(clock.isThrottled(3009)).toBe(true)
    expect(clock.isThrottled(3010)).toBe(false)
  })
})

/** A made-up API whose request carries a payload of any size; the response is Echo's. */
const Blob: ApiDefinition<{ data: Buffer }, { value: number }> = {
  ...(Echo as unknown as ApiDefinition<{ data: Buffer }, { value: number }>),
  apiKey: 1001,
  name: 'Blob',
  createRequest: (fields) => ({ data: Buffer.alloc(0), ...fields }),
  sizeRequest: (m) => m.data.length,
  writeRequest: (w, m) => w.raw(m.data),
  readRequest: (r) => ({ data: r.view(r.remaining()) }),
}

describe('bytes left in the socket buffer (maxBufferedWriteBytes)', () => {
  test('a peer that stops reading makes requests wait in the queue, not pile up in the socket', async () => {
    const limit = 512 * 1024
    const observer = new Recorder()
    server.advertise(Blob)
    server.handlers.set(Blob.apiKey, (req) => server.reply(req, Echo, { value: req.body.length }))
    const c = await connected({ maxBufferedWriteBytes: limit, requestObserver: observer })
    for (const socket of server.sockets) socket.pause()
    const size = 256 * 1024
    const count = 128 // 32 MiB: more than the kernel's buffers on both ends take
    let most = 0
    const sends = Array.from({ length: count }, (_, i) =>
      c.send(Blob, { data: Buffer.alloc(size, i) }).then((r) => {
        most = Math.max(most, c.bufferedWriteBytes)
        return r
      }),
    )
    most = Math.max(most, c.bufferedWriteBytes)
    await waitFor(() => observer.queueSizes.some((r) => r.queueSize > 0), 'requests held in the queue')
    for (let i = 0; i < 20; i++) {
      most = Math.max(most, c.bufferedWriteBytes)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect(most).toBeGreaterThan(0)
    expect(most).toBeLessThanOrEqual(limit)
    expect(server.received(Blob).length).toBeLessThan(count)
    for (const socket of server.sockets) socket.resume()
    const answers = await Promise.all(sends)
    expect(answers.every((a) => a.value === size)).toBe(true)
    expect(most).toBeLessThanOrEqual(limit)
    expect(c.bufferedWriteBytes).toBe(0)
  })

  test('a request larger than the limit still goes once the buffer is empty', async () => {
    server.advertise(Blob)
    server.handlers.set(Blob.apiKey, (req) => server.reply(req, Echo, { value: req.body.length }))
    const c = await connected({ maxBufferedWriteBytes: 1024 })
    const results = await Promise.all([
      c.send(Blob, { data: Buffer.alloc(64 * 1024) }),
      c.send(Blob, { data: Buffer.alloc(64 * 1024) }),
    ])
    expect(results).toEqual([{ value: 64 * 1024 }, { value: 64 * 1024 }])
  })

  test('the option is checked', () => {
    expect(() => new Connection({ host: '127.0.0.1', port: 9092, maxBufferedWriteBytes: 0 })).toThrow(
      'maxBufferedWriteBytes must be a positive integer (bytes), got 0',
    )
  })
})
