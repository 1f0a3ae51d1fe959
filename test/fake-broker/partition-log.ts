// One partition of the fake cluster: its leader, and its log of the record batches it accepted,
// with the broker-side producer state that makes idempotence checkable (Kafka's
// ProducerStateManager, reduced to what a client can observe).
//
// Invariants:
// 1. Offsets are dense: each batch gets baseOffset = the log end, and the log end moves past its
//    last offset. Everything written counts as replicated (high watermark = log end).
// 2. Per producer id, the partition keeps the epoch and the last five batches' sequence ranges and
//    offsets, as Kafka does: a batch equal to one of them is a duplicate and is answered with the
//    original offset (not written again); any other batch must continue the last sequence under
//    the same epoch, or start at 0 under a newer one.
// 3. The last stable offset is the first offset of the oldest open transaction on the partition
//    (the high watermark when none is open); aborted transactions are remembered with their range
//    for read_committed fetches.

import { ErrorCode } from '../../src/protocol/generated/errors.js'
import { endTxnMarkerRecord } from '../../src/protocol/records/control-record.js'
import { encodeRecordBatchSync } from '../../src/protocol/records/encode-record-batch.js'
import { type BatchHeader, placeBatch, readBatches } from './batches.js'

/** How many batches per producer the partition remembers for duplicate detection (Kafka's 5). */
const PRODUCER_BATCHES_KEPT = 5
const INT32_MAX = 2147483647

export interface StoredBatch {
  baseOffset: bigint
  lastOffset: bigint
  header: BatchHeader
}

interface ProducerBatchRange {
  firstSequence: number
  lastSequence: number
  baseOffset: bigint
}

interface ProducerEntry {
  epoch: number
  batches: ProducerBatchRange[]
}

export interface AbortedTransaction {
  producerId: bigint
  firstOffset: bigint
  lastOffset: bigint
}

export interface AppendResult {
  errorCode: number
  baseOffset: bigint
  errorMessage?: string
}

export interface PartitionLogOptions {
  /**
   * Answer a duplicate batch with DUPLICATE_SEQUENCE_NUMBER (and its original offset) instead of
   * success with its original offset, which is what current Kafka answers.
   */
  duplicateSequenceError: boolean
}

export class PartitionLog {
  readonly batches: StoredBatch[] = []
  leader: number
  leaderEpoch = 0
  replicas: number[]
  logStartOffset = 0n
  #logEnd = 0n
  /** The leader epochs and the offset each began at, oldest first (Kafka's leader epoch cache). */
  readonly #epochs: { epoch: number; start: bigint }[] = [{ epoch: 0, start: 0n }]
  readonly #producers = new Map<bigint, ProducerEntry>()
  /** Producer id -> first offset of its open transaction here. */
  readonly #openTransactions = new Map<bigint, bigint>()
  readonly abortedTransactions: AbortedTransaction[] = []

  constructor(
    readonly topic: string,
    readonly index: number,
    leader: number,
    replicas: number[],
    readonly options: PartitionLogOptions,
  ) {
    this.leader = leader
    this.replicas = replicas
  }

  get highWatermark(): bigint {
    return this.#logEnd
  }

