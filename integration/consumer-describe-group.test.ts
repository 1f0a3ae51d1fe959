// consumer.describeGroup() in KafkaJS's GroupDescription shape for both group protocols: a KIP-848
// group (which DescribeGroups does not know; ConsumerGroupDescribe describes it) and a classic one.
// Member metadata and assignments decode with KafkaJS's AssignerProtocol.

import { AssignerProtocol, type Consumer, type ConsumerConfig } from '../src/index.js'
import { consumerTestBed, waitFor } from './helpers/consumer-helpers.js'

jest.setTimeout(90_000)

const CLIENT_ID = 'consumer-describe-group-test'
const PARTITIONS = 4
const bed = consumerTestBed(CLIENT_ID)

async function runMembers(topic: string, groupId: string, options: Partial<ConsumerConfig>): Promise<Consumer[]> {
  const members: Consumer[] = []
  for (let i = 0; i < 2; i++) {
    const c = bed.consumer(groupId, options)
    await c.connect()
    await c.subscribe({ topics: [topic], fromBeginning: true })
    await c.run({ eachMessage: async () => {} })
    members.push(c)
  }
  return members
}

/** Each member's assigned partitions of `topic`, decoded from the description. */
function assignedPartitions(description: Awaited<ReturnType<Consumer['describeGroup']>>, topic: string): number[][] {
  return description.members.map((m) => {
    const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment)
    return [...(assignment?.assignment[topic] ?? [])].sort((a, b) => a - b)
  })
}

/** Waits until both members are described, each with some of the partitions and together all of them. */
async function describeWhenSettled(consumer: Consumer, topic: string) {
  let description = await consumer.describeGroup()
  await waitFor(async () => {
    description = await consumer.describeGroup()
    const owned = assignedPartitions(description, topic)
    return (
      description.state === 'Stable' &&
      owned.length === 2 &&
      owned.every((p) => p.length > 0) &&
      owned.flat().length === PARTITIONS
    )
  }, 'two members sharing every partition, Stable')
  return description
}

describe('consumer.describeGroup', () => {
  test('a KIP-848 group: both members, their assignments, KafkaJS names', async () => {
    const topic = await bed.topicWith('describe-848', PARTITIONS, 0)
    const groupId = `g-describe-848-${bed.suffix}`
    const [first] = await runMembers(topic, groupId, { groupProtocol: 'consumer' })
    const description = await describeWhenSettled(first!, topic)
    expect(description).toMatchObject({ errorCode: 0, groupId, protocolType: 'consumer', state: 'Stable' })
    // the server-side assignor stands for the protocol
    expect(['uniform', 'range']).toContain(description.protocol)
    const owned = assignedPartitions(description, topic)
    expect(owned.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3])
    for (const member of description.members) {
      expect(member.memberId).not.toBe('')
      expect(member.clientId).toBe(CLIENT_ID)
      expect(member.clientHost).not.toBe('')
      expect(AssignerProtocol.MemberMetadata.decode(member.memberMetadata)?.topics).toEqual([topic])
    }
    expect(new Set(description.members.map((m) => m.memberId)).size).toBe(2)
  })

  test('a classic group is still described with DescribeGroups', async () => {
    const topic = await bed.topicWith('describe-classic', PARTITIONS, 0)
    const groupId = `g-describe-classic-${bed.suffix}`
    const [first] = await runMembers(topic, groupId, {})
    const description = await describeWhenSettled(first!, topic)
    expect(description).toMatchObject({ errorCode: 0, groupId, protocolType: 'consumer', state: 'Stable' })
    expect(description.protocol).not.toBe('')
    expect(
      assignedPartitions(description, topic)
        .flat()
        .sort((a, b) => a - b),
    ).toEqual([0, 1, 2, 3])
    for (const member of description.members) {
      expect(AssignerProtocol.MemberMetadata.decode(member.memberMetadata)?.topics).toEqual([topic])
    }
  })

  test('a group without members or offsets is Dead, as KafkaJS reports it', async () => {
    const c = bed.consumer(`g-describe-none-${bed.suffix}`)
    await c.connect()
    expect(await c.describeGroup()).toMatchObject({ errorCode: 0, state: 'Dead', members: [] })
  })
})
