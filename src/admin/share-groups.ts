// Share groups (KIP-932), beyond KafkaJS (which has none), as Java's Admin: describeShareGroups
// (ShareGroupDescribe), a share group's start offsets (fetchShareGroupOffsets through
// DescribeShareGroupOffsets, alterShareGroupOffsets, deleteShareGroupOffsets) and
// deleteShareGroups (DeleteGroups). listGroups({ types: ['share'] }) lists them (groups.ts). Every
// request goes to the group's coordinator; a broker without share groups (before Kafka 4.1, or
// with share.version 0) does not offer these APIs, and the call fails with
// KafkaJSShareGroupsNotEnabledError (as the share consumer), naming the API.

import { KafkaJSServerDoesNotSupportApiKey, KafkaJSShareGroupsNotEnabledError } from '../errors.js'
import {
  AlterShareGroupOffsets,
  createAlterShareGroupOffsetsRequestAlterShareGroupOffsetsRequestPartition,
  createAlterShareGroupOffsetsRequestAlterShareGroupOffsetsRequestTopic,
} from '../protocol/generated/alter-share-group-offsets.js'
import {
  createDeleteShareGroupOffsetsRequestDeleteShareGroupOffsetsRequestTopic,
  DeleteShareGroupOffsets,
} from '../protocol/generated/delete-share-group-offsets.js'
import {
  createDescribeShareGroupOffsetsRequestDescribeShareGroupOffsetsRequestGroup,
  createDescribeShareGroupOffsetsRequestDescribeShareGroupOffsetsRequestTopic,
  DescribeShareGroupOffsets,
} from '../protocol/generated/describe-share-group-offsets.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import {
  ShareGroupDescribe,
  type ShareGroupDescribeResponseDescribedGroup,
} from '../protocol/generated/share-group-describe.js'
import { describedGroup, describedMember, type TopicPartitionsAssignment } from './consumer-groups.js'
import type { AdminContext } from './context.js'
import { describeArgs, perCoordinator, perGroup } from './group-routing.js'
import { deleteGroupsAs } from './groups.js'
import { flattenPartitions, groupBy, partitionMatch, type TopicPartition } from './routing.js'
import { failed, matchResults, type Outcome, succeeded, valuesOrThrow } from './settle.js'
import { partitionsOfTopics } from './topic-offsets.js'
import {
  argsObject,
  arrayArg,
  int64Arg,
  invalid,
  isRecord,
  noDuplicates,
  partitionArg,
  show,
  stringArg,
  topicNameArg,
} from './validate.js'

export interface ShareGroupMember {
  memberId: string
  rackId: string | null
  memberEpoch: number
  clientId: string
  clientHost: string
  subscribedTopicNames: string[]
  /** The partitions the member is assigned (share groups assign a partition to many members). */
  assignment: TopicPartitionsAssignment[]
}

export interface ShareGroupDescription {
  groupId: string
  type: 'share'
  /** Empty, Stable, Dead (Kafka's ShareGroupState); 'Dead' for a group that does not exist, as Java's Admin. */
  state: string
  groupEpoch: number
  assignmentEpoch: number
  /** The server-side assignor, e.g. 'simple'. */
  assignor: string
  /** Node id of the group's coordinator. */
  coordinator: number
  members: ShareGroupMember[]
  authorizedOperations?: number[]
}

/** One partition's start offset in a share group: where its share-partition state begins. */
export interface ShareGroupOffsetsPartition {
  partition: number
  /** The start offset, as a string as KafkaJS gives offsets; '-1' when the group has none for it. */
  offset: string
  /** The leader epoch the start offset was written in; -1 when unknown. */
  leaderEpoch: number
  /** The records from the start offset to the high watermark not yet acknowledged (Kafka 4.2+ brokers); '-1' when unknown. */
  lag: string
}

export interface ShareGroupOffsetsTopic {
  topic: string
  partitions: ShareGroupOffsetsPartition[]
}

export interface AlterShareGroupOffsetsOptions {
  groupId: string
  topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string | number | bigint }> }>
}

/**
 * Describes share groups (members, assignments, epochs), one ShareGroupDescribe per coordinator.
 * A group that does not exist is described as Dead with no members, as Java's Admin does; a group
 * of another type fails on its own (GROUP_ID_NOT_FOUND, the broker's message naming its type).
 */
