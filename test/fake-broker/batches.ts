// What the fake broker reads of a produced record batch (v2 header): enough to validate it (magic,
// CRC), assign offsets and check an idempotent producer's id, epoch and sequence. The records
// themselves stay encoded; the log stores the batch bytes as a broker does.

import { crc32c } from '../../src/protocol/primitives/crc32c.js'
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  CRC_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LENGTH_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_OVERHEAD,
  RECORDS_COUNT_OFFSET,
} from '../../src/protocol/records/record-batch-format.js'

const TRANSACTIONAL_FLAG = 0x10
const CONTROL_FLAG = 0x20

/** A record batch's header fields, and its bytes (a copy the log owns). */
export interface BatchHeader {
  bytes: Buffer
  /** Offset of the last record relative to the first: recordCount - 1 for a producer's batch. */
  lastOffsetDelta: number
  recordCount: number
  maxTimestamp: bigint
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  transactional: boolean
  control: boolean
}

/** Splits the records of one partition of a Produce request into batches; throws on a malformed one. */
export function readBatches(records: Buffer): BatchHeader[] {
  const batches: BatchHeader[] = []
  let at = 0
  while (at < records.length) {
    if (records.length - at < RECORD_BATCH_OVERHEAD) throw new Error('truncated record batch')
    const size = LOG_OVERHEAD + records.readInt32BE(at + LENGTH_OFFSET)
    if (at + size > records.length) throw new Error('truncated record batch')
    const bytes = Buffer.from(records.subarray(at, at + size))
    if (bytes.readInt8(MAGIC_OFFSET) !== 2) throw new Error(`record batch magic ${bytes.readInt8(MAGIC_OFFSET)}`)
    if (crc32c(bytes, ATTRIBUTES_OFFSET) !== bytes.readUInt32BE(CRC_OFFSET))
      throw new Error('record batch CRC mismatch')
    const attributes = bytes.readInt16BE(ATTRIBUTES_OFFSET)
    batches.push({
      bytes,
      lastOffsetDelta: bytes.readInt32BE(LAST_OFFSET_DELTA_OFFSET),
      recordCount: bytes.readInt32BE(RECORDS_COUNT_OFFSET),
      maxTimestamp: bytes.readBigInt64BE(MAX_TIMESTAMP_OFFSET),
      producerId: bytes.readBigInt64BE(PRODUCER_ID_OFFSET),
      producerEpoch: bytes.readInt16BE(PRODUCER_EPOCH_OFFSET),
      baseSequence: bytes.readInt32BE(BASE_SEQUENCE_OFFSET),
      transactional: (attributes & TRANSACTIONAL_FLAG) !== 0,
      control: (attributes & CONTROL_FLAG) !== 0,
    })
    at += size
  }
  return batches
}

/** Gives a batch its place in the log (outside the CRC, which covers attributes onwards). */
export function placeBatch(bytes: Buffer, baseOffset: bigint, leaderEpoch: number): void {
  bytes.writeBigInt64BE(baseOffset, BASE_OFFSET_OFFSET)
  bytes.writeInt32BE(leaderEpoch, PARTITION_LEADER_EPOCH_OFFSET)
}
