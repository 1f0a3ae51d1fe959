// Idempotent sequencing (src/producer/sequences.ts and the sender's handling of sequence errors),
// through the public API against the fake cluster, whose partition logs check producer ids, epochs
// and sequences as Kafka does: every record reaches the log once and in order, or the send fails
// with the broker's error and the producer moves to a new epoch.

import { KafkaJSDeliveryTimeoutError } from '../../src/index.js'
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

test('OUT_OF_ORDER_SEQUENCE_NUMBER for the next expected batch is a real gap: the producer bumps its epoch and the batch is written from sequence 0 (KIP-360, as Java)', async () => {
  const producer = fake.producer()
  await producer.connect()
  await producer.send({ topic: 't', messages: [{ value: 'a' }] })
  fake.cluster.intercept(Produce, { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER })
  const [result] = await producer.send({ topic: 't', messages: [{ value: 'b' }] })
  expect(result).toMatchObject({ baseOffset: '1' })
  await producer.send({ topic: 't', messages: [{ value: 'c' }] })
  // the refused batch restarts at sequence 0 under epoch 1, which the broker accepts; c follows it
  expect(await logBatches()).toEqual([
    ['a', 0, 0],
    ['b', 1, 0],
    ['c', 1, 1],
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

// Java's idempotent producer retries every UNKNOWN_PRODUCER_ID under a bumped epoch: the broker has
// no state for it on the partition, so it refused the batch and takes sequence 0
test.each([
  ['after the log start passed every acknowledged offset (retention deleted its records)', 5n],
  ['while acknowledged records are still in the log (the broker lost the state otherwise)', 0n],
])('UNKNOWN_PRODUCER_ID %s: the epoch is bumped and the batch resent from sequence 0', async (_why, logStart) => {
  const producer = fake.producer()
  await producer.connect()
  await producer.send({ topic: 't', messages: [{ value: 'a' }] })
  fake.cluster.intercept(Produce, { respond: refusal(ErrorCode.UNKNOWN_PRODUCER_ID, logStart) })
  const [result] = await producer.send({ topic: 't', messages: [{ value: 'b' }] })
  expect(result).toMatchObject({ baseOffset: '1' })
  expect(await logBatches()).toEqual([
    ['a', 0, 0],
    ['b', 1, 0],
  ])
})

test('UNKNOWN_PRODUCER_ID without a log start offset (the partition was moving) is retried as is until the broker says more', async () => {
  const producer = fake.producer()
  await producer.connect()
  await producer.send({ topic: 't', messages: [{ value: 'a' }] })
  fake.cluster.intercept(Produce, { respond: refusal(ErrorCode.UNKNOWN_PRODUCER_ID, -1n) })
  await producer.send({ topic: 't', messages: [{ value: 'b' }] })
  expect(await logBatches()).toEqual([
    ['a', 0, 0],
    ['b', 0, 1],
  ])
})

describe('a Produce answer held past deliveryTimeout (the batch expires in flight, as in Java)', () => {
  // the request itself would wait 30 s for its answer (ackTimeout + requestTimeout): the batch
  // expires long before, while its request is still out
  const DELIVERY = { deliveryTimeout: 1000 }
  const CLIENT = { requestTimeout: 1000 }

  /** A connected producer with these settings whose first record, a, was written at sequence 0. */
  async function afterA() {
    const producer = fake.producer(DELIVERY, CLIENT)
    await producer.connect()
    await producer.send({ topic: 't', messages: [{ value: 'a' }] })
    return producer
  }

  /** A promise the test settles, and its settle function. */
  function gate(): { promise: Promise<void>; open: () => void } {
    let open = () => {}
    const promise = new Promise<void>((resolve) => {
      open = resolve
    })
    return { promise, open }
  }

  /** Whether each Produce request (after this call) arrived after `isOpen()` became true. */
  function arrivals(isOpen: () => boolean): boolean[] {
    const seen: boolean[] = []
    fake.cluster.intercept(Produce, {
      times: Number.POSITIVE_INFINITY,
      match: () => {
        seen.push(isOpen())
        return false
      },
    })
    return seen
  }

  test('the broker had written it: the send fails with KafkaJSDeliveryTimeoutError, the late acknowledgement keeps the epoch, and the next send waits for it and follows at the next sequence', async () => {
    const producer = await afterA()
    const held = gate()
    let released = false
    fake.cluster.intercept(Produce, { hold: held.promise })
    const seen = arrivals(() => released)
    const error = await producer.send({ topic: 't', messages: [{ value: 'b' }] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSDeliveryTimeoutError)
    expect((error as Error).message).toMatch(/node 1 had not answered its Produce request/)
    // the partition waits to learn whether b was written before it sends c
    const c = producer.send({ topic: 't', messages: [{ value: 'c' }] })
    released = true
    held.open()
    const [result] = await c
    expect(result).toMatchObject({ baseOffset: '2' })
    expect(seen).toEqual([false, true])
    expect(await logBatches()).toEqual([
      ['a', 0, 0],
      ['b', 0, 1],
      ['c', 0, 2],
    ])
  })

  test('the broker had refused it: once the answer is in, the producer bumps its epoch and the next send starts at sequence 0', async () => {
    const producer = await afterA()
    const held = gate()
    fake.cluster.intercept(Produce, { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, hold: held.promise })
    await expect(producer.send({ topic: 't', messages: [{ value: 'b' }] })).rejects.toBeInstanceOf(
      KafkaJSDeliveryTimeoutError,
    )
    const c = producer.send({ topic: 't', messages: [{ value: 'c' }] })
    held.open()
    await c
    expect(await logBatches()).toEqual([
      ['a', 0, 0],
      ['c', 1, 0],
    ])
  })

  test('two pipelined batches expire in flight and the broker wrote neither: the next send goes under a bumped epoch, nothing is written twice', async () => {
    const producer = await afterA()
    const held = gate()
    // b is refused and its answer held; c, sent behind it, is out of order for the log and its
    // answer waits behind b's on the connection
    fake.cluster.intercept(Produce, { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, hold: held.promise })
    const b = producer.send({ topic: 't', messages: [{ value: 'b' }] }).catch((e: unknown) => e)
    await fake.cluster.request(Produce, 2)
    const c = producer.send({ topic: 't', messages: [{ value: 'c' }] }).catch((e: unknown) => e)
    await fake.cluster.request(Produce, 3)
    expect(await b).toBeInstanceOf(KafkaJSDeliveryTimeoutError)
    expect(await c).toBeInstanceOf(KafkaJSDeliveryTimeoutError)
    held.open()
    await producer.send({ topic: 't', messages: [{ value: 'd' }] })
    expect(await logBatches()).toEqual([
      ['a', 0, 0],
      ['d', 1, 0],
    ])
  })

  test('without idempotence the expired batch fails the same way and later sends go on', async () => {
    const producer = fake.producer({ ...DELIVERY, idempotent: false }, CLIENT)
    await producer.connect()
    const held = gate()
    fake.cluster.intercept(Produce, { hold: held.promise })
    await expect(producer.send({ topic: 't', messages: [{ value: 'a' }] })).rejects.toBeInstanceOf(
      KafkaJSDeliveryTimeoutError,
    )
    held.open()
    await producer.send({ topic: 't', messages: [{ value: 'b' }] })
    // a was written after all (what the delivery timeout leaves unknown), b after it
    expect((await fake.cluster.messages('t', 0)).map((m) => m.value)).toEqual(['a', 'b'])
  })
})
