// The ZSTD codec, on node:zlib's zstd (Node >= 22.15, the floor `engines` sets). zlib's
// maxOutputLength bounds decompression before the output is allocated.
//
// Node 22's zlib stops after the first frame of its input and returns what it has (often nothing)
// for a frame cut short, where Node 24 reads every frame and fails on a short one. So the input is
// split into its frames first (their headers and block headers walked, nothing decoded): a frame
// cut short fails, and every frame is decompressed, on every supported runtime.

import { kMaxLength } from 'node:buffer'
import * as zlib from 'node:zlib'
import { KafkaJSNotImplemented } from '../../errors.js'
import {
  type CompressionCodec,
  type CompressionInput,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  DecompressionLimitError,
  type DecompressOptions,
} from './codec.js'

/**
 * node:zlib, checked for zstd when ZSTD is used rather than when kafkit is loaded, so that on an older
 * runtime only ZSTD users meet the error, and they meet it with the reason.
 */
function zlibWithZstd(): typeof zlib {
  if (typeof zlib.zstdCompress !== 'function' || typeof zlib.zstdDecompress !== 'function') {
    throw new KafkaJSNotImplemented(
      `ZSTD compression needs node:zlib's zstd (Node.js >= 22.15); this is Node.js ${process.versions.node}`,
    )
  }
  return zlib
}

// RFC 8878, 3.1
const FRAME_MAGIC = 0xfd2fb528
/** Skippable frames have magic numbers 0x184D2A50 to 0x184D2A5F. */
const SKIPPABLE_MAGIC_MASK = 0xfffffff0
const SKIPPABLE_MAGIC = 0x184d2a50
const DICTIONARY_ID_BYTES = [0, 1, 2, 4]
const CONTENT_SIZE_BYTES = [0, 2, 4, 8]
const RLE_BLOCK = 1
const RESERVED_BLOCK = 3

function truncated(): never {
  throw new Error('ZSTD data is truncated')
}

/**
 * The frames of `input` that hold data, skippable frames left out; throws when input ends inside a
 * frame. What is not a frame where one starts, or a block of the reserved type, is handed to zlib
 * as it is, so that zlib refuses it with its own error.
 */
function dataFrames(input: Buffer): Buffer[] {
  const frames: Buffer[] = []
  let at = 0
  while (at < input.length) {
    const start = at
    if (at + 4 > input.length) truncated()
    const magic = input.readUInt32LE(at)
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (at + 8 > input.length) truncated()
      at += 8 + input.readUInt32LE(at + 4)
      if (at > input.length) truncated()
      continue
    }
    if (magic !== FRAME_MAGIC) return [...frames, input.subarray(start)]
    if (at + 5 > input.length) truncated()
    const descriptor = input[at + 4]!
    const singleSegment = (descriptor & 0x20) !== 0
    const contentSizeFlag = descriptor >> 6
    at +=
      5 +
      (singleSegment ? 0 : 1) +
      DICTIONARY_ID_BYTES[descriptor & 0x03]! +
      (contentSizeFlag === 0 && singleSegment ? 1 : CONTENT_SIZE_BYTES[contentSizeFlag]!)
    for (let last = false; !last; ) {
      if (at + 3 > input.length) truncated()
      const header = input.readUIntLE(at, 3)
      last = (header & 1) === 1
      const type = (header >> 1) & 0x03
      if (type === RESERVED_BLOCK) return [...frames, input.subarray(start)]
      at += 3 + (type === RLE_BLOCK ? 1 : header >>> 3)
    }
    // the content checksum
    if ((descriptor & 0x04) !== 0) at += 4
    if (at > input.length) truncated()
    frames.push(input.subarray(start, at))
  }
  // empty input, too, is zlib's to judge
  return frames.length === 0 && input.length === 0 ? [input] : frames
}

function decompressFrame(frame: Buffer, limit: number): Promise<Buffer> {
  const { zstdDecompress } = zlibWithZstd()
  return new Promise((resolve, reject) =>
    zstdDecompress(frame, { maxOutputLength: limit }, (error, result) => {
      // the limit is reported as the other built-in codecs report it (zlib's gzip aside)
      if ((error as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE') {
        reject(new DecompressionLimitError('ZSTD', limit))
      } else if (error) reject(error)
      else resolve(result)
    }),
  )
}

export const zstdCodec: CompressionCodec = {
  async compress(encoder: CompressionInput): Promise<Buffer> {
    const { zstdCompress } = zlibWithZstd()
    return new Promise((resolve, reject) =>
      zstdCompress(encoder.buffer, (error, result) => (error ? reject(error) : resolve(result))),
    )
  },
  async decompress(buffer: Buffer, options?: DecompressOptions): Promise<Buffer> {
    zlibWithZstd()
    const limit = Math.max(1, Math.min(options?.maxOutputLength ?? DEFAULT_MAX_DECOMPRESSED_BYTES, kMaxLength))
    const frames = dataFrames(buffer)
    if (frames.length === 1) return decompressFrame(frames[0]!, limit)
    const parts: Buffer[] = []
    let total = 0
    for (const frame of frames) {
      // a frame decompressing to nothing needs no room, so a full budget is checked after each frame
      const part = await decompressFrame(frame, Math.max(1, limit - total))
      total += part.length
      if (total > limit) throw new DecompressionLimitError('ZSTD', limit)
      parts.push(part)
    }
    return Buffer.concat(parts, total)
  },
}
