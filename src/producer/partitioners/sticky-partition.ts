// Java's built-in partitioner for records without a key (KIP-480 sticky, KIP-794 uniform sticky):
// all keyless records of a topic go to one partition until about batchSize bytes were produced to
// it, then another partition is picked. The pick is uniform over the partitions that have a leader,
// or, given queue sizes (batches waiting per partition), weighted towards the partitions with the
// shortest queues, so a slow broker receives less (KIP-794 adaptive partitioning).

import type { PartitionMetadata } from './types.js'

/** Batches waiting in the accumulator for a partition. */
export type QueueSizeOf = (partition: number) => number

export class StickyPartition {
  readonly #batchSize: number
  readonly #random: () => number
  #current = -1
  #producedBytes = 0

  constructor(batchSize: number, random: () => number = Math.random) {
    this.#batchSize = batchSize
    this.#random = random
  }

  /** The partition keyless records go to now. */
  partition(partitions: readonly PartitionMetadata[], queueSizeOf?: QueueSizeOf): number {
    if (this.#current < 0 || this.#current >= partitions.length) this.#switch(partitions, queueSizeOf)
    return this.#current
  }

  /**
   * Counts `bytes` appended to the current partition and moves on once batchSize bytes went there and
   * the partition's last batch is full (so that no part-filled batch is left behind), or in any case
   * after twice batchSize.
   */
  appended(
    bytes: number,
    lastBatchFull: boolean,
    partitions: readonly PartitionMetadata[],
    queueSizeOf?: QueueSizeOf,
  ): void {
    this.#producedBytes += bytes
    if ((this.#producedBytes >= this.#batchSize && lastBatchFull) || this.#producedBytes >= 2 * this.#batchSize) {
      this.#switch(partitions, queueSizeOf)
    }
  }

  #switch(partitions: readonly PartitionMetadata[], queueSizeOf: QueueSizeOf | undefined): void {
    this.#producedBytes = 0
    this.#current = this.#pick(partitions, queueSizeOf)
  }

  #pick(partitions: readonly PartitionMetadata[], queueSizeOf: QueueSizeOf | undefined): number {
    const available = partitions.filter((p) => p.leader >= 0)
    if (available.length === 0) return this.#randomBelow(partitions.length)
    if (queueSizeOf !== undefined && partitions.length > 1) {
      const weighted = this.#pickByLoad(available, queueSizeOf)
      if (weighted !== undefined) return weighted
    }
    return available[this.#randomBelow(available.length)]!.partitionId
  }

  /**
   * KIP-794: each partition weighs (longest queue + 1 - its queue), so shorter queues are likelier.
   * Returns undefined when every queue is the same length (then the pick is uniform).
   */
  #pickByLoad(available: readonly PartitionMetadata[], queueSizeOf: QueueSizeOf): number | undefined {
    const sizes = available.map((p) => queueSizeOf(p.partitionId))
    const longest = Math.max(...sizes)
    if (sizes.every((s) => s === longest)) return undefined
    let total = 0
    const cumulative = sizes.map((s) => (total += longest + 1 - s))
    const target = this.#randomBelow(total)
    const index = cumulative.findIndex((c) => c > target)
    return available[index]!.partitionId
  }

  #randomBelow(n: number): number {
    return Math.min(n - 1, Math.floor(this.#random() * n))
  }
}
