// Log truncation (KIP-320) and leader hints (KIP-951) in the consumer's fetcher, through the public
// API on the fake cluster: an unclean election modelled as a follower that holds the log up to some
// offset becoming leader under a new epoch (model.uncleanElection), the leader's answers (Fetch
// with lastFetchedEpoch, OffsetForLeaderEpoch) computed from its epochs as Kafka computes them, and
// a Fetch answer with a diverging epoch scripted where the consumer's metadata gives no reason to
// validate. What a real cluster does after an unclean election is in
// integration/consumer-log-truncation.test.ts. No assertion about time.

import type { ConsumerCrashEvent } from '../../src/consumer/event-types.js'
import {
  type Consumer,
  type ConsumerConfig,
  KafkaJSLogTruncationError,
  KafkaJSNoOffsetForPartitionError,
  KafkaJSOffsetOutOfRange,
  type LogEntry,
  logLevel,
} from '../../src/index.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import { Fetch, type FetchRequest, type FetchResponse } from '../../src/protocol/generated/fetch.js'
import { Metadata } from '../../src/protocol/generated/metadata.js'
import { OffsetForLeaderEpoch } from '../../src/protocol/generated/offset-for-leader-epoch.js'
import { consumerClusterPerTest, nextEvent, recorder } from './consumers.js'
import { partitionKey } from './model.js'

const fake = consumerClusterPerTest({ nodes: 2, topics: { t: 1 } })
const CONSUMER = 'fake-consumer'

async function produce(values: string[]): Promise<void> {
  const producer = fake.producer()
  await producer.connect()
  await producer.send({ topic: 't', messages: values.map((value) => ({ value, partition: 0 })) })
  await producer.disconnect()
}