export async function describeShareGroups(
  ctx: AdminContext,
  groupIdsArg: unknown,
  options?: { includeAuthorizedOperations?: boolean },
): Promise<{ groups: ShareGroupDescription[] }> {
  const op = 'describeShareGroups'
  const { groupIds, includeAuthorizedOperations } = describeArgs(op, groupIdsArg, options)
  const results = await perGroup(ctx, op, groupIds, async (connection, pending, coordinator) => {
    const node = typeof coordinator === 'number' ? coordinator : -1
    const response = await connection.send(
      ShareGroupDescribe,
      ShareGroupDescribe.createRequest({ groupIds: [...pending], includeAuthorizedOperations }),
    )
    const byId = new Map(response.groups.map((g) => [g.groupId, g]))
    return new Map(
      pending.map((groupId): [string, Outcome<ShareGroupDescription>] => {
        const g = byId.get(groupId)
        if (g === undefined)
          return [
            groupId,
            failed(protocolError(ErrorCode.UNKNOWN_SERVER_ERROR, `the broker did not answer for group ${groupId}`)),
          ]
        if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND && !isOtherType(g))
          return [groupId, succeeded(dead(groupId, node))]
        if (g.errorCode !== ErrorCode.NONE) {
          const detail = g.errorMessage ? `group ${groupId}: ${g.errorMessage}` : `group ${groupId}`
          return [groupId, failed(protocolError(g.errorCode, detail))]
        }
        return [groupId, succeeded(shareGroup(g, node))]
      }),
    )
  })
  return { groups: groupValues(op, groupIds, results, (groupId) => ({ groupId })) }
}

/**
 * The share group's start offset of every partition of `topics` ('-1' where it has none), or of
 * every partition it has state for when no topics are given (DescribeShareGroupOffsets).
 */
export async function fetchShareGroupOffsets(
  ctx: AdminContext,
  options: { groupId: string; topics?: string[] },
): Promise<ShareGroupOffsetsTopic[]> {
  const op = 'fetchShareGroupOffsets'
  const args = argsObject(op, options)
  const groupId = stringArg(op, 'groupId', args.groupId)
  const topics =
    args.topics === undefined || args.topics === null
      ? undefined
      : arrayArg<unknown>(op, 'topics', args.topics, { nonEmpty: true }).map((t, i) =>
          topicNameArg(op, `topics[${i}]`, t),
        )
  if (topics !== undefined) noDuplicates(op, 'topic', topics, (t) => t)
  const partitions = topics !== undefined ? await partitionsOfTopics(ctx, topics) : undefined

  const group = await ctx
    .withCoordinator(op, groupId, async (connection) => {
      const request = DescribeShareGroupOffsets.createRequest({
        groups: [
          createDescribeShareGroupOffsetsRequestDescribeShareGroupOffsetsRequestGroup({
            groupId,
            topics:
              partitions === undefined
                ? null
                : [...partitions].map(([topicName, ps]) =>
                    createDescribeShareGroupOffsetsRequestDescribeShareGroupOffsetsRequestTopic({
                      topicName,
                      partitions: ps,
                    }),
                  ),
          }),
        ],
      })
      const response = await connection.send(DescribeShareGroupOffsets, request)
      const answer = response.groups.find((g) => g.groupId === groupId)
      if (answer === undefined)
        throw protocolError(ErrorCode.UNKNOWN_SERVER_ERROR, `the broker did not answer for group ${groupId}`)
      // the group's own error (coordinator loading or moved, group unknown) fails the whole fetch
      if (answer.errorCode !== ErrorCode.NONE)
        throw protocolError(
          answer.errorCode,
          answer.errorMessage ? `group ${groupId}: ${answer.errorMessage}` : `group ${groupId}`,
        )
      return answer
    })
    .catch((error: unknown) => {
      throw error instanceof KafkaJSServerDoesNotSupportApiKey ? notEnabled(op, error) : error
    })

  const answered = group.topics.flatMap((t) => t.partitions.map((p) => ({ ...p, topic: t.topicName })))
  const byKey = new Map(answered.map((p) => [`${p.topic}:${p.partitionIndex}`, p]))
  const items: TopicPartition[] =
    partitions === undefined
      ? answered.map((p) => ({ topic: p.topic, partition: p.partitionIndex }))
      : [...partitions].flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })))
  const results = new Map(
    items.map((item): [TopicPartition, Outcome<ShareGroupOffsetsPartition>] => {
      const p = byKey.get(`${item.topic}:${item.partition}`)
      if (p === undefined)
        return [item, succeeded({ partition: item.partition, offset: '-1', leaderEpoch: -1, lag: '-1' })]
      if (p.errorCode !== ErrorCode.NONE) {
        const what = `group ${groupId}, ${item.topic}-${item.partition}`
        return [item, failed(protocolError(p.errorCode, p.errorMessage ? `${what}: ${p.errorMessage}` : what))]
      }
      return [
        item,
        succeeded({
          partition: item.partition,
          offset: p.startOffset.toString(),
          leaderEpoch: p.leaderEpoch,
          lag: p.lag.toString(),
        }),
      ]
    }),
  )
  const values = valuesOrThrow(op, items, results, (i) => ({ groupId, topic: i.topic, partition: i.partition }))
  const byTopic = groupBy(
    items.map((item, i) => ({ topic: item.topic, value: values[i]! })),
    (e) => e.topic,
  )
  return [...byTopic].map(([topic, entries]) => ({
    topic,
    partitions: entries.map((e) => e.value).sort((a, b) => a.partition - b.partition),
  }))
}

