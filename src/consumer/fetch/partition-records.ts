// Turns the records of one partition in a Fetch response into the messages to deliver and the
// offset to fetch next, as Java's CompletedFetch does: records below the fetch offset (the head of
// a compressed batch) are skipped, control batches are never delivered, and under read_committed the
// batches of aborted transactions are dropped using the response's abortedTransactions list. The
// next fetch offset moves past every whole batch, delivered or not, so filtering never stalls.

import { toError } from '../../common/error-message.js'
import { KafkaJSCorruptRecordError, KafkaJSDecodeError } from '../../errors.js'
import {
  ControlRecordTypes,
  columnsOf,
  type DecodedRecordBatch,
  decodeControlRecord,
  decodeRecords,
  type RecordColumns,
} from '../../protocol/records/index.js'
import { FetchedMessages } from './fetched-messages.js'

export interface AbortedTransaction {
  readonly producerId: bigint
  readonly firstOffset: bigint
}

export interface PartitionRecordsInput {
  readonly topic: string
  readonly partition: number
  readonly fetchOffset: bigint
  readonly records: Buffer | null
  readonly abortedTransactions: readonly AbortedTransaction[] | null
  readonly readCommitted: boolean
  readonly verifyChecksums?: boolean
}

export interface PartitionRecords {
  /** The records to deliver, made KafkaJS messages when they are handed out. */
  readonly messages: FetchedMessages
  /** Where the next fetch of this partition starts. */
  readonly nextOffset: bigint
  /**
   * The first record at or after the fetch offset, filtered ones (control records, aborted
   * transactions) included: KafkaJS's batch.firstOffset(). Undefined when no such record was read.
   */
  readonly firstOffset: bigint | undefined
  /** Leader epoch of the batch holding the last delivered message, -1 when none was delivered. */
  readonly lastLeaderEpoch: number
  /**
   * Leader epoch of the last whole batch read, delivered or filtered (the batch nextOffset follows),
   * -1 when none was read: what the next position is validated with after a leader change (KIP-320).
   */
  readonly lastBatchEpoch: number
  /** Whole batches were read but every record was filtered (control, aborted, below the offset). */
  readonly filteredOnly: boolean
  /**
   * No whole batch arrived, only the head of one of this many bytes (larger than the partition's
   * fetch size): the caller fetches again with room for it.
   */
  readonly truncatedBatchSize: number | undefined
}

export async function readPartitionRecords(input: PartitionRecordsInput): Promise<PartitionRecords> {
  const { topic, partition, fetchOffset, records } = input
  const empty: PartitionRecords = {
    messages: new FetchedMessages(),
    nextOffset: fetchOffset,
    firstOffset: undefined,
    lastLeaderEpoch: -1,
    lastBatchEpoch: -1,
    filteredOnly: false,
    truncatedBatchSize: undefined,
  }
  if (records === null || records.length === 0) return empty
  let decoded: Awaited<ReturnType<typeof decodeRecords>>
  try {
    decoded = await decodeRecords(records, { verifyChecksums: input.verifyChecksums ?? true })
  } catch (error) {
    throw locate(error, topic, partition, fetchOffset)
  }
  const { batches, partialBatch } = decoded
  if (batches.length === 0) {
    const size = partialBatch?.sizeInBytes
    return { ...empty, truncatedBatchSize: size !== undefined && size > records.length ? size : undefined }
  }
  const aborted = input.readCommitted ? new AbortedTransactions(input.abortedTransactions) : undefined
  const messages = new FetchedMessages()
  let nextOffset = fetchOffset
  let firstOffset: bigint | undefined
  let lastLeaderEpoch = -1
  let lastBatchEpoch = -1
  for (const batch of batches) {
    const batchNext = batch.lastOffset + 1n
    if (batchNext <= fetchOffset) continue
    lastBatchEpoch = batch.partitionLeaderEpoch
    const columns = columnsOf(batch)
    if (firstOffset === undefined) firstOffset = offsetAtOrAfter(columns, fetchOffset)
    if (aborted !== undefined && batch.producerId >= 0n && skipForTransaction(batch, aborted, topic, partition)) {
      nextOffset = batchNext
      continue
    }
    if (batch.isControlBatch) {
      nextOffset = batchNext
      continue
    }
    let first = 0
    // only the head of a compressed batch can lie below the fetch offset
    if (batch.baseOffset < fetchOffset) while (first < columns.count && columns.offset(first) < fetchOffset) first++
    messages.add(batch, first)
    if (columns.count > 0) lastLeaderEpoch = batch.partitionLeaderEpoch
    nextOffset = batchNext
  }
  return {
    messages,
    nextOffset,
    firstOffset,
    lastLeaderEpoch,
    lastBatchEpoch,
    filteredOnly: messages.length === 0,
    truncatedBatchSize: undefined,
  }
}

/** The first record offset at or after `offset`, if any. */
function offsetAtOrAfter(columns: RecordColumns, offset: bigint): bigint | undefined {
  for (let i = 0; i < columns.count; i++) {
    const o = columns.offset(i)
    if (o >= offset) return o
  }
  return undefined
}

/**
 * Whether a batch with a producer id is dropped under read_committed: a batch of an aborted
 * transaction is, and an ABORT marker ends that producer's aborted range (its own control batch is
 * dropped by the caller like every control batch).
 */
function skipForTransaction(
  batch: DecodedRecordBatch,
  aborted: AbortedTransactions,
  topic: string,
  partition: number,
): boolean {
  aborted.startUpTo(batch.lastOffset)
  if (batch.isControlBatch) {
    const first = batch.records[0]
    if (first !== undefined) {
      let type: number
      try {
        type = decodeControlRecord(first).type
      } catch (error) {
        throw locate(error, topic, partition, batch.baseOffset)
      }
      if (type === ControlRecordTypes.ABORT) aborted.end(batch.producerId)
    }
    return false
  }
  return batch.isTransactional && aborted.isOpen(batch.producerId)
}

/** The aborted transactions of a response, opened in offset order as the batches pass them. */
class AbortedTransactions {
  readonly #pending: AbortedTransaction[]
  #next = 0
  readonly #open = new Set<bigint>()

  constructor(list: readonly AbortedTransaction[] | null) {
    this.#pending = list === null ? [] : [...list].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1))
  }

  startUpTo(offset: bigint): void {
    while (this.#next < this.#pending.length && this.#pending[this.#next]!.firstOffset <= offset) {
      this.#open.add(this.#pending[this.#next]!.producerId)
      this.#next++
    }
  }

  end(producerId: bigint): void {
    this.#open.delete(producerId)
  }

  isOpen(producerId: bigint): boolean {
    return this.#open.has(producerId)
  }
}

/** A corrupt or undecodable batch, named by topic, partition and offset. */
function locate(error: unknown, topic: string, partition: number, fetchOffset: bigint): Error {
  if (error instanceof KafkaJSCorruptRecordError) {
    const offset = error.offset ?? fetchOffset.toString()
    return new KafkaJSCorruptRecordError(`${topic}-${partition} at offset ${offset}: ${error.message}`, {
      topic,
      partition,
      offset,
      cause: error,
    })
  }
  if (error instanceof KafkaJSDecodeError) {
    return new KafkaJSCorruptRecordError(`${topic}-${partition} near offset ${fetchOffset}: ${error.message}`, {
      topic,
      partition,
      offset: fetchOffset.toString(),
      cause: error,
    })
  }
  return toError(error)
}
