// KafkaJS 2.2.4 src/consumer/__tests__/assignerProtocolIntegration.spec.js: a custom assigner written
// for KafkaJS (a factory returning { name, version, protocol, assign } that uses `this`) puts its own
// user data into each member's metadata, and the leader's assign() receives every member's metadata
// with that user data.

import { AssignerProtocol, type Consumer, type PartitionAssigner } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitForConsumerToJoinGroup } from '../helpers.js'

describe('AssignerProtocol in a group (KafkaJS src/consumer/__tests__/assignerProtocolIntegration.spec.js)', () => {
  let topicName: string
  let groupId: string
  let consumer1: Consumer | undefined
  let consumer2: Consumer | undefined

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    groupId = `consumer-group-id-${secureRandom()}`
    await createTopic({ topic: topicName })
  })

  afterEach(async () => {
    await consumer1?.disconnect()
    await consumer2?.disconnect()
    consumer1 = undefined
    consumer2 = undefined
  })

  test("provides each member's user data to the leader's assign()", async () => {
    const userDataByMember: Record<string, string> = {}
    const createAssigner =
      (id: string): PartitionAssigner =>
      () => ({
        name: 'TestAssigner',
        version: 1,
        protocol({ topics }) {
          return {
            name: this.name,
            metadata: AssignerProtocol.MemberMetadata.encode({
              version: this.version,
              topics,
              userData: Buffer.from(id),
            }),
          }
        },
        async assign({ members }) {
          // nothing for anyone; only the user data is looked at
          return members.map(({ memberId, memberMetadata }) => {
            const decoded = AssignerProtocol.MemberMetadata.decode(memberMetadata)
            userDataByMember[memberId] = decoded?.userData.toString('utf8') ?? ''
            return {
              memberId,
              memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: this.version, assignment: {} }),
            }
          })
        },
      })
    consumer1 = createKafka().consumer({
      groupId,
      maxWaitTimeInMs: 1,
      partitionAssigners: [createAssigner('consumer1')],
    })
    consumer2 = createKafka().consumer({
      groupId,
      maxWaitTimeInMs: 1,
      partitionAssigners: [createAssigner('consumer2')],
    })
    await Promise.all([consumer1.connect(), consumer2.connect()])
    const joins = [waitForConsumerToJoinGroup(consumer1), waitForConsumerToJoinGroup(consumer2)]
    for (const consumer of [consumer1, consumer2]) {
      await consumer.subscribe({ topic: topicName })
      void consumer.run({ eachMessage: async () => {} })
    }
    // the later of the two first joins completes a generation that has both members
    await Promise.all(joins)
    expect(Object.values(userDataByMember).sort()).toEqual(['consumer1', 'consumer2'])
  })
})
