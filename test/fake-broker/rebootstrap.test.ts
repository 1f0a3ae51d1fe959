// Rebootstrap (KIP-899, KIP-1102): the client goes back to its seed brokers when the brokers it
// knows give no metadata. Two fake clusters stand for a cluster before and after it moved; the
// client's `brokers` is a function the test points at one or the other, as a name that resolves to
// new addresses would be. The 'rebootstrap' strategy finds the second cluster: at once when every
// known broker refuses connections, after metadataRecoveryRebootstrapTrigger when they accept
// connections but give no metadata, and when a broker answers REBOOTSTRAP_REQUIRED. 'none' never does.

import { type Admin, Kafka, type KafkaConfig, logLevel, type Producer, type ProducerConfig } from '../../src/index.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import { Metadata } from '../../src/protocol/generated/metadata.js'
import { FakeCluster } from './fake-cluster.js'
import { FAST_RETRY } from './per-test.js'

let before: FakeCluster
let after: FakeCluster
/** What the client's `brokers` function returns, and how often it was called. */
let seeds: string[]
let seedCalls: number
const clients: (Admin | Producer)[] = []

beforeEach(async () => {
  before = await FakeCluster.start({ topics: { t: 1 } })
  after = await FakeCluster.start({ topics: { t: 1 } })
  seeds = before.brokers
  seedCalls = 0
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect().catch(() => undefined)))
  await Promise.all([before.close(), after.close()])
})

function kafka(config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    brokers: () => {
      seedCalls++
      return seeds
    },
    clientId: 'rebootstrap-test',
    logLevel: logLevel.NOTHING,
    retry: { ...FAST_RETRY, retries: 10 },
    ...config,
  })
}

function producer(config: Partial<KafkaConfig> = {}, producerConfig: ProducerConfig = {}): Producer {
  const p = kafka(config).producer({
    createPartitioner: () => () => 0,
    retry: FAST_RETRY,
    linger: 0,
    ...producerConfig,
  })
  clients.push(p)
  return p
}

function admin(config: Partial<KafkaConfig> = {}): Admin {
  const a = kafka(config).admin()
  clients.push(a)
  return a
}

async function values(cluster: FakeCluster): Promise<(string | null)[]> {
  return (await cluster.messages('t', 0)).map((m) => m.value)
}

/** Every Metadata request of `cluster` from now on is answered with a closed connection. */
function refuseMetadata(cluster: FakeCluster): void {
  cluster.intercept(Metadata, { disconnect: true, times: Infinity })
}

/** Every Metadata request of `cluster` from now on is answered with REBOOTSTRAP_REQUIRED (KIP-1102). */
function askForRebootstrap(cluster: FakeCluster): void {
  cluster.intercept(Metadata, {
    times: Infinity,
    respond: async (_request, ctx) =>
      Metadata.createResponse({ ...(await ctx.modelAnswer()), errorCode: ErrorCode.REBOOTSTRAP_REQUIRED }),
  })
}

describe("'rebootstrap' (the default)", () => {
  test('every known broker unreachable: the seeds are asked again and the producer delivers to the cluster now behind them', async () => {
    const p = producer()
    await p.connect()
    await p.send({ topic: 't', messages: [{ value: 'before' }] })
    expect(await values(before)).toEqual(['before'])
    const callsBefore = seedCalls

    // the whole cluster goes away; the seed name now leads to another one
    await before.close()
    seeds = after.brokers
    await p.send({ topic: 't', messages: [{ value: 'after' }] })

    expect(await values(after)).toEqual(['after'])
    expect(seedCalls).toBeGreaterThan(callsBefore)
  })

  test('the admin client finds the moved cluster too', async () => {
    await after.close()
    after = await FakeCluster.start({ topics: { moved: 1 } })
    const a = admin()
    await a.connect()
    expect(await a.listTopics()).toEqual(['t'])

    await before.close()
    seeds = after.brokers
    expect(await a.listTopics()).toEqual(['moved'])
  })

  test('known brokers that accept connections but give no metadata for longer than metadataRecoveryRebootstrapTrigger: the seeds are asked again', async () => {
    const p = producer({ metadataRecoveryRebootstrapTrigger: 0 })
    await p.connect()
    refuseMetadata(before)
    seeds = after.brokers

    // the first failed attempt starts the clock; the next one is past a bound of 0 and rebootstraps
    await p.send({ topic: 't', messages: [{ value: 'x' }] })
    expect(await values(after)).toEqual(['x'])
    expect(after.received(Metadata).length).toBeGreaterThan(0)
  })

  test('within metadataRecoveryRebootstrapTrigger (default 300000 ms) the known brokers are retried, not the seeds', async () => {
    const p = producer({}, { maxBlockMs: 200 })
    await p.connect()
    refuseMetadata(before)
    seeds = after.brokers

    // the connection to the known broker works, its Metadata never does: send() gives up waiting for metadata
    await expect(p.send({ topic: 't', messages: [{ value: 'x' }] })).rejects.toThrow()
    expect(after.received(Metadata)).toHaveLength(0)
  })

  test('REBOOTSTRAP_REQUIRED from a broker: the client bootstraps again and delivers where the seeds lead', async () => {
    const p = producer()
    await p.connect()
    askForRebootstrap(before)
    seeds = after.brokers
    await p.send({ topic: 'u', messages: [{ value: 'y' }] })
    expect((await after.messages('u', 0)).map((m) => m.value)).toEqual(['y'])
  })

  test("REBOOTSTRAP_REQUIRED to the admin's own Metadata request: it bootstraps again and answers from there", async () => {
    await after.close()
    after = await FakeCluster.start({ topics: { moved: 1 } })
    const a = admin()
    await a.connect()
    askForRebootstrap(before)
    seeds = after.brokers
    expect(await a.listTopics()).toEqual(['moved'])
  })
})

describe("'none'", () => {
  test('every known broker unreachable: the seeds are not asked again and the request fails', async () => {
    const a = admin({ metadataRecoveryStrategy: 'none', retry: { ...FAST_RETRY, retries: 2 } })
    await a.connect()
    const callsBefore = seedCalls
    await before.close()
    seeds = after.brokers

    await expect(a.listTopics()).rejects.toThrow()
    expect(seedCalls).toBe(callsBefore)
    expect(after.received(Metadata)).toHaveLength(0)
  })

  test('REBOOTSTRAP_REQUIRED is a failed attempt, retried at the same brokers', async () => {
    const a = admin({ metadataRecoveryStrategy: 'none' })
    await a.connect()
    const callsBefore = seedCalls
    askForRebootstrap(before)
    seeds = after.brokers

    await expect(a.listTopics()).rejects.toMatchObject({ name: 'KafkaJSNumberOfRetriesExceeded' })
    expect(seedCalls).toBe(callsBefore)
    expect(after.received(Metadata)).toHaveLength(0)
    expect(before.received(Metadata).length).toBeGreaterThan(2)
  })
})
