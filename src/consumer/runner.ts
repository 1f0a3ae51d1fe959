// Hands fetched messages to the application: `partitionsConsumedConcurrently` workers, each taking
// the next partition with buffered data, running eachMessage per message or eachBatch per batch,
// resolving offsets and committing per the autoCommit settings. One partition is processed by at
// most one worker at a time, so its messages are handled in order.
//
// Partitions are served in turn: a turn hands out at most `maxPollRecords` messages of one
// partition (Java's max.poll.records; the rest of a larger fetch waits for the partition's next
// turn), and the next turn goes to the partition with data that was served longest ago, one never
// served (just assigned) first. So no partition waits behind another's large fetch for more than a
// turn per partition ahead of it, a partition taken over in a rebalance starts within a turn, and
// with autoCommit the offsets are committed after every turn, which bounds what is delivered again
// after a crash.
//
// A handler that throws gets the messages again from the first unresolved one, after a backoff
// (KafkaJS's `retry` options); when the retries are used up, or the error is not retriable, the
// runner reports a crash. Only the failing partition waits; the others keep flowing.

import { backoffDelay, type ResolvedRetryOptions } from '../common/backoff.js'
import { errorMessage, toError } from '../common/error-message.js'
import { inNamespace, type Logger } from '../common/logger.js'
import { KafkaJSError, KafkaJSNumberOfRetriesExceeded } from '../errors.js'
import { type Batch, batchProcessPayload, FetchedBatch } from './batch.js'
import {
  type BatchProcessPayload,
  type EachBatchHandler,
  type EachMessageHandler,
  HandlerAborted,
  type OffsetsByTopicPartition,
} from './handlers.js'
import type { OffsetCommitter } from './offsets/offset-committer.js'
import { isRebalanceError, partitionHeartbeat } from './payload-heartbeat.js'
import type { FetchedChunk, PartitionState, SubscriptionState } from './subscription-state.js'
import { PartitionMap, type TopicPartition } from './topic-partition.js'

export interface RunnerOptions {
  subscriptions: SubscriptionState
  committer: OffsetCommitter
  eachMessage: EachMessageHandler | undefined
  eachBatch: EachBatchHandler | undefined
  eachBatchAutoResolve: boolean
  concurrency: number
  /** The most messages of one partition handed out in one turn (one eachBatch batch). */
  maxPollRecords: number
  retry: ResolvedRetryOptions
  logger: Logger
  onStartBatch(payload: BatchProcessPayload): void
  onEndBatch(payload: BatchProcessPayload & { duration: number }): void
  /** Explicit commits from eachBatch's commitOffsetsIfNecessary(offsets). */
  commitOffsets(offsets: OffsetsByTopicPartition): Promise<void>
  onCrash(error: Error): void
}

interface RetryState {
  failures: number
  retryAt: number
  lastDelay: number
}

export class Runner {
  readonly #o: RunnerOptions
  readonly #subscriptions: SubscriptionState
  readonly #retries = new PartitionMap<RetryState>()
  #running = false
  #workers: Promise<void>[] = []
  /** The turn each partition was last served in; a partition not in it was never served. */
  readonly #servedIn = new WeakMap<PartitionState, number>()
  #turn = 0

  constructor(options: RunnerOptions) {
    this.#o = options
    this.#subscriptions = options.subscriptions
  }

