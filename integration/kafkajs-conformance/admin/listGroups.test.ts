// KafkaJS 2.2.4 src/admin/__tests__/listGroups.spec.js: a group whose consumer joined and consumed
// is listed by listGroups.

import { createKafka, createTopic, secureRandom, waitForConsumerToJoinGroup, waitForMessages } from '../helpers.js'
import { Admins } from './admin-helpers.js'

describe('Admin listGroups (KafkaJS src/admin/__tests__/listGroups.spec.js)', () => {
  const admins = new Admins()
  afterEach(() => admins.disconnectAll())

  test('list groups', async () => {
    const topicName = `test-topic-${secureRandom()}`
    const groupId = `consumer-group-id-${secureRandom()}`
    const admin = admins.admin()
    const consumer = admins.track(createKafka().consumer({ groupId, maxWaitTimeInMs: 100 }))
    const producer = admins.track(createKafka().producer())
    await Promise.all([admin.connect(), consumer.connect(), producer.connect()])
    await createTopic({ topic: topicName })

    const consumed: unknown[] = []
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    void consumer.run({ eachMessage: async (event) => void consumed.push(event) })
    await waitForConsumerToJoinGroup(consumer)
    await producer.send({ acks: 1, topic: topicName, messages: [{ key: 'key', value: secureRandom() }] })
    await waitForMessages(consumed, 1)

    const { groups } = await admin.listGroups()
    expect(groups).toEqual(expect.arrayContaining([expect.objectContaining({ groupId, protocolType: 'consumer' })]))
  })
})
