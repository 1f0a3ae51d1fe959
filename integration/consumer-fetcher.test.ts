// The fetcher against the real broker, without a group: partitions assigned by hand, positions set
// by seek or reset, messages read from the buffers the fetcher fills.

import type { Cluster } from '../src/cluster/cluster.js'
import { resolveRetryOptions } from '../src/common/backoff.js'
import { silentLogger } from '../src/common/logger.js'
import { Fetcher, type FetcherHooks, IsolationLevel } from '../src/consumer/fetch/fetcher.js'
import type { KafkaMessage } from '../src/consumer/message.js'
import { SubscriptionState } from '../src/consumer/subscription-state.js'
import { CompressionTypes } from '../src/protocol/index.js'
import { numberedRecords, produceRaw, RawTransactionalProducer } from './helpers/produce-raw.js'
import { connectedCluster, createTopic } from './network-helpers.js'

jest.setTimeout(60_000)

const suffix = `${process.pid}-${Date.now()}`

interface Harness {
  subscriptions: SubscriptionState
  fetcher: Fetcher
  errors: Error[]
  /** The fetch session id of each response. */
  sessions: number[]
}

function startFetcher(
  cluster: Cluster,
  options: { isolationLevel?: number; maxBytesPerPartition?: number; reset?: 'earliest' | 'latest' } = {},
): Harness {
  const subscriptions = new SubscriptionState()
  const errors: Error[] = []
  const sessions: number[] = []
  const hooks: FetcherHooks = {
    onFatalError: (error) => errors.push(error),
    onFetch: ({ sessionId }) => sessions.push(sessionId),
  }
  const fetcher = new Fetcher(
    cluster,
    subscriptions,
    {
      minBytes: 1,
      maxBytes: 10 * 1024 * 1024,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1024 * 1024,
      maxWaitTimeInMs: 500,
      isolationLevel: options.isolationLevel ?? IsolationLevel.READ_COMMITTED,
      rackId: '',
      retry: resolveRetryOptions({ initialRetryTime: 100, retries: 5 }),
      metadataMaxAge: 300000,
      logger: silentLogger,
    },
    hooks,
    () => options.reset ?? 'earliest',
  )
  fetcher.start()
  return { subscriptions, fetcher, errors, sessions }
}

/** Takes buffered messages of one partition, as the runner would, until `count` arrived. */
async function drain(h: Harness, topic: string, partition: number, count: number): Promise<KafkaMessage[]> {
  const out: KafkaMessage[] = []
  const deadline = Date.now() + 30000
  while (out.length < count) {
    if (h.errors.length > 0) throw h.errors[0]
    if (Date.now() > deadline) throw new Error(`only ${out.length} of ${count} messages arrived`)
    const state = h.subscriptions.get(topic, partition)!
    if (state.buffered.length === 0) {
      await h.subscriptions.waitForDeliverable(200)
      continue
    }
    const chunk = state.startProcessing()
    state.advancePosition(chunk.nextOffset, chunk.generation)
    out.push(...chunk.messages.all())
    state.release()
  }
  return out
}

