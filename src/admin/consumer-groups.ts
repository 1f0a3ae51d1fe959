// describeConsumerGroups (beyond KafkaJS): groups of the KIP-848 consumer protocol through
// ConsumerGroupDescribe, with member epochs, subscriptions and current and target assignments;
// classic groups, which that API does not describe, through DescribeGroups in the same shape (as
// Java's Admin.describeConsumerGroups does). And the other way round, consumer-protocol groups in
// DescribeGroups' shape for KafkaJS's describeGroups (the admin's and the consumer's describeGroup).

import type { KafkaJSProtocolError } from '../errors.js'
import type { Connection } from '../network/connection.js'
import type { ApiDefinition } from '../protocol/api.js'
import {
  ConsumerGroupDescribe,
  type ConsumerGroupDescribeResponseAssignment,
  type ConsumerGroupDescribeResponseDescribedGroup,
} from '../protocol/generated/consumer-group-describe.js'
import {
  createConsumerProtocolAssignment,
  decodeConsumerProtocolAssignment,
  encodeConsumerProtocolAssignment,
} from '../protocol/generated/consumer-protocol-assignment.js'
import {
  createConsumerProtocolSubscription,
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolSubscription,
} from '../protocol/generated/consumer-protocol-subscription.js'
import { DescribeGroups, type DescribeGroupsResponseDescribedGroup } from '../protocol/generated/describe-groups.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import type { AdminContext } from './context.js'
import { describeArgs, perGroup } from './group-routing.js'
import { decodeAuthorizedOperations } from './metadata-request.js'
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
    const response = await ctx.send(
      connection,
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
      const described = await ctx.send(
        connection,
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
  const authorizedOperations = decodeAuthorizedOperations(g.authorizedOperations)
  return {
    groupId: g.groupId,
    type: 'consumer',
    state: g.groupState,
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    assignor: g.assignorName,
    coordinator,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      rackId: m.rackId,
      memberEpoch: m.memberEpoch,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: m.subscribedTopicNames,
      subscribedTopicRegex: m.subscribedTopicRegex,
      assignment: assignment(m.assignment),
      targetAssignment: assignment(m.targetAssignment),
      memberType: MEMBER_TYPES[m.memberType as 0 | 1] ?? 'unknown',
    })),
    ...(authorizedOperations !== undefined && { authorizedOperations }),
  }
}

function assignment(a: ConsumerGroupDescribeResponseAssignment): TopicPartitionsAssignment[] {
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

/** How the KafkaJS-shaped descriptions send a request (the admin's and the consumer's instrumented send). */
export type GroupRequestSender = <Req, Res>(
  connection: Connection,
  api: ApiDefinition<Req, Res>,
  request: Req,
) => Promise<Res>

/**
 * KafkaJS's view of groups of either protocol, from their coordinator: DescribeGroups, and for the
 * groups Kafka 4 answers GROUP_ID_NOT_FOUND (a group that does not exist, or one of the consumer
 * protocol), ConsumerGroupDescribe in the same shape; a group that does not exist is reported
 * Dead without error, as older brokers (and so KafkaJS) report it.
 */
export async function describeGroupsOfEitherProtocol(
  send: GroupRequestSender,
  connection: Connection,
  groupIds: readonly string[],
  includeAuthorizedOperations: boolean,
): Promise<DescribeGroupsResponseDescribedGroup[]> {
  const request = DescribeGroups.createRequest({ groups: [...groupIds], includeAuthorizedOperations })
  const response = await send(connection, DescribeGroups, request)
  const notClassic = response.groups.filter((g) => g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND).map((g) => g.groupId)
  const consumerGroups =
    notClassic.length > 0
      ? await describeAsClassicGroups(send, connection, notClassic, includeAuthorizedOperations)
      : new Map<string, never>()
  return response.groups.map((g) =>
    g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND
      ? (consumerGroups.get(g.groupId) ?? { ...g, errorCode: ErrorCode.NONE, groupState: 'Dead' })
      : g,
  )
}

/**
 * KIP-848 group states under KafkaJS's (classic) names: Assigning (membership changed, the target
 * assignment is being computed) is the classic PreparingRebalance, Reconciling (members moving to
 * the computed assignment) its CompletingRebalance.
 */
const CLASSIC_STATE_NAMES: Readonly<Record<string, string>> = {
  Empty: 'Empty',
  Assigning: 'PreparingRebalance',
  Reconciling: 'CompletingRebalance',
  Stable: 'Stable',
  Dead: 'Dead',
}

/**
 * Groups of the consumer protocol in DescribeGroups' shape, for KafkaJS's describeGroups: the
 * assignor as the protocol, the state under its classic name, subscriptions and assignments
 * encoded as classic members' metadata and assignment (version 0, which every decoder reads).
 * Groups ConsumerGroupDescribe does not know are left out; other errors (NOT_COORDINATOR, ...)
 * are kept with the group, for the caller to retry.
 */
export async function describeAsClassicGroups(
  send: GroupRequestSender,
  connection: Connection,
  groupIds: readonly string[],
  includeAuthorizedOperations: boolean,
): Promise<Map<string, DescribeGroupsResponseDescribedGroup>> {
  const described = new Map<string, DescribeGroupsResponseDescribedGroup>()
  if (!connection.apiVersions.has(ConsumerGroupDescribe.apiKey)) return described
  const response = await send(
    connection,
    ConsumerGroupDescribe,
    ConsumerGroupDescribe.createRequest({ groupIds: [...groupIds], includeAuthorizedOperations }),
  )
  for (const g of response.groups) {
    if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) continue
    if (g.errorCode !== ErrorCode.NONE) {
      described.set(g.groupId, {
        errorCode: g.errorCode,
        errorMessage: g.errorMessage,
        groupId: g.groupId,
        groupState: '',
        protocolType: '',
        protocolData: '',
        authorizedOperations: g.authorizedOperations,
        members: [],
      })
      continue
    }
    described.set(g.groupId, {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId: g.groupId,
      groupState: CLASSIC_STATE_NAMES[g.groupState] ?? g.groupState,
      protocolType: 'consumer',
      protocolData: g.assignorName,
      authorizedOperations: g.authorizedOperations,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.instanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: encodeConsumerProtocolSubscription(
          createConsumerProtocolSubscription({ topics: m.subscribedTopicNames }),
          0,
        ),
        memberAssignment: encodeConsumerProtocolAssignment(
          createConsumerProtocolAssignment({
            assignedPartitions: m.assignment.topicPartitions.map((t) => ({
              topic: t.topicName,
              partitions: t.partitions,
            })),
          }),
          0,
        ),
      })),
    })
  }
  return described
}
