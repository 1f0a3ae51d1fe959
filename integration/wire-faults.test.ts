// Faults on the wire between the clients and the real broker, through the TCP proxy of
// integration/helpers/tcp-proxy.ts (127.0.0.1 only): every connection of the clients under test
// goes through it (their socketFactory dials the proxy whatever address they were given). Each
// fault is injected while a producer sends one record at a time and a consumer group member reads
// them: connections reset mid-request, a half-open peer that never answers, answers delayed past
// requestTimeout, a broker advertising an address that does not answer, and a slow reader. The
// clients report kafkit's typed errors, never hang (every call settles), reconnect once the fault
// clears, and every acknowledged record is in the log and reaches the consumer. Recovery times are
// measured and printed with KAFKIT_REPORT_FIGURES (docs/reliability.md); nothing asserts on them.

import net from 'node:net'
import type { Admin } from '../src/admin/admin.js'
import type { Cluster } from '../src/cluster/cluster.js'
import { type Consumer, Kafka, KafkaJSError, logLevel, type Producer, type SocketFactory } from '../src/index.js'
import { connectedAdmin, uniqueName } from './admin-helpers.js'
import { brokers, hostAndPort } from './helpers/brokers.js'
import { sleep, waitFor } from './helpers/consumer-helpers.js'
import { startTcpProxy, type TcpProxy, type TcpProxyFaults } from './helpers/tcp-proxy.js'
import { readerCluster, readTopic } from './producer-helpers.js'

jest.setTimeout(180_000)

/** Short, so that the faults show within seconds. */
const REQUEST_TIMEOUT = 2000
/** How long each fault lasts. */
const FAULT_MS = 4000
/** The bound within which every call made during a fault must settle (a hang fails the test). */
const SETTLE_BOUND_MS = 60_000

const broker = hostAndPort(brokers()[0]!)
let admin: Admin
let reader: Cluster
const proxies: TcpProxy[] = []
const clients: Array<Producer | Consumer | Admin> = []

beforeAll(async () => {
  admin = await connectedAdmin()
  reader = await readerCluster(brokers(), 'wire-faults-reader')
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect().catch(() => undefined)))
  await Promise.all(proxies.splice(0).map((p) => p.close()))
})

afterAll(async () => {
  await reader.disconnect()
  await admin.disconnect()
})

async function proxy(target = broker): Promise<TcpProxy> {
  const p = await startTcpProxy({ target })
  proxies.push(p)
  return p
}

/** A socket factory sending every connection to `route(port)`'s proxy, keeping the sockets. */
function through(route: (port: number) => TcpProxy, sockets: net.Socket[] = []): SocketFactory {
  return ({ port, onConnect }) => {
    const socket = net.connect({ host: '127.0.0.1', port: route(port).port }, onConnect)
    sockets.push(socket)
    return socket
  }
}

function kafkaThrough(socketFactory: SocketFactory, seed: TcpProxy, extra: object = {}): Kafka {
  return new Kafka({
    brokers: [seed.address],
    clientId: uniqueName('wire-faults'),
    socketFactory,
    requestTimeout: REQUEST_TIMEOUT,
    connectionTimeout: 1000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: logLevel.NOTHING,
    ...extra,
  })
}

async function newTopic(): Promise<string> {
  const topic = uniqueName('wire-faults')
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] })
  return topic
}

