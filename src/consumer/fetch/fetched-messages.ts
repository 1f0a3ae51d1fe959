// The messages of one partition from one fetch, kept as the decoder's records until they are handed
// to the application. Fetched data waits in the partition's buffer while the application works
// through earlier data, and the garbage collector copies every object that outlives a young-
// generation collection: building KafkaJS's message objects (offset and timestamp strings, a headers
// object) only when a message is handed out keeps the waiting objects few, and with eachMessage a
// message object lives no longer than its handler.

import { columnsOf, type DecodedRecordBatch, type RecordColumns } from '../../protocol/records/index.js'
import { type BatchContext, batchContextOf, type KafkaMessage, toKafkaMessage } from '../message.js'

/** Consecutive records of one batch that are delivered: records [first, columns.count) of the batch. */
interface Run {
  readonly batch: DecodedRecordBatch
  readonly columns: RecordColumns
  readonly first: number
  /** Index of the run's first record among all the messages. */
  readonly start: number
  /** Built with the run's first message, shared by the messages of the batch. */
  context: BatchContext | undefined
}

export class FetchedMessages {
  readonly #runs: Run[] = []
  #length = 0
  /** The run the last lookup found: lookups go forward one message at a time. */
  #cursor = 0
  #all: KafkaMessage[] | undefined

  get length(): number {
    return this.#length
  }

  /** Adds the records of `batch` from index `first` on. */
  add(batch: DecodedRecordBatch, first: number): void {
    const columns = columnsOf(batch)
    const count = columns.count - first
    if (count <= 0) return
    this.#runs.push({ batch, columns, first, start: this.#length, context: undefined })
    this.#length += count
  }

  /** The offset of message `index` (0 <= index < length). */
  offsetAt(index: number): bigint {
    const run = this.#runAt(index)
    return run.columns.offset(run.first + index - run.start)
  }

  /** Message `index` (0 <= index < length), built now unless all() built it. */
  messageAt(index: number): KafkaMessage {
    if (this.#all !== undefined) return this.#all[index]!
    const run = this.#runAt(index)
    return this.#build(run, run.first + index - run.start)
  }

  /** Every message, built once. */
  all(): KafkaMessage[] {
    if (this.#all !== undefined) return this.#all
    // pushed, not preallocated: a packed array, as applications iterate it
    const all: KafkaMessage[] = []
    for (const run of this.#runs) {
      const count = run.columns.count
      for (let r = run.first; r < count; r++) all.push(this.#build(run, r))
    }
    this.#all = all
    return all
  }

  #build(run: Run, record: number): KafkaMessage {
    run.context ??= batchContextOf(run.batch)
    return toKafkaMessage(run.columns, record, run.batch, run.context)
  }

  #runAt(index: number): Run {
    if (index < 0 || index >= this.#length) throw new RangeError(`message ${index} of ${this.#length}`)
    const runs = this.#runs
    let c = this.#cursor
    if (index < runs[c]!.start) c = 0
    while (c + 1 < runs.length && runs[c + 1]!.start <= index) c++
    this.#cursor = c
    return runs[c]!
  }
}
