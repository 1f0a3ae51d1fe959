// Legacy messages (magic 0 and 1) built by hand, byte by byte, as the old format defines them.

import { gzipSync } from 'node:zlib'
import { KafkaJSCorruptRecordError } from '../../../src/errors.js'
import { CompressionTypes, lz4Codec } from '../../../src/protocol/codecs/index.js'
import { xxhash32 } from '../../../src/protocol/codecs/xxhash32.js'
import { crc32 } from '../../../src/protocol/primitives/crc32.js'
import { decodeRecords, encodeRecordBatchSync, TimestampTypes } from '../../../src/protocol/records/index.js'

interface Message {
  offset: bigint
  magic: 0 | 1
  attributes?: number
  timestamp?: bigint
  key: Buffer | null
  value: Buffer | null
}

function nullableBytes(b: Buffer | null): Buffer {
  const length = Buffer.alloc(4)
  length.writeInt32BE(b === null ? -1 : b.length)
  return b === null ? length : Buffer.concat([length, b])
}

/** offset int64 | size int32 | crc uint32 | magic int8 | attributes int8 | [timestamp int64] | key | value */
function message(m: Message): Buffer {
  const head = Buffer.alloc(m.magic === 1 ? 10 : 2)
  head.writeInt8(m.magic, 0)
  head.writeInt8(m.attributes ?? 0, 1)
  if (m.magic === 1) head.writeBigInt64BE(m.timestamp ?? -1n, 2)
  const body = Buffer.concat([head, nullableBytes(m.key), nullableBytes(m.value)])
  const prefix = Buffer.alloc(16)
  prefix.writeBigInt64BE(m.offset, 0)
  prefix.writeInt32BE(4 + body.length, 8)
  prefix.writeUInt32BE(crc32(body), 12)
  return Buffer.concat([prefix, body])
}

const text = (s: string): Buffer => Buffer.from(s)
const gzip = (b: Buffer): Buffer => gzipSync(b)

