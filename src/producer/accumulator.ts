// The record accumulator (Java's RecordAccumulator): per partition, a queue of batches that
// concurrent send() calls fill; the sender asks which leaders have something ready and drains one
// batch per partition per Produce request.
//
// Queue invariants (checked by test/producer/accumulator.test.ts):
// 1. A partition's queue holds batches in the order they must reach the broker: retried batches
//    (which have sequences, under idempotence) at the front in sequence order, then new batches in
//    creation order. Only the last batch of a queue is open for appends.
// 2. A batch is in exactly one place: a queue (not done), drained into a request (the sender holds
//    it), or done. Every batch not done is in #incomplete, which flush() waits on.
// 3. A batch is ready when it is full, not the last of its queue, has waited `linger` (or, for a
//    retry, its backoff, unless its partition has a new leader since it was sent), or when flushing, closing, or when someone waits for buffer room. Once a
//    leader has a ready batch, every partition it leads contributes its head batch to the request.

import { type CompressionType, CompressionTypes } from '../protocol/codecs/compression-types.js'
import type { OutgoingRecord } from './messages.js'
import { type BatchSettings, OutgoingBatch } from './outgoing-batch.js'
import type { SendResult } from './send-result.js'

export class PartitionQueue {
  readonly topic: string
  readonly partition: number
  readonly batches: OutgoingBatch[] = []
  /** Batches of this partition in Produce requests awaiting their response. */
  inFlight = 0

  constructor(topic: string, partition: number) {
    this.topic = topic
    this.partition = partition
  }

  get last(): OutgoingBatch | undefined {
    return this.batches[this.batches.length - 1]
  }
}

/**
 * What append() did, as bit flags (a number, not an object: append runs once per record):
 * APPENDED_NEW_BATCH when the record started a new batch, APPENDED_LAST_FULL when the partition's
 * last batch is full after it (the sticky partitioner may move on).
 */
export type AppendFlags = number
export const APPENDED_NEW_BATCH = 1
export const APPENDED_LAST_FULL = 2

export interface ReadyNodes {
  /** Leader node id -> every non-empty queue it leads, for nodes with at least one ready batch. */
  readonly nodes: Map<number, PartitionQueue[]>
  /** ms until a batch that is not ready yet becomes ready (its linger or backoff ends); Infinity if none. */
  readonly nextCheckDelay: number
  /** Topics with batches waiting for a partition whose leader is not known. */
  readonly unknownLeaderTopics: Set<string>
  /** createdAt of the oldest batch at the head of a queue (Infinity if none): when the next may expire. */
  readonly oldestQueued: number
}

/** Leader node id of a partition in the current metadata, -1 when unknown. */
export type LeaderOf = (topic: string, partition: number) => number

/** Whether the sender may put this head batch into a request now (ordering, transactions). */
export type MayDrain = (queue: PartitionQueue, batch: OutgoingBatch) => boolean

export interface AccumulatorOptions {
  batchSize: number
  linger: number
}

/**
 * Backlogged batches of a partition merge at drain time up to this many estimated bytes: under the
 * broker's default max.message.bytes (1048588), so a merged batch is not refused for its size.
 */
export const MERGED_BATCH_LIMIT = 1_000_000

/** Java's CompressionRatioEstimator steps: quick to assume worse, slow to assume better. */
const RATIO_DETERIORATE_STEP = 0.05
const RATIO_IMPROVE_STEP = 0.005

export class RecordAccumulator {
  readonly #batchSize: number
  readonly #linger: number
  readonly #queues = new Map<string, Map<number, PartitionQueue>>()
  readonly #incomplete = new Set<OutgoingBatch>()
  /** Estimated compressed/uncompressed ratio per topic and codec. */
  readonly #ratios = new Map<string, number>()
  /** Rotates the partition each node's drain starts with, so no partition is always last. */
  readonly #drainStart = new Map<number, number>()
  /** Topics whose broker refused a batch as too large: their batches are not merged any more. */
  readonly #noMerge = new Set<string>()
  #flushes = 0
  #closing = false
  /** The queue queue() returned last (queues are never removed). */
  #lastQueue: PartitionQueue | undefined

  constructor(options: AccumulatorOptions) {
    this.#batchSize = options.batchSize
    this.#linger = options.linger
  }

  get batchSize(): number {
    return this.#batchSize
  }

  /** Batches not yet acknowledged or failed, in the accumulator or in flight. */
  get incompleteCount(): number {
    return this.#incomplete.size
  }

  queue(topic: string, partition: number): PartitionQueue {
    // consecutive appends mostly go to one partition (the sticky partitioner): no map lookups then
    const last = this.#lastQueue
    if (last !== undefined && last.partition === partition && last.topic === topic) return last
    let partitions = this.#queues.get(topic)
    if (partitions === undefined) {
      partitions = new Map()
      this.#queues.set(topic, partitions)
    }
    let queue = partitions.get(partition)
    if (queue === undefined) {
      queue = new PartitionQueue(topic, partition)
      partitions.set(partition, queue)
    }
    this.#lastQueue = queue
    return queue
  }

