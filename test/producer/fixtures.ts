// Helpers shared by the producer's unit tests.

import type { OutgoingRecord } from '../../src/producer/messages.js'
import type { BatchSettings } from '../../src/producer/outgoing-batch.js'
import { recordSizeUpperBound } from '../../src/protocol/records/encode-record-batch.js'

export const SETTINGS: BatchSettings = Object.freeze({
  compression: 0,
  acks: -1,
  ackTimeout: 30000,
  transactional: false,
})

export function record(value: string, key: string | null = null): OutgoingRecord {
  return {
    key: key === null ? null : Buffer.from(key),
    value: Buffer.from(value),
    headers: [],
    timestamp: 1700000000000,
  }
}

export function sized(value: string): { record: OutgoingRecord; size: number } {
  const r = record(value)
  return { record: r, size: recordSizeUpperBound(r) }
}
