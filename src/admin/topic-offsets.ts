// Partition offsets from the partition leaders (ListOffsets, batched per leader): KafkaJS's
// fetchTopicOffsets and fetchTopicOffsetsByTimestamp, and listOffsets with earliest, latest,
// max-timestamp (KIP-734), the tiered-storage specs or a timestamp, per partition.

import {
  createListOffsetsRequestListOffsetsPartition,
  createListOffsetsRequestListOffsetsTopic,
  ListOffsets,
} from '../protocol/generated/list-offsets.js'
import type { AdminContext } from './context.js'
import { type IsolationLevel, IsolationLevels, type OffsetSpecName, OffsetSpecs } from './enums.js'
import { requestMetadata } from './metadata-request.js'
import {
  flattenPartitions,
  groupBy,
  partitionMatch,
  routeToLeaders,
  sendPerNode,
  type TopicPartition,
} from './routing.js'
import { matchResults, type Outcome, settle, valuesOrFirstError, valuesOrThrow } from './settle.js'
import {
  argsObject,
  arrayArg,
  asText,
  enumArg,
  int64Arg,
  invalid,
  isRecord,
  kafkaJSInvalid,
  noDuplicates,
  partitionArg,
  show,
  topicNameArg,
} from './validate.js'

/** The special timestamps ListOffsets takes for each spec (ListOffsetsRequest in kafka-clients). */
const SPEC_TIMESTAMPS: Readonly<Record<OffsetSpecName, bigint>> = {
  latest: -1n,
  earliest: -2n,
  'max-timestamp': -3n,
  'earliest-local': -4n,
  'latest-tiered': -5n,
}

/** A spec name, or a timestamp (ms since the epoch; a number or KafkaJS-style string). */
export type OffsetSpec = OffsetSpecName | number | string

export interface ListOffsetsOptions {
  topics: Array<{
    topic: string
    /** Default: every partition of the topic, with the topic's offsetSpec. */
    partitions?: Array<{ partition: number; offsetSpec?: OffsetSpec }>
    /** Default 'latest'. */
    offsetSpec?: OffsetSpec
  }>
  /** Default READ_UNCOMMITTED; READ_COMMITTED makes 'latest' the last stable offset. */
  isolationLevel?: IsolationLevel
}

export interface ListedOffset {
  partition: number
  /** -1 when there is none (a timestamp after the last record). */
  offset: string
  /** The record's timestamp for timestamp and max-timestamp lookups, else -1. */
  timestamp: string
  leaderEpoch: number
}

interface OffsetQuery extends TopicPartition {
  readonly timestamp: bigint
}

interface OffsetAnswer {
  offset: bigint
  timestamp: bigint
  leaderEpoch: number
}

/**
 * Looks up one offset per partition at the partitions' leaders, one request per leader, retrying
 * partitions whose leader moved. Each query succeeds or fails on its own.
 */
export async function queryOffsets(
  ctx: AdminContext,
  operation: string,
  queries: readonly OffsetQuery[],
  isolationLevel: IsolationLevel = IsolationLevels.READ_UNCOMMITTED,
): Promise<Map<OffsetQuery, Outcome<OffsetAnswer>>> {
  return settle(
    queries,
    async (pending) =>
      sendPerNode(ctx, await routeToLeaders(ctx, pending), async (connection, items) => {
        const topics = [...groupBy(items, (q) => q.topic)].map(([name, partitions]) =>
          createListOffsetsRequestListOffsetsTopic({
            name,
            partitions: partitions.map((q) =>
              createListOffsetsRequestListOffsetsPartition({ partitionIndex: q.partition, timestamp: q.timestamp }),
            ),
          }),
        )
        const request = ListOffsets.createRequest({ replicaId: -1, isolationLevel, topics, timeoutMs: 0 })
        const response = await connection.send(ListOffsets, request)
        return matchResults(items, flattenPartitions(response.topics), {
          ...partitionMatch,
          value: (r) => ({ offset: r.offset, timestamp: r.timestamp, leaderEpoch: r.leaderEpoch }),
        })
      }),
    { operation, retry: ctx.retry, logger: ctx.logger, beforeRetry: (error) => ctx.cluster.noteError(error) },
  )
}

