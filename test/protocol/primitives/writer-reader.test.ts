// Wire primitives: what the Writer writes, the Reader reads back, with Kafka's byte layouts.

import { KafkaJSDecodeError, KafkaJSInvariantViolation } from '../../../src/errors.js'
import { Reader } from '../../../src/protocol/primitives/reader.js'
import {
  sizeOfBytes,
  sizeOfCompactBytes,
  sizeOfCompactString,
  sizeOfString,
  sizeOfUnsignedVarint,
  sizeOfVarint,
  sizeOfVarlong,
  Writer,
} from '../../../src/protocol/primitives/writer.js'

function bytes(size: number, write: (w: Writer) => void): Buffer {
  const w = new Writer(size)
  write(w)
  return w.assertEnd(size)
}

describe('fixed-width integers', () => {
  it('are big-endian and round-trip at their limits', () => {
    const b = bytes(1 + 2 + 2 + 4 + 4 + 8 + 8 + 1, (w) => {
      w.int8(-128)
      w.int16(-32768)
      w.uint16(65535)
      w.int32(-2147483648)
      w.uint32(4294967295)
      w.int64(-(1n << 63n))
      w.float64(-1.5)
      w.bool(true)
    })
    expect(b.subarray(0, 5).toString('hex')).toBe('808000ffff')
    const r = new Reader(b)
    expect([r.int8(), r.int16(), r.uint16(), r.int32(), r.uint32(), r.int64(), r.float64(), r.bool()]).toStrictEqual([
      -128,
      -32768,
      65535,
      -2147483648,
      4294967295,
      -(1n << 63n),
      -1.5,
      true,
    ])
  })

  it('refuses an int64 outside the signed 64-bit range', () => {
    expect(() => new Writer(8).int64(1n << 63n)).toThrow(KafkaJSInvariantViolation)
  })
})

describe('varints', () => {
  const unsigned: [number, string][] = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [16383, 'ff7f'],
    [16384, '808001'],
    [4294967295, 'ffffffff0f'],
  ]
  it.each(unsigned)('unsigned %d is %s', (value, hex) => {
    expect(sizeOfUnsignedVarint(value)).toBe(hex.length / 2)
    const b = bytes(hex.length / 2, (w) => w.unsignedVarint(value))
    expect(b.toString('hex')).toBe(hex)
    expect(new Reader(b).unsignedVarint()).toBe(value)
  })

  const zigzag: [number, string][] = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-64, '7f'],
    [64, '8001'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ]
  it.each(zigzag)('zigzag %d is %s', (value, hex) => {
    expect(sizeOfVarint(value)).toBe(hex.length / 2)
    const b = bytes(hex.length / 2, (w) => w.varint(value))
    expect(b.toString('hex')).toBe(hex)
    expect(new Reader(b).varint()).toBe(value)
  })

  it.each([0n, -1n, 1n, 1234567890123n, -(1n << 63n), (1n << 63n) - 1n])('varlong %s round-trips', (value) => {
    const n = sizeOfVarlong(value)
    expect(new Reader(bytes(n, (w) => w.varlong(value))).varlong()).toBe(value)
  })

  it('varlong extremes take ten bytes', () => {
    expect(sizeOfVarlong(-(1n << 63n))).toBe(10)
    expect(sizeOfVarlong((1n << 63n) - 1n)).toBe(10)
  })

  it('rejects a varint longer than five bytes and a varlong longer than ten', () => {
    expect(() => new Reader(Buffer.from('ffffffffff01', 'hex')).unsignedVarint()).toThrow(KafkaJSDecodeError)
    expect(() => new Reader(Buffer.alloc(11, 0xff)).varlong()).toThrow(KafkaJSDecodeError)
  })
})

describe('strings and bytes', () => {
  it('classic strings have an int16 length; null is -1', () => {
    expect(sizeOfString('é')).toBe(4)
    const b = bytes(4 + 2, (w) => {
      w.string('é')
      w.string(null)
    })
    expect(b.toString('hex')).toBe('0002c3a9ffff')
    const r = new Reader(b)
    expect([r.string(), r.string()]).toStrictEqual(['é', null])
  })

  it('compact strings have an unsigned varint length + 1; null is 0', () => {
    expect(sizeOfCompactString('ab')).toBe(3)
    expect(sizeOfCompactString(null)).toBe(1)
    const b = bytes(3 + 1 + 1, (w) => {
      w.compactString('ab')
      w.compactString(null)
      w.compactString('')
    })
    expect(b.toString('hex')).toBe('03616200' + '01')
    const r = new Reader(b)
    expect([r.compactString(), r.compactString(), r.compactString()]).toStrictEqual(['ab', null, ''])
  })

  it('refuses a classic string longer than the int16 length allows', () => {
    const long = 'x'.repeat(0x8000)
    expect(() => new Writer(sizeOfString(long)).string(long)).toThrow(KafkaJSInvariantViolation)
  })

  it('bytes are read as views of the input, never copies', () => {
    expect(sizeOfBytes(Buffer.from([1]))).toBe(5)
    expect(sizeOfCompactBytes(null)).toBe(1)
    const b = bytes(5 + 4 + 3 + 1, (w) => {
      w.bytes(Buffer.from([9]))
      w.bytes(null)
      w.compactBytes(new Uint8Array([7, 8]))
      w.compactBytes(null)
    })
    const r = new Reader(b)
    const view = r.bytes()!
    expect(view.buffer).toBe(b.buffer)
    expect([...view]).toStrictEqual([9])
    expect(r.bytes()).toBeNull()
    expect([...r.compactBytes()!]).toStrictEqual([7, 8])
    expect(r.compactBytes()).toBeNull()
  })

  it('rejects negative lengths other than -1', () => {
    expect(() => new Reader(Buffer.from('fffe', 'hex')).string()).toThrow(KafkaJSDecodeError)
    expect(() => new Reader(Buffer.from('fffffffe', 'hex')).bytes()).toThrow(KafkaJSDecodeError)
  })
})

