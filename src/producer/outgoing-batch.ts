// One partition's batch of records on its way to the broker (Java's ProducerBatch): it fills up in
// the accumulator, is closed when drained into a Produce request, may come back for a retry or be
// split in two when the broker finds it too large, and settles the segments of the send() calls
// whose records it carries.

import { type CompressionType, CompressionTypes } from '../protocol/codecs/compression-types.js'
import { type BatchBuffers, encodeRecordBatch, encodeRecordBatchSync } from '../protocol/records/encode-record-batch.js'
import { RECORD_BATCH_OVERHEAD } from '../protocol/records/record-batch-format.js'
import type { OutgoingRecord } from './messages.js'
import type { Acks } from './producer-options.js'
import type { PartitionResult, SendResult } from './send-result.js'

/** A run of one send() call's records in this batch: records [start, start + count). */
export interface BatchSegment {
  readonly result: SendResult
  readonly entry: PartitionResult
  readonly start: number
  count: number
}

/** What a batch carries besides its records; batches differing in any of these never merge. */
export interface BatchSettings {
  readonly compression: CompressionType
  readonly acks: Acks
  /** How long the broker may wait for the acks (Produce timeoutMs). */
  readonly ackTimeout: number
  readonly transactional: boolean
}

/** Java adds 5% to the estimated compressed size, so that an estimate slightly low does not overfill. */
const COMPRESSION_ESTIMATE_MARGIN = 1.05

export class OutgoingBatch {
  readonly topic: string
  readonly partition: number
  readonly settings: BatchSettings
  /** Date.now() when the first record arrived; the delivery timeout counts from here. */
  readonly createdAt: number
  /** Bytes at which the batch counts as full (batchSize, or one oversized record's size). */
  readonly capacity: number
  /** Replaced, not grown, when queued batches are absorbed (one exact-size array instead of regrowth per record). */
  records: OutgoingRecord[] = []
  readonly segments: BatchSegment[] = []
  #recordBytes = 0
  /** #estimate(#recordBytes), kept as records come: read for every record appended. */
  #estimatedSize = RECORD_BATCH_OVERHEAD
  /** The compressed-to-uncompressed ratio assumed while filling (1 without compression). */
  readonly #compressionRatio: number
  /** Produce requests this batch went out in without being acknowledged. */
  attempts = 0
  /** Not to be sent again before this Date.now(); backoff after a failure. */
  retryAt = 0
  /** The node its last Produce request went to (-1 before the first). */
  sentTo = -1
  producerId = -1n
  producerEpoch = -1
  baseSequence = -1
  /** No more records may be appended (it was drained, expired or split). */
  closed = false
  done = false
  #encoded: Buffer | undefined
  #encodedFor = ''
  #whenDone: { promise: Promise<void>; resolve: () => void } | undefined
  /** Batches whose records this one took over (absorb): they are done when this one is. */
  readonly #absorbed: OutgoingBatch[] = []

  constructor(
    topic: string,
    partition: number,
    settings: BatchSettings,
    capacity: number,
    createdAt: number,
    compressionRatio = 1,
  ) {
    this.topic = topic
    this.partition = partition
    this.settings = settings
    this.capacity = capacity
    this.createdAt = createdAt
    this.#compressionRatio = settings.compression === CompressionTypes.None ? 1 : compressionRatio
  }

  get recordCount(): number {
    return this.records.length
  }

  get hasSequence(): boolean {
    return this.baseSequence >= 0
  }

  /** Estimated encoded size, as Java's MemoryRecordsBuilder estimates it. */
  get estimatedSize(): number {
    return this.#estimatedSize
  }

  /** Record size bounds summed, uncompressed: what the batch holds of the producer's buffer. */
  get recordBytes(): number {
    return this.#recordBytes
  }

