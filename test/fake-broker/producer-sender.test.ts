// The sender's retry and split paths (src/producer/sender.ts), driven through the public API
// against the fake cluster: what reaches the log (each record once, in order) and what send()
// resolves or rejects with, never how long anything took.

import { KafkaJSDeliveryTimeoutError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from '../../src/index.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import { Metadata } from '../../src/protocol/generated/metadata.js'
import { Produce } from '../../src/protocol/generated/produce.js'
import { readBatches } from './batches.js'
import { fakeClusterPerTest } from './per-test.js'

const fake = fakeClusterPerTest({ nodes: 2, topics: { t: 2 } })

/** The values of a partition's log, in offset order. */
async function logOf(partition: number): Promise<(string | null)[]> {
  return (await fake.cluster.messages('t', partition)).map((m) => m.value)
}

/** Record counts of the batches each Produce request carried, in arrival order. */
function batchesSent(): number[][] {
  return fake.cluster
    .received(Produce)
    .map((r) =>
      r.request.topicData.flatMap((t) =>
        t.partitionData.flatMap((p) => readBatches(p.records!).map((b) => b.recordCount)),
      ),
    )
}

test('NOT_LEADER_OR_FOLLOWER naming the new leader (KIP-951): the batch goes there at once, with no Metadata request and no backoff', async () => {
  // a backoff of a minute: the retry to the new leader does not wait it out (as Java's accumulator)
  const producer = fake.producer({ retry: { initialRetryTime: 60_000, maxRetryTime: 60_000 } })
  await producer.connect()
  await producer.send({ topic: 't', messages: [{ value: 'a' }] })
  const metadataBefore = fake.cluster.received(Metadata).length
  fake.cluster.model.moveLeader('t', 0, 2)
  const [result] = await producer.send({ topic: 't', messages: [{ value: 'b' }] })
  expect(result).toMatchObject({ partition: 0, baseOffset: '1', errorCode: 0 })
  // the old leader refused once, naming node 2 and its new epoch; the cache took it
  expect(fake.cluster.received(Produce).map((r) => r.node)).toEqual([1, 1, 2])
  expect(fake.cluster.received(Metadata)).toHaveLength(metadataBefore)
  expect(await logOf(0)).toEqual(['a', 'b'])
})

describe('with a third node', () => {
  const three = fakeClusterPerTest({ nodes: 3, topics: { t: 1 } })

  test('a new leader the metadata does not list yet is reached at the endpoint the Produce response gives (KIP-951 NodeEndpoints)', async () => {
    // the metadata the producer gets lists nodes 1 and 2 only
    three.cluster.intercept(Metadata, {
      times: Number.POSITIVE_INFINITY,
      respond: async (_request, ctx) => {
        const answer = (await ctx.modelAnswer())!
        return { ...answer, brokers: answer.brokers.filter((b) => b.nodeId !== 3) }
      },
    })
    const producer = three.producer()
    await producer.connect()
    await producer.send({ topic: 't', messages: [{ value: 'a' }] })
    three.cluster.model.moveLeader('t', 0, 3)
    await producer.send({ topic: 't', messages: [{ value: 'b' }] })
    expect(three.cluster.received(Produce).map((r) => r.node)).toEqual([1, 1, 3])
    expect((await three.cluster.messages('t', 0)).map((m) => m.value)).toEqual(['a', 'b'])
  })
})

test('NOT_LEADER_OR_FOLLOWER naming no newer leader: the sender refreshes metadata and resends to the leader it names', async () => {
  const producer = fake.producer()
  await producer.connect()
  await producer.send({ topic: 't', messages: [{ value: 'a' }] })
  const metadataBefore = fake.cluster.received(Metadata).length
  // node 1 refuses while the model still has it lead: the answer names node 1 at the known epoch
  fake.cluster.intercept(Produce, { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER })
  const [result] = await producer.send({ topic: 't', messages: [{ value: 'b' }] })
  expect(result).toMatchObject({ partition: 0, baseOffset: '1' })
  expect(fake.cluster.received(Produce).map((r) => r.node)).toEqual([1, 1, 1])
  expect(fake.cluster.received(Metadata).length).toBeGreaterThan(metadataBefore)
  expect(await logOf(0)).toEqual(['a', 'b'])
})

test('retriable partition errors (NOT_ENOUGH_REPLICAS) are retried until the broker takes the batch, which is written once', async () => {
  const scripted = fake.cluster.intercept(Produce, { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, times: 3 })
  const producer = fake.producer()
  await producer.connect()
  const [result] = await producer.send({ topic: 't', messages: [{ value: 'a' }, { value: 'b' }] })
  expect(scripted.hits).toHaveLength(3)
  expect(result).toMatchObject({ partition: 0, baseOffset: '0' })
  expect(batchesSent()).toEqual([[2], [2], [2], [2]])
  expect(await logOf(0)).toEqual(['a', 'b'])
})

test('an error on one partition of a request does not hold back the other partition', async () => {
  fake.cluster.model.moveLeader('t', 1, 1)
  fake.cluster.intercept(Produce, { topic: 't', partition: 1, errorCode: ErrorCode.NOT_ENOUGH_REPLICAS })
  const producer = fake.producer()
  await producer.connect()
  const results = await producer.send({
    topic: 't',
    messages: [
      { value: 'p0', partition: 0 },
      { value: 'p1', partition: 1 },
    ],
  })
  expect(results.map((r) => [r.partition, r.baseOffset]).sort()).toEqual([
    [0, '0'],
    [1, '0'],
  ])
  expect(await logOf(0)).toEqual(['p0'])
  expect(await logOf(1)).toEqual(['p1'])
  // both partitions in the first request; the second carried partition 1's retry alone
  expect(batchesSent()).toEqual([[1, 1], [1]])
})

test('retries exhausted: send() rejects with KafkaJSNumberOfRetriesExceeded carrying the broker error', async () => {
  fake.cluster.intercept(Produce, { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, times: Number.POSITIVE_INFINITY })
  const producer = fake.producer({ retry: { initialRetryTime: 1, maxRetryTime: 5, retries: 2 } })
  await producer.connect()
  const error = await producer.send({ topic: 't', messages: [{ value: 'a' }] }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded)
  expect((error as KafkaJSNumberOfRetriesExceeded).cause).toMatchObject({ type: 'NOT_ENOUGH_REPLICAS' })
  // the first attempt and two retries
  expect(fake.cluster.received(Produce)).toHaveLength(3)
  expect(await logOf(0)).toEqual([])
})

test('deliveryTimeout: a batch retried until its delivery time is up fails with KafkaJSDeliveryTimeoutError', async () => {
  fake.cluster.intercept(Produce, { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, times: Number.POSITIVE_INFINITY })
  // long enough for a first attempt on a loaded machine, short for the test
  const producer = fake.producer({ deliveryTimeout: 1500 }, { requestTimeout: 500 })
  await producer.connect()
  const error = await producer.send({ topic: 't', messages: [{ value: 'a' }] }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(KafkaJSDeliveryTimeoutError)
  // it expired either waiting for its next attempt or as an attempt failed: both are this error
  expect(fake.cluster.received(Produce).length).toBeGreaterThanOrEqual(1)
  expect(await logOf(0)).toEqual([])
})

test('deliveryTimeout: a batch whose partition has no leader expires in the queue, never sent', async () => {
  fake.cluster.intercept(Metadata, {
    topic: 't',
    partition: 0,
    errorCode: ErrorCode.LEADER_NOT_AVAILABLE,
    times: Number.POSITIVE_INFINITY,
  })
  // long enough for a first attempt on a loaded machine, short for the test
  const producer = fake.producer({ deliveryTimeout: 1500 }, { requestTimeout: 500 })
  await producer.connect()
  await expect(producer.send({ topic: 't', messages: [{ value: 'a' }] })).rejects.toBeInstanceOf(
    KafkaJSDeliveryTimeoutError,
  )
  expect(fake.cluster.received(Produce)).toHaveLength(0)
})

test('a non-retriable partition error fails the send at once, with KafkaJS protocol error type', async () => {
  fake.cluster.intercept(Produce, { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })
  const producer = fake.producer()
  await producer.connect()
  const error = await producer.send({ topic: 't', messages: [{ value: 'a' }] }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(KafkaJSProtocolError)
  expect(error).toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED', retriable: false })
  expect(fake.cluster.received(Produce)).toHaveLength(1)
})

test('MESSAGE_TOO_LARGE for a multi-record batch: the batch is split and resent; each record is written once, in order', async () => {
  fake.cluster.intercept(Produce, { errorCode: ErrorCode.MESSAGE_TOO_LARGE })
  // batchSize 1: one record per batch, merged into one batch of four when drained together
  const producer = fake.producer({ batchSize: 1 })
  await producer.connect()
  const values = ['r0', 'r1', 'r2', 'r3']
  const [result] = await producer.send({ topic: 't', messages: values.map((value) => ({ value })) })
  expect(result).toMatchObject({ partition: 0, baseOffset: '0' })
  // refused as one batch of four, resent as batches of batchSize (one record each), not merged again
  expect(batchesSent()).toEqual([[4], [1], [1], [1], [1]])
  expect(await logOf(0)).toEqual(values)
})

test('MESSAGE_TOO_LARGE for a single record cannot be split: the send fails with it', async () => {
  fake.cluster.intercept(Produce, { errorCode: ErrorCode.MESSAGE_TOO_LARGE })
  const producer = fake.producer()
  await producer.connect()
  await expect(producer.send({ topic: 't', messages: [{ value: 'big' }] })).rejects.toMatchObject({
    type: 'MESSAGE_TOO_LARGE',
  })
  expect(fake.cluster.received(Produce)).toHaveLength(1)
})

test('a connection lost after the broker wrote the batch: the retry is a duplicate the broker drops, the record is written once', async () => {
  fake.cluster.intercept(Produce, { disconnect: true, process: true })
  const producer = fake.producer()
  await producer.connect()
  const [result] = await producer.send({ topic: 't', messages: [{ value: 'once' }] })
  expect(result).toMatchObject({ baseOffset: '0' })
  expect(fake.cluster.received(Produce)).toHaveLength(2)
  expect(await logOf(0)).toEqual(['once'])
})

test('without idempotence the same lost answer writes the record twice (what idempotence prevents)', async () => {
  fake.cluster.intercept(Produce, { disconnect: true, process: true })
  const producer = fake.producer({ idempotent: false })
  await producer.connect()
  await producer.send({ topic: 't', messages: [{ value: 'twice' }] })
  expect(await logOf(0)).toEqual(['twice', 'twice'])
})

test('acks 0: the request gets no answer and send() resolves with [] (KafkaJS) once it is written', async () => {
  const producer = fake.producer({ idempotent: false })
  await producer.connect()
  expect(await producer.send({ topic: 't', acks: 0, messages: [{ value: 'fire' }] })).toEqual([])
  // send() resolved once the socket took the bytes: the fake may read them a moment later
  expect((await fake.cluster.request(Produce)).request.acks).toBe(0)
  expect(await logOf(0)).toEqual(['fire'])
})
