// The message objects handed to eachMessage / eachBatch, in KafkaJS's shape: offsets and timestamps
// as decimal strings, key/value/header values as Buffers (views into the fetched bytes), headers as
// an object whose repeated keys collect into arrays. One BatchContext is shared by the messages of
// a record batch, so the per-message cost is one object (plus its headers and strings).

import type { IHeaders } from '../common/kafkajs-shapes.js'
import type { DecodedRecordBatch, RecordColumns, RecordHeader } from '../protocol/records/index.js'

export type { IHeaders }

/** What KafkaJS exposes of the record batch a message came from. */
export interface BatchContext {
  firstOffset: string
  firstTimestamp: string
  partitionLeaderEpoch: number
  inTransaction: boolean
  isControlBatch: boolean
  lastOffsetDelta: number
  producerId: string
  producerEpoch: number
  firstSequence: number
  maxTimestamp: string
  timestampType: number
  magicByte: number
}

/**
 * A consumed message. kafkit always sets magicByte, isControlRecord and batchContext (KafkaJS's messages
 * carry them too, undeclared); they are optional so that a message built by hand for KafkaJS's types (in
 * a test of a handler) is one.
 */
export interface KafkaMessage {
  key: Buffer | null
  value: Buffer | null
  timestamp: string
  attributes: number
  offset: string
  headers: IHeaders
  magicByte?: number
  isControlRecord?: boolean
  batchContext?: BatchContext
}

export function batchContextOf(batch: DecodedRecordBatch): BatchContext {
  return {
    firstOffset: batch.baseOffset.toString(),
    firstTimestamp: batch.baseTimestamp.toString(),
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    inTransaction: batch.isTransactional,
    isControlBatch: batch.isControlBatch,
    lastOffsetDelta: batch.lastOffsetDelta,
    producerId: batch.producerId.toString(),
    producerEpoch: batch.producerEpoch,
    firstSequence: batch.baseSequence,
    maxTimestamp: batch.maxTimestamp.toString(),
    timestampType: batch.timestampType,
    magicByte: batch.magic,
  }
}

/** Record `index` of `columns` (a record of `batch`) as a message. */
export function toKafkaMessage(
  columns: RecordColumns,
  index: number,
  batch: DecodedRecordBatch,
  context: BatchContext,
): KafkaMessage {
  const recordHeaders = columns.headers(index)
  const headers: IHeaders = {}
  if (recordHeaders.length > 0) addHeaders(headers, recordHeaders)
  return {
    key: columns.key(index),
    value: columns.value(index),
    timestamp: columns.timestampString(index),
    // record-level attributes are unused since v2; legacy messages carry their own
    attributes: batch.magic < 2 ? batch.attributes : 0,
    offset: columns.offsetString(index),
    headers,
    magicByte: batch.magic,
    isControlRecord: batch.isControlBatch,
    batchContext: context,
  }
}

/** KafkaJS's headers object: a repeated key collects its values into an array. */
function addHeaders(headers: IHeaders, recordHeaders: readonly RecordHeader[]): void {
  for (const { key, value } of recordHeaders) {
    const v = value ?? undefined
    const existing = headers[key]
    if (existing === undefined) headers[key] = v
    else if (Array.isArray(existing)) {
      if (v !== undefined) existing.push(v)
    } else if (v !== undefined) headers[key] = [existing, v]
  }
}
