// Idempotence bookkeeping (Java's TransactionManager.TopicPartitionBookkeeper): the producer id and
// epoch, and per partition the next sequence number, the last acknowledged one and the batches that
// carry a sequence but are not acknowledged yet. The broker accepts a batch only if its base sequence
// follows the last one it wrote for this producer id and epoch, which is what keeps order and drops
// duplicates across retries with up to 5 requests in flight.
//
// After a sequence gap (a batch that failed for good, OUT_OF_ORDER_SEQUENCE_NUMBER,
// UNKNOWN_PRODUCER_ID) an idempotent producer bumps its epoch (KIP-360): sequences of the partitions
// concerned restart at 0 under the new epoch. Other partitions keep their old epoch until their
// unacknowledged batches are resolved, then restart at 0 as well.

import type { PartitionQueue } from './accumulator.js'
import type { OutgoingBatch } from './outgoing-batch.js'

export interface ProducerIdAndEpoch {
  readonly producerId: bigint
  readonly epoch: number
}

export const NO_PRODUCER_ID: ProducerIdAndEpoch = Object.freeze({ producerId: -1n, epoch: -1 })

const MAX_EPOCH = 0x7fff
const MAX_SEQUENCE = 0x7fffffff

class PartitionSequences {
  producerId: bigint
  epoch: number
  nextSequence = 0
  lastAckedSequence = -1
  lastAckedOffset = -1n
  /** Batches with a sequence under this partition's epoch, not acknowledged yet, by base sequence. */
  readonly unacked: OutgoingBatch[] = []

  constructor(current: ProducerIdAndEpoch) {
    this.producerId = current.producerId
    this.epoch = current.epoch
  }

  restart(current: ProducerIdAndEpoch): void {
    this.producerId = current.producerId
    this.epoch = current.epoch
    this.nextSequence = 0
    this.lastAckedSequence = -1
    this.lastAckedOffset = -1n
  }

  insert(batch: OutgoingBatch): void {
    let at = this.unacked.length
    while (at > 0 && this.unacked[at - 1]!.baseSequence > batch.baseSequence) at--
    this.unacked.splice(at, 0, batch)
  }

  remove(batch: OutgoingBatch): void {
    const index = this.unacked.indexOf(batch)
    if (index >= 0) this.unacked.splice(index, 1)
  }
}

export class SequenceTracker {
  #current: ProducerIdAndEpoch = NO_PRODUCER_ID
  readonly #partitions = new Map<PartitionQueue, PartitionSequences>()
  /** Partitions whose sequences must restart under a new epoch before they send anything new. */
  readonly #bumpFor = new Set<PartitionQueue>()
  /**
   * Whether a gap leads to a local epoch bump: only without a transactional id; a transactional
   * producer's epoch moves with its transactions (abort, or every EndTxn under transactions v2).
   */
  readonly #bumpLocally: boolean

  constructor(options: { bumpLocally: boolean }) {
    this.#bumpLocally = options.bumpLocally
  }

  get producerIdAndEpoch(): ProducerIdAndEpoch {
    return this.#current
  }

  get hasProducerId(): boolean {
    return this.#current.producerId >= 0n
  }

  get bumpRequested(): boolean {
    return this.#bumpFor.size > 0
  }

