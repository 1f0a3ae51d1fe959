// Reads Kafka wire primitives from a view of a buffer. Every read is bounds-checked and every length
// read from the wire is checked against the bytes that remain before anything is allocated for it,
// so hostile input yields a KafkaJSDecodeError, never a crash, a hang or an unbounded allocation.
// Strings are decoded; bytes are returned as views (subarray), never copied.

import { KafkaJSDecodeError } from '../../errors.js'
import { uuidFromBytes } from './uuid.js'

export class Reader {
  readonly buffer: Buffer
  offset: number
  readonly end: number

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer
    this.offset = offset
    this.end = end
  }

  remaining(): number {
    return this.end - this.offset
  }

  #need(n: number, what: string): void {
    if (n < 0 || this.offset + n > this.end) {
      throw new KafkaJSDecodeError(
        `truncated input reading ${what}: need ${n} bytes at offset ${this.offset}, ${this.end - this.offset} remain`,
      )
    }
  }

  skip(n: number): void {
    this.#need(n, 'skipped bytes')
    this.offset += n
  }

  int8(): number {
    this.#need(1, 'int8')
    return this.buffer.readInt8(this.offset++)
  }

  uint8(): number {
    this.#need(1, 'uint8')
    return this.buffer[this.offset++]!
  }

  bool(): boolean {
    return this.int8() !== 0
  }

  int16(): number {
    this.#need(2, 'int16')
    const v = this.buffer.readInt16BE(this.offset)
    this.offset += 2
    return v
  }

  uint16(): number {
    this.#need(2, 'uint16')
    const v = this.buffer.readUInt16BE(this.offset)
    this.offset += 2
    return v
  }

  int32(): number {
    this.#need(4, 'int32')
    const v = this.buffer.readInt32BE(this.offset)
    this.offset += 4
    return v
  }

  uint32(): number {
    this.#need(4, 'uint32')
    const v = this.buffer.readUInt32BE(this.offset)
    this.offset += 4
    return v
  }

  int64(): bigint {
    this.#need(8, 'int64')
    const v = this.buffer.readBigInt64BE(this.offset)
    this.offset += 8
    return v
  }

  float64(): number {
    this.#need(8, 'float64')
    const v = this.buffer.readDoubleBE(this.offset)
    this.offset += 8
    return v
  }

  uuid(): string {
    this.#need(16, 'uuid')
    const v = uuidFromBytes(this.buffer, this.offset)
    this.offset += 16
    return v
  }

  unsignedVarint(): number {
    let result = 0
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.uint8()
      result |= (b & 0x7f) << shift
      if ((b & 0x80) === 0) return result >>> 0
    }
    throw new KafkaJSDecodeError(`invalid unsigned varint at offset ${this.offset}: more than 5 bytes`)
  }

  varint(): number {
    const v = this.unsignedVarint()
    return (v >>> 1) ^ -(v & 1)
  }

  varlong(): bigint {
    let result = 0n
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.uint8()
      result |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) {
        const u = BigInt.asUintN(64, result)
        return BigInt.asIntN(64, (u >> 1n) ^ -(u & 1n))
      }
    }
    throw new KafkaJSDecodeError(`invalid varlong at offset ${this.offset}: more than 10 bytes`)
  }

  /** UTF-8 text of exactly `length` bytes. */
  utf8(length: number): string {
    this.#need(length, 'string')
    const s = this.buffer.toString('utf8', this.offset, this.offset + length)
    this.offset += length
    return s
  }

  /** A view of exactly `length` bytes (no copy). */
  view(length: number): Buffer {
    this.#need(length, 'bytes')
    const b = this.buffer.subarray(this.offset, this.offset + length)
    this.offset += length
    return b
  }

  string(): string | null {
    const len = this.int16()
    if (len < -1) throw new KafkaJSDecodeError(`invalid string length ${len} at offset ${this.offset - 2}`)
    return len === -1 ? null : this.utf8(len)
  }

  compactString(): string | null {
    const len = this.unsignedVarint() - 1
    return len === -1 ? null : this.utf8(len)
  }

  bytes(): Buffer | null {
    const len = this.int32()
    if (len < -1) throw new KafkaJSDecodeError(`invalid bytes length ${len} at offset ${this.offset - 4}`)
    return len === -1 ? null : this.view(len)
  }

  compactBytes(): Buffer | null {
    const len = this.unsignedVarint() - 1
    return len === -1 ? null : this.view(len)
  }

  /**
   * Element count of a classic array (int32 prefix; -1 is null). Each element occupies at least
   * `minElementSize` bytes, so a count larger than the remaining bytes allow is rejected before any
   * allocation.
   */
  arrayLength(minElementSize = 1): number {
    const n = this.int32()
    if (n < -1) throw new KafkaJSDecodeError(`invalid array length ${n} at offset ${this.offset - 4}`)
    this.#checkCount(n, minElementSize)
    return n
  }

  /** Element count of a compact array (unsigned varint count+1; 0 is null, returned as -1). */
  compactArrayLength(minElementSize = 1): number {
    const n = this.unsignedVarint() - 1
    this.#checkCount(n, minElementSize)
    return n
  }

  #checkCount(n: number, minElementSize: number): void {
    if (n > 0 && n * minElementSize > this.end - this.offset) {
      throw new KafkaJSDecodeError(
        `array of ${n} elements cannot fit in the ${this.end - this.offset} bytes that remain at offset ${this.offset}`,
      )
    }
  }
}
