// Raw Snappy block decoding. Written here rather than taken from snappyjs because a decoder of bytes
// from the network must bound every length and offset: this one never writes outside its output,
// never moves backwards in its input, and insists the output is exactly the declared length.

import { copyLiteral, copyMatch } from './lz77-copy.js'

export class SnappyFormatError extends Error {}

/** The uncompressed length a raw Snappy block declares, and where its elements start. */
export function snappyDeclaredLength(src: Buffer, start: number, end: number): [length: number, next: number] {
  let length = 0
  let shift = 0
  let s = start
  for (;;) {
    if (s >= end) throw new SnappyFormatError('Snappy block ends inside its length preamble')
    const b = src[s++]!
    length += (b & 0x7f) * 2 ** shift
    if (b < 0x80) break
    shift += 7
    if (shift > 28) throw new SnappyFormatError('Snappy length preamble is longer than 5 bytes')
  }
  if (length > 0xffffffff) throw new SnappyFormatError('Snappy length preamble exceeds 32 bits')
  return [length, s]
}

function littleEndian(src: Buffer, s: number, bytes: number): number {
  let v = 0
  for (let k = bytes - 1; k >= 0; k--) v = v * 256 + src[s + k]!
  return v
}

/**
 * Decodes the elements of a raw Snappy block `src[start, end)` (after its preamble) into
 * `dst[dstStart, dstStart + length)`. Throws SnappyFormatError unless exactly `length` bytes result.
 */
export function snappyDecompressElements(
  src: Buffer,
  start: number,
  end: number,
  dst: Buffer,
  dstStart: number,
  length: number,
): void {
  let s = start
  let d = dstStart
  const dstEnd = dstStart + length
  while (s < end) {
    const tag = src[s++]!
    const kind = tag & 0x03
    if (kind === 0) {
      let literalLength = (tag >>> 2) + 1
      if (literalLength > 60) {
        const bytes = literalLength - 60
        if (end - s < bytes) throw new SnappyFormatError('Snappy block ends inside a literal length')
        literalLength = littleEndian(src, s, bytes) + 1
        s += bytes
      }
      if (literalLength > end - s) throw new SnappyFormatError('Snappy literal runs past the end of the block')
      if (literalLength > dstEnd - d) throw new SnappyFormatError('Snappy block decodes to more than it declares')
      copyLiteral(src, s, dst, d, literalLength)
      s += literalLength
      d += literalLength
      continue
    }
    let copyLength: number
    let offset: number
    if (kind === 1) {
      if (s >= end) throw new SnappyFormatError('Snappy block ends inside a copy')
      copyLength = ((tag >>> 2) & 0x07) + 4
      offset = ((tag >>> 5) << 8) | src[s++]!
    } else {
      const bytes = kind === 2 ? 2 : 4
      if (end - s < bytes) throw new SnappyFormatError('Snappy block ends inside a copy')
      copyLength = (tag >>> 2) + 1
      offset = littleEndian(src, s, bytes)
      s += bytes
    }
    if (offset === 0 || offset > d - dstStart)
      throw new SnappyFormatError(`Snappy copy offset ${offset} is out of range`)
    if (copyLength > dstEnd - d) throw new SnappyFormatError('Snappy block decodes to more than it declares')
    d = copyMatch(dst, d, offset, copyLength)
  }
  if (d !== dstEnd) throw new SnappyFormatError(`Snappy block declares ${length} bytes but decodes to ${d - dstStart}`)
}
