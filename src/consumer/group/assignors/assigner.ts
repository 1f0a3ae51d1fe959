// The assigner contract, KafkaJS's `PartitionAssigner` (a factory given { cluster, groupId, logger }
// returning { name, version, protocol, assign }), with two optional kafkit additions that custom
// KafkaJS assigners simply lack: `rebalanceProtocol` (cooperative assignors revoke in two steps,
// KIP-429) and `aliases` (other protocol names the assigner answers to). `protocol` is also given
// the member's owned partitions and generation, which sticky assignors need and others ignore.

import type { KafkaLogger } from '../../../common/kafka-logger.js'
import type { PartitionMetadata } from '../../../common/kafkajs-shapes.js'
import type { TopicPartitions } from '../../topic-partition.js'

/** KafkaJS's partition metadata shape (shared with the partitioners), as `findTopicPartitionMetadata` returns it. */
export type { PartitionMetadata }

/** What an assigner may ask of the cluster (the part of KafkaJS's Cluster that assigners use). */
export interface AssignerCluster {
  findTopicPartitionMetadata(topic: string): PartitionMetadata[]
}

export interface GroupMember {
  memberId: string
  memberMetadata: Buffer
  /** kafkit: the member's static id (KIP-345), null for a dynamic member. */
  groupInstanceId?: string | null
}

export interface GroupMemberAssignment {
  memberId: string
  memberAssignment: Buffer
}

export interface GroupState {
  name: string
  metadata: Buffer
}

export interface SubscriptionInfo {
  topics: string[]
  /** kafkit: partitions this member owns now (cooperative protocols report them). */
  ownedPartitions?: TopicPartitions[]
  /** kafkit: the generation in which the member got them, -1 if none. */
  generationId?: number
  rackId?: string | null
}

export type RebalanceProtocol = 'eager' | 'cooperative'

export interface Assigner {
  name: string
  version: number
  assign(group: { members: GroupMember[]; topics: string[] }): Promise<GroupMemberAssignment[]>
  protocol(subscription: SubscriptionInfo): GroupState
  rebalanceProtocol?: RebalanceProtocol
  aliases?: readonly string[]
}

export type PartitionAssigner = (config: { cluster: AssignerCluster; groupId: string; logger: KafkaLogger }) => Assigner
