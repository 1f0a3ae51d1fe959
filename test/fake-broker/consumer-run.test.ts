// The runner's branches (src/consumer/runner.ts, consumer-run.ts), driven through the public API
// against the fake cluster: a handler throwing (KafkaJS's retry, crash and restart), pause, resume
// and seek during a batch, a partition revoked while its handler runs. Outcomes asserted: which
// messages reached the handler and how often, the crash events, the committed offsets in the model.

import { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, PartitionAssigners } from '../../src/index.js'
import type { ApiDefinition } from '../../src/protocol/api.js'
import { ConsumerGroupHeartbeat } from '../../src/protocol/generated/consumer-group-heartbeat.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import { Fetch } from '../../src/protocol/generated/fetch.js'
import { Heartbeat } from '../../src/protocol/generated/heartbeat.js'
import { OffsetCommit } from '../../src/protocol/generated/offset-commit.js'
import { consumerClusterPerTest, latch, nextEvent, recorder } from './consumers.js'
import { partitionKey } from './model.js'

const fake = consumerClusterPerTest({ topics: { t: 2 } })

async function produce(values: string[], partition = 0): Promise<void> {
  const producer = fake.producer()
  await producer.connect()
  await producer.send({ topic: 't', messages: values.map((value) => ({ value, partition })) })
}

const committed = (partition: number) => fake.cluster.model.groupOffsets('g').get(partitionKey('t', partition))?.offset

test('a handler throwing is retried from the failed message; the messages before it are kept and none is skipped', async () => {
  await produce(['a', 'b', 'c'])
  const seen = recorder()
  let failures = 0
  const c = fake.consumer({ groupId: 'g' })
  await c.connect()
  await c.subscribe({ topic: 't', fromBeginning: true })
  await c.run({
    eachMessage: async ({ message }) => {
      seen.record(String(message.value))
      if (String(message.value) === 'b' && failures++ < 2) throw new Error('not yet')
    },
  })
  await seen.count(5)
  expect(seen.values).toEqual(['a', 'b', 'b', 'b', 'c'])
  await c.disconnect()
  expect(committed(0)).toBe(3n)
})

test('retries used up: the consumer crashes with KafkaJSNumberOfRetriesExceeded, restarts and gets the message again', async () => {
  await produce(['a'])
  const seen = recorder()
  const c = fake.consumer({ groupId: 'g', retry: { retries: 1, initialRetryTime: 1, maxRetryTime: 5 } })
  const crashed = nextEvent(c, 'consumer.crash')
  let fail = true
  await c.connect()
  await c.subscribe({ topic: 't', fromBeginning: true })
  await c.run({
    eachMessage: async ({ message }) => {
      seen.record(String(message.value))
      if (fail) throw new Error('broken')
    },
  })
  const { error, restart } = await crashed
  expect(error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded)
  expect(restart).toBe(true)
  expect(seen.values).toEqual(['a', 'a'])
  fail = false
  await seen.count(3)
  expect(seen.values).toEqual(['a', 'a', 'a'])
  expect(committed(0)).toBeUndefined()
})

test('a non-retriable error crashes at once without a restart; restartOnFailure can refuse a retriable one', async () => {
  await produce(['a'])
  const c = fake.consumer({ groupId: 'g' })
  const crashed = nextEvent(c, 'consumer.crash')
  let calls = 0
  await c.connect()
  await c.subscribe({ topic: 't', fromBeginning: true })
  await c.run({
    eachMessage: async () => {
      calls++
      throw new KafkaJSNonRetriableError('poison')
    },
  })
  const { error, restart } = await crashed
  expect(error).toBeInstanceOf(KafkaJSNonRetriableError)
  expect([restart, calls]).toEqual([false, 1])

  const refused = fake.consumer({ groupId: 'g2', retry: { retries: 0, restartOnFailure: async () => false } })
  const crashed2 = nextEvent(refused, 'consumer.crash')
  await refused.connect()
  await refused.subscribe({ topic: 't', fromBeginning: true })
  await refused.run({
    eachMessage: async () => {
      throw new Error('broken')
    },
  })
  expect(await crashed2).toMatchObject({ restart: false })
})

