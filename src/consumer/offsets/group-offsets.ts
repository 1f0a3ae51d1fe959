// Committed offsets of a consumer group: OffsetFetch reads them, OffsetCommit stores them, both at
// the group coordinator. Requests that fail because the coordinator moved or is loading are retried
// here (after looking the coordinator up again); errors that concern the membership
// (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_*, STALE_MEMBER_EPOCH) are
// thrown to the caller, which knows what they mean for its partitions.

import type { Cluster } from '../../cluster/cluster.js'
import { CoordinatorType } from '../../cluster/coordinator-lookup.js'
import { type ResolvedRetryOptions, retry } from '../../common/backoff.js'
import { KafkaJSProtocolError } from '../../errors.js'
import type { Connection } from '../../network/connection.js'
import { ErrorCode, protocolError } from '../../protocol/generated/errors.js'
import {
  createOffsetCommitRequestOffsetCommitRequestPartition,
  createOffsetCommitRequestOffsetCommitRequestTopic,
  OffsetCommit,
  type OffsetCommitRequestOffsetCommitRequestTopic,
} from '../../protocol/generated/offset-commit.js'
import {
  createOffsetFetchRequestOffsetFetchRequestGroup,
  createOffsetFetchRequestOffsetFetchRequestTopic,
  createOffsetFetchRequestOffsetFetchRequestTopics,
  OffsetFetch,
} from '../../protocol/generated/offset-fetch.js'
import { ZERO_UUID } from '../../protocol/primitives/uuid.js'
import { PartitionMap, type TopicPartition } from '../topic-partition.js'

export interface CommittedOffset {
  /** -1n when the group has no offset for the partition. */
  readonly offset: bigint
  readonly leaderEpoch: number
  readonly metadata: string | null
}

export interface OffsetToCommit extends TopicPartition {
  readonly offset: bigint
  readonly leaderEpoch?: number
  readonly metadata?: string | null
}

/** Who commits: the classic protocol's generation and member id, or KIP-848's member epoch. */
export interface CommitIdentity {
  readonly generationIdOrMemberEpoch: number
  readonly memberId: string
  readonly groupInstanceId: string | null
}

/** Errors that mean the coordinator must be looked up again or is not ready: retried here. */
const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.REQUEST_TIMED_OUT,
])

/** The first versions that name topics by id. */
const FIRST_TOPIC_ID_VERSION = 10
/** OffsetFetch from v8 takes a list of groups. */
const FIRST_GROUPS_VERSION = 8

export class GroupOffsets {
  readonly #cluster: Cluster
  readonly #metadata: Cluster
  readonly #groupId: string
  readonly #retry: ResolvedRetryOptions

  /** `cluster` reaches the coordinator; `metadata` (default the same) knows the topics' ids. */
  constructor(cluster: Cluster, groupId: string, retryOptions: ResolvedRetryOptions, metadata: Cluster = cluster) {
    this.#cluster = cluster
    this.#metadata = metadata
    this.#groupId = groupId
    this.#retry = retryOptions
  }