  /** Batches waiting in a partition's queue (the adaptive partitioner's load signal). */
  queueSize(topic: string, partition: number): number {
    return this.#queues.get(topic)?.get(partition)?.batches.length ?? 0
  }

  /**
   * Appends a record (`size` is its upper bound) to the partition's open batch when it matches the
   * settings and has room, else to a new batch.
   */
  append(
    topic: string,
    partition: number,
    record: OutgoingRecord,
    size: number,
    settings: BatchSettings,
    result: SendResult,
    now: number,
  ): AppendFlags {
    const queue = this.queue(topic, partition)
    let batch = queue.last
    let newBatch = false
    if (batch === undefined || batch.settings !== settings || !batch.hasRoomFor(size)) {
      if (batch !== undefined) batch.closed = true
      batch = new OutgoingBatch(
        topic,
        partition,
        settings,
        this.#batchSize,
        now,
        this.#ratio(topic, settings.compression),
      )
      queue.batches.push(batch)
      this.#incomplete.add(batch)
      newBatch = true
    }
    batch.append(record, size, result)
    return (newBatch ? APPENDED_NEW_BATCH : 0) | (batch.isFull ? APPENDED_LAST_FULL : 0)
  }

  /**
   * Which leaders have a batch to send now (invariant 3), and when to look again. `exhausted` is
   * true while a send() waits for buffer room.
   */
  ready(leaderOf: LeaderOf, now: number, exhausted: boolean): ReadyNodes {
    const nodes = new Map<number, PartitionQueue[]>()
    const readyNodes = new Set<number>()
    const unknownLeaderTopics = new Set<string>()
    let nextCheckDelay = Number.POSITIVE_INFINITY
    let oldestQueued = Number.POSITIVE_INFINITY
    const urgent = exhausted || this.#closing || this.#flushes > 0
    for (const partitions of this.#queues.values()) {
      for (const queue of partitions.values()) {
        const head = queue.batches[0]
        if (head === undefined) continue
        if (head.createdAt < oldestQueued) oldestQueued = head.createdAt
        const leader = leaderOf(queue.topic, queue.partition)
        if (leader < 0) {
          unknownLeaderTopics.add(queue.topic)
          continue
        }
        let led = nodes.get(leader)
        if (led === undefined) {
          led = []
          nodes.set(leader, led)
        }
        led.push(queue)
        if (readyNodes.has(leader)) continue
        const backingOff = head.backingOff(now, leader)
        const waitUntil = backingOff ? head.retryAt : head.createdAt + this.#linger
        const full = queue.batches.length > 1 || head.isFull
        if (!backingOff && (full || urgent || waitUntil <= now)) {
          readyNodes.add(leader)
        } else {
          nextCheckDelay = Math.min(nextCheckDelay, Math.max(0, waitUntil - now))
        }
      }
    }
    for (const node of nodes.keys()) if (!readyNodes.has(node)) nodes.delete(node)
    return { nodes, nextCheckDelay, unknownLeaderTopics, oldestQueued }
  }

