// Encodes a v2 record batch. Sizes are computed first and the batch is written into one buffer:
// uncompressed, that buffer is the only allocation; compressed, the records are written into one
// buffer, compressed, and the header and compressed records written into a second.

import { KafkaJSInvalidArgumentError } from '../../errors.js'
import { CompressionTypes, compressionTypeName, isCompressionType } from '../codecs/compression-types.js'
import { isBuiltInCodec, lookupCodec } from '../codecs/registry.js'
import { crc32c } from '../primitives/crc32c.js'
import { sizeOfVarint, Writer, writeVarintAt } from '../primitives/writer.js'
import {
  ATTRIBUTES_OFFSET,
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  DELETE_HORIZON_FLAG_MASK,
  LOG_OVERHEAD,
  MAGIC_V2,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  RECORD_BATCH_OVERHEAD,
  TIMESTAMP_TYPE_MASK,
  TimestampTypes,
  TRANSACTIONAL_FLAG_MASK,
} from './record-batch-format.js'
import type { RecordBatchInput, RecordHeader, RecordInput } from './types.js'
import { fitsVarlongNumber, sizeOfVarlongNumber, writeVarlongNumber } from './varlong-number.js'

const NO_HEADERS: readonly RecordHeader[] = []
const INT16_MIN = -0x8000
const INT16_MAX = 0x7fff
const INT32_MIN = -0x80000000
const INT32_MAX = 0x7fffffff
const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n

