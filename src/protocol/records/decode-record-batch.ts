// Decodes one v2 record batch (magic 2). The caller has checked that the whole batch is in the
// buffer. Every count and length read from the batch is checked against the bytes that remain
// before anything is allocated for it; keys, values and header values are views, never copies.

import { KafkaJSDecodeError } from '../../errors.js'
import type { CompressionType } from '../codecs/compression-types.js'
import { crc32c } from '../primitives/crc32c.js'
import { Reader } from '../primitives/reader.js'
import { asCorrupt, corrupt, type DecodeContext, decompressPayload } from './decode-context.js'
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  COMPRESSION_CODEC_MASK,
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  DELETE_HORIZON_FLAG_MASK,
  LAST_OFFSET_DELTA_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  MIN_HEADER_SIZE,
  MIN_RECORD_SIZE,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_OVERHEAD,
  RECORDS_COUNT_OFFSET,
  RECORDS_OFFSET,
  TIMESTAMP_TYPE_MASK,
  TimestampTypes,
  TRANSACTIONAL_FLAG_MASK,
} from './record-batch-format.js'
import { NO_HEADERS, V2Columns } from './record-columns.js'
import type { DecodedRecord, DecodedRecordBatch, RecordHeader } from './types.js'
import { readVarlongNumber } from './varlong-number.js'

// A record's smallest body (its length prefix excluded): attributes, timestampDelta, offsetDelta,
// key length, value length, header count.
const MIN_RECORD_BODY = MIN_RECORD_SIZE - 1

function readRecords(data: Buffer, start: number, end: number, count: number, batch: DecodedRecordBatch): V2Columns {
  if (count > (end - start) / MIN_RECORD_SIZE) {
    throw new KafkaJSDecodeError(`${count} records cannot fit in ${end - start} bytes`)
  }
  const reader = new Reader(data, start, end)
  const logAppendTime = batch.timestampType === TimestampTypes.LogAppendTime
  const columns = new V2Columns(
    data,
    count,
    batch.baseOffset,
    batch.baseTimestamp,
    logAppendTime ? batch.maxTimestamp : undefined,
  )
  for (let i = 0; i < count; i++) {
    const length = reader.varint()
    if (length < MIN_RECORD_BODY || length > reader.remaining()) {
      throw new KafkaJSDecodeError(`record ${i} has length ${length}; ${reader.remaining()} bytes remain`)
    }
    const recordEnd = reader.offset + length
    reader.skip(1) // record attributes: unused
    const timestampDelta = readVarlongNumber(reader)
    const deltaBig = timestampDelta === undefined ? reader.varlong() : undefined
    const offsetDelta = reader.varint()
    const keyLength = reader.varint()
    const keyStart = reader.offset
    if (keyLength > 0) reader.skip(keyLength)
    const valueLength = reader.varint()
    const valueStart = reader.offset
    if (valueLength > 0) reader.skip(valueLength)
    const headerCount = reader.varint()
    if (headerCount < 0 || headerCount > (recordEnd - reader.offset) / MIN_HEADER_SIZE) {
      throw new KafkaJSDecodeError(`record ${i} claims ${headerCount} headers in ${recordEnd - reader.offset} bytes`)
    }
    const headers: RecordHeader[] = headerCount === 0 ? NO_HEADERS : new Array(headerCount)
    for (let h = 0; h < headerCount; h++) {
      const headerKeyLength = reader.varint()
      if (headerKeyLength < 0) throw new KafkaJSDecodeError(`record ${i} has a header key of negative length`)
      const headerKey = reader.utf8(headerKeyLength)
      const headerValueLength = reader.varint()
      headers[h] = { key: headerKey, value: headerValueLength < 0 ? null : reader.view(headerValueLength) }
    }
    if (reader.offset !== recordEnd) {
      throw new KafkaJSDecodeError(
        `record ${i} declares ${length} bytes but its fields take ${reader.offset - recordEnd + length}`,
      )
    }
    columns.set(i, offsetDelta, timestampDelta ?? deltaBig!, keyStart, keyLength, valueStart, valueLength, headers)
  }
  if (reader.remaining() !== 0) {
    throw new KafkaJSDecodeError(`${reader.remaining()} bytes follow the batch's ${count} records`)
  }
  return columns
}

