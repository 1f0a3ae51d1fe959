// The group coordinator: classic groups (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, DescribeGroups), KIP-848
// consumer groups (ConsumerGroupHeartbeat), and the committed offsets (OffsetCommit, OffsetFetch)
// with Kafka's generation and member-epoch checks. The state lives in model.groups (groups.ts); the
// offsets in model.committedOffsets, which TxnOffsetCommit writes too (its member check is set here).
// Every request to a node that is not the group's coordinator gets NOT_COORDINATOR; a test scripts
// any answer with `errorCode` and `topic: <group id>` (per partition for the offset APIs).

import { AUTHORIZED_OPERATIONS_OMITTED } from '../../../src/cluster/describe-groups.js'
import { ConsumerGroupHeartbeat } from '../../../src/protocol/generated/consumer-group-heartbeat.js'
import {
  DescribeGroups,
  createDescribeGroupsResponseDescribedGroup as describedGroup,
  createDescribeGroupsResponseDescribedGroupMember as describedMember,
} from '../../../src/protocol/generated/describe-groups.js'
import { ErrorCode } from '../../../src/protocol/generated/errors.js'
import { Heartbeat } from '../../../src/protocol/generated/heartbeat.js'
import { JoinGroup, type JoinGroupResponse } from '../../../src/protocol/generated/join-group.js'
import { LeaveGroup } from '../../../src/protocol/generated/leave-group.js'
import {
  createOffsetCommitResponseOffsetCommitResponsePartition as commitPartition,
  createOffsetCommitResponseOffsetCommitResponseTopic as commitTopic,
  OffsetCommit,
} from '../../../src/protocol/generated/offset-commit.js'
import {
  createOffsetFetchResponseOffsetFetchResponseGroup as fetchGroup,
  createOffsetFetchResponseOffsetFetchResponsePartition as fetchPartition,
  createOffsetFetchResponseOffsetFetchResponsePartitions as fetchPartitions,
  createOffsetFetchResponseOffsetFetchResponseTopic as fetchTopic,
  createOffsetFetchResponseOffsetFetchResponseTopics as fetchTopics,
  OffsetFetch,
} from '../../../src/protocol/generated/offset-fetch.js'
import { SyncGroup } from '../../../src/protocol/generated/sync-group.js'
import { ZERO_UUID } from '../../../src/protocol/primitives/uuid.js'
import { ClassicGroup, ConsumerGroup, type ConsumerMember, type JoinResult, NO_JOIN } from '../groups.js'
import type { HandlerModule, RequestContext } from '../handler.js'
import { type ClusterModel, type GroupMemberIdentity, partitionKey, splitPartitionKey } from '../model.js'

/** JoinGroup v4+: a member joining without an id is given one with MEMBER_ID_REQUIRED. */
const FIRST_MEMBER_ID_REQUIRED_VERSION = 4
/** LeaveGroup v3+ names a list of members. */
const FIRST_BATCHED_LEAVE_VERSION = 3
/** OffsetFetch v8+ carries a list of groups. */
const FIRST_BATCHED_FETCH_VERSION = 8
/** OffsetCommit and OffsetFetch v10+ name topics by id. */
const FIRST_TOPIC_ID_VERSION = 10

type Ctx = RequestContext<unknown, unknown>

