// The transaction manager's error paths (src/producer/transaction-manager.ts), through the public
// API against the fake cluster's transaction coordinator: retried errors (CONCURRENT_TRANSACTIONS,
// coordinator moved or unavailable), fatal ones (fencing, authorization) and abortable ones (the
// transaction is aborted, the producer goes on), judged by what the logs and the coordinator hold.

import {
  KafkaJSDeliveryTimeoutError,
  KafkaJSNonRetriableError,
  KafkaJSProducerFencedError,
  KafkaJSProtocolError,
  KafkaJSTransactionStateError,
} from '../../src/index.js'
import { AddOffsetsToTxn } from '../../src/protocol/generated/add-offsets-to-txn.js'
import { AddPartitionsToTxn } from '../../src/protocol/generated/add-partitions-to-txn.js'
import { EndTxn } from '../../src/protocol/generated/end-txn.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import { FindCoordinator } from '../../src/protocol/generated/find-coordinator.js'
import { InitProducerId } from '../../src/protocol/generated/init-producer-id.js'
import { Produce } from '../../src/protocol/generated/produce.js'
import { TxnOffsetCommit } from '../../src/protocol/generated/txn-offset-commit.js'
import { partitionKey } from './model.js'
import { fakeClusterPerTest } from './per-test.js'

const fake = fakeClusterPerTest({ nodes: 2, topics: { t: 1 } })
const TXN = 'txn-1'
const OFFSETS = { consumerGroupId: 'g', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '42' }] }] }

function transactionalProducer() {
  return fake.producer({ transactionalId: TXN })
}

/** A connected transactional producer and its first transaction. */
async function inTransaction() {
  const producer = transactionalProducer()
  await producer.connect()
  return { producer, transaction: await producer.transaction() }
}

/** The log of t-0 as [value or control marker, transactional]. */
async function logOf(): Promise<string[]> {
  return (await fake.cluster.batches('t', 0)).flatMap((b) =>
    b.isControlBatch
      ? [b.records[0]?.key?.readInt16BE(2) === 1 ? 'COMMIT' : 'ABORT']
      : b.records.map((r) => r.value?.toString() ?? ''),
  )
}

function committedOffset(): bigint | undefined {
  return fake.cluster.model.groupOffsets('g').get(partitionKey('in', 0))?.offset
}

test('CONCURRENT_TRANSACTIONS is retried: on InitProducerId at connect, on AddPartitionsToTxn and on EndTxn', async () => {
  const concurrent = { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS, times: 2 }
  fake.cluster.intercept(InitProducerId, concurrent)
  fake.cluster.intercept(AddPartitionsToTxn, concurrent)
  fake.cluster.intercept(EndTxn, concurrent)
  const { transaction } = await inTransaction()
  await transaction.send({ topic: 't', messages: [{ value: 'a' }] })
  await transaction.commit()
  expect(fake.cluster.received(InitProducerId)).toHaveLength(3)
  expect(fake.cluster.received(AddPartitionsToTxn)).toHaveLength(3)
  expect(fake.cluster.received(EndTxn)).toHaveLength(3)
  expect(await logOf()).toEqual(['a', 'COMMIT'])
})

test('NOT_COORDINATOR after the coordinator moved: the producer looks it up again and ends the transaction there', async () => {
  const { transaction } = await inTransaction()
  await transaction.send({ topic: 't', messages: [{ value: 'a' }] })
  const lookups = fake.cluster.received(FindCoordinator).length
  fake.cluster.model.moveCoordinator('transaction', TXN, 2)
  await transaction.commit()
  expect(fake.cluster.received(EndTxn).map((r) => r.node)).toEqual([1, 2])
  expect(fake.cluster.received(FindCoordinator).length).toBeGreaterThan(lookups)
  expect(await logOf()).toEqual(['a', 'COMMIT'])
})

test('an EndTxn whose answer never comes times out (requestTimeout), and is sent again on a new connection', async () => {
  fake.cluster.intercept(EndTxn, { drop: true })
  const producer = fake.producer({ transactionalId: TXN }, { requestTimeout: 50 })
  await producer.connect()
  const transaction = await producer.transaction()
  await transaction.send({ topic: 't', messages: [{ value: 'a' }] })
  await transaction.commit()
  const ends = fake.cluster.received(EndTxn)
  expect(ends).toHaveLength(2)
  expect(ends[1]!.connectionId).not.toBe(ends[0]!.connectionId)
  expect(await logOf()).toEqual(['a', 'COMMIT'])
})

