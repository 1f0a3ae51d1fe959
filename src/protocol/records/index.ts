export {
  type ControlRecord,
  ControlRecordTypes,
  decodeControlRecord,
  endTxnMarkerRecord,
} from './control-record.js'
export { decodeRecords } from './decode-records.js'
export { encodeRecordBatch, encodeRecordBatchSync, recordSizeUpperBound } from './encode-record-batch.js'
export { RECORD_BATCH_OVERHEAD, type TimestampType, TimestampTypes } from './record-batch-format.js'
export { columnsOf, NO_HEADERS, type RecordColumns } from './record-columns.js'
export type {
  DecodedRecord,
  DecodedRecordBatch,
  DecodedRecords,
  DecodeRecordsOptions,
  PartialBatch,
  RecordBatchInput,
  RecordHeader,
  RecordInput,
} from './types.js'
