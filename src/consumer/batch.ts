// KafkaJS's Batch: the messages of one partition from one fetch, as eachBatch receives them.
// Offsets are decimal strings; firstOffset() and lastOffset() are the first and last offsets the
// fetch covered, control records and aborted transactions included (as KafkaJS's), so that
// resolving lastOffset() moves the consumer past them.

import type { BatchProcessPayload } from './handlers.js'
import type { KafkaMessage } from './message.js'
import type { FetchedChunk } from './subscription-state.js'

/**
 * KafkaJS's Batch type. An interface, not the class below, so that a batch built by hand (a test of an
 * eachBatch handler written for KafkaJS's types) is one.
 */
export interface Batch {
  readonly topic: string
  readonly partition: number
  readonly highWatermark: string
  readonly messages: KafkaMessage[]
  isEmpty(): boolean
  firstOffset(): string | null
  lastOffset(): string
  offsetLag(): string
  offsetLagLow(): string
}

/** The batch of one fetched chunk. */
export class FetchedBatch implements Batch {
  readonly topic: string
  readonly partition: number
  readonly highWatermark: string
  readonly messages: KafkaMessage[]
  readonly #firstOffset: bigint | undefined
  readonly #lastOffset: bigint
  readonly #highWatermark: bigint

  constructor(chunk: FetchedChunk) {
    this.topic = chunk.topic
    this.partition = chunk.partition
    this.#highWatermark = chunk.highWatermark
    this.highWatermark = chunk.highWatermark.toString()
    this.messages = chunk.messages.all()
    this.#firstOffset = chunk.firstOffset
    this.#lastOffset = chunk.nextOffset - 1n
  }

  isEmpty(): boolean {
    return this.messages.length === 0
  }

  firstOffset(): string | null {
    return this.#firstOffset === undefined ? null : this.#firstOffset.toString()
  }

  lastOffset(): string {
    return this.#lastOffset.toString()
  }

  /** Lag after the last offset of the batch ("high"). */
  offsetLag(): string {
    return lagAfter(this.#highWatermark, this.#lastOffset)
  }

  /** Lag after the first offset of the batch. */
  offsetLagLow(): string {
    if (this.#firstOffset === undefined) return '0'
    return lagAfter(this.#highWatermark, this.#firstOffset)
  }
}

/**
 * What consumer.start_batch_process reports of a chunk: the figures of its Batch, computed without
 * building its messages (eachMessage builds each one as it hands it out).
 */
export function batchProcessPayload(chunk: FetchedChunk): BatchProcessPayload {
  const { messages, highWatermark } = chunk
  const first = chunk.firstOffset
  const last = chunk.nextOffset - 1n
  return {
    topic: chunk.topic,
    partition: chunk.partition,
    highWatermark: highWatermark.toString(),
    offsetLag: lagAfter(highWatermark, last),
    offsetLagLow: first === undefined ? '0' : lagAfter(highWatermark, first),
    batchSize: messages.length,
    firstOffset: first === undefined ? null : first.toString(),
    lastOffset: last.toString(),
  }
}

function lagAfter(highWatermark: bigint, offset: bigint): string {
  return (highWatermark - 1n - offset).toString()
}
