// KafkaJS 2.2.4 src/consumer/__tests__/seek.spec.js: consumer.seek's argument checks (texts and
// class), seeking before the group is joined, an out-of-range seek falling back to the reset policy,
// autoCommit false leaving seeks uncommitted, and the last of several seeks winning. KafkaJS's spec
// used a modulo partitioner on "key-<n>" keys; here the messages name their partitions.

import {
  type Admin,
  type Consumer,
  type EachMessagePayload,
  KafkaJSNonRetriableError,
  type Producer,
} from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitForConsumerToJoinGroup, waitForMessages } from '../helpers.js'

describe('Consumer seek (KafkaJS src/consumer/__tests__/seek.spec.js)', () => {
  let topicName: string
  let groupId: string
  let producer: Producer
  let consumer: Consumer
  let admin: Admin | undefined

  beforeEach(() => {
    topicName = `test-topic-${secureRandom()}`
    groupId = `consumer-group-id-${secureRandom()}`
    const kafka = createKafka()
    producer = kafka.producer()
    consumer = kafka.consumer({ groupId })
  })

  afterEach(async () => {
    await consumer?.disconnect()
    await producer?.disconnect()
    await admin?.disconnect()
    admin = undefined
  })

  const at = (partition: number, offset: string) =>
    expect.objectContaining({ topic: topicName, partition, message: expect.objectContaining({ offset }) })

  const message = (partition: number) => ({ key: `key-${partition}`, value: `value-${secureRandom()}`, partition })

  describe('with one partition', () => {
    beforeEach(async () => {
      await createTopic({ topic: topicName, partitions: 1 })
    })

    test.each([
      ['the topic is invalid', { topic: null }, 'Invalid topic null'],
      ['the partition is not a number', { partition: 'ABC' }, 'Invalid partition, expected a number received ABC'],
      ['the offset is not a number', { partition: 0, offset: 'ABC' }, 'Invalid offset, expected a long received ABC'],
      [
        'the offset is negative and not a special offset',
        { partition: 0, offset: '-32' },
        'Offset must not be a negative number',
      ],
      [
        'called before consumer.run()',
        { partition: 0, offset: '1' },
        'Consumer group was not initialized, consumer#run must be called first',
      ],
    ])('throws KafkaJSNonRetriableError when %s', (_, args, text) => {
      const call = () => consumer.seek({ topic: topicName, ...args } as unknown as Parameters<Consumer['seek']>[0])
      expect(call).toThrow(KafkaJSNonRetriableError)
      expect(call).toThrow(text)
    })

    test('a seek past the end falls back to the reset policy (fromBeginning): offset 0 is consumed', async () => {
      await consumer.connect()
      await producer.connect()
      await producer.send({ acks: 1, topic: topicName, messages: [message(0)] })
      await consumer.subscribe({ topic: topicName, fromBeginning: true })
      const consumed: EachMessagePayload[] = []
      void consumer.run({ eachMessage: async (event) => void consumed.push(event) })
      consumer.seek({ topic: topicName, partition: 0, offset: '100' })
      await waitForConsumerToJoinGroup(consumer)
      await expect(waitForMessages(consumed, 1)).resolves.toEqual([at(0, '0')])
    })

    test('with autoCommit false a seek is not committed, and a later seek re-delivers from there', async () => {
      admin = createKafka().admin()
      await Promise.all([consumer.connect(), producer.connect(), admin.connect()])
      await producer.send({
        acks: 1,
        topic: topicName,
        messages: [1, 2, 3].map((n) => ({ key: `key-${n}`, value: `value-${n}` })),
      })
      await consumer.subscribe({ topic: topicName, fromBeginning: true })
      let consumed: EachMessagePayload[] = []
      void consumer.run({ autoCommit: false, eachMessage: async (event) => void consumed.push(event) })
      consumer.seek({ topic: topicName, partition: 0, offset: '2' })
      await waitForConsumerToJoinGroup(consumer)
      await expect(waitForMessages(consumed, 1)).resolves.toEqual([at(0, '2')])
      await expect(admin.fetchOffsets({ groupId, topics: [topicName] })).resolves.toEqual([
        {
          topic: topicName,
          partitions: expect.arrayContaining([expect.objectContaining({ partition: 0, offset: '-1' })]),
        },
      ])

      consumed = []
      consumer.seek({ topic: topicName, partition: 0, offset: '1' })
      await expect(waitForMessages(consumed, 2)).resolves.toEqual([at(0, '1'), at(0, '2')])
    })
  })

  describe('with two partitions', () => {
    beforeEach(async () => {
      await createTopic({ topic: topicName, partitions: 2 })
    })

    test('a seek moves only its partition', async () => {
      await consumer.connect()
      await producer.connect()
      await producer.send({ acks: 1, topic: topicName, messages: [message(1), message(1), message(1), message(0)] })
      await consumer.subscribe({ topic: topicName, fromBeginning: true })
      const consumed: EachMessagePayload[] = []
      void consumer.run({ eachMessage: async (event) => void consumed.push(event) })
      consumer.seek({ topic: topicName, partition: 1, offset: '1' })
      await waitForConsumerToJoinGroup(consumer)
      await expect(waitForMessages(consumed, 3)).resolves.toEqual(
        expect.arrayContaining([at(0, '0'), at(1, '1'), at(1, '2')]),
      )
    })

    test('seeks of both partitions apply', async () => {
      await consumer.connect()
      await producer.connect()
      await producer.send({
        acks: 1,
        topic: topicName,
        messages: [message(1), message(1), message(0), message(0), message(0)],
      })
      await consumer.subscribe({ topic: topicName, fromBeginning: true })
      const consumed: EachMessagePayload[] = []
      void consumer.run({ eachMessage: async (event) => void consumed.push(event) })
      consumer.seek({ topic: topicName, partition: 0, offset: '2' })
      consumer.seek({ topic: topicName, partition: 1, offset: '1' })
      await waitForConsumerToJoinGroup(consumer)
      await expect(waitForMessages(consumed, 2)).resolves.toEqual(expect.arrayContaining([at(0, '2'), at(1, '1')]))
    })

    test('the last seek of a topic-partition wins', async () => {
      await consumer.connect()
      await producer.connect()
      await producer.send({ acks: 1, topic: topicName, messages: [message(0), message(0), message(0)] })
      await consumer.subscribe({ topic: topicName, fromBeginning: true })
      const consumed: EachMessagePayload[] = []
      void consumer.run({ eachMessage: async (event) => void consumed.push(event) })
      consumer.seek({ topic: topicName, partition: 0, offset: '0' })
      consumer.seek({ topic: topicName, partition: 0, offset: '1' })
      consumer.seek({ topic: topicName, partition: 0, offset: '2' })
      await waitForConsumerToJoinGroup(consumer)
      await expect(waitForMessages(consumed, 1)).resolves.toEqual([at(0, '2')])
    })
  })
})
