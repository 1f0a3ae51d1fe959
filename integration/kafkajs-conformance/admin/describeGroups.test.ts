// KafkaJS 2.2.4 src/admin/__tests__/describeGroups.spec.js: describeGroups of three groups, each
// with one joined member (its ids, host, metadata and assignment, no other keys), and of a group
// that does not exist (Dead, no error). The spec's consumers used KafkaJS's default assigner,
// RoundRobinAssigner; kafkit's default is the consumer's (see consumer/describeGroup.test.ts), so
// the consumers here ask for it by name.

import { type Admin, type Consumer, PartitionAssigners } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitForConsumerToJoinGroup, waitForMessages } from '../helpers.js'
import { Admins } from './admin-helpers.js'

describe('Admin describeGroups (KafkaJS src/admin/__tests__/describeGroups.spec.js)', () => {
  const admins = new Admins()
  let admin: Admin
  let groupIds: string[]

  beforeAll(async () => {
    const topicName = `test-topic-${secureRandom()}`
    groupIds = [1, 2, 3].map(() => `consumer-group-id-${secureRandom()}`)
    await createTopic({ topic: topicName })
    admin = admins.admin()
    const producer = admins.track(createKafka().producer())
    const consumers: Consumer[] = groupIds.map((groupId) =>
      admins.track(
        createKafka().consumer({
          groupId,
          heartbeatInterval: 100,
          maxWaitTimeInMs: 500,
          maxBytesPerPartition: 180,
          rebalanceTimeout: 1000,
          partitionAssigners: [PartitionAssigners.roundRobin],
        }),
      ),
    )
    await Promise.all([admin.connect(), producer.connect(), ...consumers.map((c) => c.connect())])
    const consumed: unknown[] = []
    await Promise.all(
      consumers.map(async (consumer) => {
        await consumer.subscribe({ topic: topicName, fromBeginning: true })
        void consumer.run({ eachMessage: async (event) => void consumed.push(event) })
        await waitForConsumerToJoinGroup(consumer)
      }),
    )
    await producer.send({ acks: 1, topic: topicName, messages: [{ key: 'key', value: secureRandom() }] })
    await waitForMessages(consumed, consumers.length)
  })
  afterAll(() => admins.disconnectAll())

  test('returns describe group response for multiple groups', async () => {
    const { groups } = await admin.describeGroups(groupIds)
    expect(groups).toHaveLength(groupIds.length)
    for (const groupId of groupIds) {
      expect(groups.find((g) => g.groupId === groupId)).toStrictEqual({
        errorCode: 0,
        groupId,
        members: [
          {
            clientHost: expect.any(String),
            clientId: expect.any(String),
            memberId: expect.any(String),
            memberAssignment: expect.anything(),
            memberMetadata: expect.anything(),
          },
        ],
        protocol: 'RoundRobinAssigner',
        protocolType: 'consumer',
        state: 'Stable',
      })
    }
  })

  test('returns a response for groups that do not exist', async () => {
    const groupId = `non-existent-consumer-group-id-${secureRandom()}`
    await expect(admin.describeGroups([groupId])).resolves.toStrictEqual({
      groups: [{ errorCode: 0, groupId, members: [], protocol: '', protocolType: '', state: 'Dead' }],
    })
  })
})
