// Idempotence bookkeeping (Java's TransactionManager.TopicPartitionBookkeeper): the producer id and
// epoch, and per partition the next sequence number, the last acknowledged one and the batches that
// carry a sequence but are not acknowledged yet. The broker accepts a batch only if its base sequence
// follows the last one it wrote for this producer id and epoch, which is what keeps order and drops
// duplicates across retries with up to 5 requests in flight.
//
// After a sequence gap an idempotent producer bumps its epoch (KIP-360): sequences of the partitions
// concerned restart at 0 under the new epoch. Other partitions keep their old epoch until their
// unacknowledged batches are resolved, then restart at 0 as well. As in Java's TransactionManager, a
// batch that failed after it was sent (expired at the delivery timeout, in flight or waiting for
// its retry; retries used up; refused) leaves its partition *unresolved*: the broker may or may
// not have written it. No new batch goes to that partition until the batches still out are
// answered: if the broker acknowledged everything up to the failed batch's last sequence (it had
// written it after all), the partition goes on under its epoch; otherwise there is a gap, and the
// epoch is bumped. OUT_OF_ORDER_SEQUENCE_NUMBER for the batch right after the last acknowledged or
// unresolved sequence proves the gap at once, and so does UNKNOWN_PRODUCER_ID (the broker lost the
// producer's state): the batch is renumbered under the bumped epoch and retried.
//
// Sequences are renumbered only while none of the partition's batches is in a request (inFlight
// 0), so an answer always concerns the numbering its request carried.

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
  /** While unresolved: the sequence after the last batch that failed with an unknown outcome. */
  unresolvedNext = -1

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
    this.unresolvedNext = -1
  }

  /** Whether everything numbered so far was acknowledged (nothing the broker may lack). */
  get allAcknowledged(): boolean {
    return wrap(this.lastAckedSequence + 1) === this.nextSequence
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
  /** Transactional partitions whose sequences restart at 0 under the current epoch (the broker lost the producer's state). */
  readonly #restartFor = new Set<PartitionQueue>()
  /** Partitions with a batch that failed after it was sent, waiting to learn whether the broker wrote it. */
  readonly #unresolved = new Set<PartitionQueue>()
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

  /** Whether the partition waits to learn the fate of a batch that failed after it was sent. */
  isUnresolved(key: PartitionQueue): boolean {
    return this.#unresolved.has(key)
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
      this.#unresolved.clear()
      this.#restartFor.clear()
    } else {
      for (const queue of this.#bumpFor) this.#renumber(queue)
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
   * the first batch of the epoch is not acknowledged yet, or the partition is unresolved.
   */
  mayDrain(key: PartitionQueue, batch: OutgoingBatch): boolean {
    if (!this.hasProducerId) return false
    const state = this.#state(key)
    const renumbering = this.#bumpFor.has(key) || this.#restartFor.has(key)
    if (batch.hasSequence) {
      return state.unacked[0] === batch && key.inFlight === 0 && !renumbering
    }
    if (renumbering || this.#unresolved.has(key)) return false
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

  /**
   * What OUT_OF_ORDER_SEQUENCE_NUMBER for `batch` means (Java's TransactionManager.canRetry):
   * 'behind' when the batch follows one not resolved yet (it goes again after that one), 'gap' when
   * it is the batch the broker should have taken next, after the last acknowledged sequence or, on
   * an unresolved partition, after the batches that failed: the broker lacks what came before.
   */
  outOfOrder(key: PartitionQueue, batch: OutgoingBatch): 'behind' | 'gap' {
    const state = this.#state(key)
    if (!this.#unresolved.has(key)) {
      return batch.baseSequence === wrap(state.lastAckedSequence + 1) ? 'gap' : 'behind'
    }
    return batch.baseSequence === state.unresolvedNext ? 'gap' : 'behind'
  }

  /**
   * A batch with a sequence failed for good after it was sent: the broker may or may not have it.
   * An idempotent producer's partition is unresolved until what is still out is answered (see
   * maybeBump); a transactional producer's transaction can only be aborted, which starts every
   * partition afresh.
   */
  failed(key: PartitionQueue, batch: OutgoingBatch): void {
    const state = this.#state(key)
    state.remove(batch)
    if (!batch.hasSequence || !this.#bumpLocally) return
    if (batch.producerId !== state.producerId || batch.producerEpoch !== state.epoch) return
    const next = wrap(batch.baseSequence + batch.recordCount)
    if (!this.#unresolved.has(key) || next > state.unresolvedNext) state.unresolvedNext = next
    this.#unresolved.add(key)
  }

  /**
   * The partition's sequences must restart: there is a gap (OUT_OF_ORDER_SEQUENCE_NUMBER), or the
   * broker lost this producer's state (UNKNOWN_PRODUCER_ID). An idempotent producer bumps its epoch
   * (KIP-360); a transactional one restarts the partition at 0 under its epoch (the broker accepts
   * sequence 0 from a producer it has no state for), as Java's does.
   */
  requestBump(key: PartitionQueue): void {
    if (this.#bumpLocally) this.#bumpFor.add(key)
    else this.#restartFor.add(key)
  }

  /**
   * Bumps the epoch locally (KIP-360: an idempotent producer may, the broker accepts sequence 0 under
   * a higher epoch) once no batch of the partitions concerned is in flight, and renumbers their
   * unacknowledged batches from 0. When the epoch is exhausted it forgets the producer id instead:
   * the caller must get a new one (InitProducerId) and pass it to setProducerIdAndEpoch.
   */
  maybeBump(): 'none' | 'bumped' | 'new-producer-id' {
    this.#resolve()
    for (const queue of this.#restartFor) {
      if (queue.inFlight > 0) continue
      this.#renumber(queue)
      this.#restartFor.delete(queue)
    }
    if (this.#bumpFor.size === 0 || !this.hasProducerId) return 'none'
    for (const queue of this.#bumpFor) if (queue.inFlight > 0) return 'none'
    if (this.#current.epoch >= MAX_EPOCH) {
      this.#current = NO_PRODUCER_ID
      return 'new-producer-id'
    }
    this.#current = { producerId: this.#current.producerId, epoch: this.#current.epoch + 1 }
    for (const queue of this.#bumpFor) this.#renumber(queue)
    this.#bumpFor.clear()
    return 'bumped'
  }

  /**
   * Unresolved partitions whose batches are all answered (none in a request, none waiting for a
   * retry) are resolved: if the broker acknowledged every sequence numbered, it had written the
   * failed batches and nothing is missing; otherwise the partition needs a new epoch.
   */
  #resolve(): void {
    for (const queue of this.#unresolved) {
      const state = this.#state(queue)
      if (queue.inFlight > 0 || state.unacked.length > 0) continue
      this.#unresolved.delete(queue)
      state.unresolvedNext = -1
      if (!state.allAcknowledged) this.#bumpFor.add(queue)
    }
  }

  #renumber(queue: PartitionQueue): void {
    const state = this.#state(queue)
    this.#unresolved.delete(queue)
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