  get lastStableOffset(): bigint {
    let lso = this.#logEnd
    for (const first of this.#openTransactions.values()) if (first < lso) lso = first
    return lso
  }

  /** Whether `producerId` has a transaction open on this partition. */
  hasOpenTransaction(producerId: bigint): boolean {
    return this.#openTransactions.has(producerId)
  }

  /**
   * Appends the batches of one Produce partition entry (readBatches' output), all or nothing, after
   * the producer checks; the result is the first batch's base offset.
   */
  append(headers: readonly BatchHeader[]): AppendResult {
    if (headers.length === 0) return fail(ErrorCode.CORRUPT_MESSAGE, 'no record batch')
    for (const header of headers) {
      const check = this.#checkProducer(header)
      if (check !== undefined) return check
    }
    const baseOffset = this.#logEnd
    for (const header of headers) this.#write(header)
    return { errorCode: ErrorCode.NONE, baseOffset }
  }

  /** Writes a transaction marker (a control batch) and closes the producer's transaction here. */
  writeMarker(producerId: bigint, producerEpoch: number, committed: boolean, coordinatorEpoch = 0): void {
    const first = this.#openTransactions.get(producerId)
    if (first === undefined) return
    const bytes = encodeRecordBatchSync({
      records: [endTxnMarkerRecord({ committed, coordinatorEpoch })],
      producerId,
      producerEpoch,
      transactional: true,
      isControl: true,
    })
    const [header] = readBatches(bytes)
    const stored = this.#write(header!)
    this.#openTransactions.delete(producerId)
    if (!committed) this.abortedTransactions.push({ producerId, firstOffset: first, lastOffset: stored.lastOffset })
  }

  /** `node` leads from now on, under the next leader epoch, which begins at the log end. */
  elect(node: number): void {
    this.leader = node
    this.leaderEpoch++
    this.#epochs.push({ epoch: this.leaderEpoch, start: this.#logEnd })
  }

  /**
   * Drops every batch from `offset` on and the epochs that began there or later, as a replica that
   * never had them (the follower an unclean election makes leader). `offset` must begin a batch.
   */
  truncateTo(offset: bigint): void {
    const kept = this.batches.filter((b) => b.baseOffset < offset)
    if (kept.some((b) => b.lastOffset >= offset)) throw new Error(`offset ${offset} is inside a batch`)
    this.batches.splice(0, this.batches.length, ...kept)
    this.#logEnd = offset
    // the leader epoch stays: the controller's next election goes on counting from it
    while (this.#epochs.length > 1 && this.#epochs.at(-1)!.start >= offset) this.#epochs.pop()
  }

  /**
   * Where `epoch` ends in this log, as Kafka's LeaderEpochFileCache.endOffsetFor answers
   * OffsetForLeaderEpoch: the log end for the latest epoch; for an older one the start of the next
   * epoch, under the latest epoch at or before it; epoch and offset -1 for an epoch after all known.
   */
  endOffsetFor(epoch: number): { epoch: number; endOffset: bigint } {
    if (epoch === this.leaderEpoch) return { epoch, endOffset: this.#logEnd }
    const higher = this.#epochs.find((e) => e.epoch > epoch)
    if (higher === undefined) return { epoch: -1, endOffset: -1n }
    const floor = this.#epochs.filter((e) => e.epoch <= epoch).at(-1)
    return { epoch: floor?.epoch ?? epoch, endOffset: higher.start }
  }

  /** The batches holding offsets from `offset` up to (not including) `limit`: at least one, then up to `maxBytes`. */
  read(offset: bigint, limit: bigint, maxBytes: number): StoredBatch[] {
    const out: StoredBatch[] = []
    let bytes = 0
    for (const batch of this.batches) {
      if (batch.lastOffset < offset || batch.baseOffset >= limit) continue
      if (out.length > 0 && bytes + batch.header.bytes.length > maxBytes) break
      out.push(batch)
      bytes += batch.header.bytes.length
    }
    return out
  }

  /** The first offset whose batch's max timestamp is at least `timestamp` (ListOffsets by time). */
  offsetForTimestamp(timestamp: bigint): { offset: bigint; timestamp: bigint } | undefined {
    for (const batch of this.batches) {
      if (!batch.header.control && batch.header.maxTimestamp >= timestamp) {
        return { offset: batch.baseOffset, timestamp: batch.header.maxTimestamp }
      }
    }
    return undefined
  }

  #checkProducer(header: BatchHeader): AppendResult | undefined {
    if (header.producerId < 0n) return undefined
    const entry = this.#producers.get(header.producerId)
    if (entry === undefined) return undefined // Kafka accepts any sequence from a producer it has no state for
    const lastSequence = addSequence(header.baseSequence, header.lastOffsetDelta)
    if (header.producerEpoch < entry.epoch) {
      return fail(ErrorCode.INVALID_PRODUCER_EPOCH, `epoch ${header.producerEpoch} is older than ${entry.epoch}`)
    }
    if (header.producerEpoch > entry.epoch) {
      if (header.baseSequence === 0) return undefined
      return fail(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `a new epoch starts at sequence ${header.baseSequence}, not 0`,
      )
    }
    const duplicate = entry.batches.find(
      (b) => b.firstSequence === header.baseSequence && b.lastSequence === lastSequence,
    )
    if (duplicate !== undefined) {
      const errorCode = this.options.duplicateSequenceError ? ErrorCode.DUPLICATE_SEQUENCE_NUMBER : ErrorCode.NONE
      return { errorCode, baseOffset: duplicate.baseOffset }
    }
    const last = entry.batches.at(-1)
    const expected = last === undefined ? 0 : addSequence(last.lastSequence, 1)
    if (header.baseSequence !== expected) {
      return fail(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `sequence ${header.baseSequence} for producer ${header.producerId}, expected ${expected}`,
      )
    }
    return undefined
  }

  #write(header: BatchHeader): StoredBatch {
    const baseOffset = this.#logEnd
    placeBatch(header.bytes, baseOffset, this.leaderEpoch)
    const stored = { baseOffset, lastOffset: baseOffset + BigInt(header.lastOffsetDelta), header }
    this.batches.push(stored)
    this.#logEnd = stored.lastOffset + 1n
    if (header.producerId >= 0n && !header.control) {
      this.#remember(header, baseOffset)
      if (header.transactional && !this.#openTransactions.has(header.producerId)) {
        this.#openTransactions.set(header.producerId, baseOffset)
      }
    }
    return stored
  }

  #remember(header: BatchHeader, baseOffset: bigint): void {
    let entry = this.#producers.get(header.producerId)
    if (entry === undefined || entry.epoch !== header.producerEpoch) {
      entry = { epoch: header.producerEpoch, batches: [] }
      this.#producers.set(header.producerId, entry)
    }
    entry.batches.push({
      firstSequence: header.baseSequence,
      lastSequence: addSequence(header.baseSequence, header.lastOffsetDelta),
      baseOffset,
    })
    if (entry.batches.length > PRODUCER_BATCHES_KEPT) entry.batches.shift()
  }
}

/** Sequences wrap from INT32_MAX to 0. */
function addSequence(sequence: number, delta: number): number {
  return sequence > INT32_MAX - delta ? delta - (INT32_MAX - sequence) - 1 : sequence + delta
}

function fail(errorCode: number, errorMessage: string): AppendResult {
  return { errorCode, baseOffset: -1n, errorMessage }
}
