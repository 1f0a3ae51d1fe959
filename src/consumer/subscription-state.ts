// What this consumer owns and where it stands in each owned partition (Java's SubscriptionState).
//
// Per partition there are two positions: `position`, the next offset the application will be
// handed, and `fetchPosition`, the next offset to fetch, which runs ahead while fetched data waits
// in `buffered`. A seek, reset, rewind or revocation moves both (or clears them) and bumps
// `generation`; data fetched under an older generation is dropped on arrival or when the runner
// picks it up, so nothing stale is ever delivered. `resolved` is the offset a commit would
// store (the one after the last message the application finished), `committed` the one the group
// coordinator last confirmed.
//
// Each partition has a fetch state, as Java's FetchStates:
//   INITIALIZING      assigned, no position yet (the committed offset is being looked up)
//   FETCHING          has a position and may be fetched
//   AWAIT_RESET       no position: the reset strategy must find one (ListOffsets)
//   AWAIT_VALIDATION  the partition's leader epoch moved past the one its fetch position was fetched
//                     under: the position is checked against the new leader (KIP-320,
//                     OffsetForLeaderEpoch) before it is fetched again; what is buffered stays
// `paused` and `revoking` are flags beside the state: a paused partition keeps its state and
// position; a revoking one is fetched and delivered no more and is never owned again (an assignment
// makes a new PartitionState). Every change goes through a named method below, which checks the
// move (an illegal one throws KafkaJSInvariantViolation) and wakes whoever waits for it: fetch loops
// when fetchability changes, runner workers when data arrives or a partition is released. Nothing
// outside this file writes a partition's state or calls notify() for one.

import { type Logger, silentLogger } from '../common/logger.js'
import { StateMachine, type TransitionTable } from '../common/state-machine.js'
import { KafkaJSInvariantViolation } from '../errors.js'
import { splitChunk } from './chunk-split.js'
import type { KafkaMessage } from './message.js'
import { Signal } from './signal.js'
import { PartitionMap, type TopicPartition } from './topic-partition.js'

export type ResetStrategy = 'earliest' | 'latest'

/** What the consumer does for a partition without a usable position: a reset strategy, or fail ('none'). */
export type ResetPolicy = ResetStrategy | 'none'

export type FetchState = 'INITIALIZING' | 'FETCHING' | 'AWAIT_RESET' | 'AWAIT_VALIDATION'

/**
 * The moves between fetch states (as Java's FetchStates): a seek reaches FETCHING and a reset
 * AWAIT_RESET from any state; only a position can be validated, so neither INITIALIZING nor
 * AWAIT_RESET leads to AWAIT_VALIDATION.
 */
export const FETCH_STATE_TRANSITIONS: TransitionTable<FetchState> = {
  INITIALIZING: ['FETCHING', 'AWAIT_RESET'],
  FETCHING: ['FETCHING', 'AWAIT_RESET', 'AWAIT_VALIDATION'],
  AWAIT_RESET: ['FETCHING', 'AWAIT_RESET'],
  AWAIT_VALIDATION: ['FETCHING', 'AWAIT_RESET', 'AWAIT_VALIDATION'],
}

/**
 * What is known of the log before a position set by a seek (KIP-320): a committed offset's leader
 * epoch, or the epoch where a truncated log diverges. With them the position is validated after a
 * later leader change (and sent as the Fetch's lastFetchedEpoch) as if its data had been fetched.
 */
export interface PositionEpochs {
  /** Leader epoch of the record before the position. */
  readonly fetchedEpoch: number
  /** The partition's leader epoch the position is known to be valid under. */
  readonly leaderEpoch: number
}

/**
 * The messages of a chunk, turned into KafkaJS messages only when handed out: the fetcher's
 * FetchedMessages, or a part of them (chunk-split.ts).
 */
export interface ChunkMessages {
  readonly length: number
  /** The offset of message `index` (0 <= index < length). */
  offsetAt(index: number): bigint
  /** Message `index` (0 <= index < length). */
  messageAt(index: number): KafkaMessage
  /** Every message, built once. */
  all(): KafkaMessage[]
}

/**
 * The messages of one partition from one fetch response, or the part of them handed out in one turn
 * (at most maxPollRecords; the rest stays buffered as a chunk of its own).
 */