const range = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`)

/** a0..a4 and a5..a9 in two batches, so that a log can be cut at offset 5. */
async function produceTen(): Promise<void> {
  await produce(range('a', 0, 5))
  await produce(range('a', 5, 10))
}

interface Running {
  c: Consumer
  seen: ReturnType<typeof recorder>
  /** The consumer's log entries at warn level and above. */
  logs: LogEntry[]
}

async function consume(config: Partial<ConsumerConfig> = {}): Promise<Running> {
  const seen = recorder()
  const logs: LogEntry[] = []
  const c = fake.consumer(
    { groupId: 'g', ...config },
    { logLevel: logLevel.WARN, logCreator: () => (entry) => void logs.push(entry) },
  )
  await c.connect()
  await c.subscribe({ topic: 't', fromBeginning: true })
  await c.run({ eachMessage: async ({ message }) => seen.record(String(message.value)) })
  return { c, seen, logs }
}

const messages = (logs: LogEntry[]): string[] => logs.map((e) => e.log.message)
const TRUNCATED = 'Log truncation detected; fetching from where the logs diverge'
/** The consumer's entry with `message`. */
const entry = (logs: LogEntry[], message: string) => logs.find((e) => e.log.message === message)?.log

/** A consumer of group g reads the first `count` records and leaves, committing their offsets. */
async function commitThrough(count: number): Promise<void> {
  const { c, seen } = await consume()
  await seen.count(count)
  await c.disconnect()
  expect(fake.cluster.model.groupOffsets('g').get(partitionKey('t', 0))?.offset).toBe(BigInt(count))
}
const consumerMetadataRequests = () => fake.cluster.received(Metadata).filter((r) => r.clientId === CONSUMER).length
/** The t-0 entries of the consumer's Fetch requests to `node`. */
const fetchesOf = (node: number) =>
  fake.cluster
    .received(Fetch, node)
    .filter((r) => r.clientId === CONSUMER)
    .flatMap((r) => r.request.topics.flatMap((t) => t.partitions))

/**
 * A consumer of group g with autoOffsetReset 'none' (fromBeginning, which it ignores), run without
 * awaiting the join (it may crash during it); resolves with its crash and what it delivered.
 */
async function crashWithoutReset(): Promise<{ crash: ConsumerCrashEvent['payload']; seen: string[] }> {
  const c = fake.consumer({ groupId: 'g', autoOffsetReset: 'none' })
  const crash = nextEvent(c, 'consumer.crash')
  const seen = recorder()
  await c.connect()
  await c.subscribe({ topic: 't', fromBeginning: true })
  void c.run({ eachMessage: async ({ message }) => seen.record(String(message.value)) })
  return { crash: await crash, seen: seen.values }
}

/** A Fetch answer in which the leader says the log diverges (KIP-320), for the fetch at `fetchOffset`. */
function divergesAt(fetchOffset: bigint, diverging: { epoch: number; endOffset: bigint }, onHit: () => void) {
  return fake.cluster.intercept(Fetch, {
    match: (request: FetchRequest) =>
      request.topics.some((t) => t.partitions.some((p) => p.fetchOffset === fetchOffset)),
    respond: async (_request, ctx) => {
      onHit()
      const answer = (await ctx.modelAnswer()) as FetchResponse
      for (const t of answer.responses) {
        for (const p of t.partitions) Object.assign(p, { records: null, divergingEpoch: diverging })
      }
      return answer
    },
  })
}

describe('an unclean election under the consumer (OffsetForLeaderEpoch after the leader change)', () => {
  test('the new leader diverges below the position: the consumer goes on from the divergence, nothing skipped', async () => {
    await produceTen()
    const { seen, logs } = await consume()
    await seen.count(10)
    const metadataBefore = consumerMetadataRequests()
    // node 2 held the log up to offset 5 only; it leads now under epoch 1, and takes offsets 5.. again
    fake.cluster.model.uncleanElection('t', 0, 2, 5n)
    await produce(range('b', 5, 8))
    await seen.all(range('b', 5, 8))
    expect(seen.values).toEqual([...range('a', 0, 10), ...range('b', 5, 8)])
    // asked the new leader where epoch 0 ends, under its epoch 1
    const [asked] = fake.cluster.received(OffsetForLeaderEpoch, 2).filter((r) => r.clientId === CONSUMER)
    expect(asked!.request.topics[0]!.partitions[0]).toMatchObject({ currentLeaderEpoch: 1, leaderEpoch: 0 })
    expect(messages(logs)).toEqual([TRUNCATED])
    expect(entry(logs, TRUNCATED)).toMatchObject({ topic: 't', partition: 0, fetchOffset: '10', divergentOffset: '5' })
    // KIP-951: node 1's NOT_LEADER_OR_FOLLOWER named node 2, and the consumer went there without Metadata
    expect(consumerMetadataRequests()).toBe(metadataBefore)
    expect(fetchesOf(2).map((p) => p.fetchOffset)).toContain(5n)
  })

  test("autoOffsetReset 'none': the consumer fails with KafkaJSLogTruncationError naming both offsets", async () => {
    await produceTen()
    await commitThrough(10)
    fake.cluster.model.uncleanElection('t', 0, 2, 5n)
    await produce(range('b', 5, 8))
    const { crash, seen } = await crashWithoutReset()
    const { error, restart } = crash
    expect(error).toBeInstanceOf(KafkaJSLogTruncationError)
    expect(error).toBeInstanceOf(KafkaJSOffsetOutOfRange)
    expect(error).toMatchObject({
      topic: 't',
      partition: 0,
      fetchOffset: '10',
      divergentOffset: '5',
      retriable: false,
      kafkitCode: 'ERR_LOG_TRUNCATION',
    })
    expect(restart).toBe(false)
    expect(seen).toEqual([])
  })

  test('a committed offset is validated with its epoch: a restarted consumer does not skip what the new leader wrote', async () => {
    await produceTen()
    await commitThrough(10)
    expect(fake.cluster.model.groupOffsets('g').get(partitionKey('t', 0))?.leaderEpoch).toBe(0)
    // the new leader writes as many records as were lost: its log ends at the committed offset again
    fake.cluster.model.uncleanElection('t', 0, 2, 5n)
    await produce(range('b', 5, 10))
    const second = await consume()
    await second.seen.all(range('b', 5, 10))
    expect(second.seen.values).toEqual(range('b', 5, 10))
    expect(entry(second.logs, TRUNCATED)).toMatchObject({ fetchOffset: '10', divergentOffset: '5' })
  })

  test('a clean leader change: the position is confirmed and fetching goes on at the new leader, without Metadata', async () => {
    await produce(range('a', 0, 5))
    const { seen, logs } = await consume()
    await seen.count(5)
    const metadataBefore = consumerMetadataRequests()
    fake.cluster.model.moveLeader('t', 0, 2)
    await produce(range('a', 5, 8))
    await seen.count(8)
    expect(seen.values).toEqual(range('a', 0, 8))
    expect(consumerMetadataRequests()).toBe(metadataBefore)
    expect(fetchesOf(2)[0]).toMatchObject({ fetchOffset: 5n, currentLeaderEpoch: 1, lastFetchedEpoch: 0 })
    expect(logs).toEqual([])
  })
})

describe('a diverging epoch in a Fetch answer (the leader checks lastFetchedEpoch)', () => {
  test('the consumer sends the epoch of the last batch it fetched', async () => {
    await produce(range('a', 0, 3))
    const { seen } = await consume()
    await seen.count(3)
    await produce(['a3'])
    await seen.count(4)
    const sent = fetchesOf(1).map((p) => [p.fetchOffset, p.lastFetchedEpoch])
    // nothing fetched before offset 0; then epoch 0, the batches' epoch
    expect(sent[0]).toEqual([0n, -1])
    expect(sent).toContainEqual([3n, 0])
  })

  test('the consumer goes on from where the logs diverge', async () => {
    await produceTen()
    const { seen, logs } = await consume()
    await seen.count(10)
    const log = fake.cluster.model.partition('t', 0)!
    // the leader's log was truncated at 5 under the same leader epoch as the consumer knows it
    const hit = divergesAt(10n, { epoch: 0, endOffset: 5n }, () => log.truncateTo(5n))
    await hit.hit(1)
    await produce(range('b', 5, 7))
    await seen.all(range('b', 5, 7))
    expect(seen.values).toEqual([...range('a', 0, 10), ...range('b', 5, 7)])
    expect(entry(logs, TRUNCATED)).toMatchObject({ fetchOffset: '10', divergentOffset: '5' })
    expect(fetchesOf(1).find((p) => p.fetchOffset === 5n)).toMatchObject({ lastFetchedEpoch: 0 })
  })

  test("autoOffsetReset 'none': KafkaJSLogTruncationError", async () => {
    await produceTen()
    await commitThrough(10)
    divergesAt(10n, { epoch: 0, endOffset: 5n }, () => {})
    const { error } = (await crashWithoutReset()).crash
    expect(error).toMatchObject({ name: 'KafkaJSLogTruncationError', fetchOffset: '10', divergentOffset: '5' })
  })

  test('an epoch the leader never had (its end is not before the offset): the reset policy decides', async () => {
    await produce(range('a', 0, 4))
    const { seen, logs } = await consume()
    await seen.count(4)
    divergesAt(4n, { epoch: 0, endOffset: 7n }, () => {})
    // fromBeginning: read again from the earliest offset, as Java resets
    await seen.count(8)
    expect(seen.values).toEqual([...range('a', 0, 4), ...range('a', 0, 4)])
    const reset = 'The leader knows no epoch for the position; resetting to default offset'
    expect(entry(logs, reset)).toMatchObject({ fetchOffset: '4', resetTo: 'earliest' })
  })
})

describe("autoOffsetReset 'none' without a position to use", () => {
  test('no committed offset: KafkaJSNoOffsetForPartitionError, nothing read', async () => {
    await produce(['a0'])
    const { crash, seen } = await crashWithoutReset()
    const { error, restart } = crash
    expect(error).toBeInstanceOf(KafkaJSNoOffsetForPartitionError)
    expect(error).toMatchObject({ topic: 't', partition: 0, kafkitCode: 'ERR_NO_OFFSET_FOR_PARTITION' })
    expect(restart).toBe(false)
    expect(seen).toEqual([])
  })

  test('OFFSET_OUT_OF_RANGE: KafkaJSOffsetOutOfRange instead of a reset', async () => {
    await produce(range('a', 0, 2))
    await commitThrough(2)
    fake.cluster.intercept(Fetch, { topic: 't', partition: 0, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE })
    const { error } = (await crashWithoutReset()).crash
    expect(error).toBeInstanceOf(KafkaJSOffsetOutOfRange)
    expect(error).toMatchObject({ topic: 't', partition: 0, type: 'OFFSET_OUT_OF_RANGE', retriable: false })
  })
})

describe('a leader that cannot be reached', () => {
  test('the consumer refreshes the metadata at once and follows the partition to its new leader', async () => {
    await produce(range('a', 0, 3))
    // metadataMaxAge is long: only the lost connection can make the consumer look again
    const { seen } = await consume({ metadataMaxAge: 600_000 })
    await seen.count(3)
    fake.cluster.intercept(Fetch, { node: 1, disconnect: true, times: Number.POSITIVE_INFINITY })
    fake.cluster.model.moveLeader('t', 0, 2)
    await produce(range('a', 3, 6))
    await seen.count(6)
    expect(seen.values).toEqual(range('a', 0, 6))
  })
})
