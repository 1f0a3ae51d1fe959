import type { KafkaLogger } from '../../../src/common/kafka-logger.js'
import { silentLogger } from '../../../src/common/logger.js'
import { AssignerProtocol } from '../../../src/consumer/group/assigner-protocol.js'
import type { Assigner, AssignerCluster, GroupMember } from '../../../src/consumer/group/assignors/assigner.js'
import { stickyAssignment } from '../../../src/consumer/group/assignors/cooperative-sticky.js'
import { PartitionAssigners } from '../../../src/consumer/group/assignors/index.js'
import { decodeMembers, encodeSubscription } from '../../../src/consumer/group/assignors/subscriptions.js'
import { decodeConsumerProtocolAssignment } from '../../../src/protocol/generated/consumer-protocol-assignment.js'

const logger = { ...silentLogger, namespace: () => logger, setLogLevel: () => {} } as unknown as KafkaLogger

function clusterOf(counts: Record<string, number>): AssignerCluster {
  return {
    findTopicPartitionMetadata: (topic) =>
      Array.from({ length: counts[topic] ?? 0 }, (_, partitionId) => ({
        partitionErrorCode: 0,
        partitionId,
        leader: 1,
        replicas: [1],
        isr: [1],
      })),
  }
}

function member(
  memberId: string,
  topics: string[],
  owned: Record<string, number[]> = {},
  generationId = -1,
): GroupMember {
  return {
    memberId,
    memberMetadata: encodeSubscription({
      topics,
      ownedPartitions: Object.entries(owned).map(([topic, partitions]) => ({ topic, partitions })),
      generationId,
    }),
  }
}

async function assign(assigner: Assigner, members: GroupMember[]): Promise<Record<string, string[]>> {
  const result = await assigner.assign({ members, topics: [] })
  const out: Record<string, string[]> = {}
  for (const { memberId, memberAssignment } of result) {
    out[memberId] = decodeConsumerProtocolAssignment(memberAssignment).assignedPartitions.flatMap((t) =>
      t.partitions.map((p) => `${t.topic}-${p}`),
    )
  }
  return out
}

describe('range', () => {
  test("Java's ranges: per topic, the first members get one more", async () => {
    const range = PartitionAssigners.range({ cluster: clusterOf({ a: 5, b: 2 }), groupId: 'g', logger })
    expect(range.name).toBe('range')
    const result = await assign(range, [member('m2', ['a', 'b']), member('m1', ['a', 'b'])])
    expect(result).toEqual({ m1: ['a-0', 'a-1', 'a-2', 'b-0'], m2: ['a-3', 'a-4', 'b-1'] })
  })
})

describe('roundrobin', () => {
  test('partitions in turn over members in id order, skipping members not subscribed', async () => {
    const rr = PartitionAssigners.roundRobin({ cluster: clusterOf({ a: 3, b: 3 }), groupId: 'g', logger })
    expect([rr.name, ...(rr.aliases ?? [])]).toEqual(['RoundRobinAssigner', 'roundrobin'])
    const result = await assign(rr, [member('m1', ['a', 'b']), member('m2', ['a']), member('m3', ['b'])])
    expect(result).toEqual({ m1: ['a-0', 'a-2', 'b-1'], m2: ['a-1'], m3: ['b-0', 'b-2'] })
  })

  test("reads a KafkaJS member's version-0 metadata", async () => {
    const rr = PartitionAssigners.roundRobin({ cluster: clusterOf({ a: 2 }), groupId: 'g', logger })
    const kafkajsMember = {
      memberId: 'k',
      memberMetadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics: ['a'] }),
    }
    expect(await assign(rr, [kafkajsMember, member('z', ['a'])])).toEqual({ k: ['a-0'], z: ['a-1'] })
  })
})

describe('cooperative-sticky', () => {
  const cluster = clusterOf({ t: 6 })
  const decode = (members: GroupMember[]) => decodeMembers(members)
  const keys = (m: Map<string, { topic: string; partition: number }[]>) =>
    Object.fromEntries([...m].map(([id, tps]) => [id, tps.map((tp) => tp.partition)]))

  test('a new member: the owner keeps what stays, and what moves is withheld until revoked', () => {
    const members = decode([member('a', ['t'], { t: [0, 1, 2, 3, 4, 5] }, 1), member('b', ['t'])])
    const first = stickyAssignment(members, cluster, true)
    expect(keys(first).a).toHaveLength(3)
    expect(keys(first).b).toEqual([])
    const kept = keys(first).a!
    // a revoked the other three and rejoined: they go to b
    const second = stickyAssignment(
      decode([member('a', ['t'], { t: kept }, 2), member('b', ['t'], {}, 2)]),
      cluster,
      true,
    )
    expect(keys(second).a).toEqual(kept)
    expect(keys(second).b).toEqual([0, 1, 2, 3, 4, 5].filter((p) => !kept.includes(p)))
  })

  test('a member leaving: the others keep theirs and share its partitions', () => {
    const members = decode([member('a', ['t'], { t: [0, 1] }, 3), member('b', ['t'], { t: [2, 3] }, 3)])
    const result = keys(stickyAssignment(members, cluster, true))
    expect(result.a!.slice(0, 2)).toEqual([0, 1])
    expect(result.b!.filter((p) => p === 2 || p === 3)).toEqual([2, 3])
    expect(result.a!.length + result.b!.length).toBe(6)
    expect(Math.abs(result.a!.length - result.b!.length)).toBeLessThanOrEqual(0)
  })

  test('a claim of an older generation loses to a newer one', () => {
    const members = decode([member('a', ['t'], { t: [0, 1, 2] }, 1), member('b', ['t'], { t: [0, 3, 4, 5] }, 2)])
    const result = keys(stickyAssignment(members, cluster, false))
    expect(result.b).toContain(0)
    expect(result.a).not.toContain(0)
  })
})

describe('AssignerProtocol', () => {
  test('MemberMetadata: the same bytes as KafkaJS writes (int16 version, topics, user data)', () => {
    const bytes = AssignerProtocol.MemberMetadata.encode({ version: 1, topics: ['ab'], userData: Buffer.from([9]) })
    expect(bytes.toString('hex')).toBe('0001' + '00000001' + '0002' + '6162' + '00000001' + '09')
    expect(AssignerProtocol.MemberMetadata.decode(bytes)).toEqual({
      version: 1,
      topics: ['ab'],
      userData: Buffer.from([9]),
    })
  })

  test('MemberAssignment: KafkaJS bytes; an empty buffer decodes to null', () => {
    const bytes = AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: { t: [1, 2] } })
    expect(bytes.toString('hex')).toBe(
      '0000' + '00000001' + '0001' + '74' + '00000002' + '00000001' + '00000002' + '00000000',
    )
    expect(AssignerProtocol.MemberAssignment.decode(bytes)).toEqual({
      version: 0,
      assignment: { t: [1, 2] },
      userData: Buffer.alloc(0),
    })
    expect(AssignerProtocol.MemberAssignment.decode(Buffer.alloc(0))).toBeNull()
  })
})
