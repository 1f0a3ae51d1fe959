// Broker throttling (KIP-219) against the real broker, through the public API: a producer_byte_rate
// and a consumer_byte_rate quota set with admin.alterClientQuotas for a client id; a producer and a
// consumer with that client id move several times the quota's bytes per second. The client waits
// out each throttle the broker asks for (reported as <client>.network.request_throttle), no request
// times out, nothing fails, and every record arrives. The achieved rate is measured, asserted only
// to stay below a generous multiple of the quota (docs/reliability.md has the figures).

import type { Admin } from '../src/admin/admin.js'
import {
  type Consumer,
  Kafka,
  logLevel,
  type Producer,
  type RequestThrottleRecord,
  type RequestTimeoutRecord,
} from '../src/index.js'
import { connectedAdmin, eventually, uniqueName } from './admin-helpers.js'
import { brokers } from './helpers/brokers.js'
import { waitFor } from './helpers/consumer-helpers.js'

jest.setTimeout(180_000)

/** Bytes per second each quota allows; 256 KiB/s. */
const QUOTA = 256 * 1024
/** Bytes moved through each quota: 4 MiB (16 s of it; KAFKIT_THROTTLE_MIB for a longer run). */
const TOTAL = Number(process.env.KAFKIT_THROTTLE_MIB ?? 4) * 1024 * 1024
const RECORD = 16 * 1024
const RECORDS = TOTAL / RECORD

let admin: Admin
const quotaClients: string[] = []

beforeAll(async () => {
  admin = await connectedAdmin()
})

afterAll(async () => {
  if (quotaClients.length > 0) {
    await admin.alterClientQuotas({
      entries: quotaClients.map((clientId) => ({
        entity: { 'client-id': clientId },
        ops: [
          { key: 'producer_byte_rate', remove: true },
          { key: 'consumer_byte_rate', remove: true },
        ],
      })),
    })
  }
  await admin.disconnect()
})

/** Sets `key` for `clientId` and waits until the broker's cache has it. */
async function setQuota(clientId: string, key: 'producer_byte_rate' | 'consumer_byte_rate'): Promise<void> {
  quotaClients.push(clientId)
  await admin.alterClientQuotas({ entries: [{ entity: { 'client-id': clientId }, ops: [{ key, value: QUOTA }] }] })
  const read = () => admin.describeClientQuotas({ components: [{ entityType: 'client-id', match: clientId }] })
  const { entries } = await eventually(read, (r) => r.entries[0]?.values[key] === QUOTA)
  expect(entries[0]?.values[key]).toBe(QUOTA)
}

interface Watched {
  throttles: RequestThrottleRecord[]
  timeouts: RequestTimeoutRecord[]
}

function watch(client: Producer | Consumer): Watched {
  const watched: Watched = { throttles: [], timeouts: [] }
  // the producer's and the consumer's on() are typed by their own event maps; the payloads are the same
  const on = client.on.bind(client) as (name: string, listener: (event: { payload: never }) => void) => unknown
  on(client.events.REQUEST_THROTTLE, (e) => {
    watched.throttles.push(e.payload)
  })
  on(client.events.REQUEST_TIMEOUT, (e) => {
    watched.timeouts.push(e.payload)
  })
  return watched
}

/**
 * Prints the figures for docs/reliability.md when KAFKIT_REPORT_FIGURES is set; nothing asserts
 * on them. The settled rate counts the throttle still running at the end (the time before the
 * client may send that broker more), which the last bytes' rate would otherwise leave out.
 */
function report(what: string, started: number, ended: number, watched: Watched): void {
  if (process.env.KAFKIT_REPORT_FIGURES === undefined) return
  const kib = TOTAL / 1024
  const until = Math.max(ended, ...watched.throttles.map((t) => t.throttledUntil))
  const longest = Math.max(...watched.throttles.map((t) => t.throttleTimeMs))
  console.info(
    `${what}: ${kib} KiB in ${((ended - started) / 1000).toFixed(1)} s = ${(kib / ((ended - started) / 1000)).toFixed(0)} KiB/s, ` +
      `${(kib / ((until - started) / 1000)).toFixed(0)} KiB/s counting the last throttle (quota ${QUOTA / 1024} KiB/s); ` +
      `${watched.throttles.length} throttled responses, longest ${longest} ms`,
  )
}

test('producer_byte_rate: the producer waits out the throttles, nothing times out, every record is written', async () => {
  const clientId = uniqueName('throttled-producer')
  const topic = uniqueName('throttle-produce')
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] })
  await setQuota(clientId, 'producer_byte_rate')
  const producer = new Kafka({ brokers: brokers(), clientId, logLevel: logLevel.NOTHING }).producer()
  const watched = watch(producer)
  await producer.connect()
  try {
    const value = Buffer.alloc(RECORD, 1)
    const started = Date.now()
    // one send per 16 records keeps the pipeline full without one giant request
    const sends: Promise<unknown>[] = []
    for (let i = 0; i < RECORDS; i += 16) {
      sends.push(
        producer.send({ topic, messages: Array.from({ length: 16 }, (_, j) => ({ key: String(i + j), value })) }),
      )
    }
    await Promise.all(sends)
    const ended = Date.now()
    const seconds = (ended - started) / 1000
    report('producer', started, ended, watched)
    expect(watched.throttles.length).toBeGreaterThan(0)
    expect(watched.throttles.every((t) => t.apiName === 'Produce' && t.throttleTimeMs > 0)).toBe(true)
    expect(watched.timeouts).toEqual([])
    const [partition] = await admin.fetchTopicOffsets(topic)
    expect(Number(partition?.high)).toBe(RECORDS)
    // the broker held the producer near the quota: far below what the same sends do unthrottled
    expect(TOTAL / seconds).toBeLessThan(QUOTA * 4)
  } finally {
    await producer.disconnect()
  }
})

test('consumer_byte_rate: the consumer waits out the throttled fetches and reads every record', async () => {
  const clientId = uniqueName('throttled-consumer')
  const topic = uniqueName('throttle-fetch')
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] })
  const loader = new Kafka({
    brokers: brokers(),
    clientId: uniqueName('loader'),
    logLevel: logLevel.NOTHING,
  }).producer()
  await loader.connect()
  const value = Buffer.alloc(RECORD, 2)
  for (let i = 0; i < RECORDS; i += 16) {
    await loader.send({ topic, messages: Array.from({ length: 16 }, (_, j) => ({ key: String(i + j), value })) })
  }
  await loader.disconnect()
  await setQuota(clientId, 'consumer_byte_rate')
  const consumer = new Kafka({ brokers: brokers(), clientId, logLevel: logLevel.NOTHING }).consumer({
    groupId: uniqueName('throttle-group'),
    // small fetches, so that the quota has many answers to throttle
    maxBytes: 256 * 1024,
  })
  const watched = watch(consumer)
  let received = 0
  let firstAt = 0
  try {
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run({
      eachMessage: async () => {
        if (received === 0) firstAt = Date.now()
        received++
      },
    })
    await waitFor(() => received >= RECORDS, `${RECORDS} records consumed`, 150_000, 100)
    const ended = Date.now()
    const seconds = (ended - firstAt) / 1000
    report('consumer', firstAt, ended, watched)
    expect(received).toBe(RECORDS)
    expect(watched.throttles.length).toBeGreaterThan(0)
    expect(watched.throttles.some((t) => t.apiName === 'Fetch')).toBe(true)
    expect(watched.timeouts).toEqual([])
    expect(TOTAL / seconds).toBeLessThan(QUOTA * 4)
  } finally {
    await consumer.disconnect()
  }
})