export interface FetchedChunk {
  readonly topic: string
  readonly partition: number
  /** The partition's generation when the fetch was sent. */
  readonly generation: number
  readonly fetchOffset: bigint
  readonly messages: ChunkMessages
  /** Offset after the last whole batch read (records filtered out included). */
  readonly nextOffset: bigint
  /** The first record read at or after fetchOffset, filtered ones included (KafkaJS's batch.firstOffset()). */
  readonly firstOffset: bigint | undefined
  readonly highWatermark: bigint
  readonly lastLeaderEpoch: number
  /** Leader epoch of the last batch read, the one nextOffset follows (-1 when unknown). */
  readonly lastBatchEpoch: number
  /** The partition leader's epoch from metadata that the Fetch was sent with (-1 when unknown). */
  readonly fetchLeaderEpoch: number
  readonly bytes: number
}

/** The wake-ups a partition's transitions fire, owned by its SubscriptionState. */
interface Wakes {
  /** Fetchability or positions changed: fetch loops and the fetcher's supervisor re-plan. */
  readonly fetchable: Signal
  /** Data was buffered, or a partition became deliverable again: runner workers look. */
  readonly deliverable: Signal
  /** A partition's processing ended: waitIdle() looks again. */
  readonly released: Signal
}

export class PartitionState implements TopicPartition {
  readonly topic: string
  readonly partition: number
  readonly #state: StateMachine<FetchState>
  readonly #wakes: Wakes
  #position: bigint | undefined = undefined
  #fetchPosition: bigint | undefined = undefined
  #generation = 0
  #reset: ResetStrategy | undefined = undefined
  /** The leader epoch from metadata that made the position need validation, -1 when none does. */
  #validationLeaderEpoch = -1
  /** Leader epoch of the last batch before the fetch position, -1 when unknown. */
  #fetchedEpoch = -1
  /** The leader epoch the fetch position was fetched or validated under, -1 when unknown. */
  #fetchLeaderEpoch = -1
  #paused = false
  #revoking = false
  readonly #buffered: FetchedChunk[] = []
  #bufferedBytes = 0
  #processing = false
  #highWatermark = -1n
  #lastStableOffset = -1n
  #logStartOffset = -1n
  #preferredReadReplica = -1
  #lastLeaderEpoch = -1
  #fetchSizeOverride: number | undefined = undefined
  #resolved: bigint | undefined = undefined
  #committed: bigint | undefined = undefined

  constructor(topic: string, partition: number, wakes: Wakes, logger: Logger, paused: boolean) {
    this.topic = topic
    this.partition = partition
    this.#wakes = wakes
    this.#paused = paused
    this.#state = new StateMachine(`${topic}-${partition} fetch`, 'INITIALIZING', FETCH_STATE_TRANSITIONS, logger)
  }

  get fetchState(): FetchState {
    return this.#state.state
  }

  /** The next offset the application will be handed. */
  get position(): bigint | undefined {
    return this.#position
  }

  /** The next offset to fetch: ahead of `position` by what is buffered. */
  get fetchPosition(): bigint | undefined {
    return this.#fetchPosition
  }

  /** Bumped by every move of the positions; data fetched under another generation is stale. */
  get generation(): number {
    return this.#generation
  }

  /** How a position is found in AWAIT_RESET (no committed offset, or OFFSET_OUT_OF_RANGE). */
  get resetStrategy(): ResetStrategy | undefined {
    return this.#reset
  }

  /** The leader epoch the position is validated against in AWAIT_VALIDATION, -1 otherwise. */
  get validationLeaderEpoch(): number {
    return this.#validationLeaderEpoch
  }

  /** Leader epoch of the last batch before the fetch position (what validation asks about), -1 when unknown. */
  get fetchedEpoch(): number {
    return this.#fetchedEpoch
  }

  /** The leader epoch the fetch position was fetched or validated under, -1 when unknown. */
  get fetchLeaderEpoch(): number {
    return this.#fetchLeaderEpoch
  }

  /**
   * Whether the metadata's `leaderEpoch` for the partition makes its fetch position need validation:
   * FETCHING, data fetched under a known epoch, and the leader's epoch moved past it. A position not
   * fetched from yet (after a seek or reset) has nothing to validate.
   */
  needsValidation(leaderEpoch: number): boolean {
    return (
      this.fetchState === 'FETCHING' &&
      this.#fetchedEpoch >= 0 &&
      this.#fetchLeaderEpoch >= 0 &&
      leaderEpoch > this.#fetchLeaderEpoch
    )
  }

  get paused(): boolean {
    return this.#paused
  }

  /** Revocation has begun: nothing more is fetched or delivered. */
  get revoking(): boolean {
    return this.#revoking
  }

  get buffered(): readonly FetchedChunk[] {
    return this.#buffered
  }

  get bufferedBytes(): number {
    return this.#bufferedBytes
  }

  /** A runner worker is handing this partition's messages to the application. */
  get processing(): boolean {
    return this.#processing
  }

