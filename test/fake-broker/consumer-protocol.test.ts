// The KIP-848 member's branches (src/consumer/group/consumer-protocol-member.ts), driven through the
// public API (groupProtocol: 'consumer') against the fake cluster's group coordinator: the member ids
// and epochs the coordinator saw, the revocation before a partition moves, which messages reached
// the handler, the committed offsets in the fake's model.

import { KafkaJSProtocolError } from '../../src/index.js'
import { ConsumerGroupHeartbeat } from '../../src/protocol/generated/consumer-group-heartbeat.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import { OffsetCommit } from '../../src/protocol/generated/offset-commit.js'
import { consumerClusterPerTest, latch, nextEvent, recorder } from './consumers.js'
import { partitionKey } from './model.js'

const fake = consumerClusterPerTest({ nodes: 2, topics: { t: 2 } })

async function produce(values: string[], partition = 0): Promise<void> {
  const producer = fake.producer()
  await producer.connect()
  await producer.send({ topic: 't', messages: values.map((value) => ({ value, partition })) })
}

async function consume(groupId = 'g', seen = recorder()) {
  const c = fake.consumer({ groupId, groupProtocol: 'consumer' })
  await c.connect()
  await c.subscribe({ topic: 't', fromBeginning: true })
  await c.run({ eachMessage: async ({ message, partition }) => seen.record(`${partition}:${message.value}`) })
  return { c, seen }
}

const committed = (partition: number) => fake.cluster.model.groupOffsets('g').get(partitionKey('t', partition))?.offset
const group = () => fake.cluster.model.groups.consumer('g')!
const heartbeats = () => fake.cluster.received(ConsumerGroupHeartbeat).map((r) => r.request)

test('joins at epoch 0, is given both partitions at epoch 1, commits with its epoch and leaves with -1', async () => {
  await produce(['a'], 0)
  await produce(['b'], 1)
  const { c, seen } = await consume()
  await seen.count(2)
  const [memberId] = fake.cluster.model.groups.memberIds('g')
  expect(heartbeats()[0]).toMatchObject({ memberEpoch: 0, subscribedTopicNames: ['t'] })
  expect(group().members.get(memberId!)?.epoch).toBe(1)
  await c.disconnect()
  expect(fake.cluster.received(OffsetCommit).at(-1)?.request).toMatchObject({
    memberId,
    generationIdOrMemberEpoch: 1,
  })
  expect([committed(0), committed(1)]).toEqual([1n, 1n])
  expect(heartbeats().at(-1)).toMatchObject({ memberId, memberEpoch: -1 })
  expect(group().members.size).toBe(0)
})

test('a second member: the first revokes the partition at its old epoch before the second is given it; nothing is handled twice', async () => {
  await produce(['a', 'b'], 0)
  await produce(['c', 'd'], 1)
  const seen = recorder()
  await consume('g', seen)
  await seen.count(4)
  const [first] = fake.cluster.model.groups.memberIds('g')
  const { c: c2 } = await consume('g', seen)
  const second = fake.cluster.model.groups.memberIds('g')[1]!
  await new Promise<void>((resolve) => {
    c2.on('consumer.group_join', () => resolve())
  })
  // the partition reached c2 only after c1 reported it gone, still at epoch 1
  const revoked = heartbeats().findIndex(
    (h) => h.memberId === first && h.memberEpoch === 1 && h.topicPartitions?.[0]?.partitions.length === 1,
  )
  const firstToSecond = fake.cluster
    .received(ConsumerGroupHeartbeat)
    .findIndex((r) => r.request.memberId === second && r.request.topicPartitions?.some((t) => t.partitions.length > 0))
  expect(revoked).toBeGreaterThanOrEqual(0)
  expect(firstToSecond).toBeGreaterThan(revoked)
  expect(group().epoch).toBe(2)
  expect([group().members.get(first!)?.epoch, group().members.get(second)?.epoch]).toEqual([2, 2])
  expect([committed(0), committed(1)]).toEqual([2n, 2n])
  await produce(['e'], 0)
  await produce(['f'], 1)
  await seen.count(6)
  expect(seen.values.sort()).toEqual(['0:a', '0:b', '0:e', '1:c', '1:d', '1:f'])
})