test('pause() in eachMessage stops the rest of the batch; resume() delivers it, each message once', async () => {
  await produce(['a', 'b', 'c'])
  const seen = recorder()
  const c = fake.consumer({ groupId: 'g' })
  let resume: (() => void) | undefined
  await c.connect()
  await c.subscribe({ topic: 't', fromBeginning: true })
  await c.run({
    eachMessage: async ({ message, pause }) => {
      seen.record(String(message.value))
      if (String(message.value) === 'b' && resume === undefined) resume = pause()
    },
  })
  await seen.count(2)
  // fetches go on for the other partition; partition 0 is left out of them while paused
  const fetches = fake.cluster.received(Fetch).length
  const later = await fake.cluster.request(Fetch, fetches + 2)
  const partitions = later.request.topics.flatMap((t) => t.partitions.map((p) => p.partition))
  expect(partitions).not.toContain(0)
  expect(seen.values).toEqual(['a', 'b'])
  expect(c.paused()).toEqual([{ topic: 't', partitions: [0] }])
  resume!()
  await seen.count(3)
  expect(seen.values).toEqual(['a', 'b', 'c'])
})

test('seek() during a batch drops the rest of it and goes on from the offset sought', async () => {
  await produce(['a', 'b', 'c'])
  const seen = recorder()
  const c = fake.consumer({ groupId: 'g' })
  let sought = false
  await c.connect()
  await c.subscribe({ topic: 't', fromBeginning: true })
  await c.run({
    eachMessage: async ({ message }) => {
      seen.record(String(message.value))
      if (String(message.value) === 'b' && !sought) {
        sought = true
        c.seek({ topic: 't', partition: 0, offset: '0' })
      }
    },
  })
  await seen.count(5)
  expect(seen.values).toEqual(['a', 'b', 'a', 'b', 'c'])
})

test('a partition revoked while its handler runs (eager): the rebalance waits for it, commits, and the next owner goes on after it', async () => {
  await produce(['a', 'b'], 1)
  const seen = recorder()
  const [held, release] = latch()
  // round robin is eager: every partition is revoked before the rejoin, then member 2 gets partition 1
  const eager = { groupId: 'g', partitionAssigners: [PartitionAssigners.roundRobin] }
  const c1 = fake.consumer(eager)
  await c1.connect()
  await c1.subscribe({ topic: 't', fromBeginning: true })
  const [handling, started] = latch()
  await c1.run({
    eachMessage: async ({ message, partition }) => {
      const value = `${partition}:${message.value}`
      if (value === '1:a') {
        started()
        await held
      }
      seen.record(`c1 ${value}`)
    },
  })
  await handling
  const c2 = fake.consumer(eager)
  await c2.connect()
  await c2.subscribe({ topic: 't', fromBeginning: true })
  const rebalancing = nextEvent(c1, 'consumer.rebalancing')
  void c2.run({ eachMessage: async ({ message, partition }) => seen.record(`c2 ${partition}:${message.value}`) })
  await rebalancing
  // c1 still holds partition 1's first message: nothing of it was committed nor handed over
  expect(committed(1)).toBeUndefined()
  expect(seen.values).toEqual([])
  release()
  await produce(['c'], 1)
  await seen.all(['c1 1:a', 'c2 1:c'])
  // c1 finished 1:a and committed it on revocation; c2 went on from there
  expect(seen.values).toEqual(['c1 1:a', 'c2 1:b', 'c2 1:c'])
  expect(committed(1)).toBeGreaterThanOrEqual(1n)
})

test("eachBatch's heartbeat() rejects once the partition is being revoked; the handler giving up is no failure and the next owner goes on from what it resolved", async () => {
  await produce(['a', 'b', 'c'], 1)
  const eager = { groupId: 'g', partitionAssigners: [PartitionAssigners.roundRobin] }
  const c1 = fake.consumer(eager)
  const crashed = jest.fn()
  c1.on('consumer.crash', crashed)
  const [inBatch, started] = latch()
  let rejected: unknown
  await c1.connect()
  await c1.subscribe({ topic: 't', fromBeginning: true })
  await c1.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      if (batch.partition !== 1) return
      resolveOffset(batch.messages[0]!.offset)
      started()
      // a long batch: it heartbeats between its steps until the rebalance takes the partition
      for (;;) {
        try {
          await heartbeat()
        } catch (error) {
          rejected = error
          throw error
        }
        await new Promise(setImmediate)
      }
    },
  })
  await inBatch
  const seen = recorder()
  const c2 = fake.consumer(eager)
  await c2.connect()
  await c2.subscribe({ topic: 't', fromBeginning: true })
  await c2.run({ eachMessage: async ({ message, partition }) => seen.record(`${partition}:${message.value}`) })
  await seen.count(2)
  expect(rejected).toMatchObject({ type: 'REBALANCE_IN_PROGRESS' })
  expect(seen.values).toEqual(['1:b', '1:c'])
  // c1 committed what it resolved when it gave the partition up
  const firstCommit = fake.cluster.received(OffsetCommit)[0]!.request.topics[0]!.partitions
  expect(firstCommit.map((p) => [p.partitionIndex, p.committedOffset])).toEqual([[1, 1n]])
  expect(crashed).not.toHaveBeenCalled()
})

