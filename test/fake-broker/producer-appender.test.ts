// The record appender and the accumulator's limits (src/producer/record-appender.ts,
// buffer-limit.ts, accumulator.ts), through the public API against the fake cluster: buffer room
// (blocking, maxBlockMs), record size, waiting for topic metadata, and when batches become ready
// (full batches at once, linger gathering separate sends). Outcomes only: what was sent and
// written, and what send() settled with.

import {
  KafkaJSBufferExhaustedError,
  KafkaJSRecordTooLargeError,
  KafkaJSTopicMetadataTimeoutError,
} from '../../src/index.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import { Metadata } from '../../src/protocol/generated/metadata.js'
import { Produce } from '../../src/protocol/generated/produce.js'
import { readBatches } from './batches.js'
import { fakeClusterPerTest } from './per-test.js'

const fake = fakeClusterPerTest({ topics: { t: 1 } })
const LARGE = 'x'.repeat(600)

async function logOf(topic = 't'): Promise<(string | null)[]> {
  return (await fake.cluster.messages(topic, 0)).map((m) => m.value?.slice(0, 8) ?? null)
}

/** A promise and the function that settles it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {}
  const promise = new Promise<void>((resolve) => {
    open = resolve
  })
  return { promise, open }
}

/** Lets every pending callback of the event loop run a few times (the producer gets every chance to act). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
}

/**
 * A producer with a 1 KiB buffer whose first send (one large record) is in a Produce request the
 * fake cluster holds until `held.open()`: until then, that record takes most of the buffer.
 */
async function bufferHeldByFirstSend() {
  const held = gate()
  fake.cluster.intercept(Produce, { hold: held.promise })
  const producer = fake.producer({ maxBufferedBytes: 1024 })
  await producer.connect()
  const first = producer.send({ topic: 't', messages: [{ value: `first${LARGE}` }] })
  await fake.cluster.request(Produce)
  return { held, producer, first }
}

test('a full buffer blocks send() until acknowledged records free room; then the record goes, after the first', async () => {
  const { held, producer, first } = await bufferHeldByFirstSend()
  let secondSettled = false
  const second = producer.send({ topic: 't', messages: [{ value: `second${LARGE}` }] }).finally(() => {
    secondSettled = true
  })
  await settle()
  expect(secondSettled).toBe(false)
  expect(fake.cluster.received(Produce)).toHaveLength(1)
  held.open()
  const [[r1], [r2]] = await Promise.all([first, second])
  expect([r1?.baseOffset, r2?.baseOffset]).toEqual(['0', '1'])
  expect(await logOf()).toEqual(['first' + 'xxx', 'second' + 'xx'])
})

test('a call that waited for room keeps its place: its remaining records go before those of later calls (per-partition order)', async () => {
  // found by the chaos suite's outage scenario: a call that waited for one record's room at a time
  // went to the back of the queue for its next record, behind calls made after it, whose records
  // then overtook its own
  const { held, producer, first } = await bufferHeldByFirstSend()
  // each of these records needs room that only an acknowledgement gives back
  const earlier = producer.send({ topic: 't', messages: [{ value: `a1${LARGE}` }, { value: `a2${LARGE}` }] })
  const later = producer.send({ topic: 't', messages: [{ value: `b1${LARGE}` }] })
  held.open()
  await Promise.all([first, earlier, later])
  expect(await logOf()).toEqual(['first' + 'xxx', 'a1' + 'xxxxxx', 'a2' + 'xxxxxx', 'b1' + 'xxxxxx'])
})