/** The batch header fields and the record layout, computed before anything is written. */
interface BatchPlan {
  attributes: number
  baseOffset: bigint
  partitionLeaderEpoch: number
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  lastOffsetDelta: number
  baseTimestamp: number
  maxTimestamp: bigint
  records: readonly RecordInput[]
  /** The next three hold the first records.length entries: reused arrays (see layoutArrays), valid until the next plan. */
  timestamps: Float64Array
  offsetDeltas: Int32Array
  /** Size of each record without its length prefix. */
  bodySizes: Int32Array
  /** Bytes of all records, length prefixes included. */
  recordsSize: number
}

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new KafkaJSInvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got ${value}`)
  }
  return value
}

function checkInt64(name: string, value: bigint): bigint {
  if (typeof value !== 'bigint' || value < INT64_MIN || value > INT64_MAX) {
    throw new KafkaJSInvalidArgumentError(`${name} must be a bigint in the int64 range, got ${String(value)}`)
  }
  return value
}

function timestampOf(record: RecordInput, index: number, now: number): number {
  const t = record.timestamp
  if (t === undefined) return now
  const ms = typeof t === 'bigint' ? Number(t) : t
  if (!fitsVarlongNumber(ms)) {
    throw new KafkaJSInvalidArgumentError(
      `records[${index}].timestamp must be an integer number of milliseconds, got ${String(t)}`,
    )
  }
  return ms
}

function sizeOfNullableBytes(value: Buffer | string | null | undefined): number {
  if (value == null) return 1
  const length = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length
  return sizeOfVarint(length) + length
}

function sizeOfRecordBody(record: RecordInput, timestampDelta: number, offsetDelta: number): number {
  let size =
    1 + // attributes
    sizeOfVarlongNumber(timestampDelta) +
    sizeOfVarint(offsetDelta) +
    sizeOfNullableBytes(record.key) +
    sizeOfNullableBytes(record.value)
  const headers = record.headers ?? NO_HEADERS
  size += sizeOfVarint(headers.length)
  // indexed, not for-of: this runs once per record, and V8 did not always drop the iterator
  for (let h = 0; h < headers.length; h++) {
    const header = headers[h]!
    const keyLength = Buffer.byteLength(header.key, 'utf8')
    size += sizeOfVarint(keyLength) + keyLength + sizeOfNullableBytes(header.value)
  }
  return size
}

const MAX_VARINT_SIZE = 5
const MAX_VARLONG_SIZE = 10

/**
 * The most bytes `record` can take in a batch whatever its timestamp and offset delta turn out to be
 * (Java's DefaultRecord.recordSizeUpperBound): for a producer sizing a batch before it is sealed.
 * Add RECORD_BATCH_OVERHEAD once per batch.
 */
export function recordSizeUpperBound(record: RecordInput): number {
  // sizeOfRecordBody with zero deltas counts one byte for each delta
  return MAX_VARINT_SIZE + sizeOfRecordBody(record, 0, 0) - 2 + MAX_VARLONG_SIZE + MAX_VARINT_SIZE
}

/**
 * The per-record arrays of a plan hold at most this many records when reused; a larger batch gets
 * arrays of its own, so that one huge batch does not leave megabytes held for good.
 */
const REUSED_LAYOUT_RECORDS = 65536
let reusedLayout = newLayout(1024)

function newLayout(count: number): Pick<BatchPlan, 'timestamps' | 'offsetDeltas' | 'bodySizes'> {
  return { timestamps: new Float64Array(count), offsetDeltas: new Int32Array(count), bodySizes: new Int32Array(count) }
}

/**
 * The arrays a plan lays its records out in, reused from one batch to the next rather than allocated
 * per batch: a typed array of more than 64 bytes has its memory outside V8's heap, and allocating
 * and releasing three per batch was a visible part of the producer's CPU and GC time. Reuse is safe
 * because every plan is written out synchronously after it is made (encodeRecordBatch writes the
 * records before its first await) and nothing reads the arrays afterwards; the arrays may be longer
 * than the batch, which reads only its `records.length` first entries.
 */
function layoutArrays(count: number): Pick<BatchPlan, 'timestamps' | 'offsetDeltas' | 'bodySizes'> {
  if (count > REUSED_LAYOUT_RECORDS) return newLayout(count)
  if (reusedLayout.bodySizes.length < count) {
    reusedLayout = newLayout(Math.min(REUSED_LAYOUT_RECORDS, Math.max(count, reusedLayout.bodySizes.length * 2)))
  }
  return reusedLayout
}

function plan(input: RecordBatchInput): BatchPlan {
  const compression = input.compression ?? CompressionTypes.None
  if (!isCompressionType(compression)) {
    throw new KafkaJSInvalidArgumentError(
      `compression must be one of CompressionTypes (0-4), got ${String(compression)}`,
    )
  }
  const timestampType = input.timestampType ?? TimestampTypes.CreateTime
  if (timestampType !== TimestampTypes.CreateTime && timestampType !== TimestampTypes.LogAppendTime) {
    throw new KafkaJSInvalidArgumentError(
      `timestampType must be CreateTime (0) or LogAppendTime (1), got ${String(timestampType)}`,
    )
  }
  const attributes =
    compression |
    (timestampType === TimestampTypes.LogAppendTime ? TIMESTAMP_TYPE_MASK : 0) |
    (input.transactional ? TRANSACTIONAL_FLAG_MASK : 0) |
    (input.isControl ? CONTROL_FLAG_MASK : 0) |
    (input.deleteHorizon ? DELETE_HORIZON_FLAG_MASK : 0)

  const records = input.records
  const count = records.length
  const now = Date.now()
  const { timestamps, offsetDeltas, bodySizes } = layoutArrays(count)
  // As Java's MemoryRecordsBuilder: the first record's timestamp is the base.
  const baseTimestamp = count > 0 ? timestampOf(records[0]!, 0, now) : -1
  let maxTimestamp = -Infinity
  let previousDelta = -1
  let recordsSize = 0
  for (let i = 0; i < count; i++) {
    const record = records[i]!
    const ts = timestampOf(record, i, now)
    timestamps[i] = ts
    if (ts > maxTimestamp) maxTimestamp = ts
    const delta = record.offsetDelta ?? i
    // the name is only built for the error: this loop runs once per record
    if (!Number.isInteger(delta) || delta <= previousDelta || delta > INT32_MAX) {
      checkInteger(`records[${i}].offsetDelta`, delta, previousDelta + 1, INT32_MAX)
    }
    offsetDeltas[i] = delta
    previousDelta = delta
    const body = sizeOfRecordBody(record, ts - baseTimestamp, delta)
    bodySizes[i] = body
    recordsSize += sizeOfVarint(body) + body
  }
  return {
    attributes,
    baseOffset: checkInt64('baseOffset', input.baseOffset ?? 0n),
    partitionLeaderEpoch: checkInteger(
      'partitionLeaderEpoch',
      input.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH,
      INT32_MIN,
      INT32_MAX,
    ),
    producerId: checkInt64('producerId', input.producerId ?? NO_PRODUCER_ID),
    producerEpoch: checkInteger('producerEpoch', input.producerEpoch ?? NO_PRODUCER_EPOCH, INT16_MIN, INT16_MAX),
    baseSequence: checkInteger('baseSequence', input.baseSequence ?? NO_SEQUENCE, INT32_MIN, INT32_MAX),
    lastOffsetDelta: count > 0 ? offsetDeltas[count - 1]! : 0,
    baseTimestamp,
    maxTimestamp: checkInt64('maxTimestamp', input.maxTimestamp ?? (count > 0 ? BigInt(maxTimestamp) : -1n)),
    records,
    timestamps,
    offsetDeltas,
    bodySizes,
    recordsSize,
  }
}

/**
 * Writes a varint-length-prefixed byte array (-1 for null) at `offset`, a string as its UTF-8 bytes
 * straight into the buffer; returns the offset after it.
 */
function writeNullableBytes(buffer: Buffer, offset: number, value: Buffer | string | null | undefined): number {
  if (value == null) return writeVarintAt(buffer, offset, -1)
  if (typeof value === 'string') {
    const stringStart = writeVarintAt(buffer, offset, Buffer.byteLength(value, 'utf8'))
    return stringStart + buffer.write(value, stringStart, 'utf8')
  }
  const start = writeVarintAt(buffer, offset, value.length)
  buffer.set(value, start)
  return start + value.length
}

// The records are written at a local offset straight into the buffer, not through Writer's
// methods: this loop runs once per record, and Writer's bounds-checked int8 and per-call offset
// updates were a visible part of the producer's CPU.
function writeRecords(w: Writer, p: BatchPlan): void {
  const { records, timestamps, offsetDeltas, bodySizes, baseTimestamp } = p
  const buffer = w.buffer
  let o = w.offset
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!
    o = writeVarintAt(buffer, o, bodySizes[i]!)
    buffer[o++] = 0 // record attributes: unused
    o = writeVarlongNumber(buffer, o, timestamps[i]! - baseTimestamp)
    o = writeVarintAt(buffer, o, offsetDeltas[i]!)
    o = writeNullableBytes(buffer, o, record.key)
    o = writeNullableBytes(buffer, o, record.value)
    const headers = record.headers ?? NO_HEADERS
    o = writeVarintAt(buffer, o, headers.length)
    for (let h = 0; h < headers.length; h++) {
      const header = headers[h]!
      const keyStart = writeVarintAt(buffer, o, Buffer.byteLength(header.key, 'utf8'))
      o = writeNullableBytes(buffer, keyStart + buffer.write(header.key, keyStart, 'utf8'), header.value)
    }
  }
  w.offset = o
}

function writeHeader(w: Writer, p: BatchPlan, attributes: number, totalSize: number): void {
  w.int64(p.baseOffset)
  w.int32(totalSize - LOG_OVERHEAD)
  w.int32(p.partitionLeaderEpoch)
  w.int8(MAGIC_V2)
  w.uint32(0) // CRC, filled in once the rest is written
  w.int16(attributes)
  w.int32(p.lastOffsetDelta)
  w.int64(BigInt(p.baseTimestamp))
  w.int64(p.maxTimestamp)
  w.int64(p.producerId)
  w.int16(p.producerEpoch)
  w.int32(p.baseSequence)
  w.int32(p.records.length)
}

function sealChecksum(buffer: Buffer): Buffer {
  buffer.writeUInt32BE(crc32c(buffer, ATTRIBUTES_OFFSET, buffer.length), CRC_OFFSET)
  return buffer
}

/**
 * Where large encoding buffers come from (Buffer.allocUnsafe without it): an uncompressed batch is
 * written into allocate(size); a compressed batch's records are written into allocate(size) before
 * compression and handed back with release() once compressed.
 */
export interface BatchBuffers {
  allocate(size: number): Buffer
  release(buffer: Buffer): void
}

function encodeUncompressed(p: BatchPlan, buffers: BatchBuffers | undefined): Buffer {
  const size = RECORD_BATCH_OVERHEAD + p.recordsSize
  const w = new Writer(size, buffers?.allocate(size))
  writeHeader(w, p, p.attributes, size)
  writeRecords(w, p)
  return sealChecksum(w.assertEnd())
}

/**
 * Encodes a batch without compression, synchronously, into a buffer from `buffers` if given.
 * Throws KafkaJSInvalidArgumentError when the input asks for a compression type other than None:
 * use encodeRecordBatch for those.
 */
export function encodeRecordBatchSync(input: RecordBatchInput, buffers?: BatchBuffers): Buffer {
  const p = plan(input)
  const compression = p.attributes & 0x07
  if (compression !== CompressionTypes.None) {
    throw new KafkaJSInvalidArgumentError(
      `encodeRecordBatchSync cannot compress (${compressionTypeName(compression)}); use encodeRecordBatch`,
    )
  }
  return encodeUncompressed(p, buffers)
}

/**
 * Encodes a batch, compressing its records with the codec registered for input.compression, using
 * `buffers` if given (see BatchBuffers; for compressed records only with a built-in codec, since an
 * application's codec might keep its input).
 */
export async function encodeRecordBatch(input: RecordBatchInput, buffers?: BatchBuffers): Promise<Buffer> {
  const p = plan(input)
  const compression = p.attributes & 0x07
  if (compression === CompressionTypes.None) return encodeUncompressed(p, buffers)
  const codec = lookupCodec(compression)
  const scratch = buffers !== undefined && isBuiltInCodec(codec) ? buffers : undefined
  const recordsBuffer = scratch?.allocate(p.recordsSize)
  const recordsWriter = new Writer(p.recordsSize, recordsBuffer)
  writeRecords(recordsWriter, p)
  let compressed: Buffer
  try {
    compressed = await codec.compress({ buffer: recordsWriter.assertEnd() })
  } finally {
    if (recordsBuffer !== undefined) scratch?.release(recordsBuffer)
  }
  const size = RECORD_BATCH_OVERHEAD + compressed.length
  const w = new Writer(size)
  writeHeader(w, p, p.attributes, size)
  w.raw(compressed)
  return sealChecksum(w.assertEnd())
}
