// KafkaJS 2.2.4 src/consumer/__tests__/commitOffsets.spec.js: consumer.commitOffsets() validates its
// entries (KafkaJSNonRetriableError with KafkaJS's texts), refuses to commit before run(), and
// commits the given offset. Beyond the spec (issue 12): an offset the application committed is what
// stays committed when the consumer stops, as in KafkaJS, although the consumer has processed further.

import { type Admin, type Consumer, KafkaJSNonRetriableError, type Producer } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitFor, waitForConsumerToJoinGroup } from '../helpers.js'

describe('Consumer commitOffsets (KafkaJS src/consumer/__tests__/commitOffsets.spec.js)', () => {
  let topicName: string
  let groupId: string
  let consumer: Consumer
  let producer: Producer
  let admin: Admin | undefined

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    groupId = `consumer-group-id-${secureRandom()}`
    await createTopic({ topic: topicName })
    const kafka = createKafka()
    producer = kafka.producer()
    consumer = kafka.consumer({ groupId })
  })

  afterEach(async () => {
    await consumer.disconnect()
    await producer.disconnect()
    await admin?.disconnect()
    admin = undefined
  })

  const committed = async (): Promise<string | undefined> => {
    admin ??= createKafka().admin()
    await admin.connect()
    const [topic] = await admin.fetchOffsets({ groupId, topics: [topicName] })
    return topic?.partitions.find((p) => p.partition === 0)?.offset
  }

  const rejects = async (call: Promise<unknown>, message: string) => {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(KafkaJSNonRetriableError)
    expect(error).toMatchObject({ name: 'KafkaJSNonRetriableError', message })
  }

  test('throws an error if any of the topics is invalid', async () => {
    await rejects(consumer.commitOffsets([{ topic: null } as never]), 'Invalid topic null')
  })

  test('throws an error if any of the partitions is not a number', async () => {
    await rejects(
      consumer.commitOffsets([{ topic: topicName, partition: 'ABC' } as never]),
      'Invalid partition, expected a number received ABC',
    )
  })

  test('throws an error if any of the offsets is not a number', async () => {
    await rejects(
      consumer.commitOffsets([{ topic: topicName, partition: 0, offset: 'ABC' }]),
      'Invalid offset, expected a long received ABC',
    )
  })

  test('throws an error if any of the offsets is not an absolute offset', async () => {
    await rejects(
      consumer.commitOffsets([{ topic: topicName, partition: 0, offset: '-1' }]),
      'Offset must not be a negative number',
    )
  })

  test('throws an error if called before consumer run', async () => {
    await rejects(
      consumer.commitOffsets([{ topic: topicName, partition: 0, offset: '1' }]),
      'Consumer group was not initialized, consumer#run must be called first',
    )
  })

  test('updates the partition committed offset to the given offset', async () => {
    await consumer.connect()
    await producer.connect()
    const messages = Array.from({ length: 3 }, () => {
      const value = secureRandom()
      return { key: `key-${value}`, value: `value-${value}` }
    })
    await producer.send({ acks: 1, topic: topicName, messages })

    const offsetsConsumed: string[] = []
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    void consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        offsetsConsumed.push(message.offset)
        if (offsetsConsumed.length === 1) {
          await consumer.commitOffsets([{ topic: topicName, partition: 0, offset: '1' }])
        }
      },
    })
    await waitForConsumerToJoinGroup(consumer)
    await waitFor(() => offsetsConsumed.length >= 3, '3 messages')
    expect(offsetsConsumed).toEqual(['0', '1', '2'])
    expect(await committed()).toEqual('1')
  })

  test('with autoCommit, the offset the application committed stays committed when the consumer stops', async () => {
    await consumer.connect()
    await producer.connect()
    const messages = Array.from({ length: 20 }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` }))
    await producer.send({ acks: 1, topic: topicName, messages })

    const offsetsConsumed: string[] = []
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    void consumer.run({
      eachMessage: async ({ message }) => {
        offsetsConsumed.push(message.offset)
      },
    })
    await waitFor(() => offsetsConsumed.length >= 20, '20 messages')
    // the automatic commit after the batch has committed the position
    await waitFor(async () => (await committed()) === '20', 'the position (20) committed')

    // the application says only offsets before 3 are done: stopping must not commit 20 over it
    await consumer.commitOffsets([{ topic: topicName, partition: 0, offset: '3' }])
    await consumer.disconnect()
    expect(await committed()).toEqual('3')
  })
})
