// KafkaJS 2.2.4 src/consumer/__tests__/rebalanceOnPartitionChange.spec.js: when a subscribed topic
// gains partitions, the group rebalances once the consumers' metadata (metadataMaxAge) shows them,
// and the messages produced to the new partitions are consumed.

import type { Consumer, EachMessagePayload, Producer } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitForConsumerToJoinGroup, waitForMessages } from '../helpers.js'

describe('Consumer rebalance on partition change (KafkaJS src/consumer/__tests__/rebalanceOnPartitionChange.spec.js)', () => {
  let topicName: string
  let groupId: string
  let producer: Producer
  let consumer1: Consumer
  let consumer2: Consumer

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    groupId = `consumer-group-id-${secureRandom()}`
    await createTopic({ topic: topicName })
    producer = createKafka().producer({ metadataMaxAge: 20 })
    consumer1 = createKafka().consumer({ groupId, metadataMaxAge: 50, heartbeatInterval: 100, maxWaitTimeInMs: 100 })
    consumer2 = createKafka().consumer({ groupId, metadataMaxAge: 3000, heartbeatInterval: 100, maxWaitTimeInMs: 100 })
  })

  afterEach(async () => {
    await consumer1?.disconnect()
    await consumer2?.disconnect()
    await producer?.disconnect()
  })

  const messages = (n: number) =>
    Array.from({ length: n }, () => {
      const value = secureRandom()
      return { key: `key-${value}`, value: `value-${value}` }
    })

  test('triggers a rebalance when partitions are added, and consumes from the new partitions', async () => {
    await Promise.all([consumer1.connect(), consumer2.connect(), producer.connect()])
    await consumer1.subscribe({ topic: topicName, fromBeginning: true })
    await consumer2.subscribe({ topic: topicName, fromBeginning: true })
    const consumed: EachMessagePayload[] = []
    const joins = [waitForConsumerToJoinGroup(consumer1), waitForConsumerToJoinGroup(consumer2)]
    void consumer1.run({ eachMessage: async (event) => void consumed.push(event) })
    void consumer2.run({ eachMessage: async (event) => void consumed.push(event) })
    await Promise.all(joins)

    await producer.send({ acks: 1, topic: topicName, messages: messages(2) })
    await waitForMessages(consumed, 2)

    const admin = createKafka().admin()
    await admin.connect()
    try {
      await admin.createPartitions({ topicPartitions: [{ topic: topicName, count: 4 }] })
    } finally {
      await admin.disconnect()
    }
    // KafkaJS's spec let its producer spread keyed messages over the new partitions; here they name
    // their partitions, so that the consumers must own the new ones to get them all. A new producer
    // knows the new partitions from its first metadata (this spec is about the consumers).
    await producer.disconnect()
    producer = createKafka().producer()
    await producer.connect()
    await producer.send({
      acks: 1,
      topic: topicName,
      messages: messages(6).map((m, i) => ({ ...m, partition: i % 4 })),
    })
    await waitForMessages(consumed, 8)
    expect(new Set(consumed.map((e) => e.partition))).toEqual(new Set([0, 1, 2, 3]))
  })
})