  get running(): boolean {
    return this.#running
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    for (let i = 0; i < this.#o.concurrency; i++) this.#workers.push(this.#work())
  }

  /** Stops taking batches; resolves when every handler in progress has returned. */
  async stop(): Promise<void> {
    this.#running = false
    this.#subscriptions.wakeRunners()
    await Promise.all(this.#workers)
    this.#workers = []
  }

  /** Resolves when no handler is processing any of `partitions` (they stop being handed out first). */
  waitIdle(partitions: readonly TopicPartition[]): Promise<void> {
    return this.#subscriptions.waitIdle(partitions)
  }

  async #work(): Promise<void> {
    while (this.#running) {
      const state = this.#next()
      if (state === undefined) {
        await this.#subscriptions.waitForDeliverable(this.#nextRetryDelay())
        continue
      }
      this.#servedIn.set(state, ++this.#turn)
      const chunk = state.startProcessing(this.#o.maxPollRecords)
      try {
        if (chunk.generation === state.generation) await this.#process(state, chunk)
      } catch (error) {
        this.#o.logger.error('Batch processing failed unexpectedly', { error: errorMessage(error) })
        this.#crash(error)
      } finally {
        state.release()
      }
    }
  }

  /**
   * The next partition with data to hand out: of those ready (not processed, paused, revoking or
   * waiting for a retry), the one served longest ago, a never-served one first.
   */
  #next(): PartitionState | undefined {
    let next: PartitionState | undefined
    let nextServed = 0
    const now = Date.now()
    for (const state of this.#subscriptions.partitions()) {
      if (state.processing || state.paused || state.revoking || state.buffered.length === 0) continue
      const retry = this.#retries.get(state.topic, state.partition)
      if (retry !== undefined && retry.retryAt > now) continue
      const served = this.#servedIn.get(state) ?? 0
      if (next === undefined || served < nextServed) {
        next = state
        nextServed = served
      }
    }
    return next
  }

  #nextRetryDelay(): number | undefined {
    let soonest: number | undefined
    for (const r of this.#retries.values()) if (soonest === undefined || r.retryAt < soonest) soonest = r.retryAt
    return soonest === undefined ? undefined : Math.max(1, soonest - Date.now())
  }

  async #process(state: PartitionState, chunk: FetchedChunk): Promise<void> {
    const payload = batchProcessPayload(chunk)
    const started = Date.now()
    this.#o.onStartBatch(payload)
    if (chunk.messages.length === 0) {
      // only control records or aborted messages: move past them
      this.#o.committer.resolve(state, chunk.nextOffset)
      state.advancePosition(chunk.nextOffset, chunk.generation)
    } else if (this.#o.eachMessage === undefined && this.#o.eachBatch === undefined) {
      // run() without a handler: as in KafkaJS, nothing is processed nor resolved, and the same
      // messages are fetched again
      state.rewind(chunk.fetchOffset, chunk.generation)
    } else {
      const completed =
        this.#o.eachMessage !== undefined
          ? await this.#eachMessage(state, chunk, this.#o.eachMessage)
          : await this.#eachBatch(state, chunk, new FetchedBatch(chunk), this.#o.eachBatch!)
      if (!completed) return
      this.#retries.delete(state.topic, state.partition)
    }
    this.#o.onEndBatch({ ...payload, duration: Date.now() - started })
    void this.#o.committer.afterBatch()
  }

  /** Returns whether every message was handled (else the partition was rewound or moved). */
  async #eachMessage(state: PartitionState, chunk: FetchedChunk, handler: EachMessageHandler): Promise<boolean> {
    const { topic, partition } = state
    const pause = this.#pauseFunction(state)
    const heartbeat = partitionHeartbeat(this.#subscriptions, state)
    const committer = this.#o.committer
    // with neither autoCommitInterval nor autoCommitThreshold, commits happen after the batch only
    const perMessageCommit = committer.commitsPerMessage
    const { messages } = chunk
    for (let i = 0; i < messages.length; i++) {
      if (this.#interrupted(state, chunk)) {
        this.#rewindAfterInterruption(state, chunk)
        return false
      }
      const message = messages.messageAt(i)
      try {
        await handler({ topic, partition, message, heartbeat, pause })
      } catch (error) {
        if (error instanceof HandlerAborted || this.#leftForRebalance(state, error)) {
          this.#rewindAfterInterruption(state, chunk)
        } else await this.#handlerFailed(state, chunk, error, message.offset)
        return false
      }
      const next = messages.offsetAt(i) + 1n
      committer.resolve(state, next, chunk.lastLeaderEpoch)
      state.advancePosition(next, chunk.generation)
      if (perMessageCommit) await committer.commitIfNecessary()
    }
    if (this.#interrupted(state, chunk)) {
      this.#rewindAfterInterruption(state, chunk)
      return false
    }
    committer.resolve(state, chunk.nextOffset, chunk.lastLeaderEpoch)
    state.advancePosition(chunk.nextOffset, chunk.generation)
    return true
  }

