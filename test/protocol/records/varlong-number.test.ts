// The number fast path for varlongs writes exactly the bytes of Writer.varlong (bigint).

import { Reader } from '../../../src/protocol/primitives/reader.js'
import { sizeOfVarlong, Writer } from '../../../src/protocol/primitives/writer.js'
import {
  readVarlongNumber,
  sizeOfVarlongNumber,
  writeVarlongNumber,
} from '../../../src/protocol/records/varlong-number.js'

const VALUES = [
  0,
  1,
  -1,
  63,
  -64,
  64,
  -65,
  0x7fffffff,
  -0x80000000,
  0x80000000,
  -0x80000001,
  0xffffffff,
  2 ** 40 + 3,
  -(2 ** 40) - 3,
  1_700_000_000_000,
  -1_700_000_000_000,
  2 ** 52 - 1,
  -(2 ** 52) + 1,
]

describe('varlongs carried in a number', () => {
  it.each(VALUES)('%d: same size and bytes as the bigint varlong, and reads back', (value) => {
    const expected = new Writer(sizeOfVarlong(BigInt(value)))
    expected.varlong(BigInt(value))
    expect(sizeOfVarlongNumber(value)).toBe(expected.buffer.length)
    const buffer = Buffer.alloc(expected.buffer.length + 2)
    expect(writeVarlongNumber(buffer, 1, value)).toBe(1 + expected.buffer.length)
    expect(buffer.subarray(1, 1 + expected.buffer.length)).toStrictEqual(expected.buffer)
    // beyond 7 bytes the reader leaves the value to its bigint path
    const reader = new Reader(expected.buffer)
    const read = readVarlongNumber(reader)
    expect(read === undefined ? reader.varlong() : BigInt(read)).toBe(BigInt(value))
  })
})