/** Rejects naming `what` if `promise` has not settled within SETTLE_BOUND_MS: the client hung. */
async function settles<T>(what: string, promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${SETTLE_BOUND_MS} ms`)), SETTLE_BOUND_MS)
  })
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      bound,
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** What a producer sending one record at a time and a consumer reading them saw. */
class Workload {
  readonly acked: Array<{ value: string; at: number }> = []
  readonly errors: Array<{ error: unknown; at: number }> = []
  readonly received = new Map<string, number>()
  #running = true
  #loop: Promise<void> | undefined

  constructor(
    readonly producer: Producer,
    readonly consumer: Consumer,
    readonly topic: string,
  ) {}

  async start(): Promise<void> {
    await this.producer.connect()
    await this.consumer.connect()
    await this.consumer.subscribe({ topics: [this.topic], fromBeginning: true })
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const value = String(message.value)
        if (!this.received.has(value)) this.received.set(value, Date.now())
      },
    })
    this.#loop = this.#send()
    await waitFor(() => this.received.size >= 20, 'the workload running before the fault', 60_000, 50)
  }

  async #send(): Promise<void> {
    for (let i = 0; this.#running; i++) {
      const value = `v${i}`
      const sent = await settles(`send of ${value}`, this.producer.send({ topic: this.topic, messages: [{ value }] }))
      if (sent.error === undefined) this.acked.push({ value, at: Date.now() })
      else this.errors.push({ error: sent.error, at: Date.now() })
      await sleep(20)
    }
  }

  /** The first acknowledgement and the first delivery after `at`, in ms after it. */
  recoveredAfter(at: number): { produce: number; consume: number } {
    const produce = this.acked.find((a) => a.at > at)
    const consume = [...this.received.values()].filter((t) => t > at).sort((a, b) => a - b)[0]
    return { produce: (produce?.at ?? Number.NaN) - at, consume: (consume ?? Number.NaN) - at }
  }

  async stop(): Promise<void> {
    this.#running = false
    await this.#loop
  }

  /** Every acknowledged record is in the log and was delivered; every failure was a typed error. */
  async check(): Promise<void> {
    expect(this.acked.length).toBeGreaterThan(20)
    const unexpected = this.errors.filter(({ error }) => !(error instanceof KafkaJSError))
    expect(unexpected).toEqual([])
    await waitFor(
      () => this.acked.every((a) => this.received.has(a.value)),
      'every acknowledged record delivered',
      60_000,
      50,
    )
    const stored = new Set((await readTopic(reader, this.topic, 1)).map((r) => r.value))
    expect(this.acked.filter((a) => !stored.has(a.value))).toEqual([])
  }
}

function report(name: string, workload: Workload, healedAt: number, during: { error?: unknown }): void {
  if (process.env.KAFKIT_REPORT_FIGURES === undefined) return
  const { produce, consume } = workload.recoveredAfter(healedAt)
  const errorNames = [...new Set(workload.errors.map(({ error }) => (error as Error).name))].join(', ') || 'none'
  const adminOutcome = during.error === undefined ? 'answered' : (during.error as Error).name
  console.info(
    `${name}: recovered ${produce} ms (produce) / ${consume} ms (consume) after the fault cleared; ` +
      `${workload.acked.length} acked, ${workload.errors.length} failed sends (${errorNames}); admin call during the fault: ${adminOutcome}`,
  )
}

/**
 * Runs the workload through one proxy, switches `faults` on for FAULT_MS (with `onInject` right
 * after), then heals and checks the outcome. An admin call made during the fault must settle.
 */
async function faultScenario(
  name: string,
  faults: Partial<TcpProxyFaults>,
  onInject: (p: TcpProxy) => void = () => {},
): Promise<void> {
  const p = await proxy()
  const kafka = kafkaThrough(
    through(() => p),
    p,
  )
  const topic = await newTopic()
  const producer = kafka.producer({ deliveryTimeout: 3 * REQUEST_TIMEOUT + 1000 })
  const consumer = kafka.consumer({
    groupId: uniqueName('wire-faults'),
    maxWaitTimeInMs: 500,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
  })
  const faultAdmin = kafka.admin()
  clients.push(producer, consumer, faultAdmin)
  const workload = new Workload(producer, consumer, topic)
  await workload.start()
  await faultAdmin.connect()

  await p.setFaults(faults)
  onInject(p)
  const during = await settles(`admin call during ${name}`, faultAdmin.fetchTopicOffsets(topic))
  if (during.error !== undefined) expect(during.error).toBeInstanceOf(KafkaJSError)
  await sleep(FAULT_MS)
  await p.heal()
  const healedAt = Date.now()

  await waitFor(() => workload.acked.some((a) => a.at > healedAt), 'a send acknowledged after the fault', 60_000, 50)
  await sleep(500)
  await workload.stop()
  // the admin client works again too
  const after = await settles('admin call after the fault', faultAdmin.fetchTopicOffsets(topic))
  expect(after.error).toBeUndefined()
  await workload.check()
  report(name, workload, healedAt, during)
}

test('connections reset mid-request: typed errors or retries, then recovery; nothing acknowledged lost', async () => {
  // 10 bytes of each request go through, then RST; open connections are cut at their next request
  await faultScenario('reset mid-request', { reset: { afterBytes: 10 } })
})

test('a half-open peer that never answers: requests time out, the clients reconnect once it answers', async () => {
  await faultScenario('black hole', { blackHole: true })
})

test('answers delayed past requestTimeout: requests time out and connections are replaced', async () => {
  await faultScenario('delay past requestTimeout', { delayMs: REQUEST_TIMEOUT + 1500 })
})

test('a broker that advertises an address that does not answer: sends fail typed and bounded, then recover', async () => {
  // bootstrap goes through `seed` to the broker; the broker's advertised address leads to `dead`,
  // which accepts connections and never answers
  const seed = await proxy()
  const dead = await proxy()
  await dead.setFaults({ blackHole: true })
  const kafka = kafkaThrough(
    through((port) => (port === seed.port ? seed : dead)),
    seed,
    { retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 } },
  )
  const topic = await newTopic()
  // the idempotent producer's InitProducerId keeps trying for maxBlockMs (Java's max.block.ms, 60 s)
  const producer = kafka.producer({ deliveryTimeout: 3 * REQUEST_TIMEOUT + 1000, maxBlockMs: 10_000 })
  clients.push(producer)
  const connectAndSend = async (value: string) => {
    await producer.connect()
    await producer.send({ topic, messages: [{ value }] })
  }
  const started = Date.now()
  // connect() itself needs the broker (metadata comes from the node, once bootstrap named it)
  const first = await settles('connect and send to an unanswering broker', connectAndSend('lost'))
  const failedAfter = Date.now() - started
  expect(first.error).toBeInstanceOf(KafkaJSError)
  await dead.heal()
  const healedAt = Date.now()
  const second = await settles('connect and send once the address answers', connectAndSend('kept'))
  expect(second.error).toBeUndefined()
  const recovered = Date.now() - healedAt
  const stored = (await readTopic(reader, topic, 1)).map((r) => r.value)
  expect(stored).toContain('kept')
  if (process.env.KAFKIT_REPORT_FIGURES !== undefined) {
    console.info(
      `advertised address not answering: connect/send failed with ${(first.error as Error).name} after ${failedAfter} ms; ` +
        `next send acknowledged ${recovered} ms after the address answered`,
    )
  }
})

test('a slow reader: the bytes left in the socket stay within maxBufferedWriteBytes, and all completes once it reads', async () => {
  // above any one request (a request larger than the limit goes alone once the buffer is empty),
  // far below the 16 MiB the sends below would otherwise leave in the socket
  const limit = 2 * 1024 * 1024
  const p = await proxy()
  const sockets: net.Socket[] = []
  const kafka = kafkaThrough(
    through(() => p, sockets),
    p,
    { maxBufferedWriteBytes: limit, requestTimeout: 30_000 },
  )
  const topic = await newTopic()
  // no idempotence, many requests in flight: without the byte bound all of them would go to the socket
  const producer = kafka.producer({ idempotent: false, maxInFlightRequests: 100, linger: 0 })
  clients.push(producer)
  await producer.connect()
  await producer.send({ topic, messages: [{ value: 'warm-up' }] })
  await p.setFaults({ stopReading: true })
  const value = Buffer.alloc(256 * 1024, 7)
  const count = 64 // 16 MiB, more than the kernel buffers of both ends take
  const sends = Array.from({ length: count }, (_, i) => producer.send({ topic, messages: [{ key: String(i), value }] }))
  let most = 0
  const sample = () => {
    for (const socket of sockets) most = Math.max(most, socket.writableLength)
  }
  const stalledAt = p.stats.bytesFromClients
  for (let i = 0; i < 150; i++) {
    sample()
    await sleep(20)
  }
  // the proxy read nothing more, and the client held the rest back instead of buffering it
  expect(p.stats.bytesFromClients).toBe(stalledAt)
  expect(most).toBeGreaterThan(0)
  expect(most).toBeLessThanOrEqual(limit)
  await p.setFaults({ stopReading: false })
  const results = await settles('the sends once the proxy reads again', Promise.all(sends))
  sample()
  expect(results.error).toBeUndefined()
  expect(most).toBeLessThanOrEqual(limit)
  const stored = await readTopic(reader, topic, 1)
  expect(stored.filter((r) => r.key !== null)).toHaveLength(count)
  if (process.env.KAFKIT_REPORT_FIGURES !== undefined) {
    console.info(`slow reader: at most ${most} bytes left in a socket (limit ${limit}) with ${count * 256} KiB to send`)
  }
})