  /**
   * Takes at most one batch per partition of `queues` (a ready node's), head first, up to
   * `maxRequestSize` bytes (a first batch goes even if larger), all with the settings of the first
   * batch taken. Drained batches are closed.
   *
   * A Produce request carries one batch per partition, so a partition with a backlog (batches
   * queued behind its head that were never sent) has them merged into the head, up to
   * MERGED_BATCH_LIMIT: under load, requests carry more than batchSize per partition, as if the
   * batches had been larger; without a backlog nothing changes.
   */
  drain(
    nodeId: number,
    queues: readonly PartitionQueue[],
    maxRequestSize: number,
    now: number,
    mayDrain: MayDrain,
  ): OutgoingBatch[] {
    const drained: OutgoingBatch[] = []
    let size = 0
    let settings: BatchSettings | undefined
    const start = (this.#drainStart.get(nodeId) ?? 0) % Math.max(1, queues.length)
    for (let i = 0; i < queues.length; i++) {
      const queue = queues[(start + i) % queues.length]!
      const head = queue.batches[0]
      if (head === undefined) continue
      if (head.backingOff(now, nodeId)) continue
      if (settings !== undefined && head.settings.acks !== settings.acks) continue
      if (drained.length > 0 && size + head.estimatedSize > maxRequestSize) break
      if (!mayDrain(queue, head)) continue
      queue.batches.shift()
      head.closed = true
      if (!this.#noMerge.has(queue.topic)) {
        // leave the partitions after this one their share of the request
        const limit = Math.min(MERGED_BATCH_LIMIT, Math.floor((maxRequestSize - size) / (queues.length - i)))
        // the batches that join are gathered first and absorbed at once; canAbsorb counts the
        // record bytes of those gathered before
        let taken = 0
        let recordBytes = head.recordBytes
        for (let next = queue.batches[0]; next !== undefined && head.canAbsorb(next, limit, recordBytes); ) {
          recordBytes += next.recordBytes
          this.#incomplete.delete(next)
          next = queue.batches[++taken]
        }
        if (taken > 0) head.absorb(queue.batches.splice(0, taken))
      }
      settings ??= head.settings
      size += head.estimatedSize
      drained.push(head)
    }
    this.#drainStart.set(nodeId, start + 1)
    return drained
  }

  /** Puts a batch back for a retry: at the front, among the retried batches in sequence order. */
  reenqueue(batch: OutgoingBatch): void {
    const queue = this.queue(batch.topic, batch.partition)
    let at = 0
    if (batch.hasSequence) {
      while (at < queue.batches.length) {
        const other = queue.batches[at]!
        if (!other.hasSequence || other.baseSequence > batch.baseSequence) break
        at++
      }
    }
    queue.batches.splice(at, 0, batch)
  }

  /** Replaces a drained batch by the parts it was split into (see OutgoingBatch.split). */
  splitAndReenqueue(batch: OutgoingBatch, sizeOf: (record: OutgoingRecord) => number): OutgoingBatch[] {
    const parts = batch.split(this.#batchSize, sizeOf)
    this.#noMerge.add(batch.topic)
    this.#incomplete.delete(batch)
    // inserting the last part first leaves them in order when the batch had no sequence
    for (let i = parts.length - 1; i >= 0; i--) {
      const part = parts[i]!
      part.closed = true
      this.#incomplete.add(part)
      if (part.hasSequence) this.reenqueue(part)
      else this.queue(part.topic, part.partition).batches.unshift(part)
    }
    return parts
  }

  /** Forgets a batch that was acknowledged or failed. */
  batchDone(batch: OutgoingBatch): void {
    this.#incomplete.delete(batch)
  }

  /** Removes and returns the batches still queued that are `deliveryTimeout` old (oldest first per queue). */
  expire(now: number, deliveryTimeout: number): OutgoingBatch[] {
    const expired: OutgoingBatch[] = []
    for (const partitions of this.#queues.values()) {
      for (const queue of partitions.values()) {
        while (queue.batches.length > 0 && now - queue.batches[0]!.createdAt >= deliveryTimeout) {
          const batch = queue.batches.shift()!
          batch.closed = true
          expired.push(batch)
        }
      }
    }
    return expired
  }

  /** Removes and returns every queued batch (not those in flight): to fail them on abort or close. */
  removeQueued(filter: (batch: OutgoingBatch) => boolean = () => true): OutgoingBatch[] {
    const removed: OutgoingBatch[] = []
    for (const partitions of this.#queues.values()) {
      for (const queue of partitions.values()) {
        const kept: OutgoingBatch[] = []
        for (const batch of queue.batches) {
          if (filter(batch)) {
            batch.closed = true
            removed.push(batch)
          } else kept.push(batch)
        }
        queue.batches.splice(0, queue.batches.length, ...kept)
      }
    }
    return removed
  }

  /** Every batch appended so far is done once the returned promise resolves; meanwhile all are ready. */
  async flush(): Promise<void> {
    this.#flushes++
    try {
      await Promise.all([...this.#incomplete].map((b) => b.whenDone()))
    } finally {
      this.#flushes--
    }
  }

  get flushing(): boolean {
    return this.#flushes > 0
  }

  /** While closing, every batch is ready at once (the producer is disconnecting). */
  setClosing(closing: boolean): void {
    this.#closing = closing
  }

  /** Updates the compression estimate of the batch's topic and codec from its encoded size (as Java). */
  observeCompression(batch: OutgoingBatch): void {
    const observed = batch.observedCompressionRatio
    if (observed === undefined || batch.settings.compression === CompressionTypes.None) return
    const key = ratioKey(batch.topic, batch.settings.compression)
    const current = this.#ratios.get(key) ?? 1
    let next = current
    if (observed > current) next = Math.max(current + RATIO_DETERIORATE_STEP, observed)
    else if (observed < current) next = Math.max(current - RATIO_IMPROVE_STEP, observed)
    this.#ratios.set(key, next)
  }

  #ratio(topic: string, compression: CompressionType): number {
    return compression === CompressionTypes.None ? 1 : (this.#ratios.get(ratioKey(topic, compression)) ?? 1)
  }
}

function ratioKey(topic: string, compression: CompressionType): string {
  return `${compression}:${topic}`
}
