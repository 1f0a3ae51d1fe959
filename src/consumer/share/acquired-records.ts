// The records a ShareFetch acquired for this member in one partition. The response's records may
// hold more than was acquired (whole batches, other members' records): only offsets inside an
// acquired range are delivered, each with that range's delivery count. An acquired offset with no
// record to deliver (a transaction marker, a record compaction removed) is a gap: the member
// acknowledges it as such at once, as Java's share consumer does.

import { columnsOf, type DecodedRecordBatch, decodeRecords } from '../../protocol/records/index.js'
import { batchContextOf, type KafkaMessage, toKafkaMessage } from '../message.js'

export interface AcquiredRange {
  readonly firstOffset: bigint
  readonly lastOffset: bigint
  readonly deliveryCount: number
}

export interface AcquiredMessage {
  readonly offset: bigint
  readonly deliveryCount: number
  readonly message: KafkaMessage
}

export interface PartitionAcquisition {
  readonly messages: AcquiredMessage[]
  /** Acquired offsets without a deliverable record. */
  readonly gaps: bigint[]
}

export async function readAcquiredRecords(
  records: Buffer | null,
  ranges: readonly AcquiredRange[],
): Promise<PartitionAcquisition> {
  const messages: AcquiredMessage[] = []
  const seen = new Set<bigint>()
  if (records !== null && records.length > 0 && ranges.length > 0) {
    const { batches } = await decodeRecords(records)
    for (const batch of batches) addBatch(batch, ranges, messages, seen)
  }
  const gaps: bigint[] = []
  for (const range of ranges) {
    for (let offset = range.firstOffset; offset <= range.lastOffset; offset++) {
      if (!seen.has(offset)) gaps.push(offset)
    }
  }
  return { messages, gaps }
}

function addBatch(
  batch: DecodedRecordBatch,
  ranges: readonly AcquiredRange[],
  messages: AcquiredMessage[],
  seen: Set<bigint>,
): void {
  if (batch.isControlBatch) return
  const context = batchContextOf(batch)
  const columns = columnsOf(batch)
  for (let i = 0; i < columns.count; i++) {
    const offset = columns.offset(i)
    const range = ranges.find((r) => offset >= r.firstOffset && offset <= r.lastOffset)
    if (range === undefined || seen.has(offset)) continue
    seen.add(offset)
    messages.push({ offset, deliveryCount: range.deliveryCount, message: toKafkaMessage(columns, i, batch, context) })
  }
}