test.each(['classic', 'consumer'] as const)(
  '%s: a partition lost while its handler runs and given back is not processed twice at once; the uncommitted message comes again',
  async (groupProtocol) => {
    await produce(['a', 'b'])
    const seen = recorder()
    const [held, release] = latch()
    const [inA, started] = latch()
    let active = 0
    let mostActive = 0
    let first = true
    const c = fake.consumer({ groupId: 'g', groupProtocol })
    await c.connect()
    await c.subscribe({ topic: 't', fromBeginning: true })
    await c.run({
      eachMessage: async ({ message }) => {
        mostActive = Math.max(mostActive, ++active)
        seen.record(`start ${message.value}`)
        if (first) {
          first = false
          started()
          await held
        }
        seen.record(`end ${message.value}`)
        active--
      },
    })
    await inA
    const rejoined = nextEvent(c, 'consumer.group_join')
    const beat: ApiDefinition<unknown, unknown> = groupProtocol === 'consumer' ? ConsumerGroupHeartbeat : Heartbeat
    // the member is fenced (KIP-848) or its session expired (classic): its partitions are lost
    if (groupProtocol === 'consumer') {
      fake.cluster.intercept(ConsumerGroupHeartbeat, { topic: 'g', errorCode: ErrorCode.FENCED_MEMBER_EPOCH })
    } else fake.cluster.model.groups.expire('g', fake.cluster.model.groups.memberIds('g')[0]!)
    await rejoined
    // given the partition back, the member does not start on it while the old handler runs
    await fake.cluster.request(beat, fake.cluster.received(beat).length + 3)
    expect(seen.values).toEqual(['start a'])
    release()
    await seen.count(6)
    expect(seen.values).toEqual(['start a', 'end a', 'start a', 'end a', 'start b', 'end b'])
    expect(mostActive).toBe(1)
  },
)

test('maxPollRecords: a fetch larger than it is handed out in turns, the partitions taking turns, and every message committed', async () => {
  await produce(['a0', 'a1', 'a2', 'a3', 'a4'], 0)
  await produce(['b0', 'b1', 'b2', 'b3', 'b4'], 1)
  const batches = recorder()
  const c = fake.consumer({ groupId: 'g', maxPollRecords: 2 })
  await c.connect()
  await c.subscribe({ topic: 't', fromBeginning: true })
  let first = true
  await c.run({
    eachBatch: async ({ batch }) => {
      if (first) {
        // hold the first turn until both partitions' messages are buffered: the fetch loop sends its
        // next Fetch once the answer to one that asked for both from offset 0 is buffered
        first = false
        await fetchedFromStart(2)
      }
      batches.record(`${batch.partition}:${batch.messages.map((m) => String(m.value)).join(',')}`)
    },
  })
  await batches.count(6)
  const order = batches.values[0]!.startsWith('0:') ? [0, 1] : [1, 0]
  const turn = (p: number, i: number) => {
    const v = p === 0 ? 'a' : 'b'
    return [`${p}:${v}0,${v}1`, `${p}:${v}2,${v}3`, `${p}:${v}4`][i]!
  }
  expect(batches.values).toEqual([0, 1, 2].flatMap((i) => order.map((p) => turn(p, i))))
  await c.disconnect()
  expect([committed(0), committed(1)]).toEqual([5n, 5n])
})

/** Resolves once a Fetch follows one that asked for each of `partitions` partitions of t from offset 0. */
async function fetchedFromStart(partitions: number): Promise<void> {
  for (let n = 2; ; n++) {
    await fake.cluster.request(Fetch, n)
    const previous = fake.cluster.received(Fetch)[n - 2]!.request
    const fromStart = previous.topics.flatMap((t) => t.partitions).filter((p) => p.fetchOffset === 0n)
    if (fromStart.length >= partitions) return
  }
}

test("fetches that keep failing are retried within a second however long the retry option's backoff grows (Java's 1 s cap), so a node coming back is fetched from again", async () => {
  await produce(['a0'], 0)
  await produce(['b0'], 1)
  // three failed fetches in a row; the consumer's retry option alone would wait 10, 20, then 40 minutes
  const failing = fake.cluster.intercept(Fetch, { disconnect: true, times: 3 })
  const seen = recorder()
  const c = fake.consumer({ groupId: 'g', retry: { initialRetryTime: 600_000, maxRetryTime: 3_600_000, retries: 5 } })
  await c.connect()
  await c.subscribe({ topic: 't', fromBeginning: true })
  await c.run({ eachMessage: async ({ message }) => seen.record(String(message.value)) })
  await seen.count(2)
  expect(failing.remaining).toBe(0)
  expect([...seen.values].sort()).toEqual(['a0', 'b0'])
})
