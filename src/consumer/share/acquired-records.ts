// The records a ShareFetch acquired for this member in one partition. The response's records may
// hold more than was acquired (whole batches, other members' records): only offsets inside an
// acquired range are delivered, each with that range's delivery count. An acquired offset with no
// record to deliver (a transaction marker, a record compaction removed) is a gap: the member
// acknowledges it as such at once, as Java's share consumer does.

import { type DecodedRecordBatch, decodeRecords } from '../../protocol/records/index.js'
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
  for (const record of batch.records) {
    const range = ranges.find((r) => record.offset >= r.firstOffset && record.offset <= r.lastOffset)
    if (range === undefined || seen.has(record.offset)) continue
    seen.add(record.offset)
    messages.push({
      offset: record.offset,
      deliveryCount: range.deliveryCount,
      message: toKafkaMessage(record, batch, context, record.timestamp.toString()),
    })
  }
}
