// Describing groups in KafkaJS's shape, for the admin's describeGroups and the consumer's
// describeGroup: DescribeGroups, with the groups of the KIP-848 consumer protocol (which Kafka 4
// answers GROUP_ID_NOT_FOUND there) described through ConsumerGroupDescribe in the same shape. A
// cluster-level request helper, below both clients; with it the decoding of authorized-operations
// bit fields, which the admin's topic and cluster descriptions share.

import type { Connection } from '../network/connection.js'
import { ConsumerGroupDescribe } from '../protocol/generated/consumer-group-describe.js'
import {
  createConsumerProtocolAssignment,
  encodeConsumerProtocolAssignment,
} from '../protocol/generated/consumer-protocol-assignment.js'
import {
  createConsumerProtocolSubscription,
  encodeConsumerProtocolSubscription,
} from '../protocol/generated/consumer-protocol-subscription.js'
import { DescribeGroups, type DescribeGroupsResponseDescribedGroup } from '../protocol/generated/describe-groups.js'
import { ErrorCode } from '../protocol/generated/errors.js'

export interface MemberDescription {
  memberId: string
  /** kafkit: a static member's id (KIP-345); absent for dynamic members, whose description is KafkaJS's. */
  groupInstanceId?: string
  clientId: string
  clientHost: string
  memberMetadata: Buffer
  memberAssignment: Buffer
}

export interface GroupDescription {
  errorCode: number
  groupId: string
  members: MemberDescription[]
  protocol: string
  protocolType: string
  state: string
  /** AclOperationTypes the caller may perform on the group, when includeAuthorizedOperations was set. */
  authorizedOperations?: number[]
}

/** KafkaJS's GroupDescription of a described group without error (the admin's and the consumer's). */
export function toGroupDescription(g: DescribeGroupsResponseDescribedGroup): GroupDescription {
  const authorizedOperations = decodeAuthorizedOperations(g.authorizedOperations)
  return {
    errorCode: 0,
    groupId: g.groupId,
    members: g.members.map(({ memberId, groupInstanceId, clientId, clientHost, memberMetadata, memberAssignment }) => ({
      memberId,
      ...(groupInstanceId !== null && { groupInstanceId }),
      clientId,
      clientHost,
      memberMetadata,
      memberAssignment,
    })),
    protocol: g.protocolData,
    protocolType: g.protocolType,
    state: g.groupState,
    ...(authorizedOperations !== undefined && { authorizedOperations }),
  }
}

/** Kafka's "not requested" value of authorized-operations bit fields. */
export const AUTHORIZED_OPERATIONS_OMITTED = -(2 ** 31)

/**
 * The ACL operation codes in an authorized-operations bit field (bit n set: operation n allowed),
 * or undefined when the broker was not asked for them.
 */
export function decodeAuthorizedOperations(bits: number): number[] | undefined {
  if (bits === AUTHORIZED_OPERATIONS_OMITTED) return undefined
  const operations: number[] = []
  for (let code = 0; code < 32; code++) if ((bits & (1 << code)) !== 0) operations.push(code)
  return operations
}

/**
 * KafkaJS's view of groups of either protocol, from their coordinator: DescribeGroups, and for the
 * groups Kafka 4 answers GROUP_ID_NOT_FOUND (a group that does not exist, or one of the consumer
 * protocol), ConsumerGroupDescribe in the same shape; a group that does not exist is reported
 * Dead without error, as older brokers (and so KafkaJS) report it.
 */
export async function describeGroupsOfEitherProtocol(
  connection: Connection,
  groupIds: readonly string[],
  includeAuthorizedOperations: boolean,
): Promise<DescribeGroupsResponseDescribedGroup[]> {
  const request = DescribeGroups.createRequest({ groups: [...groupIds], includeAuthorizedOperations })
  const response = await connection.send(DescribeGroups, request)
  const notClassic = response.groups.filter((g) => g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND).map((g) => g.groupId)
  const consumerGroups =
    notClassic.length > 0
      ? await describeAsClassicGroups(connection, notClassic, includeAuthorizedOperations)
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
  connection: Connection,
  groupIds: readonly string[],
  includeAuthorizedOperations: boolean,
): Promise<Map<string, DescribeGroupsResponseDescribedGroup>> {
  const described = new Map<string, DescribeGroupsResponseDescribedGroup>()
  if (!connection.apiVersions.has(ConsumerGroupDescribe.apiKey)) return described
  const response = await connection.send(
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
