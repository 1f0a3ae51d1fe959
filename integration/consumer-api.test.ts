// The consumer's KafkaJS API on the real broker: pause / resume / seek, eachBatch, handler
// failures and crash, long handlers keeping their membership, regex subscriptions, the async
// iterator, and shutdown in awkward moments.

import type { Cluster } from '../src/cluster/cluster.js'
import type { Consumer, ConsumerConfig, EachBatchPayload, KafkaMessage } from '../src/index.js'
import { committedOffsets, sleep, testKafka, waitFor } from './helpers/consumer-helpers.js'
import { numberedRecords, produceRaw } from './helpers/produce-raw.js'
import { connectedCluster, createTopic } from './network-helpers.js'

jest.setTimeout(90_000)

const suffix = `${process.pid}-${Date.now()}`
let cluster: Cluster
const open: Consumer[] = []

beforeAll(async () => {
  cluster = await connectedCluster('consumer-api-test')
})

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.disconnect()))
})

afterAll(async () => {
  await cluster.disconnect()
})

function consumer(groupId: string, options: Partial<ConsumerConfig> = {}): Consumer {
  const c = testKafka('consumer-api-test').consumer({ groupId, heartbeatInterval: 500, ...options })
  open.push(c)
  return c
}

async function topicWith(name: string, partitions: number, perPartition: number): Promise<string> {
  const topic = `${name}-${suffix}`
  await createTopic(cluster, topic, partitions)
  for (let p = 0; p < partitions; p++) await produceRaw(cluster, topic, p, numberedRecords(`p${p}`, 0, perPartition))
  return topic
}

