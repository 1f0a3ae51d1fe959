// KafkaJS 2.2.4 src/consumer/__tests__/assignmentForUnsubscribedTopic.spec.js: members of one group
// with different subscriptions each receive only partitions of topics they subscribed to (the
// GROUP_JOIN payload's memberAssignment), and members that replace others with a wider subscription
// are assigned partitions of every topic they subscribed to.

import { type Consumer, PartitionAssigners } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitForConsumerToJoinGroup } from '../helpers.js'

interface GroupJoin {
  payload: { memberAssignment: Record<string, number[]> }
}

describe('Consumer assignment for an unsubscribed topic (KafkaJS src/consumer/__tests__/assignmentForUnsubscribedTopic.spec.js)', () => {
  let topicNames: [string, string]
  let groupId: string
  let consumer1: Consumer | undefined
  let consumer2: Consumer | undefined

  // KafkaJS's round robin, its default assigner: the second spec's outcome (every member gets
  // partitions of both topics) is that assigner's; a sticky one may keep a topic with one member
  const createConsumer = (maxWaitTimeInMs = 100) =>
    createKafka().consumer({
      groupId,
      metadataMaxAge: 50,
      heartbeatInterval: 100,
      maxWaitTimeInMs,
      rebalanceTimeout: 1000,
      partitionAssigners: [PartitionAssigners.roundRobin],
    })

  /** Subscribes, runs, and resolves with the consumer's first GROUP_JOIN event. */
  const join = async (consumer: Consumer, topics: string[], fromBeginning?: boolean): Promise<GroupJoin> => {
    await consumer.connect()
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning })
    const joined = waitForConsumerToJoinGroup(consumer)
    void consumer.run({ eachMessage: async () => {} })
    return (await joined) as GroupJoin
  }

  beforeEach(async () => {
    // subscription order is the reverse of name order, so the payload's topic order is pinned
    const id = secureRandom()
    topicNames = [`test-topic-b-${id}`, `test-topic-a-${id}`]
    groupId = `consumer-group-id-${secureRandom()}`
    await Promise.all(topicNames.map((topic) => createTopic({ topic, partitions: 2 })))
  })

  afterEach(async () => {
    await consumer1?.disconnect()
    await consumer2?.disconnect()
    consumer1 = undefined
    consumer2 = undefined
  })

  test('a member is not assigned partitions of a topic it did not subscribe to', async () => {
    consumer1 = createConsumer()
    await join(consumer1, topicNames, true)
    consumer2 = createConsumer(1000)
    const event = await join(consumer2, [topicNames[0]], true)
    expect(event.payload.memberAssignment[topicNames[1]]).toBeUndefined()
  })

  test('members replacing others with a wider subscription are assigned partitions of every subscribed topic', async () => {
    consumer1 = createConsumer()
    consumer2 = createConsumer()
    const first = await Promise.all([consumer1, consumer2].map((c) => join(c, [topicNames[0]])))
    for (const event of first) expect(Object.keys(event.payload.memberAssignment)).toEqual([topicNames[0]])

    // one at a time, as KafkaJS's spec: each replacement subscribes to both topics
    await consumer1.disconnect()
    consumer1 = createConsumer()
    await consumer2.disconnect()
    consumer2 = createConsumer()
    const assignments = await Promise.all([consumer1, consumer2].map((c) => join(c, topicNames)))
    for (const event of assignments) {
      expect(Object.keys(event.payload.memberAssignment)).toEqual(topicNames)
    }
  })
})