  get highWatermark(): bigint {
    return this.#highWatermark
  }

  get lastStableOffset(): bigint {
    return this.#lastStableOffset
  }

  get logStartOffset(): bigint {
    return this.#logStartOffset
  }

  /** Node to fetch from instead of the leader (KIP-392), -1 for the leader. */
  get preferredReadReplica(): number {
    return this.#preferredReadReplica
  }

  /** Leader epoch of the last message resolved, committed with its offset (KIP-320). */
  get lastLeaderEpoch(): number {
    return this.#lastLeaderEpoch
  }

  /** Raised above maxBytesPerPartition when a single batch is larger. */
  get fetchSizeOverride(): number | undefined {
    return this.#fetchSizeOverride
  }

  get resolved(): bigint | undefined {
    return this.#resolved
  }

  get committed(): bigint | undefined {
    return this.#committed
  }

  /** Has a fetch position (FETCHING, or AWAIT_VALIDATION, whose position waits to be checked). */
  get hasPosition(): boolean {
    return this.#fetchPosition !== undefined
  }

  /** May be put in a Fetch now: FETCHING, neither paused nor revoking. */
  get isFetchable(): boolean {
    return this.fetchState === 'FETCHING' && !this.#paused && !this.#revoking
  }

  /** Resolved but not yet committed. */
  get hasUncommitted(): boolean {
    return this.#resolved !== undefined && this.#resolved !== this.#committed
  }

  // --- fetch-state transitions -------------------------------------------------------------------

  /**
   * Moves both positions to `offset` (a seek, a committed offset on assignment, the divergence of a
   * truncated log): FETCHING, with `epochs` known of the log before it when given.
   */
  seek(offset: bigint, epochs?: PositionEpochs): void {
    this.#moveTo('FETCHING', 'seek', offset)
    if (epochs === undefined || epochs.fetchedEpoch < 0) return
    this.#fetchedEpoch = epochs.fetchedEpoch
    this.#fetchLeaderEpoch = epochs.leaderEpoch
  }

