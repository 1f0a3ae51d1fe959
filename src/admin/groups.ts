// Consumer groups: listGroups (every broker), describeGroups and deleteGroups (KafkaJS, batched
// per coordinator), and removeMembersFromConsumerGroup (LeaveGroup by member or instance id).

import {
  describeGroupsOfEitherProtocol,
  type GroupDescription,
  toGroupDescription,
} from '../cluster/describe-groups.js'
import { KafkaJSDeleteGroupsError, KafkaJSError, KafkaJSProtocolError } from '../errors.js'
import { DeleteGroups } from '../protocol/generated/delete-groups.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import { createLeaveGroupRequestMemberIdentity, LeaveGroup } from '../protocol/generated/leave-group.js'
import { ListGroups } from '../protocol/generated/list-groups.js'
import { describeConsumerGroups } from './consumer-groups.js'
import type { AdminContext } from './context.js'
import { describeArgs, perCoordinator, perGroup } from './group-routing.js'
import { allBrokerIds, askEachBroker } from './routing.js'
import { failed, matchResults, valuesOrThrow } from './settle.js'
import {
  argsObject,
  arrayArg,
  asText,
  invalid,
  isRecord,
  kafkaJSInvalid,
  noDuplicates,
  optionalString,
  show,
  stringArg,
} from './validate.js'

export interface GroupOverview {
  groupId: string
  protocolType: string
  /** kafkit, with includeStateAndType; Kafka 2.6+ brokers (ListGroups v4): e.g. 'Stable', 'Empty'. */
  groupState?: string
  /** kafkit, with includeStateAndType; Kafka 3.8+ brokers (ListGroups v5): 'classic', 'consumer', 'share', 'streams'. */
  groupType?: string
}

/**
 * listGroups' options, all kafkit's (KafkaJS's listGroups takes none): filters by state or type
 * (Java Admin's), and whether each group carries its state and type. Without includeStateAndType a
 * group is exactly KafkaJS's { groupId, protocolType }.
 */
export interface ListGroupsOptions {
  states?: string[]
  types?: string[]
  includeStateAndType?: boolean
}

export type { GroupDescription, MemberDescription } from '../cluster/describe-groups.js'

export interface RemoveMembersOptions {
  groupId: string
  /** The members to remove, by groupInstanceId (static members) or memberId; default: every member. */
  members?: Array<{ memberId?: string; groupInstanceId?: string; reason?: string }>
  /** Sent with each member (LeaveGroup v5+), e.g. for the broker's log. */
  reason?: string
}

/** The groups of every broker (each coordinates some), optionally filtered by state or type. */
export async function listGroups(ctx: AdminContext, options?: ListGroupsOptions): Promise<{ groups: GroupOverview[] }> {
  const op = 'listGroups'
  const args = argsObject(op, options, true)
  const statesFilter = stringList(op, 'states', args.states)
  const typesFilter = stringList(op, 'types', args.types)
  const detailed = args.includeStateAndType === true
  const perBroker = await askEachBroker(ctx, op, await allBrokerIds(ctx), async (connection) => {
    const version = connection.versionFor(ListGroups)
    if (version < 4 && statesFilter.length > 0) invalid(op, `broker ${connection.broker} cannot filter by state`)
    if (version < 5 && typesFilter.length > 0) invalid(op, `broker ${connection.broker} cannot filter by type`)
    const response = await connection.send(ListGroups, ListGroups.createRequest({ statesFilter, typesFilter }), {
      version,
    })
    if (response.errorCode !== ErrorCode.NONE) throw protocolError(response.errorCode, `broker ${connection.broker}`)
    return response.groups.map(
      (g): GroupOverview => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        ...(detailed && version >= 4 && { groupState: g.groupState }),
        ...(detailed && version >= 5 && { groupType: g.groupType }),
      }),
    )
  })
  const seen = new Set<string>()
  const groups = perBroker.flat().filter((g) => !seen.has(g.groupId) && seen.add(g.groupId))
  return { groups }
}

/** KafkaJS's describeGroups: classic group descriptions, one DescribeGroups per coordinator. */
export async function describeGroups(
  ctx: AdminContext,
  groupIdsArg: unknown,
  options?: { includeAuthorizedOperations?: boolean },
): Promise<{ groups: GroupDescription[] }> {
  const op = 'describeGroups'
  const { groupIds, includeAuthorizedOperations } = describeArgs(op, groupIdsArg, options)
  const results = await perGroup(ctx, op, groupIds, async (connection, pending) => {
    const groups = await describeGroupsOfEitherProtocol(connection, pending, includeAuthorizedOperations)
    return matchResults(pending, groups, {
      keyOfItem: (id) => id,
      keyOfResult: (g) => g.groupId,
      value: toGroupDescription,
      describe: (id) => `group ${id}`,
    })
  })
  return { groups: valuesOrThrow(op, groupIds, results, (groupId) => ({ groupId })) }
}

/**
 * Deletes groups (they must have no members). Resolves [{ groupId, errorCode: 0 }]; if some cannot
 * be deleted, throws KafkaJSDeleteGroupsError listing them, the others being deleted (as KafkaJS).
 */
export function deleteGroups(
  ctx: AdminContext,
  groupIdsArg: unknown,
): Promise<Array<{ groupId: string; errorCode: number }>> {
  return deleteGroupsAs(ctx, 'deleteGroups', groupIdsArg)
}

