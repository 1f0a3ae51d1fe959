// LZ4 frame format as Kafka writes it (Java's Lz4BlockOutputStream: version 1, independent blocks,
// 64 KiB maximum block size, no block or content checksum, no content size) and as any LZ4 writer
// may write it: block checksums, content checksum, content size, linked blocks and concatenated
// frames are all read. Kafka's v0 messages carry a header checksum computed over the magic number
// too (a historical Kafka bug); that form is accepted alongside the correct one.

import { DecompressionLimitError } from './codec.js'
import { Lz4FormatError, lz4CompressBound, lz4DecompressBlock } from './lz4-block.js'
import { type Lz4BlockCompressor, lz4BlockCompressor } from './lz4-wasm.js'
import { xxhash32 } from './xxhash32.js'

const MAGIC = 0x184d2204
const VERSION = 1
const FLAG_DICT_ID = 0x01
const FLAG_CONTENT_CHECKSUM = 0x04
const FLAG_CONTENT_SIZE = 0x08
const FLAG_BLOCK_CHECKSUM = 0x10
const FLAG_BLOCK_INDEPENDENCE = 0x20
const UNCOMPRESSED_BLOCK = 0x80000000
const WRITE_BLOCK_SIZE = 64 * 1024
const WRITE_BLOCK_SIZE_ID = 4
// One LZ4 input byte expands to at most 255 output bytes (a 255 match-length extension byte).
const MAX_EXPANSION = 255

interface FrameBlock {
  readonly start: number
  readonly end: number
  readonly uncompressed: boolean
}

interface Frame {
  readonly blocks: FrameBlock[]
  readonly blockMaxSize: number
  readonly independent: boolean
  readonly contentSize: number | undefined
  readonly contentChecksum: number | undefined
  /** Upper bound of the frame's decompressed size, from its block sizes. */
  readonly bound: number
}

function readLE32(data: Buffer, i: number): number {
  return (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) >>> 0
}

function writeLE32(data: Buffer, i: number, value: number): void {
  data[i] = value & 0xff
  data[i + 1] = (value >>> 8) & 0xff
  data[i + 2] = (value >>> 16) & 0xff
  data[i + 3] = value >>> 24
}

/**
 * Compresses `input` into one LZ4 frame, laid out as Kafka's Java client lays it out, with the
 * process's block compressor (WebAssembly where it runs) unless `blocks` names one.
 */
export function lz4FrameCompress(input: Buffer, blocks: Lz4BlockCompressor = lz4BlockCompressor()): Buffer {
  const blockCount = Math.ceil(input.length / WRITE_BLOCK_SIZE)
  const out = Buffer.allocUnsafe(7 + blockCount * (4 + lz4CompressBound(Math.min(input.length, WRITE_BLOCK_SIZE))) + 4)
  writeLE32(out, 0, MAGIC)
  out[4] = (VERSION << 6) | FLAG_BLOCK_INDEPENDENCE
  out[5] = WRITE_BLOCK_SIZE_ID << 4
  out[6] = (xxhash32(out, 4, 6) >>> 8) & 0xff
  let d = 7
  blocks.load(input, WRITE_BLOCK_SIZE)
  for (let start = 0; start < input.length; start += WRITE_BLOCK_SIZE) {
    const end = Math.min(start + WRITE_BLOCK_SIZE, input.length)
    const written = blocks.compress(start, end, out, d + 4) - (d + 4)
    if (written >= end - start) {
      out.set(input.subarray(start, end), d + 4)
      writeLE32(out, d, (end - start) | UNCOMPRESSED_BLOCK)
      d += 4 + end - start
    } else {
      writeLE32(out, d, written)
      d += 4 + written
    }
  }
  writeLE32(out, d, 0)
  return out.subarray(0, d + 4)
}

function need(buffer: Buffer, at: number, n: number, what: string): void {
  if (at + n > buffer.length) throw new Lz4FormatError(`LZ4 frame truncated in ${what}`)
}

