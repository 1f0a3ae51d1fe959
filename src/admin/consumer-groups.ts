// describeConsumerGroups (beyond KafkaJS): groups of the KIP-848 consumer protocol through
// ConsumerGroupDescribe, with member epochs, subscriptions and current and target assignments;
// classic groups, which that API does not describe, through DescribeGroups in the same shape (as
// Java's Admin.describeConsumerGroups does). The other way round, consumer-protocol groups in
// DescribeGroups' shape for KafkaJS's describeGroups, is src/cluster/describe-groups.ts.

import { decodeAuthorizedOperations } from '../cluster/describe-groups.js'
import type { KafkaJSProtocolError } from '../errors.js'
import {
  ConsumerGroupDescribe,
  type ConsumerGroupDescribeResponseAssignment,
  type ConsumerGroupDescribeResponseDescribedGroup,
} from '../protocol/generated/consumer-group-describe.js'
import { decodeConsumerProtocolAssignment } from '../protocol/generated/consumer-protocol-assignment.js'
import { decodeConsumerProtocolSubscription } from '../protocol/generated/consumer-protocol-subscription.js'
import { DescribeGroups, type DescribeGroupsResponseDescribedGroup } from '../protocol/generated/describe-groups.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import type { ShareGroupDescribeResponseMember } from '../protocol/generated/share-group-describe.js'
import type { AdminContext } from './context.js'
import { describeArgs, perGroup } from './group-routing.js'
import { failed, type Outcome, succeeded, valuesOrThrow } from './settle.js'

export interface TopicPartitionsAssignment {
  topic: string
  /** Base64 topic id; empty for classic groups, whose assignments name topics only. */
  topicId: string
  partitions: number[]
}

export interface ConsumerGroupMember {
  memberId: string
  instanceId: string | null
  rackId: string | null
  /** -1 for members of classic groups. */
  memberEpoch: number
  clientId: string
  clientHost: string
  subscribedTopicNames: string[]
  subscribedTopicRegex: string | null
  assignment: TopicPartitionsAssignment[]
  /** What the coordinator wants the member to own once it has reconciled (consumer groups). */
  targetAssignment: TopicPartitionsAssignment[]
  /** 'consumer' for the KIP-848 protocol, 'classic' for a classic member (of either kind of group). */
  memberType: 'consumer' | 'classic' | 'unknown'
}

export interface ConsumerGroupDescription {
  groupId: string
  /** 'consumer': the KIP-848 protocol; 'classic': JoinGroup/SyncGroup. */
  type: 'consumer' | 'classic'
  /** e.g. Empty, Assigning, Reconciling, Stable (consumer); Empty, PreparingRebalance, Stable (classic). */
  state: string
  /** -1 for classic groups. */
  groupEpoch: number
  assignmentEpoch: number
  /** The server-side assignor (consumer) or the chosen client protocol (classic). */
  assignor: string
  /** Node id of the group's coordinator. */
  coordinator: number
  members: ConsumerGroupMember[]
  authorizedOperations?: number[]
}

/** Describes groups of either protocol; a group that does not exist fails on its own. */
export async function describeConsumerGroups(
  ctx: AdminContext,
  groupIdsArg: unknown,
  options?: { includeAuthorizedOperations?: boolean },
): Promise<{ groups: ConsumerGroupDescription[] }> {
  const op = 'describeConsumerGroups'
  const { groupIds, includeAuthorizedOperations } = describeArgs(op, groupIdsArg, options)
  const results = await perGroup(ctx, op, groupIds, async (connection, pending, coordinator) => {
    const outcomes = new Map<string, Outcome<ConsumerGroupDescription>>()
    const node = typeof coordinator === 'number' ? coordinator : -1
    const classic: string[] = []
    const response = await connection.send(
      ConsumerGroupDescribe,
      ConsumerGroupDescribe.createRequest({ groupIds: [...pending], includeAuthorizedOperations }),
    )
    const byId = new Map(response.groups.map((g) => [g.groupId, g]))
    for (const groupId of pending) {
      const g = byId.get(groupId)
      if (g === undefined)
        outcomes.set(groupId, failed(protocolError(ErrorCode.UNKNOWN_SERVER_ERROR, `group ${groupId}`)))
      // a classic group (or none): ConsumerGroupDescribe does not describe it
      else if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) classic.push(groupId)
      else if (g.errorCode !== ErrorCode.NONE) {
        outcomes.set(
          groupId,
          failed(
            protocolError(g.errorCode, g.errorMessage ? `group ${groupId}: ${g.errorMessage}` : `group ${groupId}`),
          ),
        )
      } else outcomes.set(groupId, succeeded(consumerGroup(g, node)))
    }
    if (classic.length > 0) {
      const described = await connection.send(
        DescribeGroups,
        DescribeGroups.createRequest({ groups: classic, includeAuthorizedOperations }),
      )
      const classicById = new Map(described.groups.map((g) => [g.groupId, g]))
      for (const groupId of classic) {
        const g = classicById.get(groupId)
        const notFound = g === undefined || g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND || g.groupState === 'Dead'
        if (notFound) outcomes.set(groupId, failed(finalNotFound(groupId)))
        else if (g.errorCode !== ErrorCode.NONE)
          outcomes.set(groupId, failed(protocolError(g.errorCode, `group ${groupId}`)))
        else outcomes.set(groupId, succeeded(classicGroup(g, node)))
      }
    }
    return outcomes
  })
  return { groups: valuesOrThrow(op, groupIds, results, (groupId) => ({ groupId })) }
}

