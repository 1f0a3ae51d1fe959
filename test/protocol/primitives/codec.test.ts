// Runtime helpers of the generated code that the generated APIs never reach in every branch.

import { KafkaJSDecodeError } from '../../../src/errors.js'
import {
  protocolValuesEqual,
  readTaggedFields,
  sizeOfTaggedField,
  sizeOfTaggedFields,
  type TaggedFieldCarrier,
  writeUnknownTaggedFields,
} from '../../../src/protocol/primitives/codec.js'
import { Reader } from '../../../src/protocol/primitives/reader.js'
import { Writer } from '../../../src/protocol/primitives/writer.js'

describe('tagged fields', () => {
  const unknown = [
    { tag: 0, data: Buffer.from([0xa0]) },
    { tag: 4, data: Buffer.from([0xa4, 0xa4]) },
    { tag: 200, data: Buffer.alloc(0) },
  ]

  it('interleave unknown fields with a known one in tag order', () => {
    // known tag 2 holding one byte
    const size = sizeOfTaggedFields(1, sizeOfTaggedField(2, 1), unknown)
    const w = new Writer(size)
    w.unsignedVarint(1 + unknown.length)
    let next = writeUnknownTaggedFields(w, unknown, 0, 2)
    expect(next).toBe(1)
    w.unsignedVarint(2)
    w.unsignedVarint(1)
    w.int8(0x22)
    next = writeUnknownTaggedFields(w, unknown, next, Number.POSITIVE_INFINITY)
    expect(next).toBe(3)
    const bytes = w.assertEnd(size)
    expect(bytes.toString('hex')).toBe('04' + '0001a0' + '020122' + '0402a4a4' + 'c80100')

    const target: TaggedFieldCarrier & { known?: number } = {}
    readTaggedFields(new Reader(bytes), target, (tag, r) => {
      if (tag !== 2) return false
      target.known = r.int8()
      return true
    })
    expect(target).toStrictEqual({ known: 0x22, _unknownTaggedFields: unknown })
  })

  it('gives a known field only its own bytes', () => {
    const bytes = Buffer.from('01' + '0001' + 'aa' + 'bb', 'hex')
    const r = new Reader(bytes)
    expect(() =>
      readTaggedFields(r, {}, (_, inner) => {
        inner.int16()
        return true
      }),
    ).toThrow(KafkaJSDecodeError)
  })
})

describe('protocolValuesEqual', () => {
  it('compares decoded values deeply', () => {
    expect(protocolValuesEqual({ a: [1n, Buffer.from('x')], b: null }, { a: [1n, Buffer.from('x')], b: null })).toBe(
      true,
    )
    expect(protocolValuesEqual({ a: Buffer.from('x') }, { a: Buffer.from('y') })).toBe(false)
    expect(protocolValuesEqual({ a: [1] }, { a: [1, 2] })).toBe(false)
    expect(protocolValuesEqual({ a: 1 }, { a: 1, _unknownTaggedFields: [] })).toBe(false)
    expect(protocolValuesEqual(null, {})).toBe(false)
  })
})
