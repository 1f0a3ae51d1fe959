// CRC-32 (IEEE), the checksum of legacy v0/v1 messages: node:zlib's, which every supported Node has.

import * as zlib from 'node:zlib'

/** CRC-32 (IEEE) of `data[start, end)`, as an unsigned 32-bit number. */
export function crc32(data: Uint8Array, start = 0, end = data.length): number {
  return zlib.crc32(start === 0 && end === data.length ? data : data.subarray(start, end)) >>> 0
}