describe('consumer API', () => {
  test('pause stops a partition, resume continues where it stopped, paused() lists it', async () => {
    const topic = await topicWith('api-pause', 2, 5)
    const c = consumer(`g-pause-${suffix}`)
    await c.subscribe({ topics: [topic], fromBeginning: true })
    const seen: string[] = []
    await c.run({
      eachMessage: async ({ partition, message, pause }) => {
        seen.push(`${partition}:${message.offset}`)
        // partition 1 pauses itself at its third message (which is processed)
        if (partition === 1 && message.offset === '2') pause()
      },
    })
    await waitFor(() => seen.filter((s) => s.startsWith('0:')).length === 5 && seen.includes('1:2'), 'p0 done, p1 at 2')
    await sleep(300)
    expect(seen.filter((s) => s.startsWith('1:'))).toEqual(['1:0', '1:1', '1:2'])
    expect(c.paused()).toEqual([{ topic, partitions: [1] }])
    c.resume([{ topic, partitions: [1] }])
    await waitFor(() => seen.filter((s) => s.startsWith('1:')).length === 5, 'p1 resumed')
    expect(seen.filter((s) => s.startsWith('1:'))).toEqual(['1:0', '1:1', '1:2', '1:3', '1:4'])
    expect(c.paused()).toEqual([])
  })

  test('seek during run replays from the new offset', async () => {
    const topic = await topicWith('api-seek', 1, 10)
    const c = consumer(`g-seek-${suffix}`)
    await c.subscribe({ topics: [topic], fromBeginning: true })
    const seen: number[] = []
    let seeked = false
    await c.run({
      eachMessage: async ({ message }) => {
        seen.push(Number(message.offset))
        if (message.offset === '7' && !seeked) {
          seeked = true
          c.seek({ topic, partition: 0, offset: '3' })
        }
      },
    })
    await waitFor(() => seen.length >= 15, '15 deliveries')
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 3, 4, 5, 6, 7, 8, 9])
  })

  test('eachBatch: KafkaJS batch shape, resolveOffset, uncommittedOffsets, commitOffsetsIfNecessary', async () => {
    const topic = await topicWith('api-batch', 1, 8)
    const groupId = `g-batch-${suffix}`
    const c = consumer(groupId)
    await c.subscribe({ topics: [topic], fromBeginning: true })
    const requests = new Set<string>()
    c.on(c.events.REQUEST, (event) => void requests.add((event.payload as { apiName: string }).apiName))
    const batches: { first: string | null; last: string; size: number; lag: string; lagLow: string; hw: string }[] = []
    let uncommitted: unknown
    await c.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({
        batch,
        resolveOffset,
        uncommittedOffsets,
        commitOffsetsIfNecessary,
        isRunning,
        isStale,
      }: EachBatchPayload) => {
        batches.push({
          first: batch.firstOffset(),
          last: batch.lastOffset(),
          size: batch.messages.length,
          lag: batch.offsetLag(),
          lagLow: batch.offsetLagLow(),
          hw: batch.highWatermark,
        })
        expect(isRunning()).toBe(true)
        expect(isStale()).toBe(false)
        for (const m of batch.messages) resolveOffset(m.offset)
        uncommitted = uncommittedOffsets()
        await commitOffsetsIfNecessary()
      },
    })
    await waitFor(() => batches.length >= 1, 'a batch')
    expect(batches[0]).toEqual({ first: '0', last: '7', size: 8, lag: '0', lagLow: '7', hw: '8' })
    // the partition a string, as KafkaJS's offset manager gives it
    expect(uncommitted).toEqual({ topics: [{ topic, partitions: [{ partition: '0', offset: '8' }] }] })
    await c.stop()
    expect(await committedOffsets(cluster, groupId, topic, 1)).toEqual([8])
    // consumer.network.request reports the consumer's own requests
    expect([...requests]).toEqual(
      expect.arrayContaining(['JoinGroup', 'SyncGroup', 'OffsetFetch', 'Fetch', 'OffsetCommit', 'LeaveGroup']),
    )
  })

  test('a handler that throws gets the message again; when retries run out the consumer crashes and restarts', async () => {
    const topic = await topicWith('api-retry', 1, 3)
    const c = consumer(`g-retry-${suffix}`, { retry: { retries: 2, initialRetryTime: 50, maxRetryTime: 200 } })
    await c.subscribe({ topics: [topic], fromBeginning: true })
    const attempts: string[] = []
    const crashes: { error: Error; restart: boolean }[] = []
    c.on(c.events.CRASH, (event) => void crashes.push(event.payload as { error: Error; restart: boolean }))
    let failuresLeft = 5
    await c.run({
      eachMessage: async ({ message }) => {
        attempts.push(message.offset)
        if (message.offset === '1' && failuresLeft-- > 0) throw new Error('handler failed')
      },
    })
    await waitFor(() => attempts.filter((o) => o === '2').length >= 1, 'offset 2 processed after the restart')
    // 3 attempts (1 + 2 retries), crash, restart, then 2 more failures and success
    expect(crashes).toHaveLength(1)
    expect(crashes[0]!.restart).toBe(true)
    expect(crashes[0]!.error.name).toBe('KafkaJSNumberOfRetriesExceeded')
    expect(attempts.filter((o) => o === '0')).toHaveLength(1)
    expect(attempts.filter((o) => o === '1')).toHaveLength(6)
  })

  test('a non-retriable handler error crashes without restart; restartOnFailure false stops too', async () => {
    const { KafkaJSNonRetriableError } = await import('../src/errors.js')
    const topic = await topicWith('api-fatal', 1, 1)
    const c = consumer(`g-fatal-${suffix}`)
    await c.subscribe({ topics: [topic], fromBeginning: true })
    const crashes: { error: Error; restart: boolean }[] = []
    c.on(c.events.CRASH, (event) => void crashes.push(event.payload as { error: Error; restart: boolean }))
    await c.run({
      eachMessage: async () => {
        throw new KafkaJSNonRetriableError('poison')
      },
    })
    await waitFor(() => crashes.length === 1, 'crash')
    expect(crashes[0]).toMatchObject({ restart: false, error: { message: 'poison' } })

    const declined: Error[] = []
    const d = consumer(`g-declined-${suffix}`, {
      retry: {
        retries: 0,
        restartOnFailure: async (error) => {
          declined.push(error)
          return false
        },
      },
    })
    await d.subscribe({ topics: [topic], fromBeginning: true })
    const dCrashes: { restart: boolean }[] = []
    d.on(d.events.CRASH, (event) => void dCrashes.push(event.payload as { restart: boolean }))
    await d.run({
      eachMessage: async () => {
        throw new Error('retriable, but the user declines the restart')
      },
    })
    await waitFor(() => dCrashes.length === 1, 'second crash')
    expect(dCrashes[0]).toEqual(expect.objectContaining({ restart: false }))
    expect(declined).toHaveLength(1)
  })

  test('a handler running 3x heartbeatInterval keeps its membership and partitions', async () => {
    const topic = await topicWith('api-long', 1, 2)
    const c = consumer(`g-long-${suffix}`, { sessionTimeout: 6000, heartbeatInterval: 1000 })
    await c.subscribe({ topics: [topic], fromBeginning: true })
    let joins = 0
    let heartbeats = 0
    c.on(c.events.GROUP_JOIN, () => void joins++)
    c.on(c.events.HEARTBEAT, () => void heartbeats++)
    const done: string[] = []
    await c.run({
      eachMessage: async ({ message }) => {
        if (message.offset === '0') await sleep(3 * 1000 + 4000)
        done.push(message.offset)
      },
    })
    await waitFor(() => done.length === 2, 'both messages', 30000)
    expect(joins).toBe(1)
    expect(heartbeats).toBeGreaterThanOrEqual(5)
    expect((await c.describeGroup()).members).toHaveLength(1)
  })

  test('a regex subscription picks up a topic created later', async () => {
    const prefix = `api-regex-${suffix}`
    await createTopic(cluster, `${prefix}-a`, 1)
    await produceRaw(cluster, `${prefix}-a`, 0, numberedRecords('a', 0, 1))
    const c = consumer(`g-regex-${suffix}`, { metadataMaxAge: 500 })
    await c.subscribe({ topics: [new RegExp(`^${prefix}-`)], fromBeginning: true })
    const seen: string[] = []
    await c.run({ eachMessage: async ({ topic, message }) => void seen.push(`${topic}:${message.value}`) })
    await waitFor(() => seen.length === 1, 'first topic')
    await createTopic(cluster, `${prefix}-b`, 1)
    await produceRaw(cluster, `${prefix}-b`, 0, numberedRecords('b', 0, 1))
    await waitFor(() => seen.length === 2, 'the new topic')
    expect(seen).toEqual([`${prefix}-a:a-0`, `${prefix}-b:b-0`])
  })

  test('for await over the consumer: commits what the loop finished, redelivers the message in hand', async () => {
    const topic = await topicWith('api-iter', 1, 6)
    const groupId = `g-iter-${suffix}`
    const first = consumer(groupId)
    await first.subscribe({ topics: [topic], fromBeginning: true })
    const seen: string[] = []
    for await (const { message } of first) {
      seen.push(message.offset)
      if (message.offset === '3') break
    }
    expect(seen).toEqual(['0', '1', '2', '3'])
    // offsets 0-2 were finished; 3 was in hand when the loop ended
    expect(await committedOffsets(cluster, groupId, topic, 1)).toEqual([3])
    const second = consumer(groupId)
    await second.subscribe({ topics: [topic], fromBeginning: true })
    const rest: string[] = []
    for await (const { message } of second) {
      rest.push(message.offset)
      if (message.offset === '5') break
    }
    expect(rest).toEqual(['3', '4', '5'])
  })

  test('stop and disconnect before run settles, twice, or concurrently, settle and leave no member', async () => {
    const topic = await topicWith('api-stop', 2, 1)
    const groupId = `g-stop-${suffix}`
    const c = consumer(groupId)
    await c.subscribe({ topics: [topic], fromBeginning: true })
    await c.stop()
    const running = c.run({ eachMessage: async () => {} })
    await Promise.all([c.stop(), c.stop(), c.disconnect()])
    await running
    await c.disconnect()
    await c.disconnect()
    const again = consumer(groupId)
    await again.subscribe({ topics: [topic], fromBeginning: true })
    const seen: KafkaMessage[] = []
    await again.run({ eachMessage: async ({ message }) => void seen.push(message) })
    await waitFor(() => seen.length === 2, 'messages after a restart of the group')
    await Promise.all([again.stop(), again.disconnect()])
    const observer = consumer(groupId)
    await observer.connect()
    expect((await observer.describeGroup()).state).toBe('Empty')
  })
})
