// Writes Kafka wire primitives into one buffer whose size the caller computed first (size, then
// write): no list of small Buffers and no copy before the socket write. A gathering writer goes
// one step further for large byte arrays (a Produce request's record batches): it leaves them out
// of its buffer and hands them to the socket as chunks of their own, so they are never copied.

import { KafkaJSInvariantViolation } from '../../errors.js'
import { uuidToBytes } from './uuid.js'

const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n

export function sizeOfUnsignedVarint(value: number): number {
  // value is treated as uint32
  let v = value >>> 0
  let n = 1
  while (v >= 0x80) {
    v >>>= 7
    n++
  }
  return n
}

export function sizeOfVarint(value: number): number {
  return sizeOfUnsignedVarint(((value << 1) ^ (value >> 31)) >>> 0)
}

/**
 * Writes an unsigned varint (`value` as uint32) at `offset` of `buffer`; returns the offset after
 * it. For loops that keep the offset in a local.
 */
export function writeUnsignedVarintAt(buffer: Buffer, offset: number, value: number): number {
  let v = value >>> 0
  let o = offset
  while (v >= 0x80) {
    buffer[o++] = (v & 0x7f) | 0x80
    v >>>= 7
  }
  buffer[o++] = v
  return o
}

/** Writes a zig-zag varint at `offset` of `buffer`; returns the offset after it. */
export function writeVarintAt(buffer: Buffer, offset: number, value: number): number {
  return writeUnsignedVarintAt(buffer, offset, (value << 1) ^ (value >> 31))
}

export function sizeOfVarlong(value: bigint): number {
  let v = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n))
  let n = 1
  while (v >= 0x80n) {
    v >>= 7n
    n++
  }
  return n
}

export function sizeOfUtf8(value: string): number {
  return Buffer.byteLength(value, 'utf8')
}

/** Size of a nullable/non-nullable classic string (int16 length prefix). */
export function sizeOfString(value: string | null): number {
  return value === null ? 2 : 2 + sizeOfUtf8(value)
}

/** Size of a compact string (unsigned varint length+1 prefix). */
export function sizeOfCompactString(value: string | null): number {
  if (value === null) return 1
  const len = sizeOfUtf8(value)
  return sizeOfUnsignedVarint(len + 1) + len
}

export function sizeOfBytes(value: Buffer | Uint8Array | null): number {
  return value === null ? 4 : 4 + value.length
}

export function sizeOfCompactBytes(value: Buffer | Uint8Array | null): number {
  return value === null ? 1 : sizeOfUnsignedVarint(value.length + 1) + value.length
}

/** A byte array a gathering writer left out of its buffer, and the buffer offset it follows. */
interface GatheredBytes {
  readonly at: number
  readonly bytes: Buffer | Uint8Array
}

export class Writer {
  readonly buffer: Buffer
  offset: number
  /** raw() leaves byte arrays of at least this many bytes out of the buffer (Infinity: none). */
  readonly #gatherAtLeast: number
  /** Made on the first gathered array: most writers never gather. */
  #gathered: GatheredBytes[] | undefined
  #gatheredBytes = 0

  constructor(size: number, buffer?: Buffer, offset = 0, gatherAtLeast = Number.POSITIVE_INFINITY) {
    this.buffer = buffer ?? Buffer.allocUnsafe(size)
    this.offset = offset
    this.#gatherAtLeast = gatherAtLeast
  }

  /**
   * A writer that leaves byte arrays of at least `gatherAtLeast` bytes out of `scratch` (see
   * chunks()). `scratch` must hold everything else; its contents are copied out by chunks(), so
   * one scratch buffer can serve writer after writer.
   */
  static gathering(scratch: Buffer, gatherAtLeast: number): Writer {
    return new Writer(scratch.length, scratch, 0, gatherAtLeast)
  }

  /** Throws unless exactly `expected` bytes were written: a size/write mismatch is a bug, never silent. */
  assertEnd(expected = this.buffer.length): Buffer {
    if (this.#gatheredBytes > 0) {
      throw new KafkaJSInvariantViolation('a gathering writer that gathered bytes ends with chunks()')
    }
    if (this.offset !== expected) {
      throw new KafkaJSInvariantViolation(`encoder wrote ${this.offset} bytes but sized ${expected}`)
    }
    return this.buffer
  }