describe('Reader bounds', () => {
  it('throws KafkaJSDecodeError on truncated input, for every primitive', () => {
    const empty = () => new Reader(Buffer.alloc(0))
    for (const read of [
      (r: Reader) => r.int8(),
      (r: Reader) => r.int16(),
      (r: Reader) => r.int32(),
      (r: Reader) => r.int64(),
      (r: Reader) => r.float64(),
      (r: Reader) => r.uuid(),
      (r: Reader) => r.unsignedVarint(),
      (r: Reader) => r.string(),
      (r: Reader) => r.compactBytes(),
      (r: Reader) => r.skip(1),
    ]) {
      expect(() => read(empty())).toThrow(KafkaJSDecodeError)
    }
    expect(() => new Reader(Buffer.from('0005616263', 'hex')).string()).toThrow(/truncated/)
  })

  it('reads within its window of a larger buffer', () => {
    const r = new Reader(Buffer.from('0001020304', 'hex'), 1, 3)
    expect(r.remaining()).toBe(2)
    expect(r.int16()).toBe(0x0102)
    expect(() => r.int8()).toThrow(KafkaJSDecodeError)
  })

  it('rejects an array count that cannot fit before allocating', () => {
    // claims 1000 elements of at least 4 bytes with 8 bytes left
    const classic = Buffer.from(`000003e8${'00'.repeat(8)}`, 'hex')
    expect(() => new Reader(classic).arrayLength(4)).toThrow(/cannot fit/)
    expect(new Reader(classic).arrayLength(0)).toBe(1000)
    expect(new Reader(Buffer.from('ffffffff', 'hex')).arrayLength()).toBe(-1)
    expect(() => new Reader(Buffer.from('fffffffe', 'hex')).arrayLength()).toThrow(KafkaJSDecodeError)
    expect(new Reader(Buffer.from('00', 'hex')).compactArrayLength()).toBe(-1)
    expect(() => new Reader(Buffer.from('ffffffff0f', 'hex')).compactArrayLength(1)).toThrow(/cannot fit/)
  })
})

describe('Writer', () => {
  it('reports a size/write mismatch instead of returning a short buffer', () => {
    const w = new Writer(4)
    w.int16(1)
    expect(() => w.assertEnd()).toThrow(KafkaJSInvariantViolation)
  })

  it('writes into a caller buffer at an offset', () => {
    const target = Buffer.alloc(6)
    const w = new Writer(0, target, 2)
    w.int32(0x01020304)
    expect(w.assertEnd(6).toString('hex')).toBe('000001020304')
  })
})

describe('a gathering Writer', () => {
  it('leaves large byte arrays out of its buffer and returns everything as chunks in order', () => {
    const large = Buffer.alloc(64, 7)
    const small = Buffer.from([1, 2, 3])
    const w = Writer.gathering(Buffer.alloc(100), 64)
    w.int32(5)
    w.compactBytes(large)
    w.bytes(small)
    w.raw(large)
    const chunks = w.chunks(4 + 1 + 64 + 4 + 3 + 64)
    expect(chunks.map((c) => c.length)).toStrictEqual([5, 64, 7, 64])
    expect(chunks[1]).toBe(large)
    expect(chunks[3]).toBe(large)
    expect(Buffer.concat(chunks).subarray(69, 76).toString('hex')).toBe('00000003010203')
  })

  it('copies out what it wrote into its buffer, which the next writer may overwrite', () => {
    const scratch = Buffer.alloc(16)
    const w = Writer.gathering(scratch, 8)
    w.int32(1)
    const [chunk] = w.chunks(4)
    scratch.fill(0xff)
    expect(chunk!.toString('hex')).toBe('00000001')
  })

  it('throws when the bytes written are not the size computed, or when asked for one buffer', () => {
    const w = Writer.gathering(Buffer.alloc(16), 8)
    w.raw(Buffer.alloc(8))
    expect(() => w.chunks(9)).toThrow(KafkaJSInvariantViolation)
    expect(() => w.assertEnd(8)).toThrow(KafkaJSInvariantViolation)
  })
})