test('FENCED_MEMBER_EPOCH: partitions lost, joins again at epoch 0 with the same member id, consumes on', async () => {
  await produce(['a'])
  const { c, seen } = await consume()
  const commit = nextEvent(c, 'consumer.commit_offsets')
  await seen.count(1)
  await commit
  const [memberId] = fake.cluster.model.groups.memberIds('g')
  const before = heartbeats().length
  const scripted = fake.cluster.intercept(ConsumerGroupHeartbeat, {
    topic: 'g',
    errorCode: ErrorCode.FENCED_MEMBER_EPOCH,
  })
  await scripted.hit(1)
  await fake.cluster.request(ConsumerGroupHeartbeat, before + 2)
  expect(heartbeats()[before + 1]).toMatchObject({ memberId, memberEpoch: 0 })
  await produce(['b'])
  await seen.count(2)
  expect(seen.values).toEqual(['0:a', '0:b'])
  expect(group().members.get(memberId!)?.epoch).toBe(group().epoch)
})

test('UNKNOWN_MEMBER_ID (session expired): joins again at epoch 0 under a new member id', async () => {
  const { c } = await consume()
  await nextEvent(c, 'consumer.heartbeat')
  const [old] = fake.cluster.model.groups.memberIds('g')
  const before = heartbeats().length
  fake.cluster.model.groups.expire('g', old!)
  await fake.cluster.request(ConsumerGroupHeartbeat, before + 2)
  const rejoin = heartbeats()[before + 1]!
  expect(rejoin.memberEpoch).toBe(0)
  expect(rejoin.memberId).not.toBe(old)
  expect(fake.cluster.model.groups.memberIds('g')).toEqual([rejoin.memberId])
})

test('the coordinator moves (NOT_COORDINATOR): the member finds the new one and heartbeats there at its epoch', async () => {
  const { c } = await consume()
  await nextEvent(c, 'consumer.heartbeat')
  fake.cluster.model.moveCoordinator('group', 'g', 2)
  const moved = await fake.cluster.request(ConsumerGroupHeartbeat, 1, 2)
  expect(moved.request.memberEpoch).toBe(1)
  expect(group().epoch).toBe(1)
})

test('a fatal heartbeat error (UNSUPPORTED_ASSIGNOR) crashes the consumer with the protocol error', async () => {
  fake.cluster.intercept(ConsumerGroupHeartbeat, { topic: 'g', errorCode: ErrorCode.UNSUPPORTED_ASSIGNOR })
  const c = fake.consumer({ groupId: 'g', groupProtocol: 'consumer' })
  const crashed = nextEvent(c, 'consumer.crash')
  await c.connect()
  await c.subscribe({ topic: 't' })
  await c.run({ eachMessage: async () => {} }).catch(() => undefined)
  const { error } = await crashed
  expect(error).toBeInstanceOf(KafkaJSProtocolError)
  expect((error as KafkaJSProtocolError).type).toBe('UNSUPPORTED_ASSIGNOR')
})

test('a partition to revoke while its handler runs: the member reports it gone only after the handler returned and committed; the next owner goes on after it', async () => {
  await produce(['a', 'b'], 1)
  const seen = recorder()
  const [held, release] = latch()
  const [handling, started] = latch()
  const c1 = fake.consumer({ groupId: 'g', groupProtocol: 'consumer' })
  await c1.connect()
  await c1.subscribe({ topic: 't', fromBeginning: true })
  await c1.run({
    eachMessage: async ({ message, partition }) => {
      if (`${partition}:${message.value}` === '1:a') {
        started()
        await held
      }
      seen.record(`c1 ${partition}:${message.value}`)
    },
  })
  await handling
  const [first] = fake.cluster.model.groups.memberIds('g')
  await consume('g', seen)
  // the target moved partition 1 to the new member; c1 keeps it (at epoch 1) while its handler runs
  const second = fake.cluster.model.groups.memberIds('g')[1]!
  const revoking = () => group().members.get(first!)?.revoking.has(partitionKey('t', 1)) === true
  for (let n = heartbeats().length + 1; !revoking(); n++) await fake.cluster.request(ConsumerGroupHeartbeat, n)
  // and it stays so over more heartbeats of both members while the handler holds the partition
  await fake.cluster.request(ConsumerGroupHeartbeat, heartbeats().length + 4)
  expect(revoking()).toBe(true)
  expect(group().members.get(second)?.assigned.has(partitionKey('t', 1))).toBe(false)
  expect(committed(1)).toBeUndefined()
  release()
  await produce(['c'], 1)
  await seen.all(['c1 1:a', '1:c'])
  expect(seen.values).toEqual(['c1 1:a', '1:b', '1:c'])
  expect(committed(1)).toBeGreaterThanOrEqual(1n)
})