  #addRecordBytes(bytes: number): void {
    this.#recordBytes += bytes
    this.#estimatedSize = this.#estimate(this.#recordBytes)
  }

  /** The estimated encoded size of this batch's settings and ratio holding `recordBytes` of records. */
  #estimate(recordBytes: number): number {
    if (this.settings.compression === CompressionTypes.None) return RECORD_BATCH_OVERHEAD + recordBytes
    return RECORD_BATCH_OVERHEAD + Math.ceil(recordBytes * this.#compressionRatio * COMPRESSION_ESTIMATE_MARGIN)
  }

  get isFull(): boolean {
    return this.closed || (this.records.length > 0 && this.#estimatedSize >= this.capacity)
  }

  /**
   * Whether a retry waits out its backoff now: not when its partition has a new leader since the
   * last attempt (KIP-951, as Java's accumulator: the new leader is tried at once).
   */
  backingOff(now: number, leader: number): boolean {
    return this.attempts > 0 && this.retryAt > now && leader === this.sentTo
  }

  /** Whether a record of `size` bytes (its upper bound) fits: always, into an empty batch. */
  hasRoomFor(size: number): boolean {
    if (this.closed) return false
    if (this.records.length === 0) return true
    const ratio =
      this.settings.compression === CompressionTypes.None ? 1 : this.#compressionRatio * COMPRESSION_ESTIMATE_MARGIN
    return this.#estimatedSize + Math.ceil(size * ratio) <= this.capacity
  }

  append(record: OutgoingRecord, size: number, result: SendResult): void {
    const index = this.records.length
    this.records.push(record)
    this.#addRecordBytes(size)
    const last = this.segments[this.segments.length - 1]
    if (last !== undefined && last.result === result) {
      last.count++
    } else {
      this.segments.push({ result, entry: result.entry(this.topic, this.partition), start: index, count: 1 })
      result.segmentAdded()
    }
  }

  /**
   * Whether `next`, the batch queued behind this one, can join it: same settings, never sent (no
   * attempt, no sequence), and the sum stays within `maxBytes` estimated bytes. `recordBytes` is what
   * this batch holds by then (more than now when batches before `next` are to join it too).
   */
  canAbsorb(next: OutgoingBatch, maxBytes: number, recordBytes = this.recordBytes): boolean {
    return (
      next.settings === this.settings &&
      next.attempts === 0 &&
      !next.hasSequence &&
      !this.hasSequence &&
      this.#estimate(recordBytes) + next.estimatedSize - RECORD_BATCH_OVERHEAD <= maxBytes
    )
  }

  /**
   * Takes over the records and segments of `nexts`, the batches queued behind this one in order
   * (each passed canAbsorb); they are done when this batch is. The records are gathered into one
   * array of the final size: pushing them one by one regrew the array, and merged backlogs of up to
   * a megabyte made that copying a large part of the producer's garbage.
   */
  absorb(nexts: readonly OutgoingBatch[]): void {
    if (nexts.length === 0) return
    const sources: OutgoingRecord[][] = []
    let offset = this.records.length
    for (const next of nexts) {
      sources.push(next.records)
      this.#addRecordBytes(next.recordBytes)
      for (const segment of next.segments) {
        const last = this.segments[this.segments.length - 1]
        if (
          last !== undefined &&
          last.result === segment.result &&
          last.start + last.count === offset + segment.start
        ) {
          last.count += segment.count
          segment.result.segmentReleased()
        } else {
          this.segments.push({ ...segment, start: offset + segment.start })
        }
      }
      offset += next.records.length
      next.closed = true
      this.#absorbed.push(next)
    }
    this.records = this.records.concat(...sources)
  }

  setProducerState(producerId: bigint, producerEpoch: number, baseSequence: number): void {
    this.producerId = producerId
    this.producerEpoch = producerEpoch
    this.baseSequence = baseSequence
  }

  /**
   * The batch's bytes for a Produce request; re-encoded only when its producer state changed.
   * Encoding buffers come from `buffers` if given.
   */
  async encode(buffers?: BatchBuffers): Promise<Buffer> {
    const key = `${this.producerId}:${this.producerEpoch}:${this.baseSequence}`
    if (this.#encoded !== undefined && this.#encodedFor === key) return this.#encoded
    const input = {
      records: this.records,
      compression: this.settings.compression,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      baseSequence: this.baseSequence,
      transactional: this.settings.transactional,
    }
    const encoded =
      this.settings.compression === CompressionTypes.None
        ? encodeRecordBatchSync(input, buffers)
        : await encodeRecordBatch(input, buffers)
    this.#encoded = encoded
    this.#encodedFor = key
    return encoded
  }

  /** Hands over the encoded bytes (to reuse their buffer) and forgets them; undefined if not encoded. */
  takeEncoded(): Buffer | undefined {
    const encoded = this.#encoded
    this.#encoded = undefined
    this.#encodedFor = ''
    return encoded
  }

  /** The observed compressed-to-uncompressed ratio of the last encoding, for the accumulator's estimate. */
  get observedCompressionRatio(): number | undefined {
    if (this.#encoded === undefined || this.recordBytes === 0) return undefined
    return (this.#encoded.length - RECORD_BATCH_OVERHEAD) / this.recordBytes
  }

  /** Settles every segment as written from `baseOffset` (-1n when the broker does not say, acks 0). */
  complete(baseOffset: bigint, logAppendTime: bigint, logStartOffset: bigint): void {
    if (this.done) return
    for (const segment of this.segments) {
      const offset = baseOffset < 0n ? -1n : segment.start === 0 ? baseOffset : baseOffset + BigInt(segment.start)
      segment.result.segmentDone(segment.entry, offset, logAppendTime, logStartOffset)
    }
    this.#finish()
  }

  fail(error: Error): void {
    if (this.done) return
    for (const segment of this.segments) segment.result.segmentFailed(error)
    this.#finish()
  }

  /** Resolves when the batch is acknowledged or has failed (for flush). */
  whenDone(): Promise<void> {
    if (this.done) return Promise.resolve()
    if (this.#whenDone === undefined) {
      let resolve!: () => void
      const promise = new Promise<void>((r) => {
        resolve = r
      })
      this.#whenDone = { promise, resolve }
    }
    return this.#whenDone.promise
  }

  /**
   * Splits the records into batches of at most `batchSize` estimated bytes (one record per batch at
   * least), for a batch the broker refused as too large. The parts take over the segments, keep the
   * creation time (the delivery timeout still counts from the first send) and, when this batch had
   * a sequence, consecutive sequences from its base sequence, so the broker sees the same range.
   * This batch is left done without settling anything.
   */
  split(batchSize: number, sizeOf: (record: OutgoingRecord) => number): OutgoingBatch[] {
    const parts: OutgoingBatch[] = []
    let current: OutgoingBatch | undefined
    let segmentIndex = 0
    let segmentEnd = this.segments[0] === undefined ? 0 : this.segments[0].start + this.segments[0].count
    for (let i = 0; i < this.records.length; i++) {
      const record = this.records[i]!
      const size = sizeOf(record)
      if (current === undefined || !current.hasRoomFor(size)) {
        current = new OutgoingBatch(
          this.topic,
          this.partition,
          this.settings,
          batchSize,
          this.createdAt,
          this.#compressionRatio,
        )
        parts.push(current)
      }
      while (i >= segmentEnd) {
        segmentIndex++
        const next = this.segments[segmentIndex]!
        segmentEnd = next.start + next.count
      }
      const segment = this.segments[segmentIndex]!
      // the parts add their segments to the call; this batch's own segment is released below
      current.append(record, size, segment.result)
    }
    for (const segment of this.segments) segment.result.segmentReleased()
    if (this.hasSequence) {
      let sequence = this.baseSequence
      for (const part of parts) {
        part.setProducerState(this.producerId, this.producerEpoch, sequence)
        sequence += part.recordCount
      }
    }
    this.closed = true
    this.#finish()
    return parts
  }

  #finish(): void {
    this.done = true
    this.closed = true
    this.#whenDone?.resolve()
    for (const batch of this.#absorbed) batch.#finish()
  }
}
