// Commits the offsets the application has resolved, with KafkaJS's semantics: resolving a message
// marks the offset after it for commit; with autoCommit the resolved offsets are committed after
// each batch, or when autoCommitInterval / autoCommitThreshold say so, and always on revocation and
// shutdown. Commits go one at a time, in order; a commit asked for while one is in flight waits
// and then commits whatever is resolved by then.
//
// Commits need the group membership's identity (generation or member epoch). While a rebalance is
// in progress there is none: automatic commits then wait for the next opportunity, and the
// offsets stay resolved, not lost.

import { errorMessage } from '../../common/error-message.js'
import type { Logger } from '../../common/logger.js'
import { KafkaJSError } from '../../errors.js'
import type { GroupMembership } from '../group/membership.js'
import type { PartitionState, SubscriptionState } from '../subscription-state.js'
import { PartitionMap, type TopicPartition } from '../topic-partition.js'
import type { CommitIdentity, GroupOffsets, OffsetToCommit } from './group-offsets.js'

export interface TopicOffsets {
  topic: string
  partitions: { partition: number; offset: string }[]
}

export interface CommitOffsetsPayload {
  groupId: string
  memberId: string
  groupGenerationId: number
  /** As KafkaJS reports them: its own commits with string partitions, the application's as it gave them. */
  topics: readonly unknown[]
}

export interface OffsetCommitterOptions {
  groupId: string
  offsets: GroupOffsets
  subscriptions: SubscriptionState
  membership: () => GroupMembership | undefined
  autoCommit: boolean
  autoCommitInterval: number | null
  autoCommitThreshold: number | null
  onCommit: (payload: CommitOffsetsPayload) => void
  logger: Logger
}

export class OffsetCommitter {
  readonly #o: OffsetCommitterOptions
  #chain: Promise<void> = Promise.resolve()
  #lastCommit = Date.now()
  /** Messages resolved since the last commit, for autoCommitThreshold. */
  #resolvedSinceCommit = 0
  /** An automatic commit queued and not started yet: later requests join it. */
  #queuedAuto: Promise<void> | undefined
  /**
   * Partitions whose committed offset the application set with commitOffsets() and that have
   * resolved no message since. Automatic commits (after a batch, on revocation, at stop) leave them
   * alone: committing the position over the application's offset would skip messages it asked to
   * keep (KafkaJS leaves its offset committed too); the next message resolved ends this.
   */
  readonly #setByApplication = new PartitionMap<true>()

  constructor(options: OffsetCommitterOptions) {
    this.#o = options
  }

  get autoCommit(): boolean {
    return this.#o.autoCommit
  }

  /** Whether commitIfNecessary() can commit after a single message (an interval or threshold is set). */
  get commitsPerMessage(): boolean {
    return this.#o.autoCommit && (this.#o.autoCommitInterval !== null || this.#o.autoCommitThreshold !== null)
  }

  /** Marks everything before `nextOffset` as processed (KafkaJS's resolveOffset(offset) is offset + 1). */
  resolve(state: PartitionState, nextOffset: bigint, leaderEpoch = -1): void {
    this.#setByApplication.delete(state.topic, state.partition)
    state.resolve(nextOffset, leaderEpoch)
    this.#resolvedSinceCommit++
  }

