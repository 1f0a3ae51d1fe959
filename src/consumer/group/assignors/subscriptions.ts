// What the built-in assigners share: decoding members' subscriptions (Kafka's
// ConsumerProtocolSubscription of any version, as Java members send them), ordering members as
// Java does, reading partition counts, and encoding each member's assignment.

import { KafkaJSDecodeError } from '../../../errors.js'
import { encodeConsumerProtocolAssignment } from '../../../protocol/generated/consumer-protocol-assignment.js'
import {
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolSubscription,
} from '../../../protocol/generated/consumer-protocol-subscription.js'
import { groupByTopic, type TopicPartition } from '../../topic-partition.js'
import { AssignerProtocol } from '../assigner-protocol.js'
import type { AssignerCluster, GroupMember, GroupMemberAssignment, SubscriptionInfo } from './assigner.js'

export interface MemberSubscription {
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly topics: ReadonlySet<string>
  readonly ownedPartitions: readonly TopicPartition[]
  /** -1 when the member says nothing about it (older subscription versions). */
  readonly generationId: number
  readonly userData: Buffer | null
}

/** The subscription version the built-in assigners write (with owned partitions, generation and rack). */
export const SUBSCRIPTION_VERSION = 3
export const ASSIGNMENT_VERSION = 3

export function encodeSubscription(info: SubscriptionInfo, userData: Buffer | null = null): Buffer {
  return encodeConsumerProtocolSubscription(
    {
      topics: [...info.topics],
      userData,
      ownedPartitions: (info.ownedPartitions ?? []).map(({ topic, partitions }) => ({
        topic,
        partitions: [...partitions],
      })),
      generationId: info.generationId ?? -1,
      rackId: info.rackId ?? null,
    },
    SUBSCRIPTION_VERSION,
  )
}

/** Decodes each member's subscription; a KafkaJS member's version-0 layout with another version number is read as such. */
export function decodeMembers(members: readonly GroupMember[]): MemberSubscription[] {
  return members.map((m) => {
    let topics: string[]
    let owned: TopicPartition[] = []
    let generationId = -1
    let userData: Buffer | null
    try {
      const s = decodeConsumerProtocolSubscription(m.memberMetadata)
      topics = s.topics
      owned = s.ownedPartitions.flatMap(({ topic, partitions }) =>
        partitions.map((partition) => ({ topic, partition })),
      )
      generationId = s.generationId
      userData = s.userData
    } catch {
      const s = AssignerProtocol.MemberMetadata.decode(m.memberMetadata)
      if (s === null) throw new KafkaJSDecodeError(`member ${m.memberId} sent no subscription`)
      topics = s.topics
      userData = s.userData
    }
    return {
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId ?? null,
      topics: new Set(topics),
      ownedPartitions: owned,
      generationId,
      userData,
    }
  })
}

/** Java's member order: static members by instance id first, then dynamic ones by member id. */
export function compareMembers(a: MemberSubscription, b: MemberSubscription): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null)
    return compareStrings(a.groupInstanceId, b.groupInstanceId)
  if (a.groupInstanceId !== null) return -1
  if (b.groupInstanceId !== null) return 1
  return compareStrings(a.memberId, b.memberId)
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The partition ids of a topic, ascending; none when the topic is unknown. */
export function partitionsOf(cluster: AssignerCluster, topic: string): number[] {
  let metadata: ReturnType<AssignerCluster['findTopicPartitionMetadata']>
  try {
    metadata = cluster.findTopicPartitionMetadata(topic)
  } catch {
    return []
  }
  return metadata.map((p) => p.partitionId).sort((a, b) => a - b)
}

/** The sorted union of what the members subscribe to. */
export function subscribedTopics(members: readonly MemberSubscription[]): string[] {
  const topics = new Set<string>()
  for (const m of members) for (const t of m.topics) topics.add(t)
  return [...topics].sort(compareStrings)
}

/** One assignment buffer per member, empty for a member given nothing. */
export function encodeAssignments(
  members: readonly MemberSubscription[],
  assignment: ReadonlyMap<string, readonly TopicPartition[]>,
): GroupMemberAssignment[] {
  return members.map((m) => ({
    memberId: m.memberId,
    memberAssignment: encodeConsumerProtocolAssignment(
      { assignedPartitions: groupByTopic(assignment.get(m.memberId) ?? []), userData: null },
      ASSIGNMENT_VERSION,
    ),
  }))
}