test('COORDINATOR_NOT_AVAILABLE on AddOffsetsToTxn and NOT_COORDINATOR on TxnOffsetCommit: looked up again and retried', async () => {
  fake.cluster.intercept(AddOffsetsToTxn, { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE })
  fake.cluster.intercept(TxnOffsetCommit, { errorCode: ErrorCode.NOT_COORDINATOR })
  const producer = transactionalProducer()
  await producer.connect()
  const lookups = fake.cluster.received(FindCoordinator).length
  const transaction = await producer.transaction()
  await transaction.sendOffsets(OFFSETS)
  await transaction.commit()
  expect(fake.cluster.received(AddOffsetsToTxn)).toHaveLength(2)
  expect(fake.cluster.received(TxnOffsetCommit)).toHaveLength(2)
  // one lookup of the group coordinator, and one again for each refused request
  expect(fake.cluster.received(FindCoordinator).length - lookups).toBeGreaterThanOrEqual(3)
  expect(committedOffset()).toBe(42n)
})

test('PRODUCER_FENCED on EndTxn is fatal: commit rejects with KafkaJSProducerFencedError, and so does what follows', async () => {
  fake.cluster.intercept(EndTxn, { errorCode: ErrorCode.PRODUCER_FENCED })
  const { producer, transaction } = await inTransaction()
  await transaction.send({ topic: 't', messages: [{ value: 'a' }] })
  await expect(transaction.commit()).rejects.toBeInstanceOf(KafkaJSProducerFencedError)
  // the transaction is over: KafkaJS's 'Cannot continue to use transaction once ended'
  await expect(transaction.abort()).rejects.toBeInstanceOf(KafkaJSNonRetriableError)
  await expect(producer.transaction()).rejects.toBeInstanceOf(KafkaJSTransactionStateError)
  expect(fake.cluster.received(EndTxn)).toHaveLength(1)
})

test('a newer producer with the same transactional id fences the older: its EndTxn is refused as fenced, nothing it wrote commits', async () => {
  const { transaction } = await inTransaction()
  await transaction.send({ topic: 't', messages: [{ value: 'zombie' }] })
  const newer = transactionalProducer()
  await newer.connect()
  await expect(transaction.commit()).rejects.toBeInstanceOf(KafkaJSProducerFencedError)
  // the newer producer's InitProducerId aborted the older one's open transaction
  expect(await logOf()).toEqual(['zombie', 'ABORT'])
  expect(fake.cluster.model.transactions.get(TXN)?.producerEpoch).toBe(1)
})

test('INVALID_PRODUCER_EPOCH on a transactional Produce is fatal: the send rejects with KafkaJSProducerFencedError', async () => {
  fake.cluster.intercept(Produce, { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH })
  const { transaction } = await inTransaction()
  await expect(transaction.send({ topic: 't', messages: [{ value: 'a' }] })).rejects.toBeInstanceOf(
    KafkaJSProducerFencedError,
  )
  await expect(transaction.commit()).rejects.toBeInstanceOf(KafkaJSNonRetriableError)
  expect(await logOf()).toEqual([])
})

test('an abortable error (GROUP_AUTHORIZATION_FAILED on TxnOffsetCommit): commit refuses, abort ends it, the next transaction commits', async () => {
  fake.cluster.intercept(TxnOffsetCommit, { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED })
  const { producer, transaction: failed } = await inTransaction()
  await failed.send({ topic: 't', messages: [{ value: 'dropped' }] })
  await expect(failed.sendOffsets(OFFSETS)).rejects.toMatchObject({ type: 'GROUP_AUTHORIZATION_FAILED' })
  await expect(failed.commit()).rejects.toBeInstanceOf(KafkaJSTransactionStateError)
  await failed.abort()
  const next = await producer.transaction()
  await next.send({ topic: 't', messages: [{ value: 'kept' }] })
  await next.sendOffsets(OFFSETS)
  await next.commit()
  expect(await logOf()).toEqual(['dropped', 'ABORT', 'kept', 'COMMIT'])
  expect(committedOffset()).toBe(42n)
  // transactions v1: the abort after an error bumped the epoch (KIP-360), and the next transaction ran under it
  expect(fake.cluster.received(InitProducerId)).toHaveLength(2)
  expect(fake.cluster.received(EndTxn).map((r) => r.request.producerEpoch)).toEqual([0, 1])
})

