// A consumer group's committed offsets, on the group's coordinator: fetchOffsets, setOffsets and
// resetOffsets (KafkaJS), and deleteConsumerGroupOffsets (OffsetDelete, beyond KafkaJS). Commits
// are made as an admin does (generation -1, no member id), which the broker accepts only while
// the group has no active members.

import { describeGroupsOfEitherProtocol } from '../cluster/describe-groups.js'
import { KafkaJSNonRetriableError, KafkaJSProtocolError } from '../errors.js'
import type { Connection } from '../network/connection.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import {
  createOffsetCommitRequestOffsetCommitRequestPartition,
  createOffsetCommitRequestOffsetCommitRequestTopic,
  OffsetCommit,
} from '../protocol/generated/offset-commit.js'
import {
  createOffsetDeleteRequestOffsetDeleteRequestPartition,
  createOffsetDeleteRequestOffsetDeleteRequestTopic,
  OffsetDelete,
} from '../protocol/generated/offset-delete.js'
import {
  createOffsetFetchRequestOffsetFetchRequestGroup,
  createOffsetFetchRequestOffsetFetchRequestTopic,
  createOffsetFetchRequestOffsetFetchRequestTopics,
  OffsetFetch,
  type OffsetFetchResponse,
} from '../protocol/generated/offset-fetch.js'
import { ZERO_UUID } from '../protocol/primitives/uuid.js'
import type { AdminContext } from './context.js'
import { perCoordinator } from './group-routing.js'
import { flattenPartitions, groupBy, partitionMatch, type TopicPartition } from './routing.js'
import { failed, matchResults, type Outcome, valuesOrFirstError, valuesOrThrow } from './settle.js'
import { fetchTopicOffsets, partitionsOf, partitionsOfTopics } from './topic-offsets.js'
import {
  argsObject,
  arrayArg,
  asText,
  booleanArg,
  int64Arg,
  invalid,
  isRecord,
  kafkaJSInvalid,
  noDuplicates,
  partitionArg,
  show,
  stringArg,
  topicNameArg,
} from './validate.js'

/**
 * OffsetCommit v10 and OffsetFetch v10 name topics by id only; this client names them, so it stays
 * at v9, which every broker that has v10 also serves.
 */
const LAST_VERSION_WITH_TOPIC_NAMES = 9
/** OffsetFetch from v8 takes a list of groups. */
const FIRST_BATCHED_OFFSET_FETCH = 8

/** KafkaJS's special committed offsets that resolveOffsets turns into real ones. */
const EARLIEST_OFFSET = -2n
const LATEST_OFFSET = -1n

export interface SeekEntry {
  partition: number
  offset: string
}

export interface FetchOffsetsPartition extends SeekEntry {
  metadata: string | null
}

interface Commit extends TopicPartition {
  readonly offset: bigint
  readonly metadata: string | null
}

/**
 * The group's committed offset of every partition of `topics` ('-1' where nothing is committed),
 * or of every partition it has committed offsets for when no topics are given.
 */
export async function fetchOffsets(
  ctx: AdminContext,
  options: { groupId: string; topics?: string[]; resolveOffsets?: boolean },
): Promise<Array<{ topic: string; partitions: FetchOffsetsPartition[] }>> {
  const op = 'fetchOffsets'
  const args = argsObject(op, options)
  if (!args.groupId) kafkaJSInvalid(`Invalid groupId ${asText(args.groupId)}`)
  const groupId = stringArg(op, 'groupId', args.groupId)
  const rawTopics = args.topics || []
  if (!Array.isArray(rawTopics)) kafkaJSInvalid('Expected topics array to be set')
  const topics = (rawTopics as unknown[]).map((t, i) => topicNameArg(op, `topics[${i}]`, t))
  const resolveOffsets = booleanArg(op, 'resolveOffsets', args.resolveOffsets, false)
  const partitions = topics.length > 0 ? await partitionsOfTopics(ctx, topics) : undefined

  const response = await ctx.withCoordinator(op, groupId, (connection) =>
    fetchCommitted(connection, groupId, partitions),
  )
  let result = toFetchOffsets(op, groupId, response, partitions)
  if (resolveOffsets) {
    result = await Promise.all(
      result.map(async ({ topic, partitions: committed }) => {
        if (!committed.some((p) => isSpecial(p.offset))) return { topic, partitions: committed }
        const watermarks = new Map((await fetchTopicOffsets(ctx, topic)).map((w) => [w.partition, w]))
        const resolved = committed.map((p) => {
          const w = watermarks.get(p.partition)
          if (w === undefined || !isSpecial(p.offset)) return p
          return { ...p, offset: BigInt(p.offset) === EARLIEST_OFFSET ? w.low : w.high }
        })
        await commit(
          ctx,
          op,
          groupId,
          resolved.map((p) => ({ topic, partition: p.partition, offset: BigInt(p.offset), metadata: p.metadata })),
        )
        return { topic, partitions: resolved }
      }),
    )
  }
  return result
}

