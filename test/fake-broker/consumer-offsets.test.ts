// The offset committer's branches (src/consumer/offsets/offset-committer.ts, group-offsets.ts),
// driven through the public API against the fake cluster's group coordinator: which OffsetCommit
// requests were sent with which offsets, what the model holds as committed, what reached the
// application (events, errors). No assertion about time.

import { type Consumer, type ConsumerConfig, type ConsumerRunConfig, KafkaJSProtocolError } from '../../src/index.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import { LeaveGroup } from '../../src/protocol/generated/leave-group.js'
import { OffsetCommit } from '../../src/protocol/generated/offset-commit.js'
import { consumerClusterPerTest, latch, nextEvent, recorder } from './consumers.js'
import { partitionKey } from './model.js'

const fake = consumerClusterPerTest({ nodes: 2, topics: { t: 1 } })

async function produce(values: string[]): Promise<void> {
  const producer = fake.producer()
  await producer.connect()
  await producer.send({ topic: 't', messages: values.map((value) => ({ value, partition: 0 })) })
}

const committed = () => fake.cluster.model.groupOffsets('g').get(partitionKey('t', 0))?.offset
/** The offsets each OffsetCommit request carried for t-0, in arrival order. */
const commitsSent = () =>
  fake.cluster.received(OffsetCommit).map((r) => r.request.topics[0]?.partitions[0]?.committedOffset)

async function consume(
  config: Partial<ConsumerConfig> = {},
  run: Omit<ConsumerRunConfig, 'eachMessage' | 'eachBatch'> = {},
): Promise<{ c: Consumer; seen: ReturnType<typeof recorder> }> {
  const seen = recorder()
  const c = fake.consumer({ groupId: 'g', ...config })
  await c.connect()
  await c.subscribe({ topic: 't', fromBeginning: true })
  await c.run({ ...run, eachMessage: async ({ message }) => seen.record(String(message.value)) })
  return { c, seen }
}

test('a retriable commit error (COORDINATOR_LOAD_IN_PROGRESS) is retried until the offsets are committed', async () => {
  const scripted = fake.cluster.intercept(OffsetCommit, {
    topic: 't',
    errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    times: 2,
  })
  await produce(['a', 'b'])
  const { c } = await consume()
  const event = await nextEvent(c, 'consumer.commit_offsets')
  expect(scripted.hits).toHaveLength(2)
  expect(commitsSent()).toEqual([2n, 2n, 2n])
  expect(committed()).toBe(2n)
  expect(event.topics).toEqual([{ topic: 't', partitions: [{ partition: '0', offset: '2' }] }])
})

test('the coordinator moved (NOT_COORDINATOR on commit): looked up again, committed at the new one', async () => {
  await produce(['a'])
  const { c, seen } = await consume()
  await nextEvent(c, 'consumer.commit_offsets')
  fake.cluster.model.moveCoordinator('group', 'g', 2)
  await produce(['b'])
  await seen.count(2)
  await nextEvent(c, 'consumer.commit_offsets')
  expect(
    fake.cluster.received(OffsetCommit, 2).map((r) => r.request.topics[0]?.partitions[0]?.committedOffset),
  ).toEqual([2n])
  expect(committed()).toBe(2n)
})

test.each([
  ['REBALANCE_IN_PROGRESS', ErrorCode.REBALANCE_IN_PROGRESS, 'classic'],
  ['ILLEGAL_GENERATION', ErrorCode.ILLEGAL_GENERATION, 'classic'],
  ['STALE_MEMBER_EPOCH', ErrorCode.STALE_MEMBER_EPOCH, 'consumer'],
] as const)(
  '%s on an automatic commit: not retried, not thrown; the offsets stay resolved and are committed on disconnect',
  async (_, errorCode, groupProtocol) => {
    const refused = fake.cluster.intercept(OffsetCommit, { topic: 't', errorCode })
    await produce(['a', 'b'])
    const { c, seen } = await consume({ groupProtocol })
    const crashed = jest.fn()
    c.on('consumer.crash', crashed)
    await seen.count(2)
    await refused.hit(1)
    expect(committed()).toBeUndefined()
    await c.disconnect()
    expect(commitsSent()).toEqual([2n, 2n])
    expect(committed()).toBe(2n)
    expect(crashed).not.toHaveBeenCalled()
  },
)

test.each([
  ['autoCommitThreshold 2: at the threshold inside the batch, then after it', { autoCommitThreshold: 2 }, [2n, 3n]],
  [
    'autoCommitThreshold 3 (the batch size): once, at the last message; the batch end has nothing new',
    { autoCommitThreshold: 3 },
    [3n],
  ],
  ['autoCommitThreshold 4 (above the batch): only after the batch', { autoCommitThreshold: 4 }, [3n]],
  ['autoCommitInterval 0: after every message', { autoCommitInterval: 0 }, [1n, 2n, 3n]],
] as const)('%s', async (_, run, sent) => {
  await produce(['a', 'b', 'c'])
  const { c, seen } = await consume({}, run)
  await seen.count(3)
  await fake.cluster.request(OffsetCommit, sent.length)
  // disconnecting commits nothing more: all was committed
  await c.disconnect()
  expect(commitsSent()).toEqual(sent)
  expect(committed()).toBe(3n)
})

test('autoCommit false: nothing is committed, not even on disconnect; commitOffsets() commits exactly what it is given', async () => {
  await produce(['a', 'b', 'c'])
  const { c, seen } = await consume({}, { autoCommit: false })
  await seen.count(3)
  await c.commitOffsets([{ topic: 't', partition: 0, offset: '1' }])
  expect(committed()).toBe(1n)
  await c.disconnect()
  expect(commitsSent()).toEqual([1n])
})

test('commitOffsets() refused by the coordinator (ILLEGAL_GENERATION) rejects with the protocol error', async () => {
  await produce(['a'])
  const { c, seen } = await consume({}, { autoCommit: false })
  await seen.count(1)
  fake.cluster.intercept(OffsetCommit, { topic: 't', errorCode: ErrorCode.ILLEGAL_GENERATION })
  const error = await c.commitOffsets([{ topic: 't', partition: 0, offset: '1' }]).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(KafkaJSProtocolError)
  expect((error as KafkaJSProtocolError).type).toBe('ILLEGAL_GENERATION')
  expect(committed()).toBeUndefined()
})

test('disconnect during a batch: what the handler resolved is committed before the member leaves', async () => {
  await produce(['a', 'b', 'c'])
  const c = fake.consumer({ groupId: 'g' })
  const [started, inBatch] = latch()
  const [stopping, stopped] = latch()
  // the order the coordinator got the commit and the leave in
  const order: string[] = []
  fake.cluster.intercept(OffsetCommit, { match: () => order.push('commit') < 0 })
  fake.cluster.intercept(LeaveGroup, { match: () => order.push('leave') < 0 })
  await c.connect()
  await c.subscribe({ topic: 't', fromBeginning: true })
  await c.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset }) => {
      resolveOffset(batch.messages[0]!.offset)
      inBatch()
      await stopping
    },
  })
  await started
  const disconnected = c.disconnect()
  stopped()
  await disconnected
  expect(committed()).toBe(1n)
  expect(commitsSent()).toEqual([1n])
  expect(order).toEqual(['commit', 'leave'])
})