/**
 * Sets the share group's start offsets (AlterShareGroupOffsets): the next share consumer of the
 * group delivers each partition from its offset. The group must be empty (GROUP_NOT_EMPTY while a
 * member runs); each partition succeeds or fails on its own.
 */
export async function alterShareGroupOffsets(ctx: AdminContext, options: AlterShareGroupOffsetsOptions): Promise<void> {
  const op = 'alterShareGroupOffsets'
  const args = argsObject(op, options)
  const groupId = stringArg(op, 'groupId', args.groupId)
  const items = arrayArg<unknown>(op, 'topics', args.topics, { nonEmpty: true }).flatMap((t, i) => {
    if (!isRecord(t)) invalid(op, `topics[${i}] must be { topic, partitions }, got ${show(t)}`)
    const topic = topicNameArg(op, `topics[${i}].topic`, t.topic)
    return arrayArg<unknown>(op, `topic ${topic}: partitions`, t.partitions, { nonEmpty: true }).map((p, j) => {
      if (!isRecord(p)) invalid(op, `topic ${topic}: partitions[${j}] must be { partition, offset }, got ${show(p)}`)
      const partition = partitionArg(op, `topic ${topic}: partitions[${j}].partition`, p.partition)
      const offset = int64Arg(op, `${topic}-${partition}: offset`, p.offset)
      if (offset < 0n) invalid(op, `${topic}-${partition}: offset must be >= 0, got ${show(p.offset)}`)
      return { topic, partition, offset }
    })
  })
  noDuplicates(op, 'partition', items, (i) => `${i.topic}-${i.partition}`)

  const results = await perCoordinator(
    ctx,
    op,
    items,
    () => groupId,
    async (connection, pending) => {
      const topics = [...groupBy(pending, (i) => i.topic)].map(([topicName, ps]) =>
        createAlterShareGroupOffsetsRequestAlterShareGroupOffsetsRequestTopic({
          topicName,
          partitions: ps.map((p) =>
            createAlterShareGroupOffsetsRequestAlterShareGroupOffsetsRequestPartition({
              partitionIndex: p.partition,
              startOffset: p.offset,
            }),
          ),
        }),
      )
      const response = await connection.send(
        AlterShareGroupOffsets,
        AlterShareGroupOffsets.createRequest({ groupId, topics }),
      )
      if (response.errorCode !== ErrorCode.NONE) return groupFailure(pending, groupId, response)
      const answers = response.responses.map((t) => ({ name: t.topicName, partitions: t.partitions }))
      return matchResults(pending, flattenPartitions(answers), partitionMatch)
    },
  )
  groupValues(op, items, results, (i) => ({ groupId, topic: i.topic, partition: i.partition }))
}

/**
 * Deletes the share group's state of whole topics (DeleteShareGroupOffsets): a later share
 * consumer starts those topics afresh (per share.auto.offset.reset). The group must be empty;
 * each topic succeeds or fails on its own.
 */