export const groupHandlers: HandlerModule = (cluster) => {
  const groups = cluster.model.groups
  cluster.model.validateGroupMember = (member) => memberError(cluster.model, member, true)

  cluster.handle(JoinGroup, (ctx) => {
    const { request } = ctx
    const answer = (r: JoinResult): JoinGroupResponse =>
      JoinGroup.createResponse({
        errorCode: r.errorCode,
        generationId: r.generationId,
        protocolType: r.errorCode === ErrorCode.NONE ? request.protocolType : null,
        protocolName: r.protocolName,
        leader: r.leader,
        memberId: r.memberId,
        members: r.members,
      })
    const refused = gate(ctx, request.groupId)
    if (refused !== undefined) return answer({ ...NO_JOIN, errorCode: refused, memberId: request.memberId })
    const group = classicGroup(ctx, request.groupId)
    if (group === undefined) return answer({ ...NO_JOIN, errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL })
    let memberId = request.memberId
    const instanceId = request.groupInstanceId
    if (memberId === '') {
      memberId = groups.newMemberId(ctx.received.clientId)
      if (instanceId !== null) {
        // a static member restarting takes over its instance's place under a new id
        const previous = group.instances.get(instanceId)
        const old = previous === undefined ? undefined : group.members.get(previous)
        if (previous !== undefined) group.members.delete(previous)
        if (old !== undefined) group.members.set(memberId, { ...old, memberId })
        if (group.leader === previous) group.leader = memberId
        group.instances.set(instanceId, memberId)
      } else if (ctx.version >= FIRST_MEMBER_ID_REQUIRED_VERSION) {
        group.pending.add(memberId)
        return answer({ ...NO_JOIN, errorCode: ErrorCode.MEMBER_ID_REQUIRED, memberId })
      }
    } else if (fenced(group, memberId, instanceId)) {
      return answer({ ...NO_JOIN, errorCode: ErrorCode.FENCED_INSTANCE_ID, memberId })
    } else if (!group.members.has(memberId) && !group.pending.delete(memberId)) {
      return answer({ ...NO_JOIN, errorCode: ErrorCode.UNKNOWN_MEMBER_ID, memberId })
    }
    const existing = group.members.get(memberId)
    const protocols = request.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) }))
    const unchanged =
      existing !== undefined &&
      JSON.stringify(existing.protocols) === JSON.stringify(protocols) &&
      existing.join === undefined
    if (group.state === 'Stable' && unchanged && group.leader !== memberId) {
      // a follower rejoining a stable group with the same metadata gets the current generation
      return answer({
        errorCode: ErrorCode.NONE,
        generationId: group.generation,
        protocolName: group.protocolName,
        leader: group.leader!,
        memberId,
        members: [],
      })
    }
    const member = existing ?? {
      memberId,
      instanceId,
      clientId: ctx.received.clientId ?? '',
      protocols,
      assignment: Buffer.alloc(0),
      join: undefined,
      sync: undefined,
    }
    member.protocols = protocols
    group.members.set(memberId, member)
    return new Promise<JoinGroupResponse | undefined>((resolve) => {
      member.join = (r) => resolve(answer(r))
      ctx.signal.addEventListener('abort', () => {
        if (member.join !== undefined) member.join = undefined
        resolve(undefined)
      })
      if (group.state !== 'PreparingRebalance') group.prepareRebalance()
      else group.maybeCompleteJoin()
    })
  })

  cluster.handle(SyncGroup, (ctx) => {
    const { request } = ctx
    const answer = (errorCode: number, assignment: Buffer = Buffer.alloc(0)) =>
      SyncGroup.createResponse({
        errorCode,
        protocolType: errorCode === ErrorCode.NONE ? request.protocolType : null,
        protocolName: errorCode === ErrorCode.NONE ? request.protocolName : null,
        assignment,
      })
    const refused = gate(ctx, request.groupId)
    if (refused !== undefined) return answer(refused)
    const group = groups.classic(request.groupId)
    const error = classicMemberError(group, request.memberId, request.groupInstanceId, request.generationId)
    if (error !== undefined) return answer(error)
    const member = group!.members.get(request.memberId)!
    if (group!.state === 'PreparingRebalance') return answer(ErrorCode.REBALANCE_IN_PROGRESS)
    if (group!.state === 'Stable') return answer(ErrorCode.NONE, member.assignment)
    return new Promise((resolve) => {
      member.sync = (r) => resolve(answer(r.errorCode, r.assignment))
      ctx.signal.addEventListener('abort', () => {
        member.sync = undefined
        resolve(undefined)
      })
      if (request.memberId !== group!.leader) return
      const given = new Map(request.assignments.map((a) => [a.memberId, Buffer.from(a.assignment)]))
      group!.state = 'Stable'
      for (const m of group!.members.values()) {
        m.assignment = given.get(m.memberId) ?? Buffer.alloc(0)
        const sync = m.sync
        m.sync = undefined
        sync?.({ errorCode: ErrorCode.NONE, assignment: m.assignment })
      }
    })
  })

  cluster.handle(Heartbeat, (ctx) => {
    const { request } = ctx
    const errorCode = gate(ctx, request.groupId) ?? heartbeatError(groups.classic(request.groupId), request)
    return Heartbeat.createResponse({ errorCode })
  })

  cluster.handle(LeaveGroup, (ctx) => {
    const { request, version } = ctx
    const refused = gate(ctx, request.groupId)
    if (refused !== undefined) return LeaveGroup.createResponse({ errorCode: refused })
    const group = groups.classic(request.groupId)
    const leaving =
      version >= FIRST_BATCHED_LEAVE_VERSION
        ? request.members
        : [{ memberId: request.memberId, groupInstanceId: null, reason: null }]
    const members = leaving.map(({ memberId, groupInstanceId }) => {
      const id =
        memberId !== '' ? memberId : groupInstanceId === null ? '' : (group?.instances.get(groupInstanceId) ?? '')
      const known = group?.members.has(id) === true
      if (known) group!.remove(id)
      return { memberId, groupInstanceId, errorCode: known ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID }
    })
    if (version < FIRST_BATCHED_LEAVE_VERSION) return LeaveGroup.createResponse({ errorCode: members[0]!.errorCode })
    return LeaveGroup.createResponse({ members })
  })

  cluster.handle(DescribeGroups, (ctx) => {
    const { request } = ctx
    return DescribeGroups.createResponse({
      groups: request.groups.map((groupId) => {
        const errorCode = gate(ctx, groupId)
        const group = groups.groups.get(groupId)
        if (errorCode !== undefined) return describedGroup({ groupId, errorCode })
        // Kafka 4 knows KIP-848 groups only by ConsumerGroupDescribe (not modelled here)
        if (group?.kind === 'consumer') return describedGroup({ groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND })
        if (group === undefined) return describedGroup({ groupId, groupState: 'Dead' })
        const stable = group.state === 'Stable'
        return describedGroup({
          groupId,
          groupState: group.state,
          protocolType: 'consumer',
          protocolData: group.protocolName ?? '',
          members: [...group.members.values()].map((m) =>
            describedMember({
              memberId: m.memberId,
              groupInstanceId: m.instanceId,
              clientId: m.clientId,
              clientHost: '/127.0.0.1',
              memberMetadata: m.protocols.find((p) => p.name === group.protocolName)?.metadata ?? Buffer.alloc(0),
              memberAssignment: stable ? m.assignment : Buffer.alloc(0),
            }),
          ),
          authorizedOperations: request.includeAuthorizedOperations ? 0 : AUTHORIZED_OPERATIONS_OMITTED,
        })
      }),
    })
  })

  cluster.handle(ConsumerGroupHeartbeat, (ctx) => {
    const { request, state } = ctx
    const answer = (errorCode: number, member?: ConsumerMember, assignment?: Set<string>) =>
      ConsumerGroupHeartbeat.createResponse({
        errorCode,
        memberId: member?.memberId ?? (request.memberId || null),
        memberEpoch: member?.epoch ?? -1,
        heartbeatIntervalMs: groups.heartbeatIntervalMs,
        assignment: assignment === undefined ? null : { topicPartitions: byTopicId(state, assignment) },
      })
    const refused = gate(ctx, request.groupId)
    if (refused !== undefined) return answer(refused)
    let group = groups.groups.get(request.groupId)
    if (group === undefined) {
      group = new ConsumerGroup(request.groupId)
      groups.groups.set(request.groupId, group)
    }
    if (group.kind !== 'consumer') return answer(ErrorCode.GROUP_ID_NOT_FOUND)
    if (request.memberEpoch < 0) {
      const leaving = group.members.get(request.memberId)
      if (leaving === undefined) return answer(ErrorCode.UNKNOWN_MEMBER_ID)
      group.remove(state, request.memberId)
      return ConsumerGroupHeartbeat.createResponse({ memberId: request.memberId, memberEpoch: request.memberEpoch })
    }
    let member = group.members.get(request.memberId)
    if (request.memberEpoch === 0) {
      const memberId = request.memberId || groups.newMemberId(ctx.received.clientId)
      member = {
        memberId,
        instanceId: request.instanceId,
        epoch: 0,
        topics: request.subscribedTopicNames ?? [],
        assigned: new Set(),
        revoking: new Set(),
        lastSent: undefined,
      }
      group.members.set(memberId, member)
      group.bump(state)
    } else if (member === undefined) {
      return answer(ErrorCode.UNKNOWN_MEMBER_ID)
    } else if (request.memberEpoch !== member.epoch) {
      return answer(ErrorCode.FENCED_MEMBER_EPOCH)
    } else if (
      request.subscribedTopicNames !== null &&
      [...request.subscribedTopicNames].sort().join() !== [...member.topics].sort().join()
    ) {
      member.topics = request.subscribedTopicNames
      group.bump(state)
    }
    const owned =
      request.topicPartitions === null
        ? null
        : new Set(
            request.topicPartitions.flatMap((t) => {
              const name = state.topicById(t.topicId)?.name
              return name === undefined ? [] : t.partitions.map((p) => partitionKey(name, p))
            }),
          )
    group.reconcile(member, owned)
    const sent = [...member.assigned].sort().join()
    const changed = sent !== member.lastSent
    member.lastSent = sent
    return answer(ErrorCode.NONE, member, changed ? member.assigned : undefined)
  })

  cluster.handle(OffsetCommit, (ctx) => {
    const { request, state, version } = ctx
    const refused =
      gate(ctx, request.groupId) ??
      memberError(state, {
        groupId: request.groupId,
        memberId: request.memberId,
        generationId: request.generationIdOrMemberEpoch,
        groupInstanceId: request.groupInstanceId,
      })
    const offsets = state.groupOffsets(request.groupId)
    return OffsetCommit.createResponse({
      topics: request.topics.map((t) => {
        const name = version >= FIRST_TOPIC_ID_VERSION ? (state.topicById(t.topicId)?.name ?? t.name) : t.name
        return commitTopic({
          name: t.name,
          topicId: t.topicId,
          partitions: t.partitions.map((p) => {
            let errorCode = refused ?? ctx.scriptedError(name, p.partitionIndex)
            if (errorCode === undefined && state.partition(name, p.partitionIndex) === undefined) {
              errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
            }
            if (errorCode === undefined) {
              offsets.set(partitionKey(name, p.partitionIndex), {
                offset: p.committedOffset,
                leaderEpoch: p.committedLeaderEpoch,
                metadata: p.committedMetadata,
              })
            }
            return commitPartition({ partitionIndex: p.partitionIndex, errorCode: errorCode ?? ErrorCode.NONE })
          }),
        })
      }),
    })
  })

  cluster.handle(OffsetFetch, (ctx) => {
    const { request, state, version } = ctx
    if (version < FIRST_BATCHED_FETCH_VERSION) {
      const refused = gate(ctx, request.groupId)
      const topics = fetchOffsets(ctx, request.groupId, request.topics, request.requireStable, refused)
      return OffsetFetch.createResponse({
        errorCode: refused ?? ErrorCode.NONE,
        topics: topics.map((t) =>
          fetchTopic({ name: t.name, partitions: t.partitions.map((p) => fetchPartition({ ...p })) }),
        ),
      })
    }
    return OffsetFetch.createResponse({
      groups: request.groups.map((g) => {
        const memberId = g.memberId ?? ''
        const refused =
          gate(ctx, g.groupId) ??
          (memberId === '' && g.memberEpoch < 0
            ? undefined
            : memberError(state, { groupId: g.groupId, memberId, generationId: g.memberEpoch, groupInstanceId: null }))
        const asked =
          g.topics?.map((t) => ({
            name: version >= FIRST_TOPIC_ID_VERSION ? (state.topicById(t.topicId)?.name ?? t.name) : t.name,
            partitionIndexes: t.partitionIndexes,
          })) ?? null
        const topics =
          refused === undefined ? fetchOffsets(ctx, g.groupId, asked, request.requireStable, undefined) : []
        return fetchGroup({
          groupId: g.groupId,
          errorCode: refused ?? ErrorCode.NONE,
          topics: topics.map((t) =>
            fetchTopics({
              name: t.name,
              topicId: state.topics.get(t.name)?.id ?? ZERO_UUID,
              partitions: t.partitions.map((p) => fetchPartitions({ ...p })),
            }),
          ),
        })
      }),
    })
  })
}

