// What one send() or sendBatch() call waits for. The call's records are appended to batches in
// runs ("segments": consecutive records of the call in one batch); the call settles once every
// segment is acknowledged or has failed, with KafkaJS's RecordMetadata per topic-partition, or with
// the first error when any segment failed (the other records are still delivered).

import type { RecordMetadata } from './messages.js'

/** The call's result for one topic-partition, filled in as its segments are acknowledged. */
export interface PartitionResult {
  readonly topicName: string
  readonly partition: number
  /** Offset of the call's first record in the partition; -1n with acks 0; undefined until known. */
  baseOffset: bigint | undefined
  logAppendTime: bigint
  logStartOffset: bigint
}

export class SendResult {
  readonly promise: Promise<RecordMetadata[]>
  // made on the first append: a call waiting for buffer room (there can be tens of thousands while a
  // broker is down) holds neither
  #byPartition: Map<string, Map<number, PartitionResult>> | undefined
  #entries: PartitionResult[] | undefined
  #pendingSegments = 0
  #sealed = false
  #settled = false
  #error: Error | undefined
  #resolve!: (value: RecordMetadata[]) => void
  #reject!: (error: Error) => void

  /** With acks 0 the broker answers nothing, and the call resolves with [] (KafkaJS). */
  readonly #noAcks: boolean

  constructor(acks: number = -1) {
    this.#noAcks = acks === 0
    this.promise = new Promise<RecordMetadata[]>((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
  }

  /** The entry for a topic-partition, made on first use (entries keep first-use order). */
  entry(topic: string, partition: number): PartitionResult {
    this.#byPartition ??= new Map()
    let partitions = this.#byPartition.get(topic)
    if (partitions === undefined) {
      partitions = new Map()
      this.#byPartition.set(topic, partitions)
    }
    let entry = partitions.get(partition)
    if (entry === undefined) {
      entry = { topicName: topic, partition, baseOffset: undefined, logAppendTime: -1n, logStartOffset: -1n }
      partitions.set(partition, entry)
      this.#entries ??= []
      this.#entries.push(entry)
    }
    return entry
  }

  segmentAdded(): void {
    this.#pendingSegments++
  }

  /** A segment was written at `offset` (its first record's offset). */
  segmentDone(entry: PartitionResult, offset: bigint, logAppendTime: bigint, logStartOffset: bigint): void {
    if (entry.baseOffset === undefined || (offset >= 0n && (entry.baseOffset < 0n || offset < entry.baseOffset))) {
      entry.baseOffset = offset
    }
    if (logAppendTime > entry.logAppendTime) entry.logAppendTime = logAppendTime
    if (logStartOffset > entry.logStartOffset) entry.logStartOffset = logStartOffset
    this.#pendingSegments--
    this.#maybeSettle()
  }

  segmentFailed(error: Error): void {
    this.#error ??= error
    this.#pendingSegments--
    this.#maybeSettle()
  }

  /** A segment handed over to other batches (a split): they added their own segments first. */
  segmentReleased(): void {
    this.#pendingSegments--
  }

  /** No more segments will be added; `error` fails the call even if every segment succeeds. */
  seal(error?: Error): void {
    if (error !== undefined) this.#error ??= error
    this.#sealed = true
    this.#maybeSettle()
  }

  #maybeSettle(): void {
    if (!this.#sealed || this.#pendingSegments > 0 || this.#settled) return
    this.#settled = true
    if (this.#error !== undefined) {
      this.#reject(this.#error)
      return
    }
    if (this.#noAcks) {
      this.#resolve([])
      return
    }
    this.#resolve(
      (this.#entries ?? []).map((e) => ({
        topicName: e.topicName,
        partition: e.partition,
        errorCode: 0,
        baseOffset: offsetString(e.baseOffset ?? -1n),
        logAppendTime: offsetString(e.logAppendTime),
        logStartOffset: offsetString(e.logStartOffset),
      })),
    )
  }
}

/**
 * String(value), without converting the values most answers carry: -1 (no append time, no offset
 * with acks 0) and 0 (the start of a new log). This runs for every call, often a call per record.
 */
function offsetString(value: bigint): string {
  return value === -1n ? '-1' : value === 0n ? '0' : String(value)
}
