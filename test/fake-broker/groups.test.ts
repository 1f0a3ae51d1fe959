// The fake group coordinator itself, spoken to request by request: the classic join barrier and
// sync, session expiry by expire(), KIP-848 reconciliation (revocation first, epochs, fencing), and
// the commit check for commits from outside the group. The consumer-*.test.ts files rely on these.

import { Connection } from '../../src/network/connection.js'
import {
  ConsumerGroupHeartbeat,
  type ConsumerGroupHeartbeatRequest,
} from '../../src/protocol/generated/consumer-group-heartbeat.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import { Heartbeat } from '../../src/protocol/generated/heartbeat.js'
import { JoinGroup } from '../../src/protocol/generated/join-group.js'
import { OffsetCommit } from '../../src/protocol/generated/offset-commit.js'
import { SyncGroup } from '../../src/protocol/generated/sync-group.js'
import { FakeCluster } from './fake-cluster.js'

let cluster: FakeCluster
const connections: Connection[] = []

beforeEach(async () => {
  cluster = await FakeCluster.start({ topics: { t: 2 } })
})

afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.close()))
  await cluster.close()
})

async function connection(): Promise<Connection> {
  const c = new Connection({ host: '127.0.0.1', port: cluster.node(1).port })
  connections.push(c)
  await c.connect()
  return c
}

const join = (c: Connection, memberId: string) =>
  c.send(
    JoinGroup,
    JoinGroup.createRequest({
      groupId: 'g',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 30000,
      memberId,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from(memberId) }],
    }),
  )

const sync = (c: Connection, memberId: string, generationId: number, assignments: [string, string][] = []) =>
  c.send(
    SyncGroup,
    SyncGroup.createRequest({
      groupId: 'g',
      generationId,
      memberId,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: assignments.map(([id, text]) => ({ memberId: id, assignment: Buffer.from(text) })),
    }),
  )

describe('classic groups', () => {
  test('MEMBER_ID_REQUIRED, then a rebalance completes when every member rejoined; the leader assigns in SyncGroup', async () => {
    const [a, b] = [await connection(), await connection()]
    const first = await join(a, '')
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED)
    const idA = first.memberId
    const alone = await join(a, idA)
    expect(alone).toMatchObject({ errorCode: 0, generationId: 1, leader: idA })
    await sync(a, idA, 1, [[idA, 'all']])
    const idB = (await join(b, '')).memberId
    const joinB = join(b, idB)
    await cluster.request(JoinGroup, 4)
    // B waits for A, which learns of the rebalance from its heartbeat
    const beat = await a.send(Heartbeat, Heartbeat.createRequest({ groupId: 'g', generationId: 1, memberId: idA }))
    expect(beat.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    const [rejoinA, joinedB] = await Promise.all([join(a, idA), joinB])
    expect(rejoinA).toMatchObject({ generationId: 2, leader: idA })
    expect(rejoinA.members.map((m) => [m.memberId, m.metadata.toString()])).toEqual([
      [idA, idA],
      [idB, idB],
    ])
    expect(joinedB).toMatchObject({ generationId: 2, leader: idA, members: [] })
    // the follower's SyncGroup waits for the leader's
    const syncB = sync(b, idB, 2)
    await cluster.request(SyncGroup, 2)
    const syncA = await sync(a, idA, 2, [
      [idA, 'p0'],
      [idB, 'p1'],
    ])
    expect([syncA.assignment.toString(), (await syncB).assignment.toString()]).toEqual(['p0', 'p1'])
    const stale = await b.send(Heartbeat, Heartbeat.createRequest({ groupId: 'g', generationId: 1, memberId: idB }))
    expect(stale.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION)
  })

  test('a member that does not rejoin holds the rebalance until the test expires it; its id is unknown from then on', async () => {
    const [a, b] = [await connection(), await connection()]
    const idA = (await join(a, '')).memberId
    await join(a, idA)
    const idB = (await join(b, '')).memberId
    const joinB = join(b, idB)
    await cluster.request(JoinGroup, 4)
    expect(cluster.model.groups.classic('g')?.state).toBe('PreparingRebalance')
    cluster.model.groups.expire('g', idA)
    expect(await joinB).toMatchObject({ generationId: 2, leader: idB })
    const gone = await a.send(Heartbeat, Heartbeat.createRequest({ groupId: 'g', generationId: 1, memberId: idA }))
    expect(gone.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  test('a commit from outside the group is refused while it has members and taken once it is empty', async () => {
    const a = await connection()
    const commit = () =>
      a.send(
        OffsetCommit,
        OffsetCommit.createRequest({
          groupId: 'g',
          generationIdOrMemberEpoch: -1,
          memberId: '',
          topics: [
            {
              name: 't',
              topicId: cluster.model.topics.get('t')!.id,
              partitions: [
                { partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null },
              ],
            },
          ],
        }),
      )
    const id = (await join(a, '')).memberId
    await join(a, id)
    expect((await commit()).topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    cluster.model.groups.expire('g', id)
    expect((await commit()).topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NONE)
    expect(cluster.model.groupOffsets('g').size).toBe(1)
  })
})

describe('KIP-848 groups', () => {
  const heartbeat = (c: Connection, fields: Partial<ConsumerGroupHeartbeatRequest>) =>
    c.send(
      ConsumerGroupHeartbeat,
      ConsumerGroupHeartbeat.createRequest({ groupId: 'g', rebalanceTimeoutMs: 30000, ...fields }),
    )
  const owned = (...partitions: number[]) => [{ topicId: cluster.model.topics.get('t')!.id, partitions }]
  const assigned = (r: { assignment: { topicPartitions: { partitions: number[] }[] } | null }) =>
    r.assignment?.topicPartitions.flatMap((t) => t.partitions)

  test('a partition moves to a new member only after its owner revoked it; epochs follow', async () => {
    const c = await connection()
    const a = await heartbeat(c, { memberId: 'A', memberEpoch: 0, subscribedTopicNames: ['t'], topicPartitions: [] })
    expect([a.memberEpoch, assigned(a)]).toEqual([1, [0, 1]])
    const b = await heartbeat(c, { memberId: 'B', memberEpoch: 0, subscribedTopicNames: ['t'], topicPartitions: [] })
    // B's target (partition 1) is still A's: B moves to epoch 2 with nothing yet
    expect([b.memberEpoch, assigned(b)]).toEqual([2, []])
    const revoke = await heartbeat(c, { memberId: 'A', memberEpoch: 1, topicPartitions: owned(0, 1) })
    expect([revoke.memberEpoch, assigned(revoke)]).toEqual([1, [0]])
    const stillHeld = await heartbeat(c, { memberId: 'B', memberEpoch: 2 })
    expect(stillHeld.assignment).toBeNull()
    const revoked = await heartbeat(c, { memberId: 'A', memberEpoch: 1, topicPartitions: owned(0) })
    expect([revoked.memberEpoch, revoked.assignment]).toEqual([2, null])
    const given = await heartbeat(c, { memberId: 'B', memberEpoch: 2 })
    expect(assigned(given)).toEqual([1])
    expect((await heartbeat(c, { memberId: 'A', memberEpoch: 1 })).errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH)
    expect((await heartbeat(c, { memberId: 'C', memberEpoch: 3 })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    const left = await heartbeat(c, { memberId: 'B', memberEpoch: -1 })
    expect([left.errorCode, left.memberEpoch, cluster.model.groups.consumer('g')?.epoch]).toEqual([0, -1, 3])
  })
})
