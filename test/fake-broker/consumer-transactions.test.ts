// Read-process-write with the fake group coordinator: a transactional producer commits a consumer's
// offsets with the consumer's group metadata (KIP-447), and the coordinator refuses the metadata of
// a generation the group has left behind. Outcomes: the model's committed offsets, the errors.

import { ErrorCode } from '../../src/protocol/generated/errors.js'
import { Heartbeat } from '../../src/protocol/generated/heartbeat.js'
import { consumerClusterPerTest, nextEvent, recorder } from './consumers.js'
import { partitionKey } from './model.js'

const fake = consumerClusterPerTest({ topics: { in: 1, out: 1 } })

async function consumeIn() {
  const seen = recorder()
  const c = fake.consumer({ groupId: 'g' })
  await c.connect()
  await c.subscribe({ topic: 'in', fromBeginning: true })
  await c.run({ autoCommit: false, eachMessage: async ({ message }) => seen.record(String(message.value)) })
  return { c, seen }
}

const offsets = (offset: string) => [{ topic: 'in', partitions: [{ partition: 0, offset }] }]
const committed = () => fake.cluster.model.groupOffsets('g').get(partitionKey('in', 0))?.offset

test("the consumer's offsets commit with the transaction, checked against its generation", async () => {
  const input = fake.producer()
  await input.connect()
  await input.send({ topic: 'in', messages: [{ value: 'a' }] })
  const { c, seen } = await consumeIn()
  await seen.count(1)
  const producer = fake.producer({ transactionalId: 'tx', idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const transaction = await producer.transaction()
  await transaction.send({ topic: 'out', messages: [{ value: 'A' }] })
  await transaction.sendOffsets({ consumerGroupMetadata: c.groupMetadata(), topics: offsets('1') })
  expect(committed()).toBeUndefined()
  await transaction.commit()
  expect(committed()).toBe(1n)
  expect((await fake.cluster.messages('out', 0)).map((m) => m.value)).toEqual(['A'])
})

test('the metadata of a generation the group left behind is refused (ILLEGAL_GENERATION); nothing is committed', async () => {
  const { c } = await consumeIn()
  await nextEvent(c, 'consumer.heartbeat')
  const stale = c.groupMetadata()
  const rejoined = nextEvent(c, 'consumer.group_join')
  fake.cluster.intercept(Heartbeat, { topic: 'g', errorCode: ErrorCode.ILLEGAL_GENERATION })
  await rejoined
  expect(fake.cluster.model.groups.classic('g')?.generation).toBe(stale.generationId + 1)
  const producer = fake.producer({ transactionalId: 'tx', idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const transaction = await producer.transaction()
  await expect(transaction.sendOffsets({ consumerGroupMetadata: stale, topics: offsets('1') })).rejects.toMatchObject({
    type: 'ILLEGAL_GENERATION',
  })
  await transaction.abort()
  expect(committed()).toBeUndefined()
  // the current metadata is taken
  const next = await producer.transaction()
  await next.sendOffsets({ consumerGroupMetadata: c.groupMetadata(), topics: offsets('1') })
  await next.commit()
  expect(committed()).toBe(1n)
})
