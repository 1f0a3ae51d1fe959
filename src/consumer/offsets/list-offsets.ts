// Looks up offsets by timestamp with ListOffsets, one request per partition leader: the earliest
// (-2) or latest (-1) offset when a partition has no committed position or its position is out of
// range, and the high watermarks behind lag(). Under read_committed "latest" is the last stable
// offset, as in Java.

import type { Cluster } from '../../cluster/cluster.js'
import { isStaleMetadataError } from '../../cluster/stale-metadata.js'
import type { ResolvedRetryOptions } from '../../common/backoff.js'
import { retry } from '../../common/backoff.js'
import { ErrorCode, protocolError } from '../../protocol/generated/errors.js'
import {
  createListOffsetsRequestListOffsetsPartition,
  createListOffsetsRequestListOffsetsTopic,
  ListOffsets,
  type ListOffsetsRequestListOffsetsTopic,
} from '../../protocol/generated/list-offsets.js'
import { PartitionMap, type TopicPartition } from '../topic-partition.js'

export const EARLIEST_TIMESTAMP = -2n
export const LATEST_TIMESTAMP = -1n

export interface OffsetQuery extends TopicPartition {
  /** A timestamp in ms, EARLIEST_TIMESTAMP or LATEST_TIMESTAMP. */
  readonly timestamp: bigint
}

/**
 * The offset for each query, retrying (with metadata refresh) on errors that say the leader moved.
 * A partition whose timestamp is after its last record gets -1 from the broker; that is returned.
 */
export async function listOffsets(
  cluster: Cluster,
  queries: readonly OffsetQuery[],
  options: { isolationLevel: number; retry: ResolvedRetryOptions },
): Promise<PartitionMap<bigint>> {
  const result = new PartitionMap<bigint>()
  let pending = [...queries]
  await retry(async () => {
    await cluster.refreshMetadataIfNecessary(new Set(pending.map((q) => q.topic)))
    const byLeader = new Map<number, OffsetQuery[]>()
    for (const q of pending) {
      const leader = await cluster.leaderFor(q.topic, q.partition)
      const list = byLeader.get(leader)
      if (list === undefined) byLeader.set(leader, [q])
      else list.push(q)
    }
    const failed: OffsetQuery[] = []
    let firstError: unknown
    let fatal: Error | undefined
    await Promise.all(
      [...byLeader].map(async ([leader, list]) => {
        try {
          const connection = await cluster.connectionToNode(leader)
          const response = await connection.send(
            ListOffsets,
            ListOffsets.createRequest({ isolationLevel: options.isolationLevel, topics: toTopics(list) }),
          )
          for (const t of response.topics) {
            for (const p of t.partitions) {
              if (p.errorCode === ErrorCode.NONE) {
                result.set(t.name, p.partitionIndex, p.offset)
                continue
              }
              const error = protocolError(p.errorCode, `ListOffsets ${t.name}-${p.partitionIndex}`)
              if (!error.retriable && !isStaleMetadataError(error)) {
                fatal ??= error
                continue
              }
              cluster.noteError(error)
              firstError ??= error
              failed.push({
                topic: t.name,
                partition: p.partitionIndex,
                timestamp: findTimestamp(list, t.name, p.partitionIndex),
              })
            }
          }
        } catch (error) {
          cluster.noteError(error)
          firstError ??= error
          for (const q of list) if (!result.has(q.topic, q.partition)) failed.push(q)
        }
      }),
    )
    if (fatal !== undefined) throw fatal
    pending = failed
    if (failed.length > 0) throw firstError
  }, options.retry)
  return result
}

function findTimestamp(list: readonly OffsetQuery[], topic: string, partition: number): bigint {
  return list.find((q) => q.topic === topic && q.partition === partition)?.timestamp ?? LATEST_TIMESTAMP
}

function toTopics(queries: readonly OffsetQuery[]): ListOffsetsRequestListOffsetsTopic[] {
  const byTopic = new Map<string, ListOffsetsRequestListOffsetsTopic>()
  for (const q of queries) {
    let topic = byTopic.get(q.topic)
    if (topic === undefined) {
      topic = createListOffsetsRequestListOffsetsTopic({ name: q.topic })
      byTopic.set(q.topic, topic)
    }
    topic.partitions.push(
      createListOffsetsRequestListOffsetsPartition({ partitionIndex: q.partition, timestamp: q.timestamp }),
    )
  }
  return [...byTopic.values()]
}
