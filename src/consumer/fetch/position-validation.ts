// Validating fetch positions after a leader change (KIP-320, Java's OffsetsForLeaderEpochUtils and
// SubscriptionState.maybeCompleteValidation). When a partition's leader epoch moves past the one
// its position was fetched under, the new leader is asked with OffsetForLeaderEpoch where the epoch
// of the last fetched batch ends in its log. An end at or after the fetch position confirms it; an
// end before it means the log was truncated under the position (an unclean leader election), and
// fetching goes on from where the logs diverge instead of skipping or re-reading silently; a leader
// that does not know the epoch at all leaves the reset policy to find a position.

import type { Cluster } from '../../cluster/cluster.js'
import { isStaleMetadataError } from '../../cluster/stale-metadata.js'
import { KafkaJSServerDoesNotSupportApiKey } from '../../errors.js'
import { ErrorCode, protocolError } from '../../protocol/generated/errors.js'
import {
  createOffsetForLeaderEpochRequestOffsetForLeaderPartition,
  createOffsetForLeaderEpochRequestOffsetForLeaderTopic,
  OffsetForLeaderEpoch,
  type OffsetForLeaderEpochRequestOffsetForLeaderTopic,
} from '../../protocol/generated/offset-for-leader-epoch.js'
import { PartitionMap, type TopicPartition } from '../topic-partition.js'

export interface EpochQuery extends TopicPartition {
  /** The leader epoch metadata shows now (the broker fences a request from an older one). */
  readonly currentLeaderEpoch: number
  /** The epoch of the last batch fetched before the position. */
  readonly leaderEpoch: number
}

/** The replica id a consumer sends: the leader answers (a debugging id, the schema's default -2, lets a follower). */
const CONSUMER_REPLICA_ID = -1

/** One partition's answer: the end offset of the asked epoch (or of the latest one before it). */
export interface EpochEndOffset {
  readonly errorCode: number
  readonly leaderEpoch: number
  readonly endOffset: bigint
}

/** What a validation found for a position. */
export type ValidationOutcome =
  | { readonly kind: 'valid' }
  /** The leader's log diverges at `offset`, before the fetch position. */
  | { readonly kind: 'truncated'; readonly offset: bigint }
  /** The leader knows no epoch at or before the asked one: the reset policy finds a position. */
  | { readonly kind: 'reset' }
  /** Metadata is stale (leader moved, epoch fenced or unknown to the broker): validate again later. */
  | { readonly kind: 'retry'; readonly error: Error }
  | { readonly kind: 'fatal'; readonly error: Error }

/** The outcome for a fetch position from the leader's answer about its epoch. */
export function validationOutcome(
  tp: TopicPartition,
  fetchPosition: bigint,
  answer: EpochEndOffset,
): ValidationOutcome {
  if (answer.errorCode !== ErrorCode.NONE) {
    const error = protocolError(answer.errorCode, `OffsetForLeaderEpoch ${tp.topic}-${tp.partition}`)
    return error.retriable || isStaleMetadataError(error) ? { kind: 'retry', error } : { kind: 'fatal', error }
  }
  if (answer.endOffset < 0n || answer.leaderEpoch < 0) return { kind: 'reset' }
  if (answer.endOffset < fetchPosition) return { kind: 'truncated', offset: answer.endOffset }
  return { kind: 'valid' }
}

/**
 * Asks each partition's leader where the queried epochs end. A leader without OffsetForLeaderEpoch
 * leaves its partitions out (nothing can be validated there; Java then trusts the position);
 * other failures of a leader's request are thrown.
 */
export async function epochEndOffsets(
  cluster: Cluster,
  queries: readonly EpochQuery[],
): Promise<{ answers: PartitionMap<EpochEndOffset>; unsupported: TopicPartition[] }> {
  const answers = new PartitionMap<EpochEndOffset>()
  const unsupported: TopicPartition[] = []
  const byLeader = new Map<number, EpochQuery[]>()
  for (const q of queries) {
    const leader = await cluster.leaderFor(q.topic, q.partition)
    const list = byLeader.get(leader)
    if (list === undefined) byLeader.set(leader, [q])
    else list.push(q)
  }
  await Promise.all(
    [...byLeader].map(async ([leader, list]) => {
      const connection = await cluster.connectionToNode(leader)
      try {
        connection.versionFor(OffsetForLeaderEpoch)
      } catch (error) {
        if (!(error instanceof KafkaJSServerDoesNotSupportApiKey)) throw error
        unsupported.push(...list)
        return
      }
      const response = await connection.send(
        OffsetForLeaderEpoch,
        OffsetForLeaderEpoch.createRequest({ replicaId: CONSUMER_REPLICA_ID, topics: toTopics(list) }),
      )
      for (const t of response.topics) {
        for (const p of t.partitions) {
          answers.set(t.topic, p.partition, {
            errorCode: p.errorCode,
            leaderEpoch: p.leaderEpoch,
            endOffset: p.endOffset,
          })
        }
      }
    }),
  )
  return { answers, unsupported }
}

function toTopics(queries: readonly EpochQuery[]): OffsetForLeaderEpochRequestOffsetForLeaderTopic[] {
  const byTopic = new Map<string, OffsetForLeaderEpochRequestOffsetForLeaderTopic>()
  for (const q of queries) {
    let topic = byTopic.get(q.topic)
    if (topic === undefined) {
      topic = createOffsetForLeaderEpochRequestOffsetForLeaderTopic({ topic: q.topic })
      byTopic.set(q.topic, topic)
    }
    topic.partitions.push(
      createOffsetForLeaderEpochRequestOffsetForLeaderPartition({
        partition: q.partition,
        currentLeaderEpoch: q.currentLeaderEpoch,
        leaderEpoch: q.leaderEpoch,
      }),
    )
  }
  return [...byTopic.values()]
}