interface FetchedOffset {
  partitionIndex: number
  committedOffset: bigint
  committedLeaderEpoch: number
  metadata: string | null
  errorCode: number
}

/** The committed offsets asked for (all of the group's when `topics` is null), -1 where none. */
function fetchOffsets(
  ctx: Ctx,
  groupId: string,
  topics: { name: string; partitionIndexes: number[] }[] | null,
  requireStable: boolean,
  refused: number | undefined,
): { name: string; partitions: FetchedOffset[] }[] {
  const offsets = ctx.state.groupOffsets(groupId)
  const asked = topics ?? allCommitted([...offsets.keys()])
  return asked.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => {
      const key = partitionKey(t.name, partitionIndex)
      const committed = offsets.get(key)
      const unstable =
        requireStable &&
        [...ctx.state.transactions.values()].some(
          (e) => e.state === 'Ongoing' && e.pendingOffsets.get(groupId)?.has(key),
        )
      return {
        partitionIndex,
        committedOffset: committed?.offset ?? -1n,
        committedLeaderEpoch: committed?.leaderEpoch ?? -1,
        metadata: committed?.metadata ?? '',
        errorCode:
          refused ??
          ctx.scriptedError(t.name, partitionIndex) ??
          (unstable ? ErrorCode.UNSTABLE_OFFSET_COMMIT : ErrorCode.NONE),
      }
    }),
  }))
}

