// Snappy as Kafka carries it. Java writes snappy-java's "xerial" framing (a 16-byte header, then
// blocks each prefixed by a big-endian int32 length); librdkafka and KafkaJS write one raw Snappy
// block. Both forms are read, as Java's SnappyInputStream reads both. Writing uses the xerial framing,
// the reference client's form.

import { compress as snappyCompress } from 'snappyjs'
import {
  type CompressionCodec,
  type CompressionInput,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  DecompressionLimitError,
  type DecompressOptions,
} from './codec.js'
import { SnappyFormatError, snappyDeclaredLength, snappyDecompressElements } from './snappy-block.js'

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const XERIAL_HEADER_LENGTH = 16
const XERIAL_VERSION = 1
const XERIAL_BLOCK_SIZE = 32 * 1024

export function isXerialFramed(input: Buffer): boolean {
  if (input.length < XERIAL_HEADER_LENGTH) return false
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (input[i] !== XERIAL_MAGIC[i]) return false
  return true
}

/** Compresses into snappy-java's framed format, as Kafka's Java producer writes it. */
export function snappyXerialCompress(input: Buffer): Buffer {
  const blocks: Buffer[] = []
  let total = XERIAL_HEADER_LENGTH
  for (let start = 0; start < input.length; start += XERIAL_BLOCK_SIZE) {
    const block = snappyCompress(input.subarray(start, Math.min(start + XERIAL_BLOCK_SIZE, input.length)))
    blocks.push(block)
    total += 4 + block.length
  }
  const out = Buffer.allocUnsafe(total)
  out.set(XERIAL_MAGIC, 0)
  out.writeInt32BE(XERIAL_VERSION, 8)
  out.writeInt32BE(XERIAL_VERSION, 12)
  let d = XERIAL_HEADER_LENGTH
  for (const block of blocks) {
    out.writeInt32BE(block.length, d)
    out.set(block, d + 4)
    d += 4 + block.length
  }
  return out
}

/** Decompresses either raw Snappy or xerial-framed Snappy, never allocating more than `maxOutputLength`. */
export function snappyDecompress(input: Buffer, maxOutputLength: number): Buffer {
  // [start, end) of each raw block with its declared length and where its elements begin
  const blocks: [elementsStart: number, end: number, length: number][] = []
  let total = 0
  const addBlock = (start: number, end: number): void => {
    const [length, elementsStart] = snappyDeclaredLength(input, start, end)
    total += length
    if (total > maxOutputLength) {
      throw new DecompressionLimitError('Snappy', maxOutputLength)
    }
    blocks.push([elementsStart, end, length])
  }
  if (isXerialFramed(input)) {
    let p = XERIAL_HEADER_LENGTH
    while (p < input.length) {
      if (input.length - p < 4) throw new SnappyFormatError('xerial Snappy stream ends inside a block length')
      const size = input.readInt32BE(p)
      p += 4
      if (size < 0 || size > input.length - p)
        throw new SnappyFormatError(`xerial Snappy block length ${size} is invalid`)
      addBlock(p, p + size)
      p += size
    }
  } else {
    addBlock(0, input.length)
  }
  const out = Buffer.allocUnsafe(total)
  let d = 0
  for (const [elementsStart, end, length] of blocks) {
    snappyDecompressElements(input, elementsStart, end, out, d, length)
    d += length
  }
  return out
}

export const snappyCodec: CompressionCodec = {
  async compress(encoder: CompressionInput): Promise<Buffer> {
    return snappyXerialCompress(encoder.buffer)
  },
  async decompress(buffer: Buffer, options?: DecompressOptions): Promise<Buffer> {
    return snappyDecompress(buffer, options?.maxOutputLength ?? DEFAULT_MAX_DECOMPRESSED_BYTES)
  },
}
