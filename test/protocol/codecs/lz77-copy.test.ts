import { copyMatch } from '../../../src/protocol/codecs/lz77-copy.js'

/** The definition: byte by byte, each byte the one `offset` bytes back. */
function copyMatchByByte(dst: Buffer, d: number, offset: number, length: number): number {
  for (let k = 0; k < length; k++) dst[d + k] = dst[d + k - offset]!
  return d + length
}

describe('copyMatch', () => {
  it('repeats the output `offset` bytes back for every overlap and length, as byte by byte', () => {
    const prefix = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff))
    for (const offset of [1, 2, 3, 7, 8, 9, 16, 26, 31, 33, 64, 100, 255, 300]) {
      for (const length of [4, 31, 32, 33, 40, 64, 65, 200, 1000, 4097]) {
        const expected = Buffer.alloc(300 + length + 8)
        prefix.copy(expected)
        const actual = Buffer.from(expected)
        expect(copyMatch(actual, 300, offset, length)).toBe(copyMatchByByte(expected, 300, offset, length))
        expect(actual.equals(expected)).toBe(true)
      }
    }
  })
})
