// The classic group member's error branches (src/consumer/group/classic-member.ts), driven through
// the public API against the fake cluster's group coordinator: which member ids and generations the
// coordinator saw, which messages reached the handler, the committed offsets in the fake's model.

import { KafkaJSProtocolError } from '../../src/index.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import { FindCoordinator } from '../../src/protocol/generated/find-coordinator.js'
import { Heartbeat } from '../../src/protocol/generated/heartbeat.js'
import { JoinGroup } from '../../src/protocol/generated/join-group.js'
import { LeaveGroup } from '../../src/protocol/generated/leave-group.js'
import { SyncGroup } from '../../src/protocol/generated/sync-group.js'
import { consumerClusterPerTest, nextEvent, recorder } from './consumers.js'
import { partitionKey } from './model.js'

const fake = consumerClusterPerTest({ nodes: 2, topics: { t: 2 } })
const consumer = fake.consumer

async function produce(values: string[], partition = 0): Promise<void> {
  const producer = fake.producer()
  await producer.connect()
  await producer.send({ topic: 't', messages: values.map((value) => ({ value, partition })) })
}

/** Connects `c` and runs it on topic t from the beginning, recording "partition:value" per message. */
async function consume(c: ReturnType<typeof consumer>, seen = recorder()) {
  await c.connect()
  await c.subscribe({ topic: 't', fromBeginning: true })
  await c.run({ eachMessage: async ({ message, partition }) => seen.record(`${partition}:${message.value}`) })
  return seen
}

const committed = (group: string, partition: number) =>
  fake.cluster.model.groupOffsets(group).get(partitionKey('t', partition))?.offset
const members = (group: string) => fake.cluster.model.groups.memberIds(group)

test('joins with the id MEMBER_ID_REQUIRED gives, leads, consumes, commits and leaves on disconnect', async () => {
  await produce(['a', 'b'])
  const c = consumer({ groupId: 'g' })
  const joined = nextEvent(c, 'consumer.group_join')
  const seen = await consume(c)
  await seen.count(2)
  const [first, second] = fake.cluster.received(JoinGroup)
  expect(first!.request.memberId).toBe('')
  expect(second!.request.memberId).toBe(members('g')[0])
  expect(await joined).toMatchObject({ memberId: members('g')[0], isLeader: true, memberAssignment: { t: [0, 1] } })
  const described = await c.describeGroup()
  expect(described).toMatchObject({
    groupId: 'g',
    state: 'Stable',
    protocolType: 'consumer',
    protocol: 'cooperative-sticky',
  })
  expect(described.members.map((m) => [m.memberId, m.clientId])).toEqual([[members('g')[0], 'fake-consumer']])
  expect(described.members[0]!.memberAssignment.length).toBeGreaterThan(0)
  await c.disconnect()
  expect(seen.values).toEqual(['0:a', '0:b'])
  expect(committed('g', 0)).toBe(2n)
  expect(fake.cluster.received(LeaveGroup)).toHaveLength(1)
  expect(members('g')).toEqual([])
})

test('REBALANCE_IN_PROGRESS on heartbeat: the member commits, revokes the partition it hands over and rejoins; nothing is handled twice', async () => {
  await produce(['a', 'b'], 0)
  await produce(['c', 'd'], 1)
  const c1 = consumer({ groupId: 'g' })
  const seen = await consume(c1)
  await seen.count(4)
  const rebalancing = nextEvent(c1, 'consumer.rebalancing')
  const c2 = consumer({ groupId: 'g' })
  const handedOver = new Promise<void>((resolve) => {
    c2.on('consumer.group_join', ({ payload }) => {
      if ((payload.memberAssignment.t ?? []).length > 0) resolve()
    })
  })
  await consume(c2, seen)
  expect(await rebalancing).toEqual({ groupId: 'g', memberId: members('g')[0] })
  await handedOver
  // cooperative-sticky: generation 2 takes partition 1 from c1, generation 3 gives it to c2, which
  // starts at what c1 committed before revoking it
  expect(fake.cluster.model.groups.classic('g')?.generation).toBe(3)
  expect([committed('g', 0), committed('g', 1)]).toEqual([2n, 2n])
  await produce(['e'], 0)
  await produce(['f'], 1)
  await seen.count(6)
  expect(seen.values.sort()).toEqual(['0:a', '0:b', '0:e', '1:c', '1:d', '1:f'])
})

