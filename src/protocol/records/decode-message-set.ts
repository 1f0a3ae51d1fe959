// Decodes legacy messages (magic 0 and 1), which brokers still return for data written in the old
// format. Each entry: offset int64 | size int32 | crc uint32 | magic int8 | attributes int8 |
// [timestamp int64, magic 1] | key bytes | value bytes; the CRC-32 (IEEE) covers magic through value.
// A compressed entry (a "wrapper") holds a whole inner message set as its compressed value; in magic
// 1 the inner offsets are relative and the wrapper's offset is that of the last inner message.
// Each outer entry becomes one DecodedRecordBatch, as Java presents them.

import { KafkaJSDecodeError } from '../../errors.js'
import { type CompressionType, CompressionTypes } from '../codecs/compression-types.js'
import { crc32 } from '../primitives/crc32.js'
import { Reader } from '../primitives/reader.js'
import { asCorrupt, corrupt, type DecodeContext, decompressPayload } from './decode-context.js'
import {
  COMPRESSION_CODEC_MASK,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V0,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
  TIMESTAMP_TYPE_MASK,
  type TimestampType,
  TimestampTypes,
} from './record-batch-format.js'
import type { DecodedRecord, DecodedRecordBatch } from './types.js'

/** crc + magic + attributes + key length + value length */
export const MESSAGE_OVERHEAD_V0 = 14
/** v0 overhead + timestamp */
export const MESSAGE_OVERHEAD_V1 = 22

interface LegacyMessage {
  offset: bigint
  size: number
  crc: number
  magic: number
  attributes: number
  timestamp: bigint
  key: Buffer | null
  value: Buffer | null
}

/** Reads the message whose entry starts at `start` and spans `LOG_OVERHEAD + size` bytes (all present). */
function readMessage(buffer: Buffer, start: number, size: number, verifyChecksum: boolean): LegacyMessage {
  const offset = buffer.readBigInt64BE(start)
  const magic = buffer.readInt8(start + MAGIC_OFFSET)
  if (magic !== 0 && magic !== 1) throw new KafkaJSDecodeError(`message at offset ${offset} has magic ${magic}`)
  const overhead = magic === MAGIC_V0 ? MESSAGE_OVERHEAD_V0 : MESSAGE_OVERHEAD_V1
  if (size < overhead) {
    throw new KafkaJSDecodeError(`magic ${magic} message at offset ${offset} is ${size} bytes, less than ${overhead}`)
  }
  const end = start + LOG_OVERHEAD + size
  const crc = buffer.readUInt32BE(start + LOG_OVERHEAD)
  if (verifyChecksum) {
    const computed = crc32(buffer, start + MAGIC_OFFSET, end)
    if (computed !== crc) {
      throw corrupt(
        `message at offset ${offset} is corrupt: CRC-32 is 0x${computed.toString(16)}, the message says 0x${crc.toString(16)}`,
        offset,
      )
    }
  }
  const reader = new Reader(buffer, start + MAGIC_OFFSET + 1, end)
  const attributes = reader.int8()
  const timestamp = magic === MAGIC_V0 ? NO_TIMESTAMP : reader.int64()
  const key = reader.bytes()
  const value = reader.bytes()
  if (reader.remaining() !== 0) {
    throw new KafkaJSDecodeError(`message at offset ${offset} has ${reader.remaining()} bytes after its value`)
  }
  return { offset, size, crc, magic, attributes, timestamp, key, value }
}

function timestampTypeOf(message: LegacyMessage): TimestampType {
  if (message.magic === MAGIC_V0) return TimestampTypes.NoTimestamp
  return message.attributes & TIMESTAMP_TYPE_MASK ? TimestampTypes.LogAppendTime : TimestampTypes.CreateTime
}