  /** KafkaJS's uncommittedOffsets(): resolved offsets not yet committed, by topic. */
  uncommittedOffsets(): { topics: TopicOffsets[] } {
    return { topics: toTopicOffsets(this.#uncommitted(undefined, false)) }
  }

  /**
   * After a batch (autoCommit): commits, as KafkaJS does after every batch whatever autoCommitInterval
   * and autoCommitThreshold say (those add commits while a batch is processed, they hold none back).
   * Requests made while one waits in the queue join it.
   */
  afterBatch(): Promise<void> {
    if (!this.#o.autoCommit) return Promise.resolve()
    if (this.#queuedAuto !== undefined) return this.#queuedAuto
    const queued = this.commit(undefined, () => {
      this.#queuedAuto = undefined
    })
    this.#queuedAuto = queued
    return queued
  }

  /** Commits when autoCommitInterval has passed or autoCommitThreshold messages were resolved. */
  commitIfNecessary(): Promise<void> {
    const { autoCommitInterval, autoCommitThreshold } = this.#o
    const due =
      (autoCommitInterval !== null && Date.now() >= this.#lastCommit + autoCommitInterval) ||
      (autoCommitThreshold !== null && this.#resolvedSinceCommit >= autoCommitThreshold)
    return due ? this.commit() : Promise.resolve()
  }

  /**
   * Commits the resolved offsets of `partitions` (all owned ones by default). Without a commit
   * identity (rebalance in progress) nothing is committed; membership errors are logged, not
   * thrown, since the rebalance that follows settles who owns what.
   */
  commit(partitions?: readonly TopicPartition[], onStart?: () => void): Promise<void> {
    return this.#enqueue(async () => {
      onStart?.()
      const offsets = this.#uncommitted(partitions, true)
      if (offsets.length === 0) {
        this.#lastCommit = Date.now()
        return
      }
      const identity = this.#o.membership()?.commitIdentity()
      if (identity === undefined) {
        this.#o.logger.debug('Commit postponed: the group is rebalancing', { groupId: this.#o.groupId })
        return
      }
      try {
        await this.#send(offsets, identity, toTopicOffsets(offsets))
      } catch (error) {
        this.#o.logger.warn('Offset commit failed', {
          groupId: this.#o.groupId,
          error: errorMessage(error),
        })
      }
    })
  }

  /**
   * The application's commitOffsets(): these offsets exactly; errors are thrown. `reported` is what
   * consumer.commit_offsets carries: KafkaJS reports the application's offsets as it gave them.
   */
  commitExplicit(offsets: readonly OffsetToCommit[], reported: readonly unknown[]): Promise<void> {
    return this.#enqueue(async () => {
      const identity = this.#o.membership()?.commitIdentity()
      if (identity === undefined) {
        throw new KafkaJSError('Cannot commit offsets while the group is rebalancing', { retriable: true })
      }
      await this.#send(offsets, identity, reported)
      for (const o of offsets) this.#setByApplication.set(o.topic, o.partition, true)
    })
  }

  async #send(
    offsets: readonly OffsetToCommit[],
    identity: CommitIdentity,
    reported: readonly unknown[],
  ): Promise<void> {
    await this.#o.offsets.commit(offsets, identity)
    for (const o of offsets) {
      const state = this.#o.subscriptions.get(o.topic, o.partition)
      state?.markCommitted(o.offset)
    }
    this.#lastCommit = Date.now()
    this.#resolvedSinceCommit = 0
    this.#o.onCommit({
      groupId: this.#o.groupId,
      memberId: identity.memberId,
      groupGenerationId: identity.generationIdOrMemberEpoch,
      topics: reported,
    })
  }

  /** Waits for the commits queued so far. */
  flush(): Promise<void> {
    return this.#enqueue(async () => {})
  }

  /** Resolved offsets not committed yet; `automatic`: without those the application committed itself since. */
  #uncommitted(partitions: readonly TopicPartition[] | undefined, automatic: boolean): OffsetToCommit[] {
    const states: PartitionState[] = []
    if (partitions === undefined) states.push(...this.#o.subscriptions.partitions())
    else {
      for (const { topic, partition } of partitions) {
        const state = this.#o.subscriptions.get(topic, partition)
        if (state !== undefined) states.push(state)
      }
    }
    const out: OffsetToCommit[] = []
    for (const s of states) {
      if (s.resolved === undefined || s.resolved === s.committed || s.resolved < 0n) continue
      if (automatic && this.#setByApplication.has(s.topic, s.partition)) continue
      out.push({ topic: s.topic, partition: s.partition, offset: s.resolved, leaderEpoch: s.lastLeaderEpoch })
    }
    return out
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(task)
    // a failed commit must not block the ones after it
    this.#chain = run.catch(() => {})
    return run
  }
}

/**
 * By topic, as KafkaJS's offset manager lists them: its partitions are the keys of an object, so
 * strings at runtime ('0'), although KafkaJS's declared type (kept here) says number.
 */
function toTopicOffsets(offsets: readonly OffsetToCommit[]): TopicOffsets[] {
  const byTopic = new Map<string, TopicOffsets>()
  for (const o of offsets) {
    let t = byTopic.get(o.topic)
    if (t === undefined) {
      t = { topic: o.topic, partitions: [] }
      byTopic.set(o.topic, t)
    }
    t.partitions.push({ partition: String(o.partition) as unknown as number, offset: o.offset.toString() })
  }
  return [...byTopic.values()]
}
