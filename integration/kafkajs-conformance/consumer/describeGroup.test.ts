// KafkaJS 2.2.4 src/consumer/__tests__/describeGroup.spec.js: consumer.describeGroup() of a joined
// member resolves with the group as DescribeGroups returns it: error code, id, state, protocol type
// and protocol, and each member's ids, host, metadata and assignment (no other keys).

import { AssignerProtocol, type Consumer, PartitionAssigners } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitForConsumerToJoinGroup } from '../helpers.js'

describe('Consumer describeGroup (KafkaJS src/consumer/__tests__/describeGroup.spec.js)', () => {
  let topicName: string
  let groupId: string
  let consumer: Consumer | undefined

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    groupId = `consumer-group-id-${secureRandom()}`
    await createTopic({ topic: topicName })
  })

  afterEach(async () => {
    await consumer?.disconnect()
    consumer = undefined
  })

  const joined = async (config: Partial<Parameters<ReturnType<typeof createKafka>['consumer']>[0]> = {}) => {
    const c = createKafka().consumer({ groupId, maxWaitTimeInMs: 1, maxBytesPerPartition: 180, ...config })
    consumer = c
    await c.connect()
    await c.subscribe({ topic: topicName, fromBeginning: true })
    void c.run({ eachMessage: async () => {} })
    await waitForConsumerToJoinGroup(c)
    return c
  }

  const description = (protocol: string) => ({
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
    protocol,
    protocolType: 'consumer',
    state: 'Stable',
  })

  test("returns the group description, with KafkaJS's round-robin assigner named RoundRobinAssigner", async () => {
    const c = await joined({ partitionAssigners: [PartitionAssigners.roundRobin] })
    const group = await c.describeGroup()
    expect(group).toStrictEqual(description('RoundRobinAssigner'))
    // the member's metadata and assignment are AssignerProtocol's encodings
    const member = group.members[0]!
    expect(AssignerProtocol.MemberMetadata.decode(member.memberMetadata)).toMatchObject({ topics: [topicName] })
    expect(AssignerProtocol.MemberAssignment.decode(member.memberAssignment)).toMatchObject({
      assignment: { [topicName]: [0] },
    })
  })

  // KafkaJS's default assigner is its (eager) round robin; kafkit's is cooperative-sticky (KIP-429):
  // partitions that stay with their owner keep flowing through a rebalance. The group's protocol is
  // then named after it. partitionAssigners: [PartitionAssigners.roundRobin] restores KafkaJS's.
  test("difference: with the default assigners the group's protocol is cooperative-sticky", async () => {
    const c = await joined()
    await expect(c.describeGroup()).resolves.toStrictEqual(description('cooperative-sticky'))
  })
})