  async #eachBatch(
    state: PartitionState,
    chunk: FetchedChunk,
    batch: Batch,
    handler: EachBatchHandler,
  ): Promise<boolean> {
    const committer = this.#o.committer
    const lastMessageOffset = batch.messages[batch.messages.length - 1]?.offset
    try {
      await handler({
        batch,
        resolveOffset: (offset: string) => {
          if (this.#subscriptions.get(state.topic, state.partition) !== state) return
          // the last message resolves the whole fetch: control records after it are never delivered
          const next = offset === lastMessageOffset ? chunk.nextOffset : BigInt(offset) + 1n
          committer.resolve(state, next, chunk.lastLeaderEpoch)
        },
        heartbeat: partitionHeartbeat(this.#subscriptions, state),
        pause: this.#pauseFunction(state),
        commitOffsetsIfNecessary: (offsets) =>
          offsets !== undefined ? this.#o.commitOffsets(offsets) : committer.commitIfNecessary(),
        uncommittedOffsets: () => committer.uncommittedOffsets(),
        isRunning: () => this.#running,
        isStale: () => this.#interrupted(state, chunk),
      })
    } catch (error) {
      if (this.#leftForRebalance(state, error)) this.#rewindAfterInterruption(state, chunk)
      else await this.#handlerFailed(state, chunk, error, batch.firstOffset() ?? chunk.fetchOffset.toString())
      return false
    }
    if (this.#o.eachBatchAutoResolve) committer.resolve(state, chunk.nextOffset, chunk.lastLeaderEpoch)
    if (state.generation !== chunk.generation || state.revoking) return false
    const resolved = state.resolved ?? chunk.fetchOffset
    if (resolved < chunk.nextOffset) {
      // KafkaJS fetches again from the first unresolved offset
      state.rewind(laterOf(resolved, chunk.fetchOffset), chunk.generation)
      return !state.paused
    }
    state.advancePosition(chunk.nextOffset, chunk.generation)
    if (state.paused) state.rewind(chunk.nextOffset, chunk.generation)
    return true
  }

  /**
   * A handler that gave up its partition on a rebalance error (heartbeat() rejected) while the
   * partition is revoked or lost: not a failure, as in KafkaJS, whose runner rejoins on it. The
   * revocation commits what was resolved; the next owner goes on from there.
   */
  #leftForRebalance(state: PartitionState, error: unknown): boolean {
    return state.revoking && isRebalanceError(error)
  }

  /** Whether the rest of a batch must not be delivered: stopped, revoked, paused, or seeked. */
  #interrupted(state: PartitionState, chunk: FetchedChunk): boolean {
    return !this.#running || state.revoking || state.paused || state.generation !== chunk.generation
  }

  /** After an interruption the unprocessed messages are fetched again later, unless a seek moved on. */
  #rewindAfterInterruption(state: PartitionState, chunk: FetchedChunk): void {
    if (state.revoking) return
    state.rewind(laterOf(state.resolved ?? chunk.fetchOffset, chunk.fetchOffset), chunk.generation)
  }

  async #handlerFailed(state: PartitionState, chunk: FetchedChunk, error: unknown, offset: string): Promise<void> {
    const { topic, partition } = state
    if (!(error instanceof KafkaJSError)) {
      // KafkaJS's entry: the thrown value itself (a plain object stays an object), in its field order
      this.#o.logger.error(`Error when calling ${this.#o.eachMessage !== undefined ? 'eachMessage' : 'eachBatch'}`, {
        topic,
        partition,
        offset,
        stack: (error as { stack?: unknown } | null)?.stack,
        error,
      })
    }
    // what was processed before the failure is kept
    if (this.#o.committer.autoCommit) await this.#o.committer.commit([state])
    this.#rewindAfterInterruption(state, chunk)
    if (error instanceof KafkaJSError && !error.retriable) {
      this.#crash(error)
      return
    }
    const retry = this.#retries.get(topic, partition) ?? { failures: 0, retryAt: 0, lastDelay: 0 }
    if (retry.failures >= this.#o.retry.retries) {
      this.#retries.delete(topic, partition)
      this.#crash(new KafkaJSNumberOfRetriesExceeded(error, { retryCount: retry.failures, retryTime: retry.lastDelay }))
      return
    }
    retry.lastDelay = backoffDelay(retry.failures, this.#o.retry)
    retry.retryAt = Date.now() + retry.lastDelay
    retry.failures++
    this.#retries.set(topic, partition, retry)
  }

  /** The payloads' pause(): this partition, with KafkaJS's ConsumerGroup entries. */
  #pauseFunction(state: PartitionState): () => () => void {
    const topicPartitions = [{ topic: state.topic, partitions: [state.partition] }]
    return () => {
      const group = inNamespace(this.#o.logger, 'ConsumerGroup')
      group.info('Pausing fetching from 1 topics', { topicPartitions })
      this.#subscriptions.pause(state.topic, [state.partition])
      return () => {
        group.info('Resuming fetching from 1 topics', { topicPartitions })
        this.#subscriptions.resume(state.topic, [state.partition])
      }
    }
  }

  #crash(error: unknown): void {
    if (!this.#running) return
    this.#running = false
    this.#subscriptions.wakeRunners()
    this.#o.onCrash(toError(error))
  }
}

function laterOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b
}