  /**
   * The runner hands messages from `offset` again (a handler failed or was interrupted, or a pause
   * stopped a batch): both positions move there and what is buffered is dropped. Ignored when the
   * positions moved since `generation` (a seek made meanwhile wins); returns whether it applied.
   */
  rewind(offset: bigint, generation: number): boolean {
    if (generation !== this.#generation) return false
    this.#moveTo('FETCHING', 'rewind', offset)
    return true
  }

  /** Forgets the position: the fetcher first looks one up with `strategy` (AWAIT_RESET). */
  requestReset(strategy: ResetStrategy): void {
    this.#moveTo('AWAIT_RESET', `reset to ${strategy}`, undefined)
    this.#reset = strategy
  }

  /**
   * The reset asked for under `generation` found `offset`: FETCHING from there. Ignored when the
   * positions moved since (a seek or a new reset wins); returns whether it applied.
   */
  completeReset(offset: bigint, generation: number): boolean {
    if (generation !== this.#generation) return false
    if (this.fetchState !== 'AWAIT_RESET') this.#illegal('FETCHING', 'reset completed')
    this.#moveTo('FETCHING', 'reset completed', offset)
    return true
  }

  /**
   * The partition's leader epoch moved to `leaderEpoch` (KIP-320): the fetch position must be
   * checked against the new leader before it is fetched again. The positions and what is buffered
   * stay (fetched below the old leader's high watermark); a Fetch in flight is dropped on arrival.
   */
  awaitValidation(leaderEpoch: number): void {
    if (this.#fetchPosition === undefined) this.#illegal('AWAIT_VALIDATION', 'no position to validate')
    this.#state.transition('AWAIT_VALIDATION', `leader epoch ${leaderEpoch}`)
    this.#validationLeaderEpoch = leaderEpoch
    this.#wakes.fetchable.notify()
  }

  /**
   * The validation asked for under `generation` and `leaderEpoch` found the fetch position on the
   * leader's log: FETCHING again. Ignored when the positions moved since or a newer leader epoch
   * asks for another validation; returns whether it applied. A validation that finds the log
   * truncated below the position seeks or resets instead.
   */
  completeValidation(generation: number, leaderEpoch: number): boolean {
    if (generation !== this.#generation) return false
    if (this.fetchState !== 'AWAIT_VALIDATION') this.#illegal('FETCHING', 'validation completed')
    if (leaderEpoch !== this.#validationLeaderEpoch) return false
    this.#state.transition('FETCHING', 'validation completed')
    this.#validationLeaderEpoch = -1
    this.#fetchLeaderEpoch = leaderEpoch
    this.#wakes.fetchable.notify()
    return true
  }

  // --- fetching and delivering -------------------------------------------------------------------

  /**
   * Buffers a fetched chunk, and moves the fetch position past it. A chunk fetched under another
   * generation, or for a partition no longer fetchable, is dropped: returns whether it was kept.
   */
  buffer(chunk: FetchedChunk): boolean {
    if (chunk.generation !== this.#generation || !this.isFetchable) return false
    this.#buffered.push(chunk)
    this.#bufferedBytes += chunk.bytes
    this.#fetchPosition = chunk.nextOffset
    if (chunk.lastBatchEpoch >= 0) this.#fetchedEpoch = chunk.lastBatchEpoch
    this.#fetchLeaderEpoch = chunk.fetchLeaderEpoch
    this.#fetchSizeOverride = undefined
    this.#wakes.deliverable.notify()
    return true
  }

  /** The head of a batch larger than the fetch size arrived: fetch again with room for `size` bytes. */
  growFetchSize(size: number): void {
    this.#fetchSizeOverride = size
  }

  /** The partition's offsets as a Fetch response reported them (negative values are not reported). */
  noteFetchedOffsets(highWatermark: bigint, lastStableOffset: bigint, logStartOffset: bigint): void {
    this.#highWatermark = highWatermark
    if (lastStableOffset >= 0n) this.#lastStableOffset = lastStableOffset
    if (logStartOffset >= 0n) this.#logStartOffset = logStartOffset
  }

  /** Fetch from `nodeId` instead of the leader (KIP-392); -1 goes back to the leader. */
  preferReadReplica(nodeId: number): void {
    if (nodeId === this.#preferredReadReplica) return
    this.#preferredReadReplica = nodeId
    this.#wakes.fetchable.notify()
  }

  /**
   * A runner worker takes the oldest buffered chunk, or its first `maxRecords` messages when it has
   * more (the rest stays at the head of the buffer for the partition's next turn), and processes
   * them: the partition is handed to no other worker until release(). Their room in the buffer goes
   * back to fetching.
   */
  startProcessing(maxRecords = Number.POSITIVE_INFINITY): FetchedChunk {
    if (this.#processing) throw new KafkaJSInvariantViolation(`${this.topic}-${this.partition} is already processed`)
    let chunk = this.#buffered[0]
    if (chunk === undefined) throw new KafkaJSInvariantViolation(`${this.topic}-${this.partition} has nothing buffered`)
    if (chunk.messages.length > maxRecords) {
      const { head, rest } = splitChunk(chunk, maxRecords)
      this.#buffered[0] = rest
      chunk = head
    } else {
      this.#buffered.shift()
    }
    this.#bufferedBytes -= chunk.bytes
    this.#processing = true
    this.#wakes.fetchable.notify()
    return chunk
  }

  /** The worker is done with the partition: its next chunk can be handed out, waitIdle() may end. */
  release(): void {
    this.#processing = false
    this.#wakes.released.notify()
    this.#wakes.deliverable.notify()
  }

  /** The application was handed everything before `offset` from data of `generation` (ignored if stale). */
  advancePosition(offset: bigint, generation: number): void {
    if (generation === this.#generation) this.#position = offset
  }

  // --- flags and commits -------------------------------------------------------------------------

  setPaused(paused: boolean): void {
    this.#paused = paused
    this.#wakes.fetchable.notify()
    if (!paused) this.#wakes.deliverable.notify()
  }

  /** Revocation begins: nothing more is fetched or delivered, and what is buffered is dropped. */
  revoke(): void {
    this.#revoking = true
    this.#dropBuffered()
    this.#wakes.fetchable.notify()
    this.#wakes.deliverable.notify()
  }

  /** Marks everything before `nextOffset` processed; `leaderEpoch` (when known) is committed with it. */
  resolve(nextOffset: bigint, leaderEpoch = -1): void {
    this.#resolved = nextOffset
    if (leaderEpoch >= 0) this.#lastLeaderEpoch = leaderEpoch
  }

  /** The coordinator confirmed a commit of `offset`. */
  markCommitted(offset: bigint): void {
    this.#committed = offset
  }

  /** The group's committed offset found at assignment: both resolved and committed. */
  restoreCommitted(offset: bigint, leaderEpoch: number): void {
    this.#committed = offset
    this.#resolved = offset
    this.#lastLeaderEpoch = leaderEpoch
  }

  #moveTo(to: FetchState, reason: string, offset: bigint | undefined): void {
    this.#state.transition(to, reason)
    this.#position = offset
    this.#fetchPosition = offset
    this.#reset = undefined
    this.#validationLeaderEpoch = -1
    // the epochs of the data before a new position are unknown until it is fetched from
    this.#fetchedEpoch = -1
    this.#fetchLeaderEpoch = -1
    this.#dropBuffered()
    this.#wakes.fetchable.notify()
    this.#wakes.deliverable.notify()
  }

  #dropBuffered(): void {
    this.#generation++
    this.#buffered.length = 0
    this.#bufferedBytes = 0
  }

  #illegal(to: FetchState, reason: string): never {
    throw new KafkaJSInvariantViolation(
      `${this.topic}-${this.partition} fetch: illegal transition ${this.fetchState} -> ${to} (${reason})`,
    )
  }
}

export class SubscriptionState {
  readonly #assigned = new PartitionMap<PartitionState>()
  /** Topics the user paused as a whole; partitions assigned later start paused. */
  readonly #pausedTopics = new Set<string>()
  /** Partitions the user paused one by one, kept across reassignment as KafkaJS does. */
  readonly #pausedPartitions = new PartitionMap<true>()
  readonly #wakes: Wakes = { fetchable: new Signal(), deliverable: new Signal(), released: new Signal() }
  readonly #logger: Logger

  /** `logger` hears every fetch-state transition (debug). */
  constructor(logger: Logger = silentLogger) {
    this.#logger = logger
  }

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

  /** Resolves when a partition's fetchability or position changes, or after `timeoutMs`. */
  waitForFetchable(timeoutMs?: number): Promise<void> {
    return this.#wakes.fetchable.wait(timeoutMs)
  }

  /** Resolves when data is buffered or a partition is released, resumed or revoked, or after `timeoutMs`. */
  waitForDeliverable(timeoutMs?: number): Promise<void> {
    return this.#wakes.deliverable.wait(timeoutMs)
  }

  /** Resolves when no runner worker processes any of `partitions`. */
  async waitIdle(partitions: readonly TopicPartition[]): Promise<void> {
    const busy = (): boolean => partitions.some((tp) => this.#assigned.get(tp.topic, tp.partition)?.processing === true)
    while (busy()) await this.#wakes.released.wait()
  }

  /**
   * Wakes the fetch loops for a change of their own, not of a partition (the fetcher stops, its
   * metadata went stale, a reset attempt ended): they look at their conditions again.
   */
  wakeFetchers(): void {
    this.#wakes.fetchable.notify()
  }

  /** Wakes the runner workers for a change of their own (the runner stops or crashed). */
  wakeRunners(): void {
    this.#wakes.deliverable.notify()
  }

  /** Adds partitions (INITIALIZING, without positions); returns the ones that were new. */
  assign(tps: Iterable<TopicPartition>): PartitionState[] {
    const added: PartitionState[] = []
    for (const { topic, partition } of tps) {
      if (this.#assigned.has(topic, partition)) continue
      const paused = this.#pausedTopics.has(topic) || this.#pausedPartitions.has(topic, partition)
      const state = new PartitionState(topic, partition, this.#wakes, this.#logger, paused)
      this.#assigned.set(topic, partition, state)
      added.push(state)
    }
    if (added.length > 0) this.#wakes.fetchable.notify()
    return added
  }

  /** Revocation begins for `tps`: they stay assigned (their commits go on) but are fetched and delivered no more. */
  revoke(tps: Iterable<TopicPartition>): void {
    for (const { topic, partition } of tps) this.#assigned.get(topic, partition)?.revoke()
  }

  /** Removes partitions; their buffered data is dropped. */
  unassign(tps: Iterable<TopicPartition>): void {
    for (const { topic, partition } of tps) {
      const state = this.#assigned.get(topic, partition)
      if (state === undefined) continue
      state.revoke()
      this.#assigned.delete(topic, partition)
    }
  }

  pause(topic: string, partitions: readonly number[] | undefined): void {
    if (partitions === undefined) this.#pausedTopics.add(topic)
    else for (const p of partitions) this.#pausedPartitions.set(topic, p, true)
    for (const state of this.#select(topic, partitions)) state.setPaused(true)
  }

  resume(topic: string, partitions: readonly number[] | undefined): void {
    if (partitions === undefined) {
      this.#pausedTopics.delete(topic)
      for (const tp of [...this.#pausedPartitions.keys()])
        if (tp.topic === topic) this.#pausedPartitions.delete(topic, tp.partition)
    } else for (const p of partitions) this.#pausedPartitions.delete(topic, p)
    for (const state of this.#select(topic, partitions)) state.setPaused(false)
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
