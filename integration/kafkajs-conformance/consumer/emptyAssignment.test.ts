// KafkaJS 2.2.4 src/consumer/__tests__/emptyAssignment.spec.js: with an assigner that gives every
// partition to one member, the other member stays in the group without partitions, and both keep
// emitting consumer.fetch (KafkaJS's fetch loop runs per broker, with or without partitions) and
// consumer.heartbeat.

import {
  AssignerProtocol,
  type Consumer,
  type InstrumentationEvent,
  type PartitionAssigner,
} from '../../../src/index.js'
import {
  createKafka,
  createTopic,
  secureRandom,
  waitFor,
  waitForConsumerToJoinGroup,
  waitForNextEvent,
} from '../helpers.js'

const { MemberAssignment, MemberMetadata } = AssignerProtocol

/** Every partition to the member whose id sorts first, nothing to the others (the spec's UnbalancedAssigner). */
const UnbalancedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'UnbalancedAssigner',
  version: 1,
  async assign({ members, topics }) {
    const [firstMember, ...others] = members.map(({ memberId }) => memberId).sort()
    const assignment: Record<string, number[]> = {}
    for (const topic of topics) assignment[topic] = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId)
    return [
      { memberId: firstMember as string, memberAssignment: MemberAssignment.encode({ version: 1, assignment }) },
      ...others.map((memberId) => ({
        memberId,
        memberAssignment: MemberAssignment.encode({ version: 1, assignment: {} }),
      })),
    ]
  },
  protocol({ topics }) {
    return { name: 'UnbalancedAssigner', metadata: MemberMetadata.encode({ version: 1, topics }) }
  },
})

describe('Consumer empty assignment (KafkaJS src/consumer/__tests__/emptyAssignment.spec.js)', () => {
  let topic: string
  let groupId: string
  let consumers: Consumer[] = []

  beforeEach(async () => {
    topic = `test-topic-${secureRandom()}`
    groupId = `consumer-group-id-${secureRandom()}`
    await createTopic({ topic, partitions: 1 })
  })

  afterEach(async () => {
    await Promise.all(consumers.map((c) => c.disconnect()))
    consumers = []
  })

  test('remains in the group without receiving any assignment', async () => {
    consumers = [1, 2].map(() =>
      createKafka().consumer({ groupId, maxWaitTimeInMs: 1, partitionAssigners: [UnbalancedAssigner] }),
    )
    await Promise.all(consumers.map((c) => c.connect()))
    for (const c of consumers) await c.subscribe({ topic })
    // the latest assignment each member got (the two may first join one after the other)
    const latest: (Record<string, number[]> | undefined)[] = [undefined, undefined]
    for (const [i, c] of consumers.entries()) {
      c.on(c.events.GROUP_JOIN, (event) => {
        latest[i] = (
          event as InstrumentationEvent<{ memberAssignment: Record<string, number[]> }>
        ).payload.memberAssignment
      })
    }
    const joins = consumers.map((c) => waitForConsumerToJoinGroup(c))
    for (const c of consumers) void c.run({ eachMessage: async () => {} })
    await Promise.all(joins)

    // once both are members of one generation, one of them owns nothing
    const emptyOnes = () => latest.filter((a) => a !== undefined && Object.entries(a).length === 0).length
    await waitFor(async () => {
      const { state, members } = await (consumers[0] as Consumer).describeGroup()
      return state === 'Stable' && members.length === 2 && emptyOnes() === 1 && latest.every((a) => a !== undefined)
    }, 'both members in the group, one without partitions')
    expect(emptyOnes()).toBe(1)

    // both keep fetching (consumer.fetch) and heartbeating, also the member without partitions
    await Promise.all(consumers.map((c) => waitForNextEvent(c, c.events.FETCH)))
    await Promise.all(consumers.map((c) => waitForNextEvent(c, c.events.HEARTBEAT)))
  })
})