describe('legacy message sets', () => {
  test('magic 0, uncompressed: one batch per message, no timestamps', async () => {
    const data = Buffer.concat([
      message({ offset: 7n, magic: 0, key: text('k'), value: text('v') }),
      message({ offset: 8n, magic: 0, key: null, value: null }),
    ])
    const { batches, partialBatch } = await decodeRecords(data)
    expect(partialBatch).toBeUndefined()
    expect(batches).toHaveLength(2)
    expect(batches[0]).toMatchObject({
      magic: 0,
      baseOffset: 7n,
      lastOffset: 7n,
      timestampType: TimestampTypes.NoTimestamp,
      producerId: -1n,
      compression: CompressionTypes.None,
    })
    expect(batches[0]!.records).toEqual([{ offset: 7n, timestamp: -1n, key: text('k'), value: text('v'), headers: [] }])
    expect(batches[1]!.records).toEqual([{ offset: 8n, timestamp: -1n, key: null, value: null, headers: [] }])
  })

  test('magic 1, uncompressed, CreateTime and LogAppendTime', async () => {
    const data = Buffer.concat([
      message({ offset: 1n, magic: 1, timestamp: 1000n, key: null, value: text('a') }),
      message({ offset: 2n, magic: 1, attributes: 0x08, timestamp: 2000n, key: null, value: text('b') }),
    ])
    const { batches } = await decodeRecords(data)
    expect(batches.map((b) => b.timestampType)).toEqual([TimestampTypes.CreateTime, TimestampTypes.LogAppendTime])
    expect(batches.map((b) => b.records[0]!.timestamp)).toEqual([1000n, 2000n])
  })

  test('magic 1 gzip wrapper: relative inner offsets end at the wrapper offset', async () => {
    const inner = Buffer.concat([
      message({ offset: 0n, magic: 1, timestamp: 10n, key: text('a'), value: text('1') }),
      message({ offset: 1n, magic: 1, timestamp: 11n, key: text('b'), value: text('2') }),
      message({ offset: 2n, magic: 1, timestamp: 12n, key: text('c'), value: text('3') }),
    ])
    const wrapper = message({
      offset: 102n,
      magic: 1,
      attributes: CompressionTypes.GZIP,
      timestamp: 12n,
      key: null,
      value: gzip(inner),
    })
    const { batches } = await decodeRecords(wrapper)
    expect(batches).toHaveLength(1)
    expect(batches[0]).toMatchObject({
      magic: 1,
      baseOffset: 100n,
      lastOffset: 102n,
      lastOffsetDelta: 2,
      compression: 1,
    })
    expect(batches[0]!.records.map((r) => [r.offset, r.timestamp, r.key!.toString(), r.value!.toString()])).toEqual([
      [100n, 10n, 'a', '1'],
      [101n, 11n, 'b', '2'],
      [102n, 12n, 'c', '3'],
    ])
  })

  test('magic 1 wrapper with LogAppendTime: inner records take the wrapper timestamp', async () => {
    const inner = Buffer.concat([
      message({ offset: 0n, magic: 1, timestamp: 10n, key: null, value: text('1') }),
      message({ offset: 1n, magic: 1, timestamp: 11n, key: null, value: text('2') }),
    ])
    const wrapper = message({
      offset: 51n,
      magic: 1,
      attributes: CompressionTypes.GZIP | 0x08,
      timestamp: 999n,
      key: null,
      value: gzip(inner),
    })
    const batch = (await decodeRecords(wrapper)).batches[0]!
    expect(batch.records.map((r) => [r.offset, r.timestamp])).toEqual([
      [50n, 999n],
      [51n, 999n],
    ])
  })

  test('magic 0 gzip wrapper: inner offsets are absolute', async () => {
    const inner = Buffer.concat([
      message({ offset: 40n, magic: 0, key: null, value: text('x') }),
      message({ offset: 41n, magic: 0, key: null, value: text('y') }),
    ])
    const wrapper = message({ offset: 41n, magic: 0, attributes: CompressionTypes.GZIP, key: null, value: gzip(inner) })
    const batch = (await decodeRecords(wrapper)).batches[0]!
    expect(batch.records.map((r) => r.offset)).toEqual([40n, 41n])
  })

  test('magic 0 LZ4 wrapper with the header checksum old Kafka computed over the magic number too', async () => {
    const inner = message({ offset: 5n, magic: 0, key: null, value: text('lz4 legacy') })
    const frame = await lz4Codec.compress({ buffer: inner })
    frame[6] = (xxhash32(frame, 0, 6) >>> 8) & 0xff
    const wrapper = message({ offset: 5n, magic: 0, attributes: CompressionTypes.LZ4, key: null, value: frame })
    const batch = (await decodeRecords(wrapper)).batches[0]!
    expect(batch.records[0]!.value!.toString()).toBe('lz4 legacy')
  })

  test('legacy messages and v2 batches in one buffer', async () => {
    const legacy = message({ offset: 0n, magic: 1, timestamp: 5n, key: null, value: text('old') })
    const v2 = encodeRecordBatchSync({ records: [{ value: text('new'), timestamp: 6 }], baseOffset: 1n })
    const { batches } = await decodeRecords(Buffer.concat([legacy, v2]))
    expect(batches.map((b) => [b.magic, b.records[0]!.value!.toString()])).toEqual([
      [1, 'old'],
      [2, 'new'],
    ])
  })

  test('a trailing legacy message cut short is reported as partial', async () => {
    const whole = message({ offset: 0n, magic: 1, timestamp: 5n, key: null, value: text('one') })
    const next = message({ offset: 1n, magic: 1, timestamp: 5n, key: null, value: text('two') })
    const { batches, partialBatch } = await decodeRecords(Buffer.concat([whole, next.subarray(0, next.length - 1)]))
    expect(batches).toHaveLength(1)
    expect(partialBatch).toEqual({
      position: whole.length,
      baseOffset: 1n,
      sizeInBytes: next.length,
      availableBytes: next.length - 1,
    })
  })

  test('a CRC-32 mismatch is corrupt and names the offset', async () => {
    const data = message({ offset: 12n, magic: 1, timestamp: 5n, key: null, value: text('abc') })
    data[data.length - 1] ^= 1
    await expect(decodeRecords(data)).rejects.toMatchObject({ name: 'KafkaJSCorruptRecordError', offset: '12' })
    expect((await decodeRecords(data, { verifyChecksums: false })).batches).toHaveLength(1)
  })

  test.each([
    [
      'a compressed message inside a compressed message',
      () =>
        gzip(message({ offset: 0n, magic: 1, attributes: 1, timestamp: 1n, key: null, value: gzip(Buffer.alloc(0)) })),
    ],
    [
      'an inner message cut short',
      () => gzip(message({ offset: 0n, magic: 1, timestamp: 1n, key: null, value: text('x') }).subarray(0, 20)),
    ],
    ['a null wrapper value', () => null],
  ])('corrupt: %s', async (_label, innerValue) => {
    const wrapper = message({
      offset: 3n,
      magic: 1,
      attributes: CompressionTypes.GZIP,
      timestamp: 1n,
      key: null,
      value: innerValue(),
    })
    await expect(decodeRecords(wrapper)).rejects.toThrow(KafkaJSCorruptRecordError)
  })

  test('ZSTD is not a legacy codec', async () => {
    const wrapper = message({
      offset: 3n,
      magic: 1,
      attributes: CompressionTypes.ZSTD,
      timestamp: 1n,
      key: null,
      value: text('x'),
    })
    await expect(decodeRecords(wrapper)).rejects.toThrow(/invalid compression type 4/)
  })
})