  /**
   * What was written, in order, as chunks for one vectored socket write: the gathered byte arrays
   * as they are, and copies of the buffer's bytes between them (all in one new Buffer). Throws
   * unless exactly `expected` bytes were written in all.
   */
  chunks(expected: number): Buffer[] {
    const total = this.offset + this.#gatheredBytes
    if (total !== expected) {
      throw new KafkaJSInvariantViolation(`encoder wrote ${total} bytes but sized ${expected}`)
    }
    const own = Buffer.allocUnsafe(this.offset)
    this.buffer.copy(own, 0, 0, this.offset)
    const chunks: Buffer[] = []
    let from = 0
    for (const { at, bytes } of this.#gathered ?? []) {
      if (at > from) chunks.push(own.subarray(from, at))
      chunks.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      from = at
    }
    if (this.offset > from || chunks.length === 0) chunks.push(own.subarray(from))
    return chunks
  }

  int8(value: number): void {
    this.offset = this.buffer.writeInt8(value, this.offset)
  }

  uint8(value: number): void {
    this.offset = this.buffer.writeUInt8(value, this.offset)
  }

  bool(value: boolean): void {
    this.buffer[this.offset++] = value ? 1 : 0
  }

  int16(value: number): void {
    this.offset = this.buffer.writeInt16BE(value, this.offset)
  }

  uint16(value: number): void {
    this.offset = this.buffer.writeUInt16BE(value, this.offset)
  }

  int32(value: number): void {
    this.offset = this.buffer.writeInt32BE(value, this.offset)
  }

  uint32(value: number): void {
    this.offset = this.buffer.writeUInt32BE(value, this.offset)
  }

  int64(value: bigint): void {
    if (value < INT64_MIN || value > INT64_MAX) {
      throw new KafkaJSInvariantViolation(`int64 out of range: ${value}`)
    }
    this.offset = this.buffer.writeBigInt64BE(value, this.offset)
  }

  float64(value: number): void {
    this.offset = this.buffer.writeDoubleBE(value, this.offset)
  }

  uuid(value: string): void {
    uuidToBytes(value, this.buffer, this.offset)
    this.offset += 16
  }

  unsignedVarint(value: number): void {
    this.offset = writeUnsignedVarintAt(this.buffer, this.offset, value)
  }

  varint(value: number): void {
    this.offset = writeVarintAt(this.buffer, this.offset, value)
  }

  varlong(value: bigint): void {
    let v = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n))
    const buf = this.buffer
    while (v >= 0x80n) {
      buf[this.offset++] = Number(v & 0x7fn) | 0x80
      v >>= 7n
    }
    buf[this.offset++] = Number(v)
  }

  /** Raw UTF-8 bytes without a length prefix; returns the number of bytes written. */
  utf8(value: string): number {
    const n = this.buffer.write(value, this.offset, 'utf8')
    this.offset += n
    return n
  }

  string(value: string | null): void {
    if (value === null) {
      this.int16(-1)
      return
    }
    // write the bytes first, then backfill the fixed-width length: one UTF-8 pass
    const start = this.offset
    this.offset += 2
    const n = this.utf8(value)
    if (n > 0x7fff) throw new KafkaJSInvariantViolation(`string of ${n} bytes exceeds the int16 length limit`)
    this.buffer.writeInt16BE(n, start)
  }

  compactString(value: string | null): void {
    if (value === null) {
      this.unsignedVarint(0)
      return
    }
    this.unsignedVarint(sizeOfUtf8(value) + 1)
    this.utf8(value)
  }

  bytes(value: Buffer | Uint8Array | null): void {
    if (value === null) {
      this.int32(-1)
      return
    }
    this.int32(value.length)
    this.raw(value)
  }

  compactBytes(value: Buffer | Uint8Array | null): void {
    if (value === null) {
      this.unsignedVarint(0)
      return
    }
    this.unsignedVarint(value.length + 1)
    this.raw(value)
  }

  raw(value: Buffer | Uint8Array): void {
    if (value.length >= this.#gatherAtLeast) {
      this.#gathered ??= []
      this.#gathered.push({ at: this.offset, bytes: value })
      this.#gatheredBytes += value.length
      return
    }
    this.buffer.set(value, this.offset)
    this.offset += value.length
  }
}
