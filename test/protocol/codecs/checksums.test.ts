import { randomBytes } from 'node:crypto'
import { xxhash32 } from '../../../src/protocol/codecs/xxhash32.js'
import { crc32 } from '../../../src/protocol/primitives/crc32.js'
import { crc32c } from '../../../src/protocol/primitives/crc32c.js'

describe('crc32c', () => {
  test('matches the published check values', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283)
    // RFC 3720 (iSCSI) B.4
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa)
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43)
    expect(crc32c(Buffer.alloc(0))).toBe(0)
  })

  test('a range equals the checksum of the same bytes on their own, and can be continued', () => {
    const data = randomBytes(1000)
    for (const [start, end] of [
      [0, 1000],
      [3, 997],
      [17, 18],
      [100, 100],
    ] as const) {
      expect(crc32c(data, start, end)).toBe(crc32c(Buffer.from(data.subarray(start, end))))
    }
    expect(crc32c(data, 500, 1000, crc32c(data, 0, 500))).toBe(crc32c(data))
  })

  test('the eight-byte path agrees with the bytewise path at every length', () => {
    const data = randomBytes(64)
    for (let n = 0; n <= 64; n++) {
      let bytewise = ~0
      for (let i = 0; i < n; i++) {
        bytewise ^= data[i]!
        for (let k = 0; k < 8; k++) bytewise = bytewise & 1 ? (bytewise >>> 1) ^ 0x82f63b78 : bytewise >>> 1
      }
      expect(crc32c(data, 0, n)).toBe(~bytewise >>> 0)
    }
  })
})

describe('crc32 (IEEE)', () => {
  test('matches the check value; a range equals the checksum of the same bytes on their own', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926)
    expect(crc32(Buffer.alloc(0))).toBe(0)
    const data = randomBytes(5000)
    expect(crc32(data, 10, 4000)).toBe(crc32(Buffer.from(data.subarray(10, 4000))))
  })
})

describe('xxhash32', () => {
  test('matches reference values', () => {
    expect(xxhash32(Buffer.alloc(0))).toBe(0x02cc5d05)
    expect(xxhash32(Buffer.from('abc'))).toBe(0x32d153ff)
    expect(xxhash32(Buffer.from('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f)
    expect(xxhash32(Buffer.from('abc'), 0, 3, 0x9747b28c)).toBe(0x4d4cb222)
  })
})
