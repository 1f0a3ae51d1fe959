// What the record encoder takes and what the record decoder returns. int64 fields are bigint.

import type { CompressionType } from '../codecs/compression-types.js'
import type { TimestampType, TimestampTypes } from './record-batch-format.js'
import type { RecordColumns } from './record-columns.js'

export interface RecordHeader {
  key: string
  value: Buffer | null
}

export interface RecordInput {
  /** Bytes, or a string the encoder writes as UTF-8 (no intermediate Buffer). */
  key?: Buffer | string | null
  /** Bytes, or a string the encoder writes as UTF-8 (no intermediate Buffer). */
  value?: Buffer | string | null
  headers?: readonly RecordHeader[]
  /** Milliseconds since the epoch; defaults to the time of encoding. */
  timestamp?: bigint | number
  /** Offset relative to the batch's base offset; defaults to the record's index. */
  offsetDelta?: number
}

export interface RecordBatchInput {
  records: readonly RecordInput[]
  /** Default CompressionTypes.None. */
  compression?: CompressionType
  /** Default 0n (a producer's batches are given their offsets by the broker). */
  baseOffset?: bigint
  /** Default -1. */
  partitionLeaderEpoch?: number
  /** Default -1n (not idempotent). */
  producerId?: bigint
  /** Default -1. */
  producerEpoch?: number
  /** Default -1. */
  baseSequence?: number
  /** Default false. */
  transactional?: boolean
  /** Default false; control batches carry control records (see control-record.ts). */
  isControl?: boolean
  /** Default CreateTime. */
  timestampType?: typeof TimestampTypes.CreateTime | typeof TimestampTypes.LogAppendTime
  /**
   * The batch's maxTimestamp. With LogAppendTime it is the append time (the timestamp every record
   * then reads as); by default it is the largest record timestamp.
   */
  maxTimestamp?: bigint
  /** Default false; set by the log cleaner, together with baseTimestamp = the delete horizon. */
  deleteHorizon?: boolean
}

export interface DecodedRecord {
  offset: bigint
  timestamp: bigint
  /** Views into the fetched (or decompressed) bytes, never copies. */
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

export interface DecodedRecordBatch {
  magic: number
  baseOffset: bigint
  /** baseOffset + lastOffsetDelta: the offset after which the next fetch starts, even if records were compacted away. */
  lastOffset: bigint
  lastOffsetDelta: number
  /** Bytes the batch occupies in the records buffer, including the 12 bytes of offset and length. */
  sizeInBytes: number
  partitionLeaderEpoch: number
  crc: number
  attributes: number
  compression: CompressionType
  timestampType: TimestampType
  isTransactional: boolean
  isControlBatch: boolean
  hasDeleteHorizon: boolean
  baseTimestamp: bigint
  maxTimestamp: bigint
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  /** The records as objects (a v2 batch makes them from its columns on first read). */
  records: DecodedRecord[]
  /** The records as columns, set by the v2 decoder: read them without an object per record (columnsOf). */
  columns?: RecordColumns
}

/** The start of a batch cut off by the fetch size limit: not an error, the next fetch reads it whole. */
export interface PartialBatch {
  /** Where the batch would start in the records buffer. */
  position: number
  /** The batch's base offset, when its first 8 bytes arrived. */
  baseOffset: bigint | undefined
  /** The batch's full size in bytes, when its length field arrived. */
  sizeInBytes: number | undefined
  /** How many of its bytes arrived. */
  availableBytes: number
}

export interface DecodedRecords {
  batches: DecodedRecordBatch[]
  partialBatch: PartialBatch | undefined
}

export interface DecodeRecordsOptions {
  /** Check each batch's CRC (Java's check.crcs). Default true. */
  verifyChecksums?: boolean
  /**
   * Largest decompressed size accepted for one batch. Default: the larger of 64 MiB and 8 times the
   * size of the records buffer, so a decompression bomb cannot allocate without bound while a
   * large fetch of compressible data still decodes.
   */
  maxDecompressedBytes?: number
}