/** The partition ids of a topic, from fresh metadata; throws if the topic does not exist. */
export async function partitionsOf(ctx: AdminContext, topic: string): Promise<number[]> {
  return (await partitionsOfTopics(ctx, [topic])).get(topic)!
}

/** The partition ids of each topic, from one fresh Metadata request; names each topic that does not exist. */
export async function partitionsOfTopics(ctx: AdminContext, topics: readonly string[]): Promise<Map<string, number[]>> {
  const unique = [...new Set(topics)]
  const response = await requestMetadata(ctx, { topics: unique })
  const results = matchResults(unique, response.topics, {
    keyOfItem: (name) => name,
    keyOfResult: (t) => t.name ?? '',
    value: (t) => t.partitions.map((p) => p.partitionIndex).sort((a, b) => a - b),
    describe: (name) => `topic ${name}`,
  })
  // as KafkaJS: the first topic metadata refuses (unknown, not authorized) fails the call
  const partitions = valuesOrFirstError(unique, results)
  return new Map(unique.map((name, i) => [name, partitions[i]!]))
}

/** KafkaJS: per partition the high watermark as `offset` and `high`, and the log start as `low`. */
export async function fetchTopicOffsets(
  ctx: AdminContext,
  topicArg: unknown,
): Promise<Array<{ partition: number; offset: string; high: string; low: string }>> {
  const op = 'fetchTopicOffsets'
  const topic = kafkaJSTopic(topicArg)
  const partitions = await partitionsRetried(ctx, op, topic)
  const [high, low] = await Promise.all([
    offsetsAt(ctx, op, topic, partitions, SPEC_TIMESTAMPS.latest),
    offsetsAt(ctx, op, topic, partitions, SPEC_TIMESTAMPS.earliest),
  ])
  return partitions.map((partition, i) => {
    const offset = high[i]!.offset.toString()
    return { partition, offset, high: offset, low: low[i]!.offset.toString() }
  })
}

/**
 * KafkaJS: per partition the first offset whose record timestamp is at or after `timestamp`, or
 * the high watermark when there is none (or no timestamp is given).
 */
export async function fetchTopicOffsetsByTimestamp(
  ctx: AdminContext,
  topicArg: unknown,
  timestampArg?: unknown,
): Promise<Array<{ partition: number; offset: string }>> {
  const op = 'fetchTopicOffsetsByTimestamp'
  const topic = kafkaJSTopic(topicArg)
  // negative values are ListOffsets' own: -1 latest, -2 earliest, as KafkaJS passes them on
  const timestamp =
    timestampArg === undefined || timestampArg === null ? undefined : int64Arg(op, 'timestamp', timestampArg)
  const partitions = await partitionsRetried(ctx, op, topic)
  const [high, found] = await Promise.all([
    offsetsAt(ctx, op, topic, partitions, SPEC_TIMESTAMPS.latest),
    timestamp === undefined ? undefined : offsetsAt(ctx, op, topic, partitions, timestamp),
  ])
  return partitions.map((partition, i) => {
    const offset = found?.[i]?.offset ?? -1n
    return { partition, offset: (offset >= 0n ? offset : high[i]!.offset).toString() }
  })
}