/**
 * Decodes the v2 batch in `buffer[start, start + size)`. Synchronous unless the batch is compressed.
 * Throws KafkaJSCorruptRecordError (CRC mismatch, malformed batch) or KafkaJSDecodeError
 * (decompressed size over the limit).
 */
export function decodeRecordBatchV2(
  buffer: Buffer,
  start: number,
  size: number,
  ctx: DecodeContext,
): DecodedRecordBatch | Promise<DecodedRecordBatch> {
  const baseOffset = buffer.readBigInt64BE(start)
  if (size < RECORD_BATCH_OVERHEAD) {
    throw corrupt(
      `record batch at offset ${baseOffset} is ${size} bytes, less than the ${RECORD_BATCH_OVERHEAD}-byte header`,
      baseOffset,
    )
  }
  const end = start + size
  const crc = buffer.readUInt32BE(start + CRC_OFFSET)
  if (ctx.verifyChecksums) {
    const computed = crc32c(buffer, start + ATTRIBUTES_OFFSET, end)
    if (computed !== crc) {
      throw corrupt(
        `record batch at offset ${baseOffset} is corrupt: CRC-32C is 0x${computed.toString(16)}, the batch says 0x${crc.toString(16)}`,
        baseOffset,
      )
    }
  }
  const attributes = buffer.readInt16BE(start + ATTRIBUTES_OFFSET)
  const compression = attributes & COMPRESSION_CODEC_MASK
  if (compression > 4) {
    throw corrupt(`record batch at offset ${baseOffset} has unknown compression type ${compression}`, baseOffset)
  }
  const count = buffer.readInt32BE(start + RECORDS_COUNT_OFFSET)
  if (count < 0) throw corrupt(`record batch at offset ${baseOffset} has a negative record count ${count}`, baseOffset)
  const lastOffsetDelta = buffer.readInt32BE(start + LAST_OFFSET_DELTA_OFFSET)
  const batch: DecodedRecordBatch = {
    magic: 2,
    baseOffset,
    lastOffset: baseOffset + BigInt(lastOffsetDelta),
    lastOffsetDelta,
    sizeInBytes: size,
    partitionLeaderEpoch: buffer.readInt32BE(start + PARTITION_LEADER_EPOCH_OFFSET),
    crc,
    attributes,
    compression: compression as CompressionType,
    timestampType: attributes & TIMESTAMP_TYPE_MASK ? TimestampTypes.LogAppendTime : TimestampTypes.CreateTime,
    isTransactional: (attributes & TRANSACTIONAL_FLAG_MASK) !== 0,
    isControlBatch: (attributes & CONTROL_FLAG_MASK) !== 0,
    hasDeleteHorizon: (attributes & DELETE_HORIZON_FLAG_MASK) !== 0,
    baseTimestamp: buffer.readBigInt64BE(start + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: buffer.readBigInt64BE(start + MAX_TIMESTAMP_OFFSET),
    producerId: buffer.readBigInt64BE(start + PRODUCER_ID_OFFSET),
    producerEpoch: buffer.readInt16BE(start + PRODUCER_EPOCH_OFFSET),
    baseSequence: buffer.readInt32BE(start + BASE_SEQUENCE_OFFSET),
    records: [],
  }
  const payload = buffer.subarray(start + RECORDS_OFFSET, end)
  if (compression === 0) {
    return withColumns(
      batch,
      asCorrupt('record batch', baseOffset, () => readRecords(payload, 0, payload.length, count, batch)),
    )
  }
  return decompressPayload(compression, payload, ctx, baseOffset).then((data) => {
    return withColumns(
      batch,
      asCorrupt('record batch', baseOffset, () => readRecords(data, 0, data.length, count, batch)),
    )
  })
}

/** Sets the batch's columns, and its records to objects made from them on first read. */
function withColumns(batch: DecodedRecordBatch, columns: V2Columns): DecodedRecordBatch {
  batch.columns = columns
  let records: DecodedRecord[] | undefined
  Object.defineProperty(batch, 'records', {
    enumerable: true,
    configurable: true,
    get: () => {
      records ??= columns.records()
      return records
    },
    set: (value: DecodedRecord[]) => {
      records = value
    },
  })
  return batch
}
