// The payloads handed to eachMessage and eachBatch, in KafkaJS's shape.

import type { Batch } from './batch.js'
import type { KafkaMessage } from './message.js'
import type { TopicOffsets } from './offsets/offset-committer.js'

export interface EachMessagePayload {
  topic: string
  partition: number
  message: KafkaMessage
  /**
   * kafkit heartbeats on its own timer, so this sends nothing: it resolves while the member owns
   * this partition and rejects with KafkaJS's REBALANCE_IN_PROGRESS error once a rebalance revokes
   * it (or the member lost it). Rethrowing that error ends the handler without counting a failure.
   */
  heartbeat(): Promise<void>
  /** Pauses this partition; returns a function that resumes it. */
  pause(): () => void
}

export interface OffsetsByTopicPartition {
  topics: TopicOffsets[]
}

export interface EachBatchPayload {
  /**
   * One turn of a partition's fetched messages: at most the consumer's maxPollRecords (500 by
   * default; KafkaJS hands the whole fetch). The next batch of the partition starts after it.
   */
  batch: Batch
  resolveOffset(offset: string): void
  /** As eachMessage's: rejects with REBALANCE_IN_PROGRESS once the batch's partition is revoked or lost. */
  heartbeat(): Promise<void>
  pause(): () => void
  commitOffsetsIfNecessary(offsets?: OffsetsByTopicPartition): Promise<void>
  uncommittedOffsets(): OffsetsByTopicPartition
  isRunning(): boolean
  /** True once the partition was seeked, paused or revoked: the rest of the batch is not wanted. */
  isStale(): boolean
}

export type EachMessageHandler = (payload: EachMessagePayload) => Promise<void>
export type EachBatchHandler = (payload: EachBatchPayload) => Promise<void>

/** The payload of consumer.start_batch_process (and of end_batch_process, plus duration). */
export interface BatchProcessPayload {
  topic: string
  partition: number
  highWatermark: string
  offsetLag: string
  offsetLagLow: string
  batchSize: number
  firstOffset: string | null
  lastOffset: string
}

/**
 * Thrown into the runner by a handler whose message was not processed and must come again, without
 * counting as a failure (the async iterator's loop ended with a message in hand).
 */
export class HandlerAborted extends Error {
  constructor() {
    super('the message was not processed')
    this.name = 'HandlerAborted'
  }
}
