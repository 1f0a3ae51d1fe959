// Layout of a v2 record batch (magic 2), from Kafka's DefaultRecordBatch:
//   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
//   attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
//   producerId int64 | producerEpoch int16 | baseSequence int32 | recordCount int32 | records...
// batchLength counts the bytes after itself; the CRC-32C covers attributes through the end.

export const BASE_OFFSET_OFFSET = 0
export const LENGTH_OFFSET = 8
export const PARTITION_LEADER_EPOCH_OFFSET = 12
export const MAGIC_OFFSET = 16
export const CRC_OFFSET = 17
export const ATTRIBUTES_OFFSET = 21
export const LAST_OFFSET_DELTA_OFFSET = 23
export const BASE_TIMESTAMP_OFFSET = 27
export const MAX_TIMESTAMP_OFFSET = 35
export const PRODUCER_ID_OFFSET = 43
export const PRODUCER_EPOCH_OFFSET = 51
export const BASE_SEQUENCE_OFFSET = 53
export const RECORDS_COUNT_OFFSET = 57
export const RECORDS_OFFSET = 61
/** Bytes of a v2 batch before its records. */
export const RECORD_BATCH_OVERHEAD = RECORDS_OFFSET
/** baseOffset + batchLength: the bytes of every batch or legacy message that its length does not count. */
export const LOG_OVERHEAD = 12

export const MAGIC_V0 = 0
export const MAGIC_V1 = 1
export const MAGIC_V2 = 2

export const COMPRESSION_CODEC_MASK = 0x07
export const TIMESTAMP_TYPE_MASK = 0x08
export const TRANSACTIONAL_FLAG_MASK = 0x10
export const CONTROL_FLAG_MASK = 0x20
export const DELETE_HORIZON_FLAG_MASK = 0x40

/** Kafka's TimestampType ids; NoTimestamp is what v0 messages have. */
export const TimestampTypes = {
  NoTimestamp: -1,
  CreateTime: 0,
  LogAppendTime: 1,
} as const
export type TimestampType = (typeof TimestampTypes)[keyof typeof TimestampTypes]

// bigint, not the literal -1n, in the emitted .d.ts: TypeScript before 5 rejects bigint literals below an ES2020 target
export const NO_PRODUCER_ID: bigint = -1n
export const NO_PRODUCER_EPOCH = -1
export const NO_SEQUENCE = -1
export const NO_PARTITION_LEADER_EPOCH = -1
export const NO_TIMESTAMP: bigint = -1n

// Smallest encodings, used to reject counts that cannot fit in the bytes that remain.
/** length varint + attributes + timestampDelta + offsetDelta + key length + value length + header count */
export const MIN_RECORD_SIZE = 7
/** key length varint + value length varint */
export const MIN_HEADER_SIZE = 2