test('many multi-record calls against a tight buffer and a short maxBlockMs: each key stays in send order', async () => {
  // some calls fail (buffer exhausted) after appending part of their records; none overtakes another
  fake.cluster.intercept(Produce, { delayMs: 5, times: Infinity })
  const producer = fake.producer({ maxBufferedBytes: 8 * 1024, maxBlockMs: 30, linger: 1 })
  await producer.connect()
  const next = new Map<string, number>()
  const calls: Promise<unknown>[] = []
  for (let i = 0; i < 400; i++) {
    const messages = Array.from({ length: 10 }, (_, j) => {
      const key = `k${(i * 10 + j) % 37}`
      const seq = next.get(key) ?? 0
      next.set(key, seq + 1)
      return { key, value: `${key}:${seq}:${'x'.repeat(300)}`, partition: 0 }
    })
    calls.push(producer.send({ topic: 't', messages }).catch(() => undefined))
    if (i % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
  }
  await Promise.all(calls)
  const highest = new Map<string, number>()
  const reordered: string[] = []
  for (const m of await fake.cluster.messages('t', 0)) {
    const [key, seq] = m.value!.toString().split(':')
    if (Number(seq) < (highest.get(key!) ?? -1)) reordered.push(`${key}:${seq} after ${highest.get(key!)}`)
    else highest.set(key!, Number(seq))
  }
  expect(reordered.slice(0, 5)).toEqual([])
})

test('maxBlockMs: a send that cannot get buffer room in time rejects with KafkaJSBufferExhaustedError and appends nothing', async () => {
  const held = gate()
  fake.cluster.intercept(Produce, { hold: held.promise })
  const producer = fake.producer({ maxBufferedBytes: 1024, maxBlockMs: 0 })
  await producer.connect()
  const first = producer.send({ topic: 't', messages: [{ value: `first${LARGE}` }] })
  await fake.cluster.request(Produce)
  await expect(producer.send({ topic: 't', messages: [{ value: `second${LARGE}` }] })).rejects.toBeInstanceOf(
    KafkaJSBufferExhaustedError,
  )
  held.open()
  await first
  expect(await logOf()).toEqual(['first' + 'xxx'])
  expect(fake.cluster.received(Produce)).toHaveLength(1)
})

test('a record larger than maxRequestSize fails the whole call before anything of it is sent (KafkaJSRecordTooLargeError)', async () => {
  const producer = fake.producer({ maxRequestSize: 1024, batchSize: 1024 })
  await producer.connect()
  const call = producer.send({ topic: 't', messages: [{ value: 'small' }, { value: 'y'.repeat(2000) }] })
  await expect(call).rejects.toBeInstanceOf(KafkaJSRecordTooLargeError)
  await producer.send({ topic: 't', messages: [{ value: 'after' }] })
  expect(await logOf()).toEqual(['after'])
})

test('full batches are ready at once whatever the linger; backlogged batches go merged in one request', async () => {
  // a linger longer than any test: the send can only complete if full batches do not wait for it
  const producer = fake.producer({ batchSize: 100, linger: 600000 })
  await producer.connect()
  const values = ['a', 'b', 'c'].map((v) => v + LARGE)
  const [result] = await producer.send({ topic: 't', messages: values.map((value) => ({ value })) })
  expect(result).toMatchObject({ baseOffset: '0' })
  expect(await logOf()).toEqual(values.map((v) => v.slice(0, 8)))
  const batches = fake.cluster
    .received(Produce)
    .flatMap((r) => r.request.topicData.flatMap((t) => t.partitionData.flatMap((p) => readBatches(p.records!))))
  expect(batches.reduce((n, b) => n + b.recordCount, 0)).toBe(3)
})

test('linger: records of separate send() calls made within it share one batch and one request', async () => {
  const producer = fake.producer({ linger: 20 })
  await producer.connect()
  await Promise.all([
    producer.send({ topic: 't', messages: [{ value: 'one' }] }),
    producer.send({ topic: 't', messages: [{ value: 'two' }] }),
  ])
  const produces = fake.cluster.received(Produce)
  expect(produces).toHaveLength(1)
  expect(readBatches(produces[0]!.request.topicData[0]!.partitionData[0]!.records!).map((b) => b.recordCount)).toEqual([
    2,
  ])
  expect(await logOf()).toEqual(['one', 'two'])
})

test('a topic missing from the metadata: send() waits for it, and goes once it appears', async () => {
  fake.cluster.model.options.autoCreateTopics = false
  const producer = fake.producer()
  await producer.connect()
  const metadataBefore = fake.cluster.received(Metadata).length
  const sent = producer.send({ topic: 'late', messages: [{ value: 'waited' }] })
  // the producer asked at least once and was told the topic does not exist
  await fake.cluster.request(Metadata, metadataBefore + 1)
  fake.cluster.model.createTopic('late', 1)
  const [result] = await sent
  expect(result).toMatchObject({ topicName: 'late', baseOffset: '0' })
  expect(await logOf('late')).toEqual(['waited'])
})

test('a call waiting for metadata sends the messages it was given, whatever the caller does with its array after send() returns', async () => {
  fake.cluster.model.options.autoCreateTopics = false
  const producer = fake.producer()
  await producer.connect()
  const metadataBefore = fake.cluster.received(Metadata).length
  const messages = [
    { value: 'to-1', partition: 1 },
    { value: 'to-0', partition: 0 },
  ]
  const sent = producer.send({ topic: 'late', messages })
  // the caller reuses its array at once
  messages.length = 0
  messages.push({ value: 'reused', partition: 0 })
  await fake.cluster.request(Metadata, metadataBefore + 1)
  fake.cluster.model.createTopic('late', 2)
  await sent
  expect((await fake.cluster.messages('late', 0)).map((m) => m.value)).toEqual(['to-0'])
  expect((await fake.cluster.messages('late', 1)).map((m) => m.value)).toEqual(['to-1'])
})

test('a call waiting for buffer room part-way sends the rest of its own messages, whatever the caller does with its array', async () => {
  const { held, producer, first } = await bufferHeldByFirstSend()
  // the small record fits at once, the large one waits for the first call's room
  const messages = [{ value: 'small' }, { value: `large${LARGE}` }]
  const second = producer.send({ topic: 't', messages })
  messages[1] = { value: 'replaced' }
  messages.push({ value: 'added' })
  held.open()
  await Promise.all([first, second])
  expect(await logOf()).toEqual(['first' + 'xxx', 'small', 'large' + 'xxx'])
})

test('a topic that never appears: send() rejects with KafkaJSTopicMetadataTimeoutError after maxBlockMs', async () => {
  fake.cluster.model.options.autoCreateTopics = false
  const producer = fake.producer({ maxBlockMs: 30 })
  await producer.connect()
  await expect(producer.send({ topic: 'never', messages: [{ value: 'v' }] })).rejects.toBeInstanceOf(
    KafkaJSTopicMetadataTimeoutError,
  )
  expect(fake.cluster.received(Produce)).toHaveLength(0)
})

test('a non-retriable topic error in the metadata (TOPIC_AUTHORIZATION_FAILED) fails send() at once with it', async () => {
  fake.cluster.intercept(Metadata, {
    topic: 'secret',
    errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    times: Number.POSITIVE_INFINITY,
  })
  const producer = fake.producer()
  await producer.connect()
  await expect(producer.send({ topic: 'secret', messages: [{ value: 'v' }] })).rejects.toMatchObject({
    type: 'TOPIC_AUTHORIZATION_FAILED',
  })
  expect(fake.cluster.received(Produce)).toHaveLength(0)
})
