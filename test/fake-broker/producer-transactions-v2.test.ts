// Transactions v2 (KIP-890, the broker's finalized transaction.version 2) through the public API
// against the fake cluster: partitions and groups join the transaction through Produce v12+ and
// TxnOffsetCommit v5+ themselves, and every EndTxn bumps the epoch the next transaction runs under.

import { AddOffsetsToTxn } from '../../src/protocol/generated/add-offsets-to-txn.js'
import { AddPartitionsToTxn } from '../../src/protocol/generated/add-partitions-to-txn.js'
import { EndTxn } from '../../src/protocol/generated/end-txn.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import { Produce } from '../../src/protocol/generated/produce.js'
import { TxnOffsetCommit } from '../../src/protocol/generated/txn-offset-commit.js'
import { partitionKey } from './model.js'
import { fakeClusterPerTest } from './per-test.js'

const fake = fakeClusterPerTest({ topics: { t: 1 }, transactionVersion: 2 })
const OFFSETS = { consumerGroupId: 'g', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '7' }] }] }

async function batchesOfLog(): Promise<[string, number][]> {
  return (await fake.cluster.batches('t', 0)).map((b) => [
    b.isControlBatch ? 'marker' : (b.records[0]?.value?.toString() ?? ''),
    b.producerEpoch,
  ])
}

test('a v2 transaction adds its partition and group through Produce and TxnOffsetCommit, and each end bumps the epoch', async () => {
  const producer = fake.producer({ transactionalId: 'v2' })
  await producer.connect()
  for (const value of ['first', 'second']) {
    const transaction = await producer.transaction()
    await transaction.send({ topic: 't', messages: [{ value }] })
    await transaction.sendOffsets(OFFSETS)
    await transaction.commit()
  }
  expect(fake.cluster.received(AddPartitionsToTxn)).toHaveLength(0)
  expect(fake.cluster.received(AddOffsetsToTxn)).toHaveLength(0)
  expect(fake.cluster.received(Produce).every((r) => r.version >= 12)).toBe(true)
  expect(fake.cluster.received(TxnOffsetCommit).every((r) => r.version >= 5)).toBe(true)
  // each transaction ran under the epoch the previous EndTxn returned
  expect(fake.cluster.received(EndTxn).map((r) => [r.version >= 5, r.request.producerEpoch])).toEqual([
    [true, 0],
    [true, 1],
  ])
  expect(await batchesOfLog()).toEqual([
    ['first', 0],
    ['marker', 0],
    ['second', 1],
    ['marker', 1],
  ])
  expect(fake.cluster.model.groupOffsets('g').get(partitionKey('in', 0))?.offset).toBe(7n)
  expect(fake.cluster.model.transactions.get('v2')?.producerEpoch).toBe(2)
})

test('a v2 transaction that failed (abortable Produce error) is aborted, and the next runs under the epoch the abort returned', async () => {
  fake.cluster.intercept(Produce, { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })
  const producer = fake.producer({ transactionalId: 'v2' })
  await producer.connect()
  const failed = await producer.transaction()
  await expect(failed.send({ topic: 't', messages: [{ value: 'refused' }] })).rejects.toMatchObject({
    type: 'TOPIC_AUTHORIZATION_FAILED',
  })
  await failed.abort()
  const next = await producer.transaction()
  await next.send({ topic: 't', messages: [{ value: 'kept' }] })
  await next.commit()
  expect(await batchesOfLog()).toEqual([
    ['kept', 1],
    ['marker', 1],
  ])
})

test('a v2 EndTxn whose answer was lost is sent again and taken as the retry it is; the producer goes on under the new epoch', async () => {
  fake.cluster.intercept(EndTxn, { disconnect: true, process: true })
  const producer = fake.producer({ transactionalId: 'v2' })
  await producer.connect()
  for (const value of ['first', 'second']) {
    const transaction = await producer.transaction()
    await transaction.send({ topic: 't', messages: [{ value }] })
    await transaction.commit()
  }
  expect(fake.cluster.received(EndTxn).map((r) => r.request.producerEpoch)).toEqual([0, 0, 1])
  expect(await batchesOfLog()).toEqual([
    ['first', 0],
    ['marker', 0],
    ['second', 1],
    ['marker', 1],
  ])
})