function parseFrame(buffer: Buffer, at: number): [Frame, number] {
  need(buffer, at, 7, 'the frame header')
  if (readLE32(buffer, at) !== MAGIC) throw new Lz4FormatError('not an LZ4 frame (bad magic number)')
  const flags = buffer[at + 4]!
  if (flags >>> 6 !== VERSION) throw new Lz4FormatError(`unsupported LZ4 frame version ${flags >>> 6}`)
  if ((flags & 0x02) !== 0) throw new Lz4FormatError('reserved LZ4 frame flag is set')
  if ((flags & FLAG_DICT_ID) !== 0) throw new Lz4FormatError('LZ4 frames with a dictionary are not supported')
  const bd = buffer[at + 5]!
  const blockSizeId = (bd >>> 4) & 0x07
  if ((bd & 0x8f) !== 0 || blockSizeId < 4)
    throw new Lz4FormatError(`invalid LZ4 block descriptor 0x${bd.toString(16)}`)
  const blockMaxSize = 1 << (2 * blockSizeId + 8)
  let p = at + 6
  let contentSize: number | undefined
  if ((flags & FLAG_CONTENT_SIZE) !== 0) {
    need(buffer, p, 9, 'the frame header')
    const high = readLE32(buffer, p + 4)
    // Anything beyond 2^53 can never be allocated anyway; call it infinite so the limit check refuses it.
    contentSize = high >= 0x200000 ? Number.POSITIVE_INFINITY : high * 0x100000000 + readLE32(buffer, p)
    p += 8
  }
  const checksum = buffer[p]!
  if (
    checksum !== ((xxhash32(buffer, at + 4, p) >>> 8) & 0xff) &&
    checksum !== ((xxhash32(buffer, at, p) >>> 8) & 0xff)
  ) {
    throw new Lz4FormatError('LZ4 frame header checksum mismatch')
  }
  p++
  const blockChecksum = (flags & FLAG_BLOCK_CHECKSUM) !== 0
  const blocks: FrameBlock[] = []
  let bound = 0
  for (;;) {
    need(buffer, p, 4, 'a block size')
    const word = readLE32(buffer, p)
    p += 4
    if (word === 0) break
    const uncompressed = (word & UNCOMPRESSED_BLOCK) !== 0
    const size = word & 0x7fffffff
    if (size > blockMaxSize) throw new Lz4FormatError(`LZ4 block of ${size} bytes exceeds the frame's maximum`)
    need(buffer, p, size + (blockChecksum ? 4 : 0), 'a block')
    if (blockChecksum && xxhash32(buffer, p, p + size) !== readLE32(buffer, p + size)) {
      throw new Lz4FormatError('LZ4 block checksum mismatch')
    }
    blocks.push({ start: p, end: p + size, uncompressed })
    bound += uncompressed ? size : Math.min(blockMaxSize, size * MAX_EXPANSION)
    p += size + (blockChecksum ? 4 : 0)
  }
  let contentChecksum: number | undefined
  if ((flags & FLAG_CONTENT_CHECKSUM) !== 0) {
    need(buffer, p, 4, 'the content checksum')
    contentChecksum = readLE32(buffer, p)
    p += 4
  }
  const independent = (flags & FLAG_BLOCK_INDEPENDENCE) !== 0
  return [{ blocks, blockMaxSize, independent, contentSize, contentChecksum, bound }, p]
}

/**
 * Decompresses one or more concatenated LZ4 frames. Never allocates more than `maxOutputLength`
 * bytes; input that would decompress to more throws a DecompressionLimitError.
 */
export function lz4FrameDecompress(input: Buffer, maxOutputLength: number): Buffer {
  const frames: Frame[] = []
  let total = 0
  for (let p = 0; p < input.length; ) {
    const [frame, next] = parseFrame(input, p)
    frames.push(frame)
    total += frame.contentSize ?? frame.bound
    p = next
  }
  const capacity = Math.min(total, maxOutputLength)
  const out = Buffer.allocUnsafe(capacity)
  let d = 0
  try {
    for (const frame of frames) {
      const frameStart = d
      for (const block of frame.blocks) {
        const blockEnd = Math.min(capacity, d + frame.blockMaxSize)
        if (block.uncompressed) {
          if (block.end - block.start > blockEnd - d)
            throw new Lz4FormatError('LZ4 block decompresses to more than its limit')
          out.set(input.subarray(block.start, block.end), d)
          d += block.end - block.start
        } else {
          const windowStart = frame.independent ? d : frameStart
          d = lz4DecompressBlock(input, block.start, block.end, out, windowStart, d, blockEnd)
        }
      }
      if (frame.contentSize !== undefined && d - frameStart !== frame.contentSize) {
        throw new Lz4FormatError(`LZ4 frame declares ${frame.contentSize} bytes but holds ${d - frameStart}`)
      }
      if (frame.contentChecksum !== undefined && xxhash32(out, frameStart, d) !== frame.contentChecksum) {
        throw new Lz4FormatError('LZ4 content checksum mismatch')
      }
    }
  } catch (error) {
    if (total > maxOutputLength && error instanceof Lz4FormatError) {
      throw new DecompressionLimitError('LZ4', maxOutputLength)
    }
    throw error
  }
  return out.subarray(0, d)
}
