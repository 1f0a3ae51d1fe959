// Control records, the single record of a control batch. Key: version int16 + type int16
// (ControlRecordTypeSchema). For COMMIT and ABORT (transaction markers) the value is EndTxnMarker:
// version int16 + coordinatorEpoch int32.

import { KafkaJSDecodeError } from '../../errors.js'
import type { DecodedRecord, RecordInput } from './types.js'

export const ControlRecordTypes = {
  ABORT: 0,
  COMMIT: 1,
  LEADER_CHANGE: 2,
  SNAPSHOT_HEADER: 3,
  SNAPSHOT_FOOTER: 4,
  KRAFT_VERSION: 5,
  KRAFT_VOTERS: 6,
} as const

const CONTROL_KEY_VERSION = 0
const END_TXN_MARKER_VERSION = 0

export interface ControlRecord {
  keyVersion: number
  /** One of ControlRecordTypes, or a type this client does not know. */
  type: number
  /** For ABORT and COMMIT markers: the transaction coordinator's epoch. */
  coordinatorEpoch: number | undefined
}

/** The control record of a transaction marker, to encode in a batch with isControl and transactional set. */
export function endTxnMarkerRecord(marker: {
  committed: boolean
  coordinatorEpoch: number
  timestamp?: bigint | number
}): RecordInput {
  const key = Buffer.allocUnsafe(4)
  key.writeInt16BE(CONTROL_KEY_VERSION, 0)
  key.writeInt16BE(marker.committed ? ControlRecordTypes.COMMIT : ControlRecordTypes.ABORT, 2)
  const value = Buffer.allocUnsafe(6)
  value.writeInt16BE(END_TXN_MARKER_VERSION, 0)
  value.writeInt32BE(marker.coordinatorEpoch, 2)
  return marker.timestamp === undefined ? { key, value } : { key, value, timestamp: marker.timestamp }
}

/** Reads the control record of a control batch; throws KafkaJSDecodeError when its key or marker is malformed. */
export function decodeControlRecord(record: DecodedRecord): ControlRecord {
  const key = record.key
  if (key === null || key.length < 4) {
    throw new KafkaJSDecodeError(
      `control record at offset ${record.offset} has a key of ${key?.length ?? 'null'} bytes; 4 expected`,
    )
  }
  const keyVersion = key.readInt16BE(0)
  const type = key.readInt16BE(2)
  let coordinatorEpoch: number | undefined
  if (type === ControlRecordTypes.ABORT || type === ControlRecordTypes.COMMIT) {
    const value = record.value
    if (value === null || value.length < 6) {
      throw new KafkaJSDecodeError(
        `transaction marker at offset ${record.offset} has a value of ${value?.length ?? 'null'} bytes; 6 expected`,
      )
    }
    coordinatorEpoch = value.readInt32BE(2)
  }
  return { keyVersion, type, coordinatorEpoch }
}