/** deleteGroups under another operation's name (deleteShareGroups), for its logs and errors. */
export async function deleteGroupsAs(
  ctx: AdminContext,
  op: string,
  groupIdsArg: unknown,
): Promise<Array<{ groupId: string; errorCode: number }>> {
  if (!groupIdsArg || !Array.isArray(groupIdsArg)) kafkaJSInvalid(`Invalid groupIds array ${asText(groupIdsArg)}`)
  // KafkaJS shows the result of its check (true), not the group id
  if (groupIdsArg.some((g) => typeof g !== 'string')) kafkaJSInvalid(`Invalid groupId name: ${JSON.stringify(true)}`)
  const groupIds = [...new Set(groupIdsArg as string[])]
  const results = await perGroup(ctx, op, groupIds, async (connection, pending) => {
    const response = await connection.send(DeleteGroups, DeleteGroups.createRequest({ groupsNames: [...pending] }))
    return matchResults(pending, response.results, {
      keyOfItem: (id) => id,
      keyOfResult: (r) => r.groupId,
      value: (r) => ({ groupId: r.groupId, errorCode: 0 }),
      describe: (id) => `group ${id}`,
    })
  })
  const failures = groupIds.flatMap((groupId) => {
    const error = results.get(groupId)?.error
    if (error === undefined) return []
    const kafkaError =
      error instanceof KafkaJSError ? error : new KafkaJSError(error.message, { cause: error, retriable: false })
    return [{ groupId, errorCode: error instanceof KafkaJSProtocolError ? error.errorCode : -1, error: kafkaError }]
  })
  if (failures.length > 0) throw new KafkaJSDeleteGroupsError('Error in DeleteGroups', failures)
  return groupIds.map((groupId) => results.get(groupId)!.value!)
}

/**
 * Removes members from a group (LeaveGroup v3+, as Java's removeMembersFromConsumerGroup): static
 * members by groupInstanceId, others by memberId; with no members given, every current member.
 * Each member succeeds or fails on its own.
 */
export async function removeMembersFromConsumerGroup(
  ctx: AdminContext,
  options: RemoveMembersOptions,
): Promise<{ members: Array<{ memberId: string; groupInstanceId: string | null }> }> {
  const op = 'removeMembersFromConsumerGroup'
  const args = argsObject(op, options)
  const groupId = stringArg(op, 'groupId', args.groupId)
  const reason = optionalString(op, 'reason', args.reason) ?? null
  let members: Array<{ memberId: string; groupInstanceId: string | null; reason: string | null }>
  if (args.members === undefined || args.members === null) {
    const { groups } = await describeConsumerGroups(ctx, [groupId])
    members = groups[0]!.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.instanceId, reason }))
  } else {
    members = arrayArg<unknown>(op, 'members', args.members, { nonEmpty: true }).map((m, i) => {
      if (!isRecord(m)) invalid(op, `members[${i}] must be { groupInstanceId } or { memberId }, got ${show(m)}`)
      const memberId = optionalString(op, `members[${i}].memberId`, m.memberId) ?? ''
      const groupInstanceId = optionalString(op, `members[${i}].groupInstanceId`, m.groupInstanceId) ?? null
      if (memberId === '' && groupInstanceId === null)
        invalid(op, `members[${i}] needs a groupInstanceId or a memberId`)
      return { memberId, groupInstanceId, reason: optionalString(op, `members[${i}].reason`, m.reason) ?? reason }
    })
    noDuplicates(op, 'member', members, memberKey)
  }
  if (members.length === 0) return { members: [] }

  const results = await perCoordinator(
    ctx,
    op,
    members,
    () => groupId,
    async (connection, items) => {
      const version = connection.versionFor(LeaveGroup)
      if (version < 3) invalid(op, `broker ${connection.broker} cannot remove members (LeaveGroup v${version})`)
      const request = LeaveGroup.createRequest({
        groupId,
        members: items.map((m) => createLeaveGroupRequestMemberIdentity(version >= 5 ? m : { ...m, reason: null })),
      })
      const response = await connection.send(LeaveGroup, request, { version })
      if (response.errorCode !== ErrorCode.NONE) {
        const outcome = failed(protocolError(response.errorCode, `group ${groupId}`))
        return new Map(items.map((m) => [m, outcome]))
      }
      return matchResults(items, response.members, {
        keyOfItem: memberKey,
        keyOfResult: memberKey,
        value: (r) => ({ memberId: r.memberId, groupInstanceId: r.groupInstanceId }),
        describe: (m) => `group ${groupId}, ${memberKey(m)}`,
      })
    },
  )
  const removed = valuesOrThrow(op, members, results, (m) => ({
    groupId,
    ...(m.groupInstanceId !== null ? { groupInstanceId: m.groupInstanceId } : { memberId: m.memberId }),
  }))
  return { members: removed }
}

function stringList(op: string, name: string, value: unknown): string[] {
  if (value === undefined || value === null) return []
  return arrayArg<unknown>(op, name, value).map((s, i) => stringArg(op, `${name}[${i}]`, s))
}

function memberKey(m: { memberId: string; groupInstanceId: string | null }): string {
  return m.groupInstanceId !== null ? `instance ${m.groupInstanceId}` : `member ${m.memberId}`
}