test('an abortable error on a Produce (TOPIC_AUTHORIZATION_FAILED): the send rejects, abort then a new transaction works', async () => {
  fake.cluster.intercept(Produce, { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })
  const { producer, transaction: failed } = await inTransaction()
  await expect(failed.send({ topic: 't', messages: [{ value: 'refused' }] })).rejects.toBeInstanceOf(
    KafkaJSProtocolError,
  )
  await failed.abort()
  const next = await producer.transaction()
  await next.send({ topic: 't', messages: [{ value: 'kept' }] })
  await next.commit()
  expect(await logOf()).toEqual(['kept', 'COMMIT'])
})

test('a batch expiring in flight (deliveryTimeout) makes the transaction abortable; abort sends EndTxn only once its Produce was answered', async () => {
  let release = () => {}
  const hold = new Promise<void>((resolve) => {
    release = resolve
  })
  let released = false
  const endTxnAfterRelease: boolean[] = []
  fake.cluster.intercept(EndTxn, {
    times: Number.POSITIVE_INFINITY,
    match: () => {
      endTxnAfterRelease.push(released)
      return false
    },
  })
  const producer = fake.producer({ transactionalId: TXN, deliveryTimeout: 1000 }, { requestTimeout: 1000 })
  await producer.connect()
  const failed = await producer.transaction()
  fake.cluster.intercept(Produce, { hold })
  await expect(failed.send({ topic: 't', messages: [{ value: 'late' }] })).rejects.toBeInstanceOf(
    KafkaJSDeliveryTimeoutError,
  )
  const aborted = failed.abort()
  // a moment for an abort that would not wait to send its EndTxn (this never makes the test fail)
  await new Promise((resolve) => setTimeout(resolve, 100))
  released = true
  release()
  await aborted
  expect(endTxnAfterRelease).toEqual([true])
  const next = await producer.transaction()
  await next.send({ topic: 't', messages: [{ value: 'kept' }] })
  await next.commit()
  // the broker had written the expired batch into the transaction, and the abort covers it
  expect(await logOf()).toEqual(['late', 'ABORT', 'kept', 'COMMIT'])
})

test('TRANSACTIONAL_ID_AUTHORIZATION_FAILED on InitProducerId: connect rejects with it and nothing is sent', async () => {
  fake.cluster.intercept(InitProducerId, { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED })
  const producer = transactionalProducer()
  await expect(producer.connect()).rejects.toMatchObject({ type: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED' })
  expect(fake.cluster.received(InitProducerId)).toHaveLength(1)
  expect(fake.cluster.received(Produce)).toHaveLength(0)
})

test('a fatal AddPartitionsToTxn answer (PRODUCER_FENCED) fails the send waiting for the partition, instead of leaving it queued', async () => {
  fake.cluster.intercept(AddPartitionsToTxn, { errorCode: ErrorCode.PRODUCER_FENCED })
  const { transaction } = await inTransaction()
  await expect(transaction.send({ topic: 't', messages: [{ value: 'a' }] })).rejects.toBeInstanceOf(
    KafkaJSProducerFencedError,
  )
  expect(fake.cluster.received(Produce)).toHaveLength(0)
})

test('an abortable AddPartitionsToTxn answer (TOPIC_AUTHORIZATION_FAILED) fails the send; abort and a new transaction work', async () => {
  fake.cluster.intercept(AddPartitionsToTxn, {
    topic: 't',
    partition: 0,
    errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  })
  const { producer, transaction: failed } = await inTransaction()
  await expect(failed.send({ topic: 't', messages: [{ value: 'a' }] })).rejects.toMatchObject({
    type: 'TOPIC_AUTHORIZATION_FAILED',
  })
  await failed.abort()
  const next = await producer.transaction()
  await next.send({ topic: 't', messages: [{ value: 'b' }] })
  await next.commit()
  expect(await logOf()).toEqual(['b', 'COMMIT'])
})