/** Java's Admin.listOffsets: one offset per partition by spec or timestamp, per topic in the order given. */
export async function listOffsets(
  ctx: AdminContext,
  options: ListOffsetsOptions,
): Promise<Array<{ topic: string; partitions: ListedOffset[] }>> {
  const op = 'listOffsets'
  const args = argsObject(op, options)
  const isolationLevel =
    args.isolationLevel === undefined
      ? IsolationLevels.READ_UNCOMMITTED
      : enumArg(op, 'isolationLevel', IsolationLevels, args.isolationLevel)
  const requested = arrayArg<unknown>(op, 'topics', args.topics, { nonEmpty: true }).map((t, i) => {
    if (!isRecord(t)) invalid(op, `topics[${i}] must be { topic, partitions?, offsetSpec? }, got ${show(t)}`)
    const topic = topicNameArg(op, `topics[${i}].topic`, t.topic)
    const topicSpec =
      t.offsetSpec === undefined
        ? SPEC_TIMESTAMPS.latest
        : specTimestamp(op, `topic ${topic}: offsetSpec`, t.offsetSpec)
    const partitions =
      t.partitions === undefined || t.partitions === null
        ? undefined
        : arrayArg<unknown>(op, `topic ${topic}: partitions`, t.partitions, { nonEmpty: true }).map((p, j) => {
            if (!isRecord(p))
              invalid(op, `topic ${topic}: partitions[${j}] must be { partition, offsetSpec? }, got ${show(p)}`)
            const partition = partitionArg(op, `topic ${topic}: partitions[${j}].partition`, p.partition)
            const timestamp =
              p.offsetSpec === undefined
                ? topicSpec
                : specTimestamp(op, `${topic}-${partition}: offsetSpec`, p.offsetSpec)
            return { partition, timestamp }
          })
    if (partitions !== undefined) noDuplicates(op, `topic ${topic}: partition`, partitions, (p) => String(p.partition))
    return { topic, topicSpec, partitions }
  })
  noDuplicates(op, 'topic', requested, (t) => t.topic)
  const unlisted = requested.filter((t) => t.partitions === undefined).map((t) => t.topic)
  const allPartitions = unlisted.length > 0 ? await partitionsOfTopics(ctx, unlisted) : new Map<string, number[]>()
  const perTopic = requested.map((t) => ({
    topic: t.topic,
    queries: (
      t.partitions ?? allPartitions.get(t.topic)!.map((partition) => ({ partition, timestamp: t.topicSpec }))
    ).map((p): OffsetQuery => ({ topic: t.topic, partition: p.partition, timestamp: p.timestamp })),
  }))
  const queries = perTopic.flatMap((t) => t.queries)
  const results = await queryOffsets(ctx, op, queries, isolationLevel)
  const answers = valuesOrThrow(op, queries, results, (q) => ({ topic: q.topic, partition: q.partition }))
  const byQuery = new Map(queries.map((q, i) => [q, answers[i]!]))
  return perTopic.map(({ topic, queries: topicQueries }) => ({
    topic,
    partitions: topicQueries.map((q) => {
      const a = byQuery.get(q)!
      return {
        partition: q.partition,
        offset: a.offset.toString(),
        timestamp: a.timestamp.toString(),
        leaderEpoch: a.leaderEpoch,
      }
    }),
  }))
}

/** One lookup for every partition of a topic at the same timestamp; answers in partition order, or throws. */
async function offsetsAt(
  ctx: AdminContext,
  operation: string,
  topic: string,
  partitions: readonly number[],
  timestamp: bigint,
): Promise<OffsetAnswer[]> {
  const queries = partitions.map((partition) => ({ topic, partition, timestamp }))
  const results = await queryOffsets(ctx, operation, queries)
  return valuesOrThrow(operation, queries, results, (q) => ({ topic: q.topic, partition: q.partition }))
}

/**
 * The topic's partitions, asked again while metadata says the topic is unknown (a new topic may
 * not be known everywhere yet), ending as KafkaJS's retrier does: KafkaJSNumberOfRetriesExceeded.
 */
function partitionsRetried(ctx: AdminContext, op: string, topic: string): Promise<number[]> {
  return ctx.withRetry(op, () => partitionsOf(ctx, topic))
}

/** KafkaJS's check of a topic argument, with its text. */
function kafkaJSTopic(value: unknown): string {
  if (!value || typeof value !== 'string') kafkaJSInvalid(`Invalid topic ${asText(value)}`)
  return value
}

function specTimestamp(op: string, name: string, spec: unknown): bigint {
  if (typeof spec === 'string' && spec in SPEC_TIMESTAMPS) return SPEC_TIMESTAMPS[spec as OffsetSpecName]
  if (typeof spec === 'string' && !/^\d+$/.test(spec)) {
    invalid(op, `${name} must be one of ${Object.values(OffsetSpecs).join(', ')} or a timestamp, got ${show(spec)}`)
  }
  const timestamp = int64Arg(op, name, spec)
  if (timestamp < 0n) invalid(op, `${name}: a timestamp must be >= 0, got ${show(spec)}`)
  return timestamp
}
