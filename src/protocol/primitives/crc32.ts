// CRC-32 (IEEE), the checksum of legacy v0/v1 messages. Node >= 20.15 ships a native zlib.crc32;
// older runtimes fall back to a table implementation.

import * as zlib from 'node:zlib'

type NativeCrc32 = (data: Uint8Array, value?: number) => number

let table: Int32Array | undefined

function tableCrc32(data: Uint8Array, crc: number): number {
  if (table === undefined) {
    table = new Int32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1
      table[n] = c
    }
  }
  let c = ~crc
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}

const native = (zlib as unknown as { crc32?: NativeCrc32 }).crc32

/** CRC-32 (IEEE) of `data[start, end)`, as an unsigned 32-bit number. */
export function crc32(data: Uint8Array, start = 0, end = data.length): number {
  const view = start === 0 && end === data.length ? data : data.subarray(start, end)
  return native === undefined ? tableCrc32(view, 0) : native(view, 0) >>> 0
}

/** The portable implementation, exported so tests can check it against the native one. */
export function crc32Portable(data: Uint8Array): number {
  return tableCrc32(data, 0)
}
