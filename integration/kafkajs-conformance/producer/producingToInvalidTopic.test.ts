// KafkaJS 2.2.4 src/producer/__tests__/producingToInvalidTopic.spec.js: a send to a topic whose name
// Kafka refuses rejects with KafkaJS's text for INVALID_TOPIC_EXCEPTION, and the producer goes on
// to send to a valid topic.

import { KafkaJSProtocolError, type Producer } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom } from '../helpers.js'

describe('Producer > Producing to invalid topics (KafkaJS src/producer/__tests__/producingToInvalidTopic.spec.js)', () => {
  let producer: Producer | undefined
  let topicName: string

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    await createTopic({ topic: topicName })
  })

  afterEach(async () => {
    await producer?.disconnect()
    producer = undefined
  })

  test('it rejects when producing to an invalid topic name, but is able to subsequently produce to a valid topic', async () => {
    producer = createKafka().producer()
    await producer.connect()
    const message = { key: `key-${secureRandom()}`, value: `value-${secureRandom()}` }
    const invalidTopicName = `${topicName}-abc)(*&^%`
    const send = producer.send({ topic: invalidTopicName, messages: [message] })
    await expect(send).rejects.toThrow('The request attempted to perform an operation on an invalid topic')
    await expect(send).rejects.toBeInstanceOf(KafkaJSProtocolError)
    await expect(send).rejects.toMatchObject({ type: 'INVALID_TOPIC_EXCEPTION', retriable: false })
    await expect(producer.send({ topic: topicName, messages: [message] })).resolves.toEqual([
      expect.objectContaining({ topicName, partition: 0, errorCode: 0, baseOffset: '0' }),
    ])
  })
})
