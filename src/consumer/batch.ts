// KafkaJS's Batch: the messages of one partition from one fetch, as eachBatch receives them.
// Offsets are decimal strings; lastOffset() is the last offset the fetch covered, control records
// and aborted transactions included, so that resolving it moves the consumer past them.

import type { KafkaMessage } from './message.js'
import type { FetchedChunk } from './subscription-state.js'

export class Batch {
  readonly topic: string
  readonly partition: number
  readonly highWatermark: string
  readonly messages: KafkaMessage[]
  readonly #lastOffset: bigint
  readonly #highWatermark: bigint

  constructor(chunk: FetchedChunk) {
    this.topic = chunk.topic
    this.partition = chunk.partition
    this.#highWatermark = chunk.highWatermark
    this.highWatermark = chunk.highWatermark.toString()
    this.messages = chunk.messages
    this.#lastOffset = chunk.nextOffset - 1n
  }

  isEmpty(): boolean {
    return this.messages.length === 0
  }

  firstOffset(): string | null {
    return this.messages[0]?.offset ?? null
  }

  lastOffset(): string {
    return this.#lastOffset.toString()
  }

  /** Lag after the last offset of the batch ("high"). */
  offsetLag(): string {
    return (this.#highWatermark - 1n - this.#lastOffset).toString()
  }

  /** Lag after the first offset of the batch. */
  offsetLagLow(): string {
    const first = this.messages[0]
    if (first === undefined) return '0'
    return (this.#highWatermark - 1n - BigInt(first.offset)).toString()
  }
}
