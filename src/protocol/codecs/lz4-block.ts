// LZ4 block format (the payload of each block of an LZ4 frame): a greedy single-pass compressor in
// the manner of LZ4's default "fast" mode, and a decompressor that bounds every length and offset
// against its input and output so hostile blocks fail with an error instead of reading or writing
// out of range.

import { copyLiteral, copyMatch } from './lz77-copy.js'

const MIN_MATCH = 4
// The format requires the last 5 bytes to be literals and the last match to start 12 bytes before
// the end of the block.
const LAST_LITERALS = 5
const MATCH_FIND_LIMIT = 12
const MAX_OFFSET = 65535
const HASH_LOG = 14
// Skip ahead faster the longer no match is found, as LZ4 does, so incompressible input costs little.
const SKIP_TRIGGER = 6

/** validFrom stays below this, so that stored positions never overflow an int32. */
const MAX_TABLE_BASE = 0x40000000

/**
 * The validity base of a hash table that is never cleared between calls: a call stores each
 * position p of its input as validFrom + (p - start), with a validFrom above every value stored
 * before, so that older entries read as empty. The table is cleared only when validFrom would near
 * 2^30. lz4-block.wat keeps its table the same way.
 */
export class HashTableBase {
  #next = 1

  /** The validFrom for an input of `length` bytes; calls `clear` first when the base starts over. */
  take(length: number, clear: () => void): number {
    if (this.#next + length + 1 > MAX_TABLE_BASE) {
      clear()
      this.#next = 1
    }
    const validFrom = this.#next
    this.#next += length + 1
    return validFrom
  }
}

// One table reused by every call: compression is synchronous, so calls never interleave.
const hashTable = new Int32Array(1 << HASH_LOG)
const hashTableBase = new HashTableBase()
const clearHashTable = (): void => {
  hashTable.fill(0)
}

export class Lz4FormatError extends Error {}

function hash(sequence: number): number {
  return Math.imul(sequence, 2654435761) >>> (32 - HASH_LOG)
}

/** The most bytes compressing `length` input bytes can produce. */
export function lz4CompressBound(length: number): number {
  return length + Math.floor(length / 255) + 16
}

function writeLength(dst: Buffer, d: number, length: number): number {
  while (length >= 255) {
    dst[d++] = 255
    length -= 255
  }
  dst[d++] = length
  return d
}

function writeSequence(
  dst: Buffer,
  d: number,
  src: Buffer,
  literalStart: number,
  literalLength: number,
  offset: number,
  matchLength: number,
): number {
  const tokenAt = d++
  let token: number
  if (literalLength >= 15) {
    token = 0xf0
    d = writeLength(dst, d, literalLength - 15)
  } else {
    token = literalLength << 4
  }
  if (literalLength > 16) {
    dst.set(src.subarray(literalStart, literalStart + literalLength), d)
  } else {
    for (let k = 0; k < literalLength; k++) dst[d + k] = src[literalStart + k]!
  }
  d += literalLength
  if (matchLength > 0) {
    dst[d++] = offset & 0xff
    dst[d++] = offset >>> 8
    const extra = matchLength - MIN_MATCH
    if (extra >= 15) {
      token |= 0x0f
      d = writeLength(dst, d, extra - 15)
    } else {
      token |= extra
    }
  }
  dst[tokenAt] = token
  return d
}

/**
 * Compresses `src[start, end)` into `dst` at `dstStart`, which must have room for
 * `lz4CompressBound(end - start)` bytes. Returns the offset in `dst` after the last byte written.
 */
