// Zig-zag varlongs carried in a JavaScript number. Record timestamp deltas are varlongs but almost
// always small; handling them as numbers avoids a BigInt round trip per record. Values beyond
// ±2^52 are left to the BigInt code paths of Reader and Writer.

import type { Reader } from '../primitives/reader.js'
import { sizeOfVarint, writeVarintAt } from '../primitives/writer.js'

const SAFE_LIMIT = 2 ** 52

/** Whether `value` can use the number fast path. */
export function fitsVarlongNumber(value: number): boolean {
  return Number.isInteger(value) && value > -SAFE_LIMIT && value < SAFE_LIMIT
}

function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1
}

export function sizeOfVarlongNumber(value: number): number {
  // an int32's zig-zag varlong is its zig-zag varint, which integer arithmetic computes faster
  if ((value | 0) === value) return sizeOfVarint(value)
  let v = zigzag(value)
  let n = 1
  while (v >= 0x80) {
    v = Math.floor(v / 0x80)
    n++
  }
  return n
}

/** Writes `value` (which must satisfy fitsVarlongNumber) at `offset`; returns the offset after it. */
export function writeVarlongNumber(buffer: Buffer, offset: number, value: number): number {
  if ((value | 0) === value) return writeVarintAt(buffer, offset, value)
  let v = zigzag(value)
  while (v >= 0x80) {
    buffer[offset++] = (v % 0x80) | 0x80
    v = Math.floor(v / 0x80)
  }
  buffer[offset++] = v
  return offset
}

/**
 * Reads a varlong as a number. Returns undefined, with the reader rewound, when the value is beyond
 * the fast path; the caller then reads it with reader.varlong().
 */
export function readVarlongNumber(reader: Reader): number | undefined {
  const start = reader.offset
  let result = 0
  let multiplier = 1
  for (let i = 0; i < 7; i++) {
    const b = reader.uint8()
    result += (b & 0x7f) * multiplier
    if (b < 0x80) return result % 2 === 0 ? result / 2 : -(result + 1) / 2
    multiplier *= 0x80
  }
  reader.offset = start
  return undefined
}
