// Runtime helpers shared by the generated protocol modules (src/protocol/generated/). They cover the
// patterns every generated encoder repeats (compact vs classic lengths, arrays, nullable structs,
// tagged-field sections) so the generated code stays short and straight-line.

import { KafkaJSDecodeError, KafkaJSInvalidArgumentError, KafkaJSUnsupportedFieldError } from '../../errors.js'
import type { UnknownTaggedField } from '../api.js'
import { Reader } from './reader.js'
import {
  sizeOfBytes,
  sizeOfCompactBytes,
  sizeOfCompactString,
  sizeOfString,
  sizeOfUnsignedVarint,
  type Writer,
} from './writer.js'

/** Fields every struct of a flexible version may carry. */
export interface TaggedFieldCarrier {
  _unknownTaggedFields?: UnknownTaggedField[]
}

export function unsupportedField(apiName: string, field: string, version: number): KafkaJSUnsupportedFieldError {
  return new KafkaJSUnsupportedFieldError({ apiName, field, version })
}

export function nullNotAllowed(apiName: string, field: string, version: number): KafkaJSInvalidArgumentError {
  return new KafkaJSInvalidArgumentError(`${apiName} v${version} cannot carry a null ${field}`)
}

export function invalidVersion(name: string, version: number, min: number, max: number): KafkaJSInvalidArgumentError {
  return new KafkaJSInvalidArgumentError(`${name} has no version ${version}; valid versions are ${min} to ${max}`)
}

// ---- strings, bytes and records ----

export function sizeOfStringField(value: string | null, flex: boolean): number {
  return flex ? sizeOfCompactString(value) : sizeOfString(value)
}

export function writeStringField(w: Writer, value: string | null, flex: boolean): void {
  if (flex) w.compactString(value)
  else w.string(value)
}

export function readNullableString(r: Reader, flex: boolean): string | null {
  return flex ? r.compactString() : r.string()
}

export function readString(r: Reader, flex: boolean): string {
  const value = flex ? r.compactString() : r.string()
  if (value === null) throw new KafkaJSDecodeError(`non-nullable string read as null at offset ${r.offset}`)
  return value
}

export function sizeOfBytesField(value: Buffer | Uint8Array | null, flex: boolean): number {
  return flex ? sizeOfCompactBytes(value) : sizeOfBytes(value)
}

export function writeBytesField(w: Writer, value: Buffer | Uint8Array | null, flex: boolean): void {
  if (flex) w.compactBytes(value)
  else w.bytes(value)
}

export function readNullableBytes(r: Reader, flex: boolean): Buffer | null {
  return flex ? r.compactBytes() : r.bytes()
}

export function readBytes(r: Reader, flex: boolean): Buffer {
  const value = flex ? r.compactBytes() : r.bytes()
  if (value === null) throw new KafkaJSDecodeError(`non-nullable bytes read as null at offset ${r.offset}`)
  return value
}

// ---- arrays ----

function sizeOfArrayHeader(length: number | null, flex: boolean): number {
  if (!flex) return 4
  return length === null ? 1 : sizeOfUnsignedVarint(length + 1)
}

/** Size of an array whose elements all have the same encoded size. */
export function sizeOfFixedArray(array: readonly unknown[] | null, flex: boolean, elementSize: number): number {
  return array === null
    ? sizeOfArrayHeader(null, flex)
    : sizeOfArrayHeader(array.length, flex) + array.length * elementSize
}

export function sizeOfArray<T>(array: readonly T[] | null, flex: boolean, sizeOf: (element: T) => number): number {
  if (array === null) return sizeOfArrayHeader(null, flex)
  let n = sizeOfArrayHeader(array.length, flex)
  for (const element of array) n += sizeOf(element)
  return n
}

export function writeArray<T>(
  w: Writer,
  array: readonly T[] | null,
  flex: boolean,
  write: (w: Writer, element: T) => void,
): void {
  if (array === null) {
    if (flex) w.unsignedVarint(0)
    else w.int32(-1)
    return
  }
  if (flex) w.unsignedVarint(array.length + 1)
  else w.int32(array.length)
  for (const element of array) write(w, element)
}

/**
 * Reads an array whose elements occupy at least `minElementSize` bytes each, so that a hostile
 * element count is rejected before anything is allocated for it.
 */
export function readNullableArray<T>(
  r: Reader,
  flex: boolean,
  minElementSize: number,
  read: (r: Reader) => T,
): T[] | null {
  const n = flex ? r.compactArrayLength(minElementSize) : r.arrayLength(minElementSize)
  if (n < 0) return null
  const array = new Array<T>(n)
  for (let i = 0; i < n; i++) array[i] = read(r)
  return array
}