/** Commits the given offsets for the group; the group must have no active members. */
export async function setOffsets(
  ctx: AdminContext,
  options: { groupId: string; topic: string; partitions: SeekEntry[] },
): Promise<void> {
  const op = 'setOffsets'
  const args = argsObject(op, options)
  const { groupId, topic } = groupAndTopic(op, args)
  const raw = args.partitions
  if (!raw || !Array.isArray(raw) || raw.length === 0) kafkaJSInvalid('Invalid partitions')
  const entries = (raw as unknown[]).map((p, i) => {
    if (!isRecord(p)) invalid(op, `partitions[${i}] must be { partition, offset }, got ${show(p)}`)
    const partition = partitionArg(op, `partitions[${i}].partition`, p.partition)
    return { topic, partition, offset: int64Arg(op, `${topic}-${partition}: offset`, p.offset), metadata: null }
  })
  noDuplicates(op, 'partition', entries, (e) => String(e.partition))
  await assertNoRunningInstances(ctx, op, groupId)
  await commit(ctx, op, groupId, entries)
}

/** KafkaJS's checks of `groupId` and `topic`, with its texts. */
function groupAndTopic(op: string, args: Record<string, unknown>): { groupId: string; topic: string } {
  if (!args.groupId) kafkaJSInvalid(`Invalid groupId ${asText(args.groupId)}`)
  if (!args.topic) kafkaJSInvalid(`Invalid topic ${asText(args.topic)}`)
  return { groupId: stringArg(op, 'groupId', args.groupId), topic: topicNameArg(op, 'topic', args.topic) }
}

/**
 * Offsets are set as an admin only while no member runs (the group is Empty or Dead), as KafkaJS
 * checks before committing: a running member would commit its own position over them.
 */
async function assertNoRunningInstances(ctx: AdminContext, op: string, groupId: string): Promise<void> {
  const group = await ctx.withCoordinator(op, groupId, async (connection) => {
    const [described] = await describeGroupsOfEitherProtocol(connection, [groupId], false)
    // a coordinator still loading (or moved) answers with an error and no state: ask again
    if (described !== undefined && described.errorCode !== ErrorCode.NONE)
      throw protocolError(described.errorCode, `group ${groupId}`)
    return described
  })
  const state = group?.groupState || 'Dead'
  if (state !== 'Empty' && state !== 'Dead') {
    throw new KafkaJSNonRetriableError(`The consumer group must have no running instances, current state: ${state}`)
  }
}

/**
 * Commits, for every partition of the topic, its current log start (earliest) or high watermark
 * (latest, the default): real offsets, as Java's kafka-consumer-groups --reset-offsets does, so
 * that any client reading the group later starts there.
 */
export async function resetOffsets(
  ctx: AdminContext,
  options: { groupId: string; topic: string; earliest?: boolean },
): Promise<void> {
  const op = 'resetOffsets'
  const args = argsObject(op, options)
  const { groupId, topic } = groupAndTopic(op, args)
  const earliest = Boolean(args.earliest)
  await assertNoRunningInstances(ctx, op, groupId)
  const offsets = await fetchTopicOffsets(ctx, topic)
  await commit(
    ctx,
    op,
    groupId,
    offsets.map((o) => ({ topic, partition: o.partition, offset: BigInt(earliest ? o.low : o.high), metadata: null })),
  )
}

