import type { Admin } from '../src/admin/admin.js'
import {
  type KafkaJSAdminItemError,
  type KafkaJSAggregateError,
  KafkaJSDeleteGroupsError,
  KafkaJSInvalidArgumentError,
  KafkaJSNonRetriableError,
} from '../src/index.js'
import { decodeConsumerProtocolAssignment } from '../src/protocol/generated/consumer-protocol-assignment.js'
import { decodeConsumerProtocolSubscription } from '../src/protocol/generated/consumer-protocol-subscription.js'
import { connectedAdmin, eventually, produceRecords, runConsoleConsumer, uniqueName } from './admin-helpers.js'

jest.setTimeout(120_000)

// Groups with real members: Java's console consumer, in a KIP-848 group and in a classic group
// with a static member, both running while the tests look at them.
describe('admin groups (real broker, Java consumers)', () => {
  let admin: Admin
  let topic: string
  const consumerGroup = uniqueName('adm-g848')
  const classicGroup = uniqueName('adm-gclassic')
  let consumers: Promise<unknown>

  beforeAll(async () => {
    admin = await connectedAdmin()
    topic = uniqueName('adm-groups')
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
    await produceRecords(topic, 0, [{ value: 'a' }, { value: 'b' }])
    await produceRecords(topic, 1, [{ value: 'c' }])
    consumers = Promise.all([
      runConsoleConsumer({
        topic,
        groupId: consumerGroup,
        properties: { 'group.protocol': 'consumer' },
        idleMs: 10_000,
      }),
      runConsoleConsumer({
        topic,
        groupId: classicGroup,
        properties: { 'group.protocol': 'classic', 'group.instance.id': 'static-1', 'session.timeout.ms': '60000' },
        idleMs: 10_000,
      }),
    ])
  })

  afterAll(async () => {
    await consumers
    await admin.disconnect()
  })

  it('describeConsumerGroups shows a KIP-848 group with epochs, subscriptions and assignments', async () => {
    const described = await eventually(
      () => admin.describeConsumerGroups([consumerGroup]),
      ({ groups }) => groups[0]!.state === 'Stable' && groups[0]!.members[0]?.assignment.length === 1,
      200,
    )
    const group = described.groups[0]!
    expect(group).toMatchObject({ groupId: consumerGroup, type: 'consumer', state: 'Stable', assignor: 'uniform' })
    expect(group.groupEpoch).toBeGreaterThan(0)
    expect(group.coordinator).toBe(1)
    expect(group.members).toHaveLength(1)
    const [member] = group.members
    expect(member).toMatchObject({ memberType: 'consumer', subscribedTopicNames: [topic], instanceId: null })
    expect(member!.memberEpoch).toBeGreaterThan(0)
    expect(member!.assignment).toEqual([{ topic, topicId: expect.stringMatching(/^.{22}$/), partitions: [0, 1] }])
    expect(member!.clientId).toMatch(/console-consumer/)

    // KafkaJS's describeGroups shows it too, in the classic shape, its assignment decodable as KafkaJS's
    const { groups } = await admin.describeGroups([consumerGroup])
    expect(groups[0]).toMatchObject({
      errorCode: 0,
      groupId: consumerGroup,
      protocolType: 'consumer',
      protocol: 'uniform',
      state: 'Stable',
    })
    expect(groups[0]!.members.map((m) => m.memberId)).toEqual([member!.memberId])
    expect(decodeConsumerProtocolAssignment(groups[0]!.members[0]!.memberAssignment).assignedPartitions).toEqual([
      { topic, partitions: [0, 1] },
    ])
    expect(decodeConsumerProtocolSubscription(groups[0]!.members[0]!.memberMetadata).topics).toEqual([topic])
  })

  it('describeGroups and describeConsumerGroups show a classic group with a static member', async () => {
    const described = await eventually(
      () => admin.describeGroups([classicGroup]),
      ({ groups }) => groups[0]!.state === 'Stable',
      200,
    )
    const group = described.groups[0]!
    expect(group).toMatchObject({ errorCode: 0, groupId: classicGroup, protocolType: 'consumer', state: 'Stable' })
    expect(group.members).toHaveLength(1)
    expect(group.members[0]!.groupInstanceId).toBe('static-1')
    const assignment = decodeConsumerProtocolAssignment(group.members[0]!.memberAssignment)
    expect(assignment.assignedPartitions).toEqual([{ topic, partitions: [0, 1] }])

    const unified = await admin.describeConsumerGroups([classicGroup])
    expect(unified.groups[0]).toMatchObject({ type: 'classic', state: 'Stable', assignor: group.protocol })
    expect(unified.groups[0]!.members[0]).toMatchObject({
      instanceId: 'static-1',
      memberType: 'classic',
      subscribedTopicNames: [topic],
      assignment: [{ topic, topicId: '', partitions: [0, 1] }],
    })
  })

  it('listGroups lists both groups with their type and state, and filters', async () => {
    const { groups } = await admin.listGroups({ includeStateAndType: true })
    expect(groups).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ groupId: consumerGroup, protocolType: 'consumer', groupType: 'consumer' }),
        expect.objectContaining({ groupId: classicGroup, protocolType: 'consumer', groupType: 'classic' }),
      ]),
    )
    const classicOnly = await admin.listGroups({ types: ['classic'] })
    expect(classicOnly.groups.map((g) => g.groupId)).not.toContain(consumerGroup)
  })

  it('refuses to overwrite the offsets of a group with running members', async () => {
    const error = await admin
      .setOffsets({ groupId: consumerGroup, topic, partitions: [{ partition: 0, offset: '0' }] })
      .catch((e: unknown) => e)
    // KafkaJS checks the group's state first: a KIP-848 group with a member is Stable
    expect(error).toBeInstanceOf(KafkaJSNonRetriableError)
    expect((error as Error).message).toMatch(/^The consumer group must have no running instances, current state: /)
  })

  it('removeMembersFromConsumerGroup removes a static member that left without leaving', async () => {
    // the console consumer exits after 10 s without records; a static member does not leave on close
    await consumers
    const before = await admin.describeGroups([classicGroup])
    expect(before.groups[0]!.members.map((m) => m.groupInstanceId)).toEqual(['static-1'])
    const removed = await admin.removeMembersFromConsumerGroup({
      groupId: classicGroup,
      members: [{ groupInstanceId: 'static-1' }],
    })
    expect(removed.members).toEqual([{ memberId: expect.any(String), groupInstanceId: 'static-1' }])
    const after = await admin.describeGroups([classicGroup])
    expect(after.groups[0]).toMatchObject({ state: 'Empty', members: [] })

    const error = await admin
      .removeMembersFromConsumerGroup({ groupId: classicGroup, members: [{ groupInstanceId: 'nobody' }] })
      .catch((e: unknown) => e)
    const [item] = (error as KafkaJSAggregateError).errors as KafkaJSAdminItemError[]
    expect(item!.item).toEqual({ groupId: classicGroup, groupInstanceId: 'nobody' })
    expect(item!.type).toBe('UNKNOWN_MEMBER_ID')
  })

  it('fetchOffsets reads what the consumers committed; deleteGroups deletes empty groups and names the others', async () => {
    for (const groupId of [consumerGroup, classicGroup]) {
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] })
      expect(committed[0]!.partitions.map((p) => p.offset)).toEqual(['2', '1'])
    }
    const missing = uniqueName('adm-gmissing')
    const error = await admin.deleteGroups([consumerGroup, classicGroup, missing]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSDeleteGroupsError)
    const failures = (error as KafkaJSDeleteGroupsError).groups
    expect(failures.map((g) => [g.groupId, g.errorCode, g.error])).toEqual([
      [missing, 69, expect.objectContaining({ code: 69, type: 'GROUP_ID_NOT_FOUND' })],
    ])
    const { groups } = await admin.listGroups()
    expect(groups.map((g) => g.groupId)).not.toEqual(expect.arrayContaining([consumerGroup]))
    expect(groups.map((g) => g.groupId)).not.toEqual(expect.arrayContaining([classicGroup]))
    expect(await admin.deleteGroups([])).toEqual([])
  })

  it('describeGroups reports a group that does not exist as Dead, as KafkaJS sees it; describeConsumerGroups names it', async () => {
    const missing = uniqueName('adm-gnone')
    const { groups } = await admin.describeGroups([missing])
    expect(groups[0]).toMatchObject({ errorCode: 0, groupId: missing, state: 'Dead', members: [] })
    const error = await admin.describeConsumerGroups([missing]).catch((e: unknown) => e)
    const [item] = (error as KafkaJSAggregateError).errors as KafkaJSAdminItemError[]
    expect(item!.item).toEqual({ groupId: missing })
    expect(item!.type).toBe('GROUP_ID_NOT_FOUND')
  })

  it('refuses bad group arguments before any request', async () => {
    await expect(admin.describeGroups('g' as never)).rejects.toThrow(KafkaJSInvalidArgumentError)
    // KafkaJS's checks and texts; a group named twice is asked about once
    await expect(admin.deleteGroups('a' as never)).rejects.toThrow('Invalid groupIds array a')
    await expect(admin.deleteGroups(['a', 1] as never)).rejects.toThrow('Invalid groupId name: true')
    await expect(admin.removeMembersFromConsumerGroup({ groupId: 'g', members: [{}] })).rejects.toThrow(
      /needs a groupInstanceId or a memberId/,
    )
  })
})