export async function deleteShareGroupOffsets(
  ctx: AdminContext,
  options: { groupId: string; topics: string[] },
): Promise<void> {
  const op = 'deleteShareGroupOffsets'
  const args = argsObject(op, options)
  const groupId = stringArg(op, 'groupId', args.groupId)
  const topics = arrayArg<unknown>(op, 'topics', args.topics, { nonEmpty: true }).map((t, i) =>
    topicNameArg(op, `topics[${i}]`, t),
  )
  noDuplicates(op, 'topic', topics, (t) => t)

  const results = await perCoordinator(
    ctx,
    op,
    topics,
    () => groupId,
    async (connection, pending) => {
      const request = DeleteShareGroupOffsets.createRequest({
        groupId,
        topics: pending.map((topicName) =>
          createDeleteShareGroupOffsetsRequestDeleteShareGroupOffsetsRequestTopic({ topicName }),
        ),
      })
      const response = await connection.send(DeleteShareGroupOffsets, request)
      if (response.errorCode !== ErrorCode.NONE) return groupFailure(pending, groupId, response)
      return matchResults(pending, response.responses, {
        keyOfItem: (t) => t,
        keyOfResult: (r) => r.topicName,
        value: (): undefined => undefined,
        describe: (t) => `group ${groupId}, topic ${t}`,
      })
    },
  )
  groupValues(op, topics, results, (topic) => ({ groupId, topic }))
}

/**
 * Deletes share groups (DeleteGroups, as Java's Admin.deleteShareGroups); a group with members
 * cannot be deleted (NON_EMPTY_GROUP). The result and errors are deleteGroups' (KafkaJS's shape).
 */
export function deleteShareGroups(
  ctx: AdminContext,
  groupIdsArg: unknown,
): Promise<Array<{ groupId: string; errorCode: number }>> {
  return deleteGroupsAs(ctx, 'deleteShareGroups', groupIdsArg)
}

/** Every pending item fails with the group's own error (one error, thrown as it is by groupValues). */
function groupFailure<K>(
  pending: readonly K[],
  groupId: string,
  response: { errorCode: number; errorMessage: string | null },
): Map<K, Outcome<never>> {
  const detail = response.errorMessage ? `group ${groupId}: ${response.errorMessage}` : `group ${groupId}`
  const error = protocolError(response.errorCode, detail)
  GROUP_ERRORS.add(error)
  const outcome = failed(error)
  return new Map(pending.map((item) => [item, outcome]))
}

/** The errors groupFailure made: the whole group's, not an item's. */
const GROUP_ERRORS = new WeakSet<Error>()

/**
 * The items' values, or: the error itself when it is not the items' but the whole request's (the
 * API unsupported by the broker, or the group's own error such as GROUP_NOT_EMPTY); else the
 * failed items together (valuesOrThrow).
 */
function groupValues<K, V>(
  op: string,
  items: readonly K[],
  results: ReadonlyMap<K, Outcome<V>>,
  describe: (item: K) => Readonly<Record<string, unknown>>,
): V[] {
  for (const { error } of results.values()) {
    if (error instanceof KafkaJSServerDoesNotSupportApiKey) throw notEnabled(op, error)
    if (error !== undefined && GROUP_ERRORS.has(error)) throw error
  }
  return valuesOrThrow(op, items, results, describe)
}

/**
 * A broker that does not offer a share-group API at this client's versions: the cluster does not
 * serve share groups (share.version not enabled, or a broker before Kafka 4.1). The error the share
 * consumer gives too; `cause` is the KafkaJSServerDoesNotSupportApiKey naming the API.
 */
function notEnabled(op: string, error: KafkaJSServerDoesNotSupportApiKey): KafkaJSShareGroupsNotEnabledError {
  return new KafkaJSShareGroupsNotEnabledError(
    `${op}: ${error.message}; the cluster does not serve share groups (its share.version feature is not enabled, ` +
      'or the broker is older than Kafka 4.1)',
    { cause: error },
  )
}

/** The broker's GROUP_ID_NOT_FOUND for a group that exists but is not a share group. */
function isOtherType(g: ShareGroupDescribeResponseDescribedGroup): boolean {
  return g.errorMessage?.includes('is not a share group') ?? false
}

function dead(groupId: string, coordinator: number): ShareGroupDescription {
  return {
    groupId,
    type: 'share',
    state: 'Dead',
    groupEpoch: -1,
    assignmentEpoch: -1,
    assignor: '',
    coordinator,
    members: [],
  }
}

function shareGroup(g: ShareGroupDescribeResponseDescribedGroup, coordinator: number): ShareGroupDescription {
  return { ...describedGroup(g, 'share', coordinator), members: g.members.map(describedMember) }
}
