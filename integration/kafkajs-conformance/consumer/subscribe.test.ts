// KafkaJS 2.2.4 src/consumer/__tests__/subscribe.spec.js: subscribe({ topics }) with names and
// regular expressions, the deprecated subscribe({ topic }) form, and the texts of its argument errors.

import { type Consumer, type EachMessagePayload, KafkaJSNonRetriableError, type Producer } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitForConsumerToJoinGroup, waitForMessages } from '../helpers.js'

describe('Consumer subscribe (KafkaJS src/consumer/__tests__/subscribe.spec.js)', () => {
  let groupId: string
  let consumer: Consumer
  let producer: Producer

  beforeEach(() => {
    groupId = `consumer-group-id-${secureRandom()}`
    consumer = createKafka().consumer({ groupId, maxWaitTimeInMs: 1, maxBytesPerPartition: 180 })
    producer = createKafka().producer()
  })

  afterEach(async () => {
    await consumer?.disconnect()
    await producer?.disconnect()
  })

  const subscribeWith = (args: unknown) => consumer.subscribe(args as Parameters<Consumer['subscribe']>[0])
  const values = (consumed: EachMessagePayload[]) => consumed.map((m) => String(m.message.value))

  describe('subscribing to multiple topics', () => {
    test('rejects an invalid topic with KafkaJSNonRetriableError "Invalid topic 1 (number), ..."', async () => {
      const subscribing = subscribeWith({ topics: [1] })
      await expect(subscribing).rejects.toBeInstanceOf(KafkaJSNonRetriableError)
      await expect(subscribing).rejects.toHaveProperty(
        'message',
        'Invalid topic 1 (number), the topic name has to be a String or a RegExp',
      )
    })

    test('subscribes by topic name and by regex in one call', async () => {
      const scope = secureRandom()
      const regexMatching = `pattern-${scope}-regex-${secureRandom()}`
      const topics = [`topic-${secureRandom()}`, `topic-${secureRandom()}`, regexMatching]
      await Promise.all(topics.map((topic) => createTopic({ topic })))
      const consumed: EachMessagePayload[] = []
      await consumer.connect()
      await consumer.subscribe({
        topics: [topics[0]!, topics[1]!, new RegExp(`pattern-${scope}-regex-.*`, 'i')],
        fromBeginning: true,
      })
      void consumer.run({ eachMessage: async (event) => void consumed.push(event) })
      await waitForConsumerToJoinGroup(consumer)
      await producer.connect()
      await producer.sendBatch({
        acks: 1,
        topicMessages: [
          { topic: topics[0]!, messages: [{ key: 'drink', value: 'drink' }] },
          { topic: topics[1]!, messages: [{ key: 'your', value: 'your' }] },
          { topic: topics[2]!, messages: [{ key: 'ovaltine', value: 'ovaltine' }] },
        ],
      })
      await waitForMessages(consumed, 3)
      expect(values(consumed)).toEqual(expect.arrayContaining(['drink', 'your', 'ovaltine']))
    })
  })

  describe('the deprecated "topic" form', () => {
    test('rejects a missing topic with KafkaJSNonRetriableError \'Missing required argument "topics"\'', async () => {
      const subscribing = subscribeWith({ topic: null })
      await expect(subscribing).rejects.toBeInstanceOf(KafkaJSNonRetriableError)
      await expect(subscribing).rejects.toHaveProperty('message', 'Missing required argument "topics"')
    })

    test('rejects a topic that is neither a String nor a RegExp', async () => {
      await expect(subscribeWith({ topic: 1 })).rejects.toHaveProperty(
        'message',
        'Invalid topic 1 (number), the topic name has to be a String or a RegExp',
      )
    })

    test('subscribes to a topic given as a string', async () => {
      const topic = `topic-${secureRandom()}`
      await createTopic({ topic })
      const consumed: EachMessagePayload[] = []
      await consumer.connect()
      await consumer.subscribe({ topic, fromBeginning: true })
      void consumer.run({ eachMessage: async (event) => void consumed.push(event) })
      await waitForConsumerToJoinGroup(consumer)
      await producer.connect()
      await producer.sendBatch({ acks: 1, topicMessages: [{ topic, messages: [{ key: 'key-a', value: 'value-a' }] }] })
      await waitForMessages(consumed, 1)
      expect(values(consumed)).toEqual(['value-a'])
    })

    test('subscribes to every topic a regex matches, and only those', async () => {
      const scope = secureRandom()
      const [us, se, uk, br] = ['us', 'se', 'uk', 'br'].map((c) => `pattern-${scope}-${c}-${secureRandom()}`) as [
        string,
        string,
        string,
        string,
      ]
      await Promise.all([us, se, uk, br].map((topic) => createTopic({ topic })))
      const consumed: EachMessagePayload[] = []
      await consumer.connect()
      await consumer.subscribe({ topic: new RegExp(`pattern-${scope}-(se|br)-.*`, 'i'), fromBeginning: true })
      void consumer.run({ eachMessage: async (event) => void consumed.push(event) })
      await waitForConsumerToJoinGroup(consumer)
      await producer.connect()
      await producer.sendBatch({
        acks: 1,
        topicMessages: [
          { topic: us, messages: [{ key: 'key-us', value: 'value-us' }] },
          { topic: uk, messages: [{ key: 'key-uk', value: 'value-uk' }] },
          { topic: se, messages: [{ key: 'key-se', value: 'value-se' }] },
          { topic: br, messages: [{ key: 'key-br', value: 'value-br' }] },
        ],
      })
      await waitForMessages(consumed, 2)
      // a later message from an unmatched topic would show up within the next fetches
      await waitForMessages(consumed, 3, 2000).catch(() => undefined)
      expect(values(consumed).sort()).toEqual(['value-br', 'value-se'])
    })
  })
})
