import { randomBytes } from 'node:crypto'
import { gzipSync, constants as zlibConstants, zstdCompressSync } from 'node:zlib'
import { compress as snappyRawCompress } from 'snappyjs'
import { KafkaJSNotImplemented } from '../../../src/errors.js'
import {
  type CompressionCodec,
  CompressionCodecs,
  CompressionTypes,
  DecompressionLimitError,
  gzipCodec,
  lookupCodec,
  lz4Codec,
  snappyCodec,
  zstdCodec,
} from '../../../src/protocol/codecs/index.js'
import { xxhash32 } from '../../../src/protocol/codecs/xxhash32.js'

const json = Buffer.from(
  JSON.stringify(Array.from({ length: 3000 }, (_, i) => ({ id: i, name: `user-${i}`, active: i % 3 === 0 }))),
)
const inputs: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from('a')],
  ['short text', Buffer.from('hello hello hello hello hello hello')],
  ['repetitive, several blocks', Buffer.alloc(200_000, 'abcdefg')],
  ['random (incompressible)', randomBytes(100_000)],
  ['json', json],
  ['a view into a larger buffer', Buffer.concat([Buffer.alloc(10, 1), json]).subarray(10, 5000)],
]
const codecs: [string, CompressionCodec][] = [
  ['gzip', gzipCodec],
  ['snappy', snappyCodec],
  ['lz4', lz4Codec],
  ['zstd', zstdCodec],
]

describe.each(codecs)('%s codec', (_name, codec) => {
  test.each(inputs)('round trip: %s', async (_label, input) => {
    const compressed = await codec.compress({ buffer: input })
    expect((await codec.decompress(compressed)).equals(input)).toBe(true)
  })

  test('refuses to decompress beyond maxOutputLength', async () => {
    const compressed = await codec.compress({ buffer: Buffer.alloc(1_000_000) })
    await expect(codec.decompress(compressed, { maxOutputLength: 100_000 })).rejects.toThrow()
    // exactly the size is allowed
    const exact = await codec.decompress(compressed, { maxOutputLength: 1_000_000 })
    expect(exact.length).toBe(1_000_000)
  })

  test('decodes correctly after failing on a truncated input', async () => {
    const compressed = await codec.compress({ buffer: json })
    await expect(codec.decompress(compressed.subarray(0, compressed.length >> 1))).rejects.toThrow()
    expect((await codec.decompress(compressed)).equals(json)).toBe(true)
  })

  test('rejects garbage with an error, not a crash or a hang', async () => {
    for (const garbage of [Buffer.from([1, 2, 3]), randomBytes(1000)]) {
      // toThrow, not toBeInstanceOf(Error): native addons throw Errors of another realm under jest
      await expect(codec.decompress(garbage)).rejects.toThrow()
    }
  })
})

describe('decompression limits of the built-in codecs', () => {
  test.each(codecs.filter(([name]) => name !== 'gzip'))('%s throws DecompressionLimitError', async (_name, codec) => {
    const compressed = await codec.compress({ buffer: Buffer.alloc(1_000_000) })
    await expect(codec.decompress(compressed, { maxOutputLength: 1000 })).rejects.toBeInstanceOf(
      DecompressionLimitError,
    )
  })

  test('gzip reports the limit with ERR_BUFFER_TOO_LARGE', async () => {
    const bomb = gzipSync(Buffer.alloc(10_000_000))
    await expect(gzipCodec.decompress(bomb, { maxOutputLength: 1_000_000 })).rejects.toMatchObject({
      code: 'ERR_BUFFER_TOO_LARGE',
    })
  })

  test('a Snappy block declaring 4 GiB is refused before allocating', async () => {
    const hostile = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])
    await expect(snappyCodec.decompress(hostile)).rejects.toBeInstanceOf(DecompressionLimitError)
  })
})

// Node 22's zlib reads only the first frame and returns what it decoded (often nothing) for a frame
// cut short; the codec splits the frames itself, so every runtime reads the same
describe('zstd frames', () => {
  test('input cut anywhere inside a frame is refused', async () => {
    for (const input of [json, randomBytes(300_000)]) {
      const compressed = await zstdCodec.compress({ buffer: input })
      const step = Math.max(1, Math.floor(compressed.length / 300))
      for (let end = step; end < compressed.length; end += step) {
        await expect(zstdCodec.decompress(compressed.subarray(0, end))).rejects.toThrow()
      }
      await expect(zstdCodec.decompress(compressed.subarray(0, -1))).rejects.toThrow()
    }
  })

  test('a content checksum, concatenated frames and a skippable frame are read whole', async () => {
    const checksummed = zstdCompressSync(json, { params: { [zlibConstants.ZSTD_c_checksumFlag]: 1 } })
    expect((await zstdCodec.decompress(checksummed)).equals(json)).toBe(true)
    await expect(zstdCodec.decompress(checksummed.subarray(0, -1))).rejects.toThrow()

    const skippable = Buffer.alloc(8 + 5)
    skippable.writeUInt32LE(0x184d2a53, 0)
    skippable.writeUInt32LE(5, 4)
    const second = zstdCompressSync(Buffer.from('second'))
    const joined = Buffer.concat([checksummed, skippable, second])
    expect((await zstdCodec.decompress(joined)).equals(Buffer.concat([json, Buffer.from('second')]))).toBe(true)
    await expect(zstdCodec.decompress(joined.subarray(0, checksummed.length + 10))).rejects.toThrow()
    await expect(zstdCodec.decompress(joined.subarray(0, -1))).rejects.toThrow()
    // the limit counts every frame's output
    await expect(zstdCodec.decompress(joined, { maxOutputLength: json.length + 1 })).rejects.toBeInstanceOf(
      DecompressionLimitError,
    )
    expect((await zstdCodec.decompress(joined, { maxOutputLength: json.length + 6 })).length).toBe(json.length + 6)
  })
})