  /**
   * A new producer id or epoch from the broker (InitProducerId, or EndTxn v5). Partitions waiting for
   * a bump renumber their unacknowledged batches under it at once; the others restart their
   * sequences at 0 once their unacknowledged batches are resolved. With `resetAll` every partition
   * restarts now (nothing is in flight, as at the end of a transaction).
   */
  setProducerIdAndEpoch(next: ProducerIdAndEpoch, resetAll = false): void {
    this.#current = next
    if (resetAll) {
      this.#partitions.clear()
    } else {
      for (const queue of this.#bumpFor) this.#renumber(this.#state(queue))
    }
    this.#bumpFor.clear()
  }

  nextSequence(key: PartitionQueue): number {
    return this.#state(key).nextSequence
  }

  lastAckedSequence(key: PartitionQueue): number {
    return this.#state(key).lastAckedSequence
  }

  lastAckedOffset(key: PartitionQueue): bigint {
    return this.#state(key).lastAckedOffset
  }

  /**
   * Whether the head batch of a partition may be sent now. A retried batch (it has a sequence) goes
   * only as the lowest unacknowledged sequence, so retries reach the broker in order; a new batch
   * waits while its partition still resolves batches of an older epoch, awaits an epoch bump, or
   * the first batch of the epoch is not acknowledged yet.
   */
  mayDrain(key: PartitionQueue, batch: OutgoingBatch): boolean {
    if (!this.hasProducerId) return false
    const state = this.#state(key)
    if (batch.hasSequence) {
      return state.unacked[0] === batch && key.inFlight === 0
    }
    if (this.#bumpFor.has(key)) return false
    if (state.producerId !== this.#current.producerId || state.epoch !== this.#current.epoch) {
      if (state.unacked.length > 0) return false
      state.restart(this.#current)
    }
    // A broker that holds no state for this producer on the partition accepts a first batch with
    // any sequence; if the first batch failed (say NOT_LEADER_OR_FOLLOWER right after the topic was
    // created) while the second was in flight, the second would be written first. So the first
    // batch of an epoch goes alone, and pipelining starts once the broker has acknowledged it.
    if (state.lastAckedSequence < 0 && state.unacked.length > 0) return false
    return true
  }

  /** Gives a new batch the partition's next sequence (call after mayDrain allowed it). */
  assign(key: PartitionQueue, batch: OutgoingBatch): void {
    const state = this.#state(key)
    batch.setProducerState(state.producerId, state.epoch, state.nextSequence)
    state.nextSequence = wrap(state.nextSequence + batch.recordCount)
    state.insert(batch)
  }

  /** Replaces a split batch by its parts (which took over its sequence range). */
  replace(key: PartitionQueue, batch: OutgoingBatch, parts: readonly OutgoingBatch[]): void {
    const state = this.#state(key)
    state.remove(batch)
    for (const part of parts) if (part.hasSequence) state.insert(part)
  }

  acknowledged(key: PartitionQueue, batch: OutgoingBatch, baseOffset: bigint): void {
    const state = this.#state(key)
    state.remove(batch)
    if (batch.producerEpoch !== state.epoch || batch.producerId !== state.producerId) return
    const last = batch.baseSequence + batch.recordCount - 1
    if (last > state.lastAckedSequence) state.lastAckedSequence = last
    const lastOffset = baseOffset + BigInt(batch.recordCount - 1)
    if (baseOffset >= 0n && lastOffset > state.lastAckedOffset) state.lastAckedOffset = lastOffset
  }

  /** Whether `batch` is the next one the broker expects: its sequence follows the last acknowledged one. */
  isNextSequence(key: PartitionQueue, batch: OutgoingBatch): boolean {
    return batch.baseSequence === this.#state(key).lastAckedSequence + 1
  }

  /** A batch with a sequence failed for good: it leaves a gap, so the partition needs a new epoch. */
  failed(key: PartitionQueue, batch: OutgoingBatch): void {
    this.#state(key).remove(batch)
    if (batch.hasSequence && this.#bumpLocally) this.#bumpFor.add(key)
  }

  /** The broker lost this producer's state for the partition (UNKNOWN_PRODUCER_ID): restart it. */
  requestBump(key: PartitionQueue): void {
    if (this.#bumpLocally) this.#bumpFor.add(key)
  }

  /**
   * Bumps the epoch locally (KIP-360: an idempotent producer may, the broker accepts sequence 0 under
   * a higher epoch) once no batch of the partitions concerned is in flight, and renumbers their
   * unacknowledged batches from 0. When the epoch is exhausted it forgets the producer id instead:
   * the caller must get a new one (InitProducerId) and pass it to setProducerIdAndEpoch.
   */
  maybeBump(): 'none' | 'bumped' | 'new-producer-id' {
    if (this.#bumpFor.size === 0 || !this.hasProducerId) return 'none'
    for (const queue of this.#bumpFor) if (queue.inFlight > 0) return 'none'
    if (this.#current.epoch >= MAX_EPOCH) {
      this.#current = NO_PRODUCER_ID
      return 'new-producer-id'
    }
    this.#current = { producerId: this.#current.producerId, epoch: this.#current.epoch + 1 }
    for (const queue of this.#bumpFor) this.#renumber(this.#state(queue))
    this.#bumpFor.clear()
    return 'bumped'
  }

  #renumber(state: PartitionSequences): void {
    state.restart(this.#current)
    for (const batch of state.unacked) {
      batch.setProducerState(this.#current.producerId, this.#current.epoch, state.nextSequence)
      state.nextSequence = wrap(state.nextSequence + batch.recordCount)
    }
  }

  #state(key: PartitionQueue): PartitionSequences {
    let state = this.#partitions.get(key)
    if (state === undefined) {
      state = new PartitionSequences(this.#current)
      this.#partitions.set(key, state)
    }
    return state
  }
}

/** Sequence numbers wrap around to 0 after int32 max, as the broker expects. */
function wrap(sequence: number): number {
  return sequence > MAX_SEQUENCE ? sequence - MAX_SEQUENCE - 1 : sequence
}
