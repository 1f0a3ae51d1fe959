// What the consumer needs from group membership, whichever protocol provides it: the classic
// JoinGroup/SyncGroup/Heartbeat protocol or KIP-848's ConsumerGroupHeartbeat. A membership tells the
// consumer which partitions it gains, must give up, or has lost, through a RebalanceListener, and
// says with which identity offsets may be committed.

import type { CommitIdentity } from '../offsets/group-offsets.js'
import type { TopicPartition } from '../topic-partition.js'

/** Called one at a time, in order; each call completes before the membership moves on. */
export interface RebalanceListener {
  /** Partitions now owned: the consumer finds their positions and starts fetching them. */
  assigned(partitions: TopicPartition[]): Promise<void>
  /** Partitions to give up: the consumer lets their handlers finish, commits them, and drops them. */
  revoked(partitions: TopicPartition[]): Promise<void>
  /** Partitions someone else may already own (this member was fenced or expired): dropped, no commit. */
  lost(partitions: TopicPartition[]): Promise<void>
}

/** KafkaJS's consumer.group_join payload. */
export interface GroupJoinPayload {
  duration: number
  groupId: string
  isLeader: boolean
  leaderId: string
  groupProtocol: string
  memberId: string
  memberAssignment: Record<string, number[]>
}

/** Payload of `consumer.received_unsubscribed_topics`: assigned topics the member did not subscribe to. */
export interface UnsubscribedTopicsPayload {
  groupId: string
  generationId: number
  memberId: string
  assignedTopics: string[]
  topicsSubscribed: string[]
  topicsNotSubscribed: string[]
}

/** KafkaJS's instrumentation payloads the memberships emit. */
export interface MembershipEvents {
  heartbeat(payload: { groupId: string; memberId: string; groupGenerationId: number }): void
  groupJoin(payload: GroupJoinPayload): void
  rebalancing(payload: { groupId: string; memberId: string }): void
  receivedUnsubscribedTopics(payload: UnsubscribedTopicsPayload): void
  /** An error membership cannot recover from (FENCED_INSTANCE_ID, authorization, bad configuration). */
  fatal(error: Error): void
}

export interface GroupMembership {
  readonly memberId: string
  readonly generationId: number
  readonly isLeader: boolean
  /** The identity to commit with, or undefined while a rebalance is in progress or before joining. */
  commitIdentity(): CommitIdentity | undefined
  /** Joins; resolves once the first assignment is applied. */
  start(): Promise<void>
  /** Asks for a new rebalance (subscription or metadata changed). */
  requestRejoin(reason: string): void
  /** Revokes what is owned (handlers finish, offsets commit), leaves the group, and stops. */
  leave(): Promise<void>
  /** Stops without leaving: for a consumer that crashed; the group notices when the session expires. */
  abandon(): void
}