test('UNKNOWN_MEMBER_ID on heartbeat (session expired): partitions lost, rejoins with a fresh id and consumes on', async () => {
  await produce(['a'])
  const c = consumer({ groupId: 'g' })
  const seen = await consume(c)
  const commit = nextEvent(c, 'consumer.commit_offsets')
  await seen.count(1)
  await commit
  const [old] = members('g')
  const joins = fake.cluster.received(JoinGroup).length
  const rejoined = nextEvent(c, 'consumer.group_join')
  fake.cluster.model.groups.expire('g', old!)
  const { memberId } = await rejoined
  expect(fake.cluster.received(JoinGroup)[joins]!.request.memberId).toBe('')
  expect(memberId).not.toBe(old)
  expect(members('g')).toEqual([memberId])
  await produce(['b'])
  await seen.count(2)
  expect(seen.values).toEqual(['0:a', '0:b'])
})

test('ILLEGAL_GENERATION on heartbeat: rejoins keeping its member id', async () => {
  const c = consumer({ groupId: 'g' })
  await consume(c)
  await nextEvent(c, 'consumer.heartbeat')
  const [id] = members('g')
  const joins = fake.cluster.received(JoinGroup).length
  const rejoined = nextEvent(c, 'consumer.group_join')
  fake.cluster.intercept(Heartbeat, { topic: 'g', errorCode: ErrorCode.ILLEGAL_GENERATION })
  expect((await rejoined).memberId).toBe(id)
  expect(fake.cluster.received(JoinGroup)[joins]!.request.memberId).toBe(id)
  expect(fake.cluster.model.groups.classic('g')?.generation).toBe(2)
})

test('NOT_COORDINATOR on heartbeat: looks the coordinator up again and heartbeats to the new one', async () => {
  const c = consumer({ groupId: 'g' })
  await consume(c)
  await nextEvent(c, 'consumer.heartbeat')
  const lookups = fake.cluster.received(FindCoordinator).length
  fake.cluster.model.moveCoordinator('group', 'g', 2)
  const moved = await fake.cluster.request(Heartbeat, 1, 2)
  expect(moved.request.memberId).toBe(members('g')[0])
  expect(fake.cluster.received(FindCoordinator).length).toBeGreaterThan(lookups)
  // the member stayed in its generation: no rejoin was needed
  expect(fake.cluster.model.groups.classic('g')?.generation).toBe(1)
})

test.each([
  ['COORDINATOR_NOT_AVAILABLE', ErrorCode.COORDINATOR_NOT_AVAILABLE],
  ['NOT_COORDINATOR', ErrorCode.NOT_COORDINATOR],
] as const)(
  '%s on JoinGroup: the coordinator is looked up again and the join retried until it succeeds',
  async (_, errorCode) => {
    const scripted = fake.cluster.intercept(JoinGroup, { topic: 'g', errorCode, times: 2 })
    const c = consumer({ groupId: 'g' })
    const joined = nextEvent(c, 'consumer.group_join')
    const seen = consume(c)
    await scripted.hit(2)
    const lookupsAtRefusal = fake.cluster.received(FindCoordinator).length
    await joined
    await seen
    expect(scripted.hits).toHaveLength(2)
    // one lookup before the first join and one after each refusal
    expect(lookupsAtRefusal).toBeGreaterThanOrEqual(2)
    expect(fake.cluster.received(FindCoordinator).length).toBeGreaterThan(lookupsAtRefusal)
    expect(members('g')).toHaveLength(1)
  },
)