/** Removes the group's committed offsets of the given partitions (default: every partition of each topic). */
export async function deleteConsumerGroupOffsets(
  ctx: AdminContext,
  options: { groupId: string; topics: Array<{ topic: string; partitions?: number[] }> },
): Promise<void> {
  const op = 'deleteConsumerGroupOffsets'
  const args = argsObject(op, options)
  const groupId = stringArg(op, 'groupId', args.groupId)
  const requested = arrayArg<unknown>(op, 'topics', args.topics, { nonEmpty: true }).map((t, i) => {
    if (!isRecord(t)) invalid(op, `topics[${i}] must be { topic, partitions? }, got ${show(t)}`)
    const topic = topicNameArg(op, `topics[${i}].topic`, t.topic)
    const partitions =
      t.partitions === undefined || t.partitions === null
        ? undefined
        : arrayArg<unknown>(op, `topic ${topic}: partitions`, t.partitions, { nonEmpty: true }).map((p, j) =>
            partitionArg(op, `topic ${topic}: partitions[${j}]`, p),
          )
    return { topic, partitions }
  })
  noDuplicates(op, 'topic', requested, (t) => t.topic)
  const items: TopicPartition[] = []
  for (const { topic, partitions } of requested) {
    for (const partition of partitions ?? (await partitionsOf(ctx, topic))) items.push({ topic, partition })
  }
  const results = await perGroupPartition(ctx, op, groupId, items, async (connection, pending) => {
    const topics = [...groupBy(pending, (i) => i.topic)].map(([name, ps]) =>
      createOffsetDeleteRequestOffsetDeleteRequestTopic({
        name,
        partitions: ps.map((p) =>
          createOffsetDeleteRequestOffsetDeleteRequestPartition({ partitionIndex: p.partition }),
        ),
      }),
    )
    const response = await connection.send(OffsetDelete, OffsetDelete.createRequest({ groupId, topics }))
    if (response.errorCode !== ErrorCode.NONE) {
      const outcome = failed(protocolError(response.errorCode, `group ${groupId}`))
      return new Map(pending.map((i) => [i, outcome]))
    }
    return matchResults(pending, flattenPartitions(response.topics), partitionMatch)
  })
  valuesOrThrow(op, items, results, (i) => ({ groupId, topic: i.topic, partition: i.partition }))
}

/** Commits offsets as an admin; each partition succeeds or fails on its own. */
async function commit(ctx: AdminContext, op: string, groupId: string, commits: readonly Commit[]): Promise<void> {
  const results = await perGroupPartition(ctx, op, groupId, commits, async (connection, pending) => {
    const version = Math.min(connection.versionFor(OffsetCommit), LAST_VERSION_WITH_TOPIC_NAMES)
    const topics = [...groupBy(pending, (c) => c.topic)].map(([name, cs]) =>
      createOffsetCommitRequestOffsetCommitRequestTopic({
        name,
        topicId: ZERO_UUID,
        partitions: cs.map((c) =>
          createOffsetCommitRequestOffsetCommitRequestPartition({
            partitionIndex: c.partition,
            committedOffset: c.offset,
            committedMetadata: c.metadata,
          }),
        ),
      }),
    )
    const request = OffsetCommit.createRequest({ groupId, generationIdOrMemberEpoch: -1, memberId: '', topics })
    const response = await connection.send(OffsetCommit, request, { version })
    const outcomes = matchResults(pending, flattenPartitions(response.topics), partitionMatch)
    for (const [c, outcome] of outcomes) {
      if (outcome.error instanceof KafkaJSProtocolError && ACTIVE_GROUP_ERRORS.has(outcome.error.errorCode)) {
        const detail = `${c.topic}-${c.partition}: the consumer group must have no running instances`
        outcomes.set(c, failed(protocolError(outcome.error.errorCode, detail)))
      }
    }
    return outcomes
  })
  // as KafkaJS: the first partition the coordinator refused fails the call
  valuesOrFirstError(commits, results)
}

/** Partitions of one group's request, on its coordinator (see perCoordinator). */
function perGroupPartition<K extends TopicPartition>(
  ctx: AdminContext,
  op: string,
  groupId: string,
  items: readonly K[],
  send: (connection: Connection, pending: readonly K[]) => Promise<ReadonlyMap<K, Outcome<unknown>>>,
): Promise<Map<K, Outcome<unknown>>> {
  return perCoordinator(ctx, op, items, () => groupId, send)
}