  /** The committed offsets of `partitions` (requireStable: pending transactional commits are waited for). */
  fetch(
    partitions: readonly TopicPartition[],
    member?: { memberId: string; memberEpoch: number },
  ): Promise<PartitionMap<CommittedOffset>> {
    return this.#withCoordinator(async (connection) => {
      const result = new PartitionMap<CommittedOffset>()
      if (partitions.length === 0) return result
      let version = connection.versionFor(OffsetFetch)
      const ids = this.#topicIds(partitions)
      if (ids === undefined) version = Math.min(version, FIRST_TOPIC_ID_VERSION - 1)
      const byTopic = groupPartitions(partitions)
      const request =
        version >= FIRST_GROUPS_VERSION
          ? OffsetFetch.createRequest({
              requireStable: true,
              groups: [
                createOffsetFetchRequestOffsetFetchRequestGroup({
                  groupId: this.#groupId,
                  memberId: member?.memberId ?? null,
                  memberEpoch: member?.memberEpoch ?? -1,
                  topics: [...byTopic].map(([name, partitionIndexes]) =>
                    createOffsetFetchRequestOffsetFetchRequestTopics({
                      name,
                      topicId: ids?.get(name) ?? ZERO_UUID,
                      partitionIndexes,
                    }),
                  ),
                }),
              ],
            })
          : OffsetFetch.createRequest({
              groupId: this.#groupId,
              requireStable: true,
              topics: [...byTopic].map(([name, partitionIndexes]) =>
                createOffsetFetchRequestOffsetFetchRequestTopic({ name, partitionIndexes }),
              ),
            })
      const response = await connection.send(OffsetFetch, request, { version })
      const names = invert(ids)
      const topics =
        version >= FIRST_GROUPS_VERSION
          ? (() => {
              const group = response.groups.find((g) => g.groupId === this.#groupId)
              if (group === undefined) throw protocolError(ErrorCode.UNKNOWN_SERVER_ERROR, 'OffsetFetch: group missing')
              if (group.errorCode !== ErrorCode.NONE)
                throw protocolError(group.errorCode, `OffsetFetch ${this.#groupId}`)
              return group.topics.map((t) => ({
                name: version >= FIRST_TOPIC_ID_VERSION ? (names.get(t.topicId) ?? t.name) : t.name,
                partitions: t.partitions,
              }))
            })()
          : (() => {
              if (response.errorCode !== ErrorCode.NONE) {
                throw protocolError(response.errorCode, `OffsetFetch ${this.#groupId}`)
              }
              return response.topics
            })()
      for (const t of topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE)
            throw protocolError(p.errorCode, `OffsetFetch ${t.name}-${p.partitionIndex}`)
          result.set(t.name, p.partitionIndex, {
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch,
            metadata: p.metadata,
          })
        }
      }
      return result
    })
  }

  /** Commits `offsets`; throws the first partition error (membership errors are not retried). */
  commit(offsets: readonly OffsetToCommit[], identity: CommitIdentity): Promise<void> {
    if (offsets.length === 0) return Promise.resolve()
    return this.#withCoordinator(async (connection) => {
      let version = connection.versionFor(OffsetCommit)
      const ids = this.#topicIds(offsets)
      if (ids === undefined) version = Math.min(version, FIRST_TOPIC_ID_VERSION - 1)
      const topics = new Map<string, OffsetCommitRequestOffsetCommitRequestTopic>()
      for (const o of offsets) {
        let topic = topics.get(o.topic)
        if (topic === undefined) {
          topic = createOffsetCommitRequestOffsetCommitRequestTopic({
            name: o.topic,
            topicId: ids?.get(o.topic) ?? ZERO_UUID,
          })
          topics.set(o.topic, topic)
        }
        topic.partitions.push(
          createOffsetCommitRequestOffsetCommitRequestPartition({
            partitionIndex: o.partition,
            committedOffset: o.offset,
            committedLeaderEpoch: o.leaderEpoch ?? -1,
            committedMetadata: o.metadata ?? null,
          }),
        )
      }
      const response = await connection.send(
        OffsetCommit,
        OffsetCommit.createRequest({
          groupId: this.#groupId,
          generationIdOrMemberEpoch: identity.generationIdOrMemberEpoch,
          memberId: identity.memberId,
          groupInstanceId: identity.groupInstanceId,
          topics: [...topics.values()],
        }),
        { version },
      )
      const names = invert(ids)
      for (const t of response.topics) {
        const name = version >= FIRST_TOPIC_ID_VERSION ? (names.get(t.topicId) ?? t.name) : t.name
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE)
            throw protocolError(p.errorCode, `OffsetCommit ${name}-${p.partitionIndex}`)
        }
      }
    })
  }

  /** Topic ids from metadata when every topic has one, else undefined (the request then names topics). */
  #topicIds(partitions: readonly TopicPartition[]): Map<string, string> | undefined {
    let metadata: ReturnType<Cluster['metadata']['topics']['get']>
    const ids = new Map<string, string>()
    for (const { topic } of partitions) {
      if (ids.has(topic)) continue
      try {
        metadata = this.#metadata.metadata.topics.get(topic)
      } catch {
        return undefined
      }
      if (metadata === undefined || metadata.topicId === ZERO_UUID) return undefined
      ids.set(topic, metadata.topicId)
    }
    return ids
  }

  /**
   * Runs `fn` against the coordinator, finding it again and retrying when it moved or is loading.
   * Other protocol errors (membership, authorization) leave the retry loop at once, as they are.
   */
  async #withCoordinator<T>(fn: (connection: Connection) => Promise<T>): Promise<T> {
    const outcome = await retry(async (): Promise<{ value: T } | { error: unknown }> => {
      const connection = await this.#cluster.coordinatorConnection(CoordinatorType.GROUP, this.#groupId)
      try {
        return { value: await fn(connection) }
      } catch (error) {
        this.#cluster.invalidateCoordinatorOn(CoordinatorType.GROUP, this.#groupId, error)
        if (error instanceof KafkaJSProtocolError && !isRetriedHere(error)) return { error }
        throw error
      }
    }, this.#retry)
    if ('error' in outcome) throw outcome.error
    return outcome.value
  }
}

/** Errors retried in place: the coordinator moved or is loading, or the offsets are in transition. */
function isRetriedHere(error: KafkaJSProtocolError): boolean {
  return (
    COORDINATOR_ERRORS.has(error.errorCode) ||
    error.errorCode === ErrorCode.UNSTABLE_OFFSET_COMMIT ||
    error.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
  )
}

function groupPartitions(partitions: readonly TopicPartition[]): Map<string, number[]> {
  const byTopic = new Map<string, number[]>()
  for (const { topic, partition } of partitions) {
    const list = byTopic.get(topic)
    if (list === undefined) byTopic.set(topic, [partition])
    else if (!list.includes(partition)) list.push(partition)
  }
  return byTopic
}

function invert(ids: Map<string, string> | undefined): Map<string, string> {
  const out = new Map<string, string>()
  if (ids !== undefined) for (const [name, id] of ids) out.set(id, name)
  return out
}