function finalNotFound(groupId: string): KafkaJSProtocolError {
  return protocolError(ErrorCode.GROUP_ID_NOT_FOUND, `group ${groupId} does not exist`)
}

const MEMBER_TYPES = { 0: 'classic', 1: 'consumer' } as const

function consumerGroup(g: ConsumerGroupDescribeResponseDescribedGroup, coordinator: number): ConsumerGroupDescription {
  return {
    ...describedGroup(g, 'consumer', coordinator),
    members: g.members.map((m) => ({
      ...describedMember(m),
      instanceId: m.instanceId,
      subscribedTopicRegex: m.subscribedTopicRegex,
      targetAssignment: assignment(m.targetAssignment),
      memberType: MEMBER_TYPES[m.memberType as 0 | 1] ?? 'unknown',
    })),
  }
}

/** What ConsumerGroupDescribe and ShareGroupDescribe say alike of a group (share-groups.ts). */
export function describedGroup<T extends string>(
  g: {
    groupId: string
    groupState: string
    groupEpoch: number
    assignmentEpoch: number
    assignorName: string
    authorizedOperations: number
  },
  type: T,
  coordinator: number,
): {
  groupId: string
  type: T
  state: string
  groupEpoch: number
  assignmentEpoch: number
  assignor: string
  coordinator: number
  authorizedOperations?: number[]
} {
  const authorizedOperations = decodeAuthorizedOperations(g.authorizedOperations)
  return {
    groupId: g.groupId,
    type,
    state: g.groupState,
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    assignor: g.assignorName,
    coordinator,
    ...(authorizedOperations !== undefined && { authorizedOperations }),
  }
}

/** What ConsumerGroupDescribe and ShareGroupDescribe say alike of a member. */
export function describedMember(m: ShareGroupDescribeResponseMember) {
  return {
    memberId: m.memberId,
    rackId: m.rackId,
    memberEpoch: m.memberEpoch,
    clientId: m.clientId,
    clientHost: m.clientHost,
    subscribedTopicNames: m.subscribedTopicNames,
    assignment: assignment(m.assignment),
  }
}

function assignment(
  a: ConsumerGroupDescribeResponseAssignment | ShareGroupDescribeResponseMember['assignment'],
): TopicPartitionsAssignment[] {
  return a.topicPartitions.map((t) => ({ topic: t.topicName, topicId: t.topicId, partitions: t.partitions }))
}

/** A classic group in the same shape; members of a 'consumer' protocol group have their subscription decoded. */
function classicGroup(g: DescribeGroupsResponseDescribedGroup, coordinator: number): ConsumerGroupDescription {
  const authorizedOperations = decodeAuthorizedOperations(g.authorizedOperations)
  const decodable = g.protocolType === 'consumer'
  return {
    groupId: g.groupId,
    type: 'classic',
    state: g.groupState,
    groupEpoch: -1,
    assignmentEpoch: -1,
    assignor: g.protocolData,
    coordinator,
    members: g.members.map((m) => {
      const subscription =
        decodable && m.memberMetadata.length > 0 ? decodeConsumerProtocolSubscription(m.memberMetadata) : undefined
      const assigned =
        decodable && m.memberAssignment.length > 0 ? decodeConsumerProtocolAssignment(m.memberAssignment) : undefined
      const owned = (assigned?.assignedPartitions ?? []).map((t) => ({
        topic: t.topic,
        topicId: '',
        partitions: t.partitions,
      }))
      return {
        memberId: m.memberId,
        instanceId: m.groupInstanceId,
        rackId: subscription?.rackId ?? null,
        memberEpoch: -1,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: subscription?.topics ?? [],
        subscribedTopicRegex: null,
        assignment: owned,
        targetAssignment: owned,
        memberType: 'classic',
      }
    }),
    ...(authorizedOperations !== undefined && { authorizedOperations }),
  }
}