async function fetchCommitted(
  connection: Connection,
  groupId: string,
  partitions: ReadonlyMap<string, number[]> | undefined,
): Promise<OffsetFetchResponse> {
  const version = Math.min(connection.versionFor(OffsetFetch), LAST_VERSION_WITH_TOPIC_NAMES)
  const wanted = partitions === undefined ? null : [...partitions]
  const request =
    version >= FIRST_BATCHED_OFFSET_FETCH
      ? OffsetFetch.createRequest({
          groups: [
            createOffsetFetchRequestOffsetFetchRequestGroup({
              groupId,
              topics:
                wanted?.map(([name, partitionIndexes]) =>
                  createOffsetFetchRequestOffsetFetchRequestTopics({ name, topicId: ZERO_UUID, partitionIndexes }),
                ) ?? null,
            }),
          ],
        })
      : OffsetFetch.createRequest({
          groupId,
          topics:
            wanted?.map(([name, partitionIndexes]) =>
              createOffsetFetchRequestOffsetFetchRequestTopic({ name, partitionIndexes }),
            ) ?? null,
        })
  const response = await connection.send(OffsetFetch, request, { version })
  // the group's own error (coordinator loading or moved) fails the whole fetch, to be retried
  const groupError = version >= FIRST_BATCHED_OFFSET_FETCH ? (response.groups[0]?.errorCode ?? 0) : response.errorCode
  if (groupError !== ErrorCode.NONE) throw protocolError(groupError, `group ${groupId}`)
  const unstable = committedPartitions(response).find((p) => p.errorCode === ErrorCode.UNSTABLE_OFFSET_COMMIT)
  if (unstable !== undefined)
    throw protocolError(unstable.errorCode, `group ${groupId}, ${unstable.topic}-${unstable.partitionIndex}`)
  return response
}

function committedPartitions(response: OffsetFetchResponse) {
  const topics = response.groups.length > 0 ? response.groups[0]!.topics : response.topics
  return topics.flatMap((t) => t.partitions.map((p) => ({ ...p, topic: t.name })))
}

function toFetchOffsets(
  op: string,
  groupId: string,
  response: OffsetFetchResponse,
  partitions: ReadonlyMap<string, number[]> | undefined,
): Array<{ topic: string; partitions: FetchOffsetsPartition[] }> {
  const committed = new Map(committedPartitions(response).map((p) => [`${p.topic}:${p.partitionIndex}`, p]))
  const items: TopicPartition[] =
    partitions === undefined
      ? [...committed.values()].map((p) => ({ topic: p.topic, partition: p.partitionIndex }))
      : [...partitions].flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })))
  const results = new Map<TopicPartition, Outcome<FetchOffsetsPartition>>(
    items.map((item) => {
      const p = committed.get(`${item.topic}:${item.partition}`)
      // a partition the coordinator does not mention has no committed offset
      if (p === undefined) return [item, { value: { partition: item.partition, offset: '-1', metadata: null } }]
      if (p.errorCode !== ErrorCode.NONE) {
        return [item, failed(protocolError(p.errorCode, `group ${groupId}, ${item.topic}-${item.partition}`))]
      }
      return [
        item,
        { value: { partition: item.partition, offset: p.committedOffset.toString(), metadata: p.metadata || null } },
      ]
    }),
  )
  const values = valuesOrThrow(op, items, results, (i) => ({ groupId, topic: i.topic, partition: i.partition }))
  const byTopic = groupBy(
    items.map((item, i) => ({ topic: item.topic, value: values[i]! })),
    (e) => e.topic,
  )
  return [...byTopic].map(([topic, entries]) => ({ topic, partitions: entries.map((e) => e.value) }))
}

/** Commit errors that mean the group has active members, whose own commits an admin may not override. */
const ACTIVE_GROUP_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.REBALANCE_IN_PROGRESS,
  ErrorCode.STALE_MEMBER_EPOCH,
])

function isSpecial(offset: string): boolean {
  const value = BigInt(offset)
  return value === EARLIEST_OFFSET || value === LATEST_OFFSET
}