export function readArray<T>(r: Reader, flex: boolean, minElementSize: number, read: (r: Reader) => T): T[] {
  const array = readNullableArray(r, flex, minElementSize, read)
  if (array === null) throw new KafkaJSDecodeError(`non-nullable array read as null at offset ${r.offset}`)
  return array
}

export const readInt8 = (r: Reader): number => r.int8()
export const readInt16 = (r: Reader): number => r.int16()
export const readInt32 = (r: Reader): number => r.int32()
export const readInt64 = (r: Reader): bigint => r.int64()
export const readUint16 = (r: Reader): number => r.uint16()
export const readFloat64 = (r: Reader): number => r.float64()
export const readBool = (r: Reader): boolean => r.bool()
export const readUuid = (r: Reader): string => r.uuid()
export const readClassicString = (r: Reader): string => readString(r, false)
export const readCompactString = (r: Reader): string => readString(r, true)

// ---- nullable structs: an int8 presence marker (-1 absent, 1 present) precedes the struct ----

export function sizeOfNullableStruct<T>(value: T | null, v: number, size: (value: T, v: number) => number): number {
  return value === null ? 1 : 1 + size(value, v)
}

export function writeNullableStruct<T>(
  w: Writer,
  value: T | null,
  v: number,
  write: (w: Writer, value: T, v: number) => void,
): void {
  if (value === null) {
    w.int8(-1)
    return
  }
  w.int8(1)
  write(w, value, v)
}

export function readNullableStruct<T>(r: Reader, v: number, read: (r: Reader, v: number) => T): T | null {
  return r.int8() < 0 ? null : read(r, v)
}

// ---- tagged fields ----

/** Size of one tagged field: its tag, its length and its `size` bytes of data. */
export function sizeOfTaggedField(tag: number, size: number): number {
  return sizeOfUnsignedVarint(tag) + sizeOfUnsignedVarint(size) + size
}

/** Size of a tagged-field section holding `known` fields of `knownSize` bytes plus the unknown ones. */
export function sizeOfTaggedFields(
  known: number,
  knownSize: number,
  unknown: readonly UnknownTaggedField[] | undefined,
): number {
  let n = knownSize
  let count = known
  if (unknown !== undefined) {
    count += unknown.length
    for (const field of unknown) n += sizeOfTaggedField(field.tag, field.data.length)
  }
  return sizeOfUnsignedVarint(count) + n
}

/**
 * Writes the unknown tagged fields whose tag is below `belowTag`, starting at index `from` of
 * `unknown` (kept in ascending tag order, as decoded), and returns the index of the next one. The
 * generated writers interleave them with the known tags so the section stays in tag order.
 */
export function writeUnknownTaggedFields(
  w: Writer,
  unknown: readonly UnknownTaggedField[] | undefined,
  from: number,
  belowTag: number,
): number {
  if (unknown === undefined) return from
  let i = from
  while (i < unknown.length && unknown[i]!.tag < belowTag) {
    const field = unknown[i]!
    w.unsignedVarint(field.tag)
    w.unsignedVarint(field.data.length)
    w.raw(field.data)
    i++
  }
  return i
}

/** Writes a tagged-field section that holds only unknown fields (or none). */
export function writeTaggedFields(w: Writer, unknown: readonly UnknownTaggedField[] | undefined): void {
  w.unsignedVarint(unknown === undefined ? 0 : unknown.length)
  writeUnknownTaggedFields(w, unknown, 0, Number.POSITIVE_INFINITY)
}

/**
 * Reads a tagged-field section into `target`. `known` reads a tag this version understands from a
 * reader bounded to that field's bytes and returns true; other tags are kept as unknown fields.
 */
export function readTaggedFields(
  r: Reader,
  target: TaggedFieldCarrier,
  known?: (tag: number, r: Reader) => boolean,
): void {
  const count = r.unsignedVarint()
  // every tagged field occupies at least two bytes (tag and length)
  if (count * 2 > r.remaining()) {
    throw new KafkaJSDecodeError(`${count} tagged fields cannot fit in the ${r.remaining()} bytes that remain`)
  }
  for (let i = 0; i < count; i++) {
    const tag = r.unsignedVarint()
    const size = r.unsignedVarint()
    const data = r.view(size)
    if (known?.(tag, new Reader(data))) continue
    target._unknownTaggedFields ??= []
    target._unknownTaggedFields.push({ tag, data })
  }
}

// ---- defaults ----

/** Deep equality for decoded protocol values (numbers, bigints, strings, Buffers, arrays, structs). */
export function protocolValuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && bytesEqual(a, b)
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((element, i) => protocolValuesEqual(element, b[i]))
  }
  const ra = a as Record<string, unknown>
  const rb = b as Record<string, unknown>
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)])
  for (const key of keys) {
    if (!protocolValuesEqual(ra[key], rb[key])) return false
  }
  return true
}

function bytesEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