export function lz4CompressBlock(src: Buffer, start: number, end: number, dst: Buffer, dstStart: number): number {
  let d = dstStart
  let anchor = start
  if (end - start >= MATCH_FIND_LIMIT + 1) {
    // 4-byte reads through a DataView: one load instead of four byte loads and shifts
    const view = new DataView(src.buffer, src.byteOffset, src.byteLength)
    const validFrom = hashTableBase.take(end - start, clearHashTable)
    const base = validFrom - start
    const matchFindLimit = end - MATCH_FIND_LIMIT
    const matchLimit = end - LAST_LITERALS
    let ip = start
    for (;;) {
      let ref = -1
      let attempts = 1 << SKIP_TRIGGER
      let found = false
      while (ip <= matchFindLimit) {
        const sequence = view.getInt32(ip, true)
        const h = hash(sequence)
        const entry = hashTable[h]!
        hashTable[h] = ip + base
        ref = entry - base
        if (entry >= validFrom && ip - ref <= MAX_OFFSET && view.getInt32(ref, true) === sequence) {
          found = true
          break
        }
        ip += attempts++ >>> SKIP_TRIGGER
      }
      if (!found) break
      while (ip > anchor && ref > start && src[ip - 1] === src[ref - 1]) {
        ip--
        ref--
      }
      let matchEnd = ip + MIN_MATCH
      let refEnd = ref + MIN_MATCH
      // eight bytes at a time while they match, then four, then the last few one by one
      while (
        matchEnd <= matchLimit - 8 &&
        view.getInt32(matchEnd, true) === view.getInt32(refEnd, true) &&
        view.getInt32(matchEnd + 4, true) === view.getInt32(refEnd + 4, true)
      ) {
        matchEnd += 8
        refEnd += 8
      }
      if (matchEnd <= matchLimit - 4 && view.getInt32(matchEnd, true) === view.getInt32(refEnd, true)) {
        matchEnd += 4
        refEnd += 4
      }
      while (matchEnd < matchLimit && src[matchEnd] === src[refEnd]) {
        matchEnd++
        refEnd++
      }
      d = writeSequence(dst, d, src, anchor, ip - anchor, ip - ref, matchEnd - ip)
      ip = matchEnd
      anchor = ip
      if (ip > matchFindLimit) break
      // Index a position inside the match so the next search can find nearby repeats.
      hashTable[hash(view.getInt32(ip - 2, true))] = ip - 2 + base
    }
  }
  return writeSequence(dst, d, src, anchor, end - anchor, 0, 0)
}

/**
 * Decompresses the block `src[start, end)` into `dst[dstStart, dstEnd)`. Matches may reach back to
 * `windowStart` (== dstStart for an independent block, earlier for a block linked to the previous
 * ones). Returns the offset in `dst` after the last byte written; throws Lz4FormatError on malformed
 * input or when the output would not fit.
 */
export function lz4DecompressBlock(
  src: Buffer,
  start: number,
  end: number,
  dst: Buffer,
  windowStart: number,
  dstStart: number,
  dstEnd: number,
): number {
  let s = start
  let d = dstStart
  for (;;) {
    if (s >= end) throw new Lz4FormatError('LZ4 block ends before its last sequence')
    const token = src[s++]!
    let literalLength = token >>> 4
    if (literalLength === 15) {
      let b: number
      do {
        if (s >= end) throw new Lz4FormatError('LZ4 block ends inside a literal length')
        b = src[s++]!
        literalLength += b
      } while (b === 255)
    }
    if (literalLength > end - s) throw new Lz4FormatError('LZ4 literals run past the end of the block')
    if (literalLength > dstEnd - d) throw new Lz4FormatError('LZ4 block decompresses to more than its limit')
    copyLiteral(src, s, dst, d, literalLength)
    s += literalLength
    d += literalLength
    if (s === end) return d
    if (end - s < 2) throw new Lz4FormatError('LZ4 block ends inside a match offset')
    const offset = src[s]! | (src[s + 1]! << 8)
    s += 2
    if (offset === 0 || offset > d - windowStart) throw new Lz4FormatError(`LZ4 match offset ${offset} is out of range`)
    let matchLength = (token & 0x0f) + MIN_MATCH
    if (matchLength === 15 + MIN_MATCH) {
      let b: number
      do {
        if (s >= end) throw new Lz4FormatError('LZ4 block ends inside a match length')
        b = src[s++]!
        matchLength += b
      } while (b === 255)
    }
    if (matchLength > dstEnd - d) throw new Lz4FormatError('LZ4 block decompresses to more than its limit')
    d = copyMatch(dst, d, offset, matchLength)
  }
}
