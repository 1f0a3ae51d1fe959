// What this consumer owns and where it stands in each owned partition (Java's SubscriptionState).
//
// Per partition there are two positions: `position`, the next offset the application will be
// handed, and `fetchPosition`, the next offset to fetch, which runs ahead while fetched data waits
// in `buffered`. A seek, reset or rewind moves both and bumps `generation`; data fetched under an
// older generation is dropped on arrival or when the runner picks it up, so nothing stale is ever
// delivered. `resolved` is the offset a commit would store (the one after the last message the
// application finished), `committed` the one the group coordinator last confirmed.

import type { FetchedMessages } from './fetch/fetched-messages.js'
import { Signal } from './signal.js'
import { PartitionMap, type TopicPartition } from './topic-partition.js'

export type ResetStrategy = 'earliest' | 'latest'

/** The messages of one partition from one fetch response. */
export interface FetchedChunk {
  readonly topic: string
  readonly partition: number
  /** The partition's generation when the fetch was sent. */
  readonly generation: number
  readonly fetchOffset: bigint
  readonly messages: FetchedMessages
  /** Offset after the last whole batch read (records filtered out included). */
  readonly nextOffset: bigint
  /** The first record read at or after fetchOffset, filtered ones included (KafkaJS's batch.firstOffset()). */
  readonly firstOffset: bigint | undefined
  readonly highWatermark: bigint
  readonly lastLeaderEpoch: number
  readonly bytes: number
}

export class PartitionState implements TopicPartition {
  readonly topic: string
  readonly partition: number
  position: bigint | undefined = undefined
  fetchPosition: bigint | undefined = undefined
  generation = 0
  /** How to find a position when there is none (no committed offset, or OFFSET_OUT_OF_RANGE). */
  reset: ResetStrategy | undefined = undefined
  paused = false
  /** Revocation has begun: nothing more is fetched or delivered. */
  revoking = false
  readonly buffered: FetchedChunk[] = []
  bufferedBytes = 0
  /** A runner worker is handing this partition's messages to the application. */
  processing = false
  /** Set by seek() while a batch of this partition is being processed (KafkaJS's isStale). */
  seekedDuringProcessing = false
  highWatermark = -1n
  lastStableOffset = -1n
  logStartOffset = -1n
  /** Node to fetch from instead of the leader (KIP-392), -1 for the leader. */
  preferredReadReplica = -1
  /** Leader epoch of the last message handed out, committed with its offset (KIP-320). */
  lastLeaderEpoch = -1
  /** Raised above maxBytesPerPartition when a single batch is larger. */
  fetchSizeOverride: number | undefined = undefined
  resolved: bigint | undefined = undefined
  committed: bigint | undefined = undefined

  constructor(topic: string, partition: number) {
    this.topic = topic
    this.partition = partition
  }

  /** Moves both positions, dropping whatever was fetched from the old one. */
  seekTo(offset: bigint): void {
    this.position = offset
    this.fetchPosition = offset
    this.reset = undefined
    this.dropBuffered()
    if (this.processing) this.seekedDuringProcessing = true
  }

  /** Forgets the position: the next fetch first looks one up with `strategy`. */
  requestReset(strategy: ResetStrategy): void {
    this.position = undefined
    this.fetchPosition = undefined
    this.reset = strategy
    this.dropBuffered()
  }

  dropBuffered(): void {
    this.generation++
    this.buffered.length = 0
    this.bufferedBytes = 0
  }

  get hasPosition(): boolean {
    return this.fetchPosition !== undefined
  }

  /** Resolved but not yet committed. */
  get hasUncommitted(): boolean {
    return this.resolved !== undefined && this.resolved !== this.committed
  }
}

export class SubscriptionState {
  readonly #assigned = new PartitionMap<PartitionState>()
  /** Topics the user paused as a whole; partitions assigned later start paused. */
  readonly #pausedTopics = new Set<string>()
  /** Partitions the user paused one by one, kept across reassignment as KafkaJS does. */
  readonly #pausedPartitions = new PartitionMap<true>()
  /** Notified when fetchable partitions or positions change: fetch loops wake up. */
  readonly fetchable = new Signal()
  /** Notified when data is buffered or a partition is released: runner workers wake up. */
  readonly deliverable = new Signal()

  get size(): number {
    return this.#assigned.size
  }

  get(topic: string, partition: number): PartitionState | undefined {
    return this.#assigned.get(topic, partition)
  }

  partitions(): IterableIterator<PartitionState> {
    return this.#assigned.values()
  }

  assignedPartitions(): TopicPartition[] {
    return [...this.#assigned.keys()]
  }

  /** Adds partitions (without positions); returns the ones that were new. */
  assign(tps: Iterable<TopicPartition>): PartitionState[] {
    const added: PartitionState[] = []
    for (const { topic, partition } of tps) {
      if (this.#assigned.has(topic, partition)) continue
      const state = new PartitionState(topic, partition)
      state.paused = this.#pausedTopics.has(topic) || this.#pausedPartitions.has(topic, partition)
      this.#assigned.set(topic, partition, state)
      added.push(state)
    }
    if (added.length > 0) this.fetchable.notify()
    return added
  }

  /** Removes partitions; their buffered data is dropped. */
  unassign(tps: Iterable<TopicPartition>): void {
    for (const { topic, partition } of tps) {
      const state = this.#assigned.get(topic, partition)
      if (state === undefined) continue
      state.revoking = true
      state.dropBuffered()
      this.#assigned.delete(topic, partition)
    }
    this.fetchable.notify()
    this.deliverable.notify()
  }

  pause(topic: string, partitions: readonly number[] | undefined): void {
    if (partitions === undefined) this.#pausedTopics.add(topic)
    else for (const p of partitions) this.#pausedPartitions.set(topic, p, true)
    for (const state of this.#select(topic, partitions)) state.paused = true
    this.fetchable.notify()
  }

  resume(topic: string, partitions: readonly number[] | undefined): void {
    if (partitions === undefined) {
      this.#pausedTopics.delete(topic)
      for (const tp of [...this.#pausedPartitions.keys()])
        if (tp.topic === topic) this.#pausedPartitions.delete(topic, tp.partition)
    } else for (const p of partitions) this.#pausedPartitions.delete(topic, p)
    for (const state of this.#select(topic, partitions)) state.paused = false
    this.fetchable.notify()
    this.deliverable.notify()
  }

  isPaused(topic: string, partition: number): boolean {
    return (
      this.#assigned.get(topic, partition)?.paused ??
      (this.#pausedTopics.has(topic) || this.#pausedPartitions.has(topic, partition))
    )
  }

  paused(): TopicPartition[] {
    return [...this.#assigned.values()].filter((s) => s.paused).map(({ topic, partition }) => ({ topic, partition }))
  }

  *#select(topic: string, partitions: readonly number[] | undefined): Iterable<PartitionState> {
    if (partitions === undefined) {
      for (const state of this.#assigned.values()) if (state.topic === topic) yield state
      return
    }
    for (const p of partitions) {
      const state = this.#assigned.get(topic, p)
      if (state !== undefined) yield state
    }
  }
}