describe('snappy formats', () => {
  test('writes the xerial framing Java writes', async () => {
    const out = await snappyCodec.compress({ buffer: json })
    expect(out.subarray(0, 16).toString('hex')).toBe('82534e41505059000000000100000001')
  })

  test('reads raw Snappy, as librdkafka and KafkaJS write it', async () => {
    expect((await snappyCodec.decompress(snappyRawCompress(json))).equals(json)).toBe(true)
  })
})

describe('lz4 frame', () => {
  test('round trips matches that end at every distance from the end of a block, in views at any offset', async () => {
    // matches are extended four bytes at a time: this walks their ends across the format's limits
    for (let length = 13; length <= 90; length++) {
      for (let mismatch = length - 12; mismatch < length; mismatch++) {
        const backing = Buffer.alloc(length + 3, 'abcabcab')
        const input = backing.subarray(length % 4, (length % 4) + length)
        input[mismatch] = 0x7a
        const compressed = await lz4Codec.compress({ buffer: input })
        expect((await lz4Codec.decompress(compressed)).equals(input)).toBe(true)
      }
    }
  })

  test('writes the frame header Java writes (version 1, independent blocks, 64 KiB)', async () => {
    const out = await lz4Codec.compress({ buffer: json })
    expect(out.subarray(0, 7).toString('hex')).toBe('04224d18604082')
    expect(out.subarray(out.length - 4).toString('hex')).toBe('00000000')
  })

  test('reads a frame carrying block checksums, content size and content checksum', async () => {
    // hand-built frame: FLG = version 1 | block independence | block checksum | content size | content checksum
    const content = Buffer.from('kafkit kafkit kafkit')
    const descriptor = Buffer.alloc(10)
    descriptor[0] = 0x40 | 0x20 | 0x10 | 0x08 | 0x04
    descriptor[1] = 0x40
    descriptor.writeUInt32LE(content.length, 2)
    const header = Buffer.concat([
      Buffer.from('04224d18', 'hex'),
      descriptor,
      Buffer.from([(xxhash32(descriptor) >>> 8) & 0xff]),
    ])
    const blockSize = Buffer.alloc(4)
    blockSize.writeUInt32LE((content.length | 0x80000000) >>> 0)
    const blockChecksum = Buffer.alloc(4)
    blockChecksum.writeUInt32LE(xxhash32(content))
    const contentChecksum = Buffer.alloc(4)
    contentChecksum.writeUInt32LE(xxhash32(content))
    const frame = Buffer.concat([header, blockSize, content, blockChecksum, Buffer.alloc(4), contentChecksum])
    expect((await lz4Codec.decompress(frame)).toString()).toBe('kafkit kafkit kafkit')
    const corrupted = Buffer.from(frame)
    corrupted[header.length + 6] ^= 1
    await expect(lz4Codec.decompress(corrupted)).rejects.toThrow(/checksum/)
  })
})

describe('CompressionCodecs registry', () => {
  test('CompressionTypes has KafkaJS ids', () => {
    expect(CompressionTypes).toEqual({ None: 0, GZIP: 1, Snappy: 2, LZ4: 3, ZSTD: 4 })
  })

  test('every compression type has a built-in codec', () => {
    expect(lookupCodec(CompressionTypes.GZIP)).toBe(gzipCodec)
    expect(lookupCodec(CompressionTypes.Snappy)).toBe(snappyCodec)
    expect(lookupCodec(CompressionTypes.LZ4)).toBe(lz4Codec)
    expect(lookupCodec(CompressionTypes.ZSTD)).toBe(zstdCodec)
  })

  test('an application can register its own codec the KafkaJS way', async () => {
    const original = CompressionCodecs[CompressionTypes.ZSTD]
    const seen: Buffer[] = []
    try {
      CompressionCodecs[CompressionTypes.ZSTD] = () => ({
        compress: async (encoder: { buffer: Buffer }) => {
          seen.push(encoder.buffer)
          return Buffer.from(encoder.buffer).reverse()
        },
        decompress: async (buffer: Buffer) => Buffer.from(buffer).reverse(),
      })
      const codec = lookupCodec(CompressionTypes.ZSTD)
      expect(codec).not.toBe(zstdCodec)
      const out = await codec.compress({ buffer: Buffer.from('abc') })
      expect(out.toString()).toBe('cba')
      expect(seen).toHaveLength(1)
    } finally {
      CompressionCodecs[CompressionTypes.ZSTD] = original
    }
    expect(lookupCodec(CompressionTypes.ZSTD)).toBe(zstdCodec)
  })

  test('a type without a codec throws KafkaJSNotImplemented', () => {
    expect(() => lookupCodec(7)).toThrow(KafkaJSNotImplemented)
  })
})
