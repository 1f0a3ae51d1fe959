// Idempotent sequencing (src/producer/sequences.ts and the sender's handling of sequence errors),
// through the public API against the fake cluster, whose partition logs check producer ids, epochs
// and sequences as Kafka does: every record reaches the log once and in order, or the send fails
// with the broker's error and the producer moves to a new epoch.

import { ErrorCode } from '../../src/protocol/generated/errors.js'
import {
  Produce,
  type ProduceRequest,
  createProduceResponsePartitionProduceResponse as partitionResponse,
  createProduceResponseTopicProduceResponse as topicResponse,
} from '../../src/protocol/generated/produce.js'
import { fakeClusterPerTest } from './per-test.js'

const fake = fakeClusterPerTest({ topics: { t: 1 } })

/** Each batch of the log as [first value, producer epoch, base sequence]. */
async function logBatches(): Promise<[string | null, number, number][]> {
  return (await fake.cluster.batches('t', 0)).map((b) => [
    b.records[0]?.value?.toString() ?? null,
    b.producerEpoch,
    b.baseSequence,
  ])
}

/** A Produce answer refusing partition t-0 with `errorCode`, reporting `logStartOffset`. */
function refusal(errorCode: number, logStartOffset: bigint) {
  return (request: ProduceRequest) =>
    Produce.createResponse({
      responses: request.topicData.map((t) =>
        topicResponse({
          name: t.name,
          topicId: t.topicId,
          partitionResponses: t.partitionData.map((p) =>
            partitionResponse({ index: p.index, errorCode, logStartOffset }),
          ),
        }),
      ),
    })
}

test('batches pipelined behind a failed one get OUT_OF_ORDER_SEQUENCE_NUMBER and go again after it: each record once, in order', async () => {
  const producer = fake.producer()
  await producer.connect()
  await producer.send({ topic: 't', messages: [{ value: 'a' }] })
  // b's answer (a retriable error: b is not written) is held until c was sent behind it
  let release = () => {}
  const hold = new Promise<void>((resolve) => {
    release = resolve
  })
  fake.cluster.intercept(Produce, { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, hold })
  const b = producer.send({ topic: 't', messages: [{ value: 'b' }] })
  await fake.cluster.request(Produce, 2)
  const c = producer.send({ topic: 't', messages: [{ value: 'c' }] })
  await fake.cluster.request(Produce, 3)
  release()
  const [[rb], [rc]] = await Promise.all([b, c])
  expect([rb?.baseOffset, rc?.baseOffset]).toEqual(['1', '2'])
  expect(await logBatches()).toEqual([
    ['a', 0, 0],
    ['b', 0, 1],
    ['c', 0, 2],
  ])
  // c's first attempt was refused by the log as out of order (sequence 2 while 1 was expected)
  expect(fake.cluster.received(Produce)).toHaveLength(5)
})

// Java's idempotent producer (KIP-360) retries this batch under the bumped epoch instead of failing
// it; kafkit fails the send and bumps the epoch for what follows
test('OUT_OF_ORDER_SEQUENCE_NUMBER for the next expected batch is a real gap: the send fails, the producer bumps its epoch and goes on', async () => {
  const producer = fake.producer()
  await producer.connect()
  await producer.send({ topic: 't', messages: [{ value: 'a' }] })
  fake.cluster.intercept(Produce, { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER })
  await expect(producer.send({ topic: 't', messages: [{ value: 'lost' }] })).rejects.toMatchObject({
    type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
  })
  await producer.send({ topic: 't', messages: [{ value: 'c' }] })
  // the next batch restarts at sequence 0 under epoch 1, which the broker accepts
  expect(await logBatches()).toEqual([
    ['a', 0, 0],
    ['c', 1, 0],
  ])
})

test('DUPLICATE_SEQUENCE_NUMBER (older brokers) completes the send with the offset of the batch the broker has', async () => {
  const { cluster } = fake
  cluster.model.options.duplicateSequenceError = true
  cluster.intercept(Produce, { disconnect: true, process: true })
  const producer = fake.producer()
  await producer.connect()
  const [result] = await producer.send({ topic: 't', messages: [{ value: 'once' }] })
  expect(result).toMatchObject({ baseOffset: '0', errorCode: 0 })
  expect(cluster.received(Produce)).toHaveLength(2)
  expect((await cluster.messages('t', 0)).map((m) => m.value)).toEqual(['once'])
})

test('UNKNOWN_PRODUCER_ID after the log start passed every acknowledged offset: the epoch is bumped and the batch resent from sequence 0', async () => {
  const producer = fake.producer()
  await producer.connect()
  await producer.send({ topic: 't', messages: [{ value: 'a' }] })
  // the broker lost this producer's state: retention deleted its records (log start 5 > offset 0)
  fake.cluster.intercept(Produce, { respond: refusal(ErrorCode.UNKNOWN_PRODUCER_ID, 5n) })
  const [result] = await producer.send({ topic: 't', messages: [{ value: 'b' }] })
  expect(result).toMatchObject({ baseOffset: '1' })
  expect(await logBatches()).toEqual([
    ['a', 0, 0],
    ['b', 1, 0],
  ])
})

// Java's idempotent producer retries every UNKNOWN_PRODUCER_ID under a bumped epoch; kafkit retries
// only when the log start shows the producer state went with the records (the test above)
test('UNKNOWN_PRODUCER_ID while acknowledged records are still in the log is not safe to resolve: the send fails', async () => {
  const producer = fake.producer()
  await producer.connect()
  await producer.send({ topic: 't', messages: [{ value: 'a' }] })
  fake.cluster.intercept(Produce, { respond: refusal(ErrorCode.UNKNOWN_PRODUCER_ID, 0n) })
  await expect(producer.send({ topic: 't', messages: [{ value: 'b' }] })).rejects.toMatchObject({
    type: 'UNKNOWN_PRODUCER_ID',
  })
  expect(fake.cluster.received(Produce)).toHaveLength(2)
})