function toBatch(wrapper: LegacyMessage, records: DecodedRecord[]): DecodedRecordBatch {
  const baseOffset = records.length > 0 ? records[0]!.offset : wrapper.offset
  const lastOffset = records.length > 0 ? records[records.length - 1]!.offset : wrapper.offset
  return {
    magic: wrapper.magic,
    baseOffset,
    lastOffset,
    lastOffsetDelta: Number(lastOffset - baseOffset),
    sizeInBytes: LOG_OVERHEAD + wrapper.size,
    partitionLeaderEpoch: NO_PARTITION_LEADER_EPOCH,
    crc: wrapper.crc,
    attributes: wrapper.attributes,
    compression: (wrapper.attributes & COMPRESSION_CODEC_MASK) as CompressionType,
    timestampType: timestampTypeOf(wrapper),
    isTransactional: false,
    isControlBatch: false,
    hasDeleteHorizon: false,
    baseTimestamp: wrapper.timestamp,
    maxTimestamp: wrapper.timestamp,
    producerId: NO_PRODUCER_ID,
    producerEpoch: NO_PRODUCER_EPOCH,
    baseSequence: NO_SEQUENCE,
    records,
  }
}

/** The messages of a decompressed inner message set; every entry must be whole and uncompressed. */
function readInnerMessages(data: Buffer, wrapper: LegacyMessage, verifyChecksums: boolean): DecodedRecord[] {
  const inner: LegacyMessage[] = []
  let p = 0
  while (p < data.length) {
    if (data.length - p < LOG_OVERHEAD) throw new KafkaJSDecodeError('inner message set ends inside an entry header')
    const size = data.readInt32BE(p + 8)
    if (size < MESSAGE_OVERHEAD_V0 || size > data.length - p - LOG_OVERHEAD) {
      throw new KafkaJSDecodeError(`inner message of ${size} bytes does not fit in the decompressed data`)
    }
    const message = readMessage(data, p, size, verifyChecksums)
    if ((message.attributes & COMPRESSION_CODEC_MASK) !== CompressionTypes.None) {
      throw new KafkaJSDecodeError('compressed message nested inside a compressed message')
    }
    inner.push(message)
    p += LOG_OVERHEAD + size
  }
  // Magic 1 wrappers carry relative inner offsets; the wrapper's own offset is the last one's.
  const relative = wrapper.magic > MAGIC_V0
  const base = relative && inner.length > 0 ? wrapper.offset - inner[inner.length - 1]!.offset : 0n
  const logAppendTime = timestampTypeOf(wrapper) === TimestampTypes.LogAppendTime
  return inner.map((m) => ({
    offset: relative ? base + m.offset : m.offset,
    timestamp: logAppendTime ? wrapper.timestamp : m.timestamp,
    key: m.key,
    value: m.value,
    headers: [],
  }))
}

/**
 * Decodes the legacy entry at `buffer[start, start + LOG_OVERHEAD + size)`. Synchronous unless the
 * entry is a compressed wrapper.
 */
export function decodeLegacyEntry(
  buffer: Buffer,
  start: number,
  size: number,
  ctx: DecodeContext,
): DecodedRecordBatch | Promise<DecodedRecordBatch> {
  const entryOffset = buffer.readBigInt64BE(start)
  const message = asCorrupt('message', entryOffset, () => readMessage(buffer, start, size, ctx.verifyChecksums))
  const compression = message.attributes & COMPRESSION_CODEC_MASK
  if (compression === CompressionTypes.None) {
    return toBatch(message, [
      { offset: message.offset, timestamp: message.timestamp, key: message.key, value: message.value, headers: [] },
    ])
  }
  if (compression > CompressionTypes.LZ4) {
    throw corrupt(
      `magic ${message.magic} message at offset ${entryOffset} has invalid compression type ${compression}`,
      entryOffset,
    )
  }
  if (message.value === null) {
    throw corrupt(`compressed message at offset ${entryOffset} has a null value`, entryOffset)
  }
  return decompressPayload(compression, message.value, ctx, entryOffset).then((data) =>
    toBatch(
      message,
      asCorrupt('compressed message set', entryOffset, () => readInnerMessages(data, message, ctx.verifyChecksums)),
    ),
  )
}