/** A scripted error for the group, or NOT_COORDINATOR when the request came to another node. */
function gate(ctx: Ctx, groupId: string): number | undefined {
  const scripted = ctx.scriptedError(groupId)
  if (scripted !== undefined) return scripted
  if (ctx.state.coordinatorFor('group', groupId) !== ctx.node) return ErrorCode.NOT_COORDINATOR
  return undefined
}

function classicGroup(ctx: Ctx, groupId: string): ClassicGroup | undefined {
  const groups = ctx.state.groups
  const existing = groups.groups.get(groupId)
  if (existing === undefined || (existing.kind === 'consumer' && existing.members.size === 0)) {
    const group = new ClassicGroup(groupId)
    groups.groups.set(groupId, group)
    return group
  }
  return existing.kind === 'classic' ? existing : undefined
}

/** A request naming an instance id that now belongs to another member id is fenced (KIP-345). */
function fenced(group: ClassicGroup, memberId: string, instanceId: string | null): boolean {
  return instanceId !== null && group.instances.has(instanceId) && group.instances.get(instanceId) !== memberId
}

function classicMemberError(
  group: ClassicGroup | undefined,
  memberId: string,
  instanceId: string | null,
  generation: number,
): number | undefined {
  if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
  if (fenced(group, memberId, instanceId)) return ErrorCode.FENCED_INSTANCE_ID
  if (!group.members.has(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID
  if (generation !== group.generation) return ErrorCode.ILLEGAL_GENERATION
  return undefined
}

function heartbeatError(
  group: ClassicGroup | undefined,
  request: { memberId: string; groupInstanceId: string | null; generationId: number },
): number {
  const error = classicMemberError(group, request.memberId, request.groupInstanceId, request.generationId)
  if (error !== undefined) return error
  return group!.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE
}

/**
 * Kafka's offset-commit check of the committing member: a commit outside the group (generation -1,
 * no member id) only while the group has no members; a classic member by its generation, a KIP-848
 * member by its epoch (STALE_MEMBER_EPOCH, or ILLEGAL_GENERATION inside a transaction).
 */
function memberError(model: ClusterModel, who: GroupMemberIdentity, transactional = false): number | undefined {
  const group = model.groups.groups.get(who.groupId)
  const outside = who.generationId < 0 && who.memberId === '' && who.groupInstanceId === null
  if (group === undefined) return outside ? undefined : ErrorCode.ILLEGAL_GENERATION
  if (outside) return group.members.size === 0 ? undefined : ErrorCode.UNKNOWN_MEMBER_ID
  if (group.kind === 'classic') {
    const error = classicMemberError(group, who.memberId, who.groupInstanceId, who.generationId)
    if (error !== undefined) return error
    return group.state === 'CompletingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : undefined
  }
  const member = group.members.get(who.memberId)
  if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
  if (who.generationId !== member.epoch) {
    return transactional ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.STALE_MEMBER_EPOCH
  }
  return undefined
}

function byTopicId(model: ClusterModel, keys: Set<string>): { topicId: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>()
  for (const key of [...keys].sort()) {
    const [topic, partition] = splitPartitionKey(key)
    const id = model.topics.get(topic)?.id
    if (id === undefined) continue
    byTopic.set(id, [...(byTopic.get(id) ?? []), partition])
  }
  return [...byTopic].map(([topicId, partitions]) => ({ topicId, partitions: partitions.sort((a, b) => a - b) }))
}

/** Every committed partition, by topic (OffsetFetch with topics null). */
function allCommitted(keys: string[]): { name: string; partitionIndexes: number[] }[] {
  const byTopic = new Map<string, number[]>()
  for (const [topic, partition] of keys.map(splitPartitionKey))
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition])
  return [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }))
}
