// Broker errors through the public API, side by side with KafkaJS 2.2.4 on the same broker: the
// error a send rejects with has KafkaJS's class, name, type, numeric code, retriable and message,
// and kafkit's own detail beside them.

import { randomUUID } from 'node:crypto'
import * as kafkajs from 'kafkajs'
import {
  type Admin,
  Kafka,
  KafkaJSProtocolError,
  KafkaJSRecordTooLargeError,
  logLevel,
  type Producer,
  type ProducerConfig,
} from '../src/index.js'
import { brokers } from './helpers/brokers.js'

jest.setTimeout(60_000)

const run = randomUUID().slice(0, 8)
let kafka: Kafka
let admin: Admin
let theirs: kafkajs.Producer
const producers: Producer[] = []

async function createTopic(name: string, config: Record<string, string> = {}): Promise<string> {
  const topic = `kafkit-errors-${run}-${name}`
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic,
        numPartitions: 1,
        replicationFactor: 1,
        configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
      },
    ],
  })
  return topic
}

async function ourProducer(config: ProducerConfig = {}): Promise<Producer> {
  const producer = kafka.producer(config)
  producers.push(producer)
  await producer.connect()
  return producer
}

/** What KafkaJS code reads of an error. */
function seenByKafkaJSCode(error: unknown): Record<string, unknown> {
  const e = error as Record<string, unknown>
  return {
    name: e.name,
    type: e.type,
    code: e.code,
    retriable: e.retriable,
    message: e.message,
    helpUrl: e.helpUrl,
  }
}

beforeAll(async () => {
  kafka = new Kafka({ brokers: brokers(), clientId: `kafkit-errors-${run}`, logLevel: logLevel.NOTHING })
  admin = kafka.admin()
  await admin.connect()
  const theirKafka = new kafkajs.Kafka({
    brokers: brokers(),
    clientId: `kafkajs-errors-${run}`,
    logLevel: kafkajs.logLevel.NOTHING,
  })
  theirs = theirKafka.producer()
  await theirs.connect()
})

afterAll(async () => {
  for (const producer of producers) await producer.disconnect()
  await theirs?.disconnect()
  await admin?.disconnect()
})

describe('a record over the size limit', () => {
  let tooLarge: string
  let kafkaJSError: unknown
  const big = 'B'.repeat(50_000)

  beforeAll(async () => {
    tooLarge = await createTopic('too-large', { 'max.message.bytes': '20000' })
    kafkaJSError = await theirs.send({ topic: tooLarge, messages: [{ value: big }] }).catch((e: unknown) => e)
  })

  test('refused by the broker: the MESSAGE_TOO_LARGE protocol error KafkaJS rejects with', async () => {
    expect(kafkaJSError).toBeInstanceOf(kafkajs.KafkaJSProtocolError)
    expect(seenByKafkaJSCode(kafkaJSError)).toMatchObject({ type: 'MESSAGE_TOO_LARGE', code: 10 })
    const producer = await ourProducer()
    const error = await producer.send({ topic: tooLarge, messages: [{ value: big }] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSProtocolError)
    expect(seenByKafkaJSCode(error)).toEqual(seenByKafkaJSCode(kafkaJSError))
  })

  test('refused by the producer (over maxRequestSize): the same error, with what kafkit knows beside it', async () => {
    const topic = await createTopic('over-max-request')
    const producer = await ourProducer({ maxRequestSize: 10_000, batchSize: 1000 })
    const error = await producer.send({ topic, messages: [{ value: big }] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSProtocolError)
    expect(error).toBeInstanceOf(KafkaJSRecordTooLargeError)
    expect(seenByKafkaJSCode(error)).toEqual(seenByKafkaJSCode(kafkaJSError))
    expect(error).toMatchObject({
      topic,
      kafkitCode: 'ERR_RECORD_TOO_LARGE',
      detail: expect.stringMatching(/larger than maxRequestSize \(10000\)/),
    })
    // nothing was written
    const [offsets] = await admin.fetchTopicOffsets(topic)
    expect(offsets).toMatchObject({ partition: 0, high: '0' })
  })
})

test('a record the broker rejects (INVALID_RECORD, code 87): KafkaJS type and text, the broker reason as detail', async () => {
  // a compacted topic takes no record without a key
  const topic = await createTopic('compacted', { 'cleanup.policy': 'compact' })
  const kafkaJSError = await theirs.send({ topic, messages: [{ value: 'no key' }] }).catch((e: unknown) => e)
  expect(kafkaJSError).toBeInstanceOf(kafkajs.KafkaJSProtocolError)
  const producer = await ourProducer()
  const error = await producer.send({ topic, messages: [{ value: 'no key' }] }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(KafkaJSProtocolError)
  expect(seenByKafkaJSCode(error)).toEqual(seenByKafkaJSCode(kafkaJSError))
  expect(seenByKafkaJSCode(error)).toMatchObject({
    type: 'INVALID_RECORD',
    code: 87,
    retriable: false,
    message: 'This record has failed the validation on broker and hence be rejected',
  })
  expect(error).toMatchObject({
    kafkaType: 'INVALID_RECORD',
    detail: expect.stringContaining('Compacted topic cannot accept message without key'),
  })
})