test('REBALANCE_IN_PROGRESS on SyncGroup: joins again at once with the same id', async () => {
  fake.cluster.intercept(SyncGroup, { topic: 'g', errorCode: ErrorCode.REBALANCE_IN_PROGRESS })
  const c = consumer({ groupId: 'g' })
  const joined = nextEvent(c, 'consumer.group_join')
  await consume(c)
  const { memberId } = await joined
  const ids = fake.cluster.received(JoinGroup).map((r) => r.request.memberId)
  expect(ids).toEqual(['', memberId, memberId])
  expect(fake.cluster.received(SyncGroup)).toHaveLength(2)
})

test('UNKNOWN_MEMBER_ID on SyncGroup: joins again without an id; the old member leaves when its session ends', async () => {
  fake.cluster.intercept(SyncGroup, { topic: 'g', errorCode: ErrorCode.UNKNOWN_MEMBER_ID })
  await produce(['a'])
  const c = consumer({ groupId: 'g' })
  const joined = nextEvent(c, 'consumer.group_join')
  // run() resolves once the first join completed, which here waits for the expiry below
  const running = consume(c)
  const refused = (await fake.cluster.request(SyncGroup, 1)).request.memberId
  // the fresh join waits for the old member, as Kafka's does until the old session times out
  await fake.cluster.request(JoinGroup, 4)
  expect(fake.cluster.received(JoinGroup)[2]!.request.memberId).toBe('')
  fake.cluster.model.groups.expire('g', refused)
  const { memberId } = await joined
  expect(memberId).not.toBe(refused)
  const seen = await running
  await seen.count(1)
  expect(seen.values).toEqual(['0:a'])
}, 3000)

test('a fatal JoinGroup error (INCONSISTENT_GROUP_PROTOCOL) crashes the consumer with the protocol error', async () => {
  fake.cluster.intercept(JoinGroup, { topic: 'g', errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, times: Infinity })
  const c = consumer({ groupId: 'g' })
  const crashed = nextEvent(c, 'consumer.crash')
  await consume(c)
  const { error, restart } = await crashed
  expect(error).toBeInstanceOf(KafkaJSProtocolError)
  expect((error as KafkaJSProtocolError).type).toBe('INCONSISTENT_GROUP_PROTOCOL')
  expect(restart).toBe(false)
  expect(fake.cluster.received(JoinGroup)).toHaveLength(1)
})

test('static members: no LeaveGroup on disconnect; a second member with the instance id fences the first (FENCED_INSTANCE_ID crash)', async () => {
  const c1 = consumer({ groupId: 'g', groupInstanceId: 'i-1' })
  await consume(c1)
  await nextEvent(c1, 'consumer.heartbeat')
  expect(fake.cluster.received(JoinGroup).map((r) => r.request.memberId)).toEqual([''])
  const crashed = nextEvent(c1, 'consumer.crash')
  const c2 = consumer({ groupId: 'g', groupInstanceId: 'i-1' })
  await consume(c2)
  const { error } = await crashed
  expect((error as KafkaJSProtocolError).type).toBe('FENCED_INSTANCE_ID')
  await c2.disconnect()
  expect(fake.cluster.received(LeaveGroup)).toHaveLength(0)
  expect(members('g')).toHaveLength(1)
})

test('a LeaveGroup refused on disconnect (UNKNOWN_MEMBER_ID) does not fail disconnect(); the offsets stay committed', async () => {
  await produce(['a'])
  const c = consumer({ groupId: 'g' })
  const seen = await consume(c)
  await seen.count(1)
  const refused = fake.cluster.intercept(LeaveGroup, { topic: 'g', errorCode: ErrorCode.UNKNOWN_MEMBER_ID })
  await c.disconnect()
  expect(refused.hits).toHaveLength(1)
  expect(committed('g', 0)).toBe(1n)
})