describe('Fetcher', () => {
  let cluster: Cluster

  beforeAll(async () => {
    cluster = await connectedCluster('consumer-fetcher-test')
  })

  afterAll(async () => {
    await cluster.disconnect()
  })

  test('reads every codec in order from a seek position, skipping records below it', async () => {
    const topic = `fetcher-codecs-${suffix}`
    await createTopic(cluster, topic, 1)
    const codecs = [
      CompressionTypes.None,
      CompressionTypes.GZIP,
      CompressionTypes.Snappy,
      CompressionTypes.LZ4,
      CompressionTypes.ZSTD,
    ]
    let n = 0
    for (const compression of codecs) {
      await produceRaw(cluster, topic, 0, numberedRecords('m', n, n + 10), { compression })
      n += 10
    }
    const h = startFetcher(cluster)
    try {
      h.subscriptions.assign([{ topic, partition: 0 }])
      // offset 15 is inside the gzip batch: its first five records must not be delivered
      h.subscriptions.get(topic, 0)!.seek(15n)
      const messages = await drain(h, topic, 0, 35)
      expect(messages.map((m) => m.offset)).toEqual(Array.from({ length: 35 }, (_, i) => String(15 + i)))
      expect(messages.map((m) => m.value?.toString())).toEqual(Array.from({ length: 35 }, (_, i) => `m-${15 + i}`))
      expect(messages[0]!.key?.toString()).toBe('k-15')
      expect(messages[0]!.batchContext?.firstOffset).toBe('10')
    } finally {
      await h.fetcher.stop()
    }
  })

  test('resets to earliest or latest when a partition has no position', async () => {
    const topic = `fetcher-reset-${suffix}`
    await createTopic(cluster, topic, 2)
    await produceRaw(cluster, topic, 0, numberedRecords('a', 0, 5))
    await produceRaw(cluster, topic, 1, numberedRecords('b', 0, 5))
    const h = startFetcher(cluster)
    try {
      h.subscriptions.assign([
        { topic, partition: 0 },
        { topic, partition: 1 },
      ])
      h.subscriptions.get(topic, 0)!.requestReset('earliest')
      h.subscriptions.get(topic, 1)!.requestReset('latest')
      const early = await drain(h, topic, 0, 5)
      expect(early.map((m) => m.value?.toString())).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'a-4'])
      // latest: only what is written after the reset arrives
      const deadline = Date.now() + 10000
      while (h.subscriptions.get(topic, 1)!.position !== 5n && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20))
      await produceRaw(cluster, topic, 1, numberedRecords('b', 5, 7))
      const late = await drain(h, topic, 1, 2)
      expect(late.map((m) => m.value?.toString())).toEqual(['b-5', 'b-6'])
    } finally {
      await h.fetcher.stop()
    }
  })

  test('an out-of-range position resets per the policy', async () => {
    const topic = `fetcher-oor-${suffix}`
    await createTopic(cluster, topic, 1)
    await produceRaw(cluster, topic, 0, numberedRecords('x', 0, 3))
    const h = startFetcher(cluster, { reset: 'earliest' })
    try {
      h.subscriptions.assign([{ topic, partition: 0 }])
      h.subscriptions.get(topic, 0)!.seek(1000n)
      const messages = await drain(h, topic, 0, 3)
      expect(messages.map((m) => m.offset)).toEqual(['0', '1', '2'])
    } finally {
      await h.fetcher.stop()
    }
  })

  test('read_committed drops aborted transactions and control records; read_uncommitted keeps them', async () => {
    const topic = `fetcher-txn-${suffix}`
    await createTopic(cluster, topic, 1)
    const producer = new RawTransactionalProducer(cluster, `txn-${suffix}`)
    await producer.init()
    await produceRaw(cluster, topic, 0, numberedRecords('plain', 0, 2))
    await producer.transaction(topic, 0, numberedRecords('committed', 0, 3), true)
    await producer.transaction(topic, 0, numberedRecords('aborted', 0, 3), false)
    await producer.transaction(topic, 0, numberedRecords('committed', 3, 5), true)
    await produceRaw(cluster, topic, 0, numberedRecords('plain', 2, 3))

    const committed = startFetcher(cluster)
    try {
      committed.subscriptions.assign([{ topic, partition: 0 }])
      committed.subscriptions.get(topic, 0)!.seek(0n)
      const messages = await drain(committed, topic, 0, 8)
      expect(messages.map((m) => m.value?.toString())).toEqual([
        'plain-0',
        'plain-1',
        'committed-0',
        'committed-1',
        'committed-2',
        'committed-3',
        'committed-4',
        'plain-2',
      ])
      expect(messages.every((m) => !m.isControlRecord)).toBe(true)
    } finally {
      await committed.fetcher.stop()
    }

    const uncommitted = startFetcher(cluster, { isolationLevel: IsolationLevel.READ_UNCOMMITTED })
    try {
      uncommitted.subscriptions.assign([{ topic, partition: 0 }])
      uncommitted.subscriptions.get(topic, 0)!.seek(0n)
      const messages = await drain(uncommitted, topic, 0, 11)
      expect(messages.map((m) => m.value?.toString())).toContain('aborted-1')
      expect(messages.some((m) => m.isControlRecord)).toBe(false)
    } finally {
      await uncommitted.fetcher.stop()
    }
  })

  test('a batch larger than maxBytesPerPartition is still read whole', async () => {
    const topic = `fetcher-large-${suffix}`
    await createTopic(cluster, topic, 2)
    const big = Buffer.alloc(64 * 1024, 7)
    await produceRaw(cluster, topic, 0, numberedRecords('small', 0, 1))
    await produceRaw(cluster, topic, 1, numberedRecords('small', 0, 1))
    await produceRaw(cluster, topic, 1, [{ value: big }, { value: big }])
    await produceRaw(cluster, topic, 1, numberedRecords('after', 0, 1))
    const h = startFetcher(cluster, { maxBytesPerPartition: 4096 })
    try {
      h.subscriptions.assign([
        { topic, partition: 0 },
        { topic, partition: 1 },
      ])
      h.subscriptions.get(topic, 0)!.seek(0n)
      h.subscriptions.get(topic, 1)!.seek(0n)
      const messages = await drain(h, topic, 1, 4)
      expect(messages.map((m) => m.value?.length)).toEqual([7, big.length, big.length, 7])
      expect(h.subscriptions.get(topic, 1)!.fetchSizeOverride).toBeUndefined()
    } finally {
      await h.fetcher.stop()
    }
  })

  test('uses one fetch session per broker across many fetches', async () => {
    const topic = `fetcher-session-${suffix}`
    await createTopic(cluster, topic, 3)
    const h = startFetcher(cluster)
    try {
      h.subscriptions.assign([0, 1, 2].map((partition) => ({ topic, partition })))
      for (const p of [0, 1, 2]) h.subscriptions.get(topic, p)!.seek(0n)
      for (let round = 0; round < 5; round++) {
        for (const p of [0, 1, 2]) await produceRaw(cluster, topic, p, numberedRecords(`r${round}`, 0, 2))
      }
      for (const p of [0, 1, 2]) {
        const messages = await drain(h, topic, p, 10)
        expect(messages.map((m) => m.offset)).toEqual(Array.from({ length: 10 }, (_, i) => String(i)))
      }
      expect(h.errors).toEqual([])
      // the first response opens a session; every later fetch uses it
      const opened = h.sessions.find((id) => id !== 0)
      expect(opened).toBeDefined()
      expect(h.sessions.length).toBeGreaterThan(2)
      expect(h.sessions.slice(1).every((id) => id === opened)).toBe(true)
    } finally {
      await h.fetcher.stop()
    }
  })
})
