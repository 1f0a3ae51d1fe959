import { KafkaJSCorruptRecordError, KafkaJSDecodeError, KafkaJSInvalidArgumentError } from '../../../src/errors.js'
import { CompressionCodecs, type CompressionType, CompressionTypes } from '../../../src/protocol/codecs/index.js'
import {
  ControlRecordTypes,
  decodeControlRecord,
  decodeRecords,
  encodeRecordBatch,
  encodeRecordBatchSync,
  endTxnMarkerRecord,
  RECORD_BATCH_OVERHEAD,
  type RecordInput,
  recordSizeUpperBound,
  TimestampTypes,
} from '../../../src/protocol/records/index.js'

const records: RecordInput[] = [
  {
    key: Buffer.from('key-0'),
    value: Buffer.from('value-0'),
    headers: [
      { key: 'trace-id', value: Buffer.from('abc') },
      { key: 'empty', value: Buffer.alloc(0) },
      { key: 'null', value: null },
      { key: 'ünïcödé', value: Buffer.from('✓') },
    ],
    timestamp: 1_700_000_000_000,
  },
  { key: null, value: Buffer.from('no key'), timestamp: 1_700_000_000_100n },
  { key: Buffer.from('tombstone'), value: null, timestamp: 1_699_999_999_000 },
  { key: null, value: null, timestamp: 1_700_000_000_050 },
  { value: Buffer.alloc(70_000, 'large value spanning blocks '), timestamp: 1_700_000_000_200 },
]

const compressions: [string, CompressionType][] = Object.entries(CompressionTypes)

function expectSameRecords(decoded: { key: Buffer | null; value: Buffer | null }[], input: RecordInput[]): void {
  expect(decoded).toHaveLength(input.length)
  decoded.forEach((record, i) => {
    expect(record.key).toEqual(input[i]!.key ?? null)
    expect(record.value).toEqual(input[i]!.value ?? null)
  })
}

describe.each(compressions)('round trip with %s compression', (_name, compression) => {
  test('records, offsets, timestamps and headers', async () => {
    const encoded = await encodeRecordBatch({ records, compression, baseOffset: 1000n })
    const { batches, partialBatch } = await decodeRecords(encoded)
    expect(partialBatch).toBeUndefined()
    expect(batches).toHaveLength(1)
    const batch = batches[0]!
    expect(batch).toMatchObject({
      magic: 2,
      baseOffset: 1000n,
      lastOffset: 1004n,
      lastOffsetDelta: 4,
      sizeInBytes: encoded.length,
      compression,
      timestampType: TimestampTypes.CreateTime,
      isTransactional: false,
      isControlBatch: false,
      baseTimestamp: 1_700_000_000_000n,
      maxTimestamp: 1_700_000_000_200n,
      producerId: -1n,
      producerEpoch: -1,
      baseSequence: -1,
      partitionLeaderEpoch: -1,
    })
    expectSameRecords(batch.records, records)
    expect(batch.records.map((r) => r.offset)).toEqual([1000n, 1001n, 1002n, 1003n, 1004n])
    expect(batch.records.map((r) => r.timestamp)).toEqual([
      1_700_000_000_000n,
      1_700_000_000_100n,
      1_699_999_999_000n,
      1_700_000_000_050n,
      1_700_000_000_200n,
    ])
    expect(batch.records[0]!.headers).toEqual(records[0]!.headers)
    expect(batch.records[1]!.headers).toEqual([])
  })

  test('idempotent and transactional producer fields', async () => {
    const encoded = await encodeRecordBatch({
      records: records.slice(0, 2),
      compression,
      producerId: 4242n,
      producerEpoch: 7,
      baseSequence: 99,
      transactional: true,
      partitionLeaderEpoch: 12,
    })
    const batch = (await decodeRecords(encoded)).batches[0]!
    expect(batch).toMatchObject({
      producerId: 4242n,
      producerEpoch: 7,
      baseSequence: 99,
      isTransactional: true,
      partitionLeaderEpoch: 12,
    })
  })

  test('LogAppendTime: every record reads the batch maxTimestamp', async () => {
    const encoded = await encodeRecordBatch({
      records,
      compression,
      timestampType: TimestampTypes.LogAppendTime,
      maxTimestamp: 1_800_000_000_000n,
    })
    const batch = (await decodeRecords(encoded)).batches[0]!
    expect(batch.timestampType).toBe(TimestampTypes.LogAppendTime)
    expect(new Set(batch.records.map((r) => r.timestamp))).toEqual(new Set([1_800_000_000_000n]))
  })
})

describe('control batches', () => {
  test.each([
    [true, ControlRecordTypes.COMMIT],
    [false, ControlRecordTypes.ABORT],
  ])('transaction marker committed=%s', async (committed, type) => {
    const encoded = encodeRecordBatchSync({
      records: [endTxnMarkerRecord({ committed, coordinatorEpoch: 3, timestamp: 5 })],
      baseOffset: 77n,
      producerId: 1n,
      producerEpoch: 0,
      transactional: true,
      isControl: true,
    })
    const batch = (await decodeRecords(encoded)).batches[0]!
    expect(batch.isControlBatch).toBe(true)
    expect(batch.isTransactional).toBe(true)
    expect(decodeControlRecord(batch.records[0]!)).toEqual({ keyVersion: 0, type, coordinatorEpoch: 3 })
  })

  test('a control record with a short key is a decode error', async () => {
    const encoded = encodeRecordBatchSync({ records: [{ key: Buffer.from([0]), value: null }], isControl: true })
    const batch = (await decodeRecords(encoded)).batches[0]!
    expect(() => decodeControlRecord(batch.records[0]!)).toThrow(KafkaJSDecodeError)
  })
})

describe('encoding', () => {
  test('uncompressed records are views into the fetched bytes, not copies', async () => {
    const encoded = encodeRecordBatchSync({ records: records.slice(0, 1) })
    const record = (await decodeRecords(encoded)).batches[0]!.records[0]!
    expect(record.value!.buffer).toBe(encoded.buffer)
    expect(record.headers[0]!.value!.buffer).toBe(encoded.buffer)
  })

  test('defaults: offset deltas are the record indexes, timestamps the time of encoding', async () => {
    const before = BigInt(Date.now())
    const encoded = encodeRecordBatchSync({ records: [{ value: Buffer.from('a') }, { value: Buffer.from('b') }] })
    const batch = (await decodeRecords(encoded)).batches[0]!
    expect(batch.records.map((r) => r.offset)).toEqual([0n, 1n])
    expect(batch.records[0]!.timestamp).toBeGreaterThanOrEqual(before)
    expect(batch.records[0]!.timestamp).toBeLessThanOrEqual(BigInt(Date.now()))
  })

  test('explicit offset deltas (as after compaction) decode to their offsets', async () => {
    const encoded = encodeRecordBatchSync({
      baseOffset: 10n,
      records: [
        { value: Buffer.from('a'), offsetDelta: 0, timestamp: 1 },
        { value: Buffer.from('b'), offsetDelta: 5, timestamp: 1 },
      ],
    })
    const batch = (await decodeRecords(encoded)).batches[0]!
    expect(batch.records.map((r) => r.offset)).toEqual([10n, 15n])
    expect(batch.lastOffset).toBe(15n)
  })

  test('recordSizeUpperBound bounds every record, whatever its deltas', () => {
    const extremes: RecordInput[] = records.map((r, i) => ({
      ...r,
      timestamp: i % 2 === 0 ? 0 : 2 ** 51,
      offsetDelta: i * 100_000_000,
    }))
    const batch = encodeRecordBatchSync({ records: extremes })
    const bound = extremes.reduce((n, r) => n + recordSizeUpperBound(r), RECORD_BATCH_OVERHEAD)
    expect(batch.length).toBeLessThanOrEqual(bound)
    expect(bound - batch.length).toBeLessThan(extremes.length * 20)
  })

  test('batches of every size in turn, compressed ones encoded concurrently, keep their own records', async () => {
    // the encoder lays records out in arrays it reuses from batch to batch (larger ones get their own)
    const batchOf = (count: number, tag: string): RecordInput[] =>
      Array.from({ length: count }, (_, i) => ({
        value: Buffer.from(`${tag}-${i}`),
        timestamp: 1_700_000_000_000 + (i % 7),
      }))
    const inputs = [batchOf(3, 'a'), batchOf(5000, 'b'), batchOf(70_000, 'c'), batchOf(2, 'd'), batchOf(1500, 'e')]
    const encoded = await Promise.all(
      inputs.map((input, i) =>
        i % 2 === 0
          ? encodeRecordBatch({ records: input, compression: CompressionTypes.GZIP })
          : Promise.resolve(encodeRecordBatchSync({ records: input })),
      ),
    )
    for (const [i, bytes] of encoded.entries()) {
      const batch = (await decodeRecords(bytes)).batches[0]!
      const input = inputs[i]!
      expect(batch.records.length).toBe(input.length)
      expect(batch.lastOffset).toBe(BigInt(input.length - 1))
      expect(batch.records.map((r) => r.value!.toString())).toEqual(input.map((r) => r.value!.toString()))
      expect(batch.records.map((r) => r.timestamp)).toEqual(input.map((r) => BigInt(r.timestamp as number)))
    }
  })

  test('an empty batch round-trips', async () => {
    const batch = (await decodeRecords(encodeRecordBatchSync({ records: [] }))).batches[0]!
    expect(batch.records).toEqual([])
  })

  test('the sync encoder refuses compression; invalid fields are named', () => {
    expect(() => encodeRecordBatchSync({ records, compression: CompressionTypes.GZIP })).toThrow(
      KafkaJSInvalidArgumentError,
    )
    expect(() => encodeRecordBatchSync({ records, producerEpoch: 40_000 })).toThrow(/producerEpoch/)
    expect(() => encodeRecordBatchSync({ records, baseSequence: 1.5 })).toThrow(/baseSequence/)
    expect(() => encodeRecordBatchSync({ records: [{ value: null, timestamp: Number.NaN }] })).toThrow(/timestamp/)
    expect(() =>
      encodeRecordBatchSync({
        records: [
          { value: null, offsetDelta: 3 },
          { value: null, offsetDelta: 3 },
        ],
      }),
    ).toThrow(/offsetDelta/)
    expect(() => encodeRecordBatchSync({ records, compression: 9 as CompressionType })).toThrow(/compression/)
  })
})

describe('decoding a fetch response records buffer', () => {
  test('several batches in a row, different codecs', async () => {
    const a = encodeRecordBatchSync({ records: records.slice(0, 2), baseOffset: 0n })
    const b = await encodeRecordBatch({ records: records.slice(2), baseOffset: 2n, compression: CompressionTypes.LZ4 })
    const c = await encodeRecordBatch({
      records: records.slice(0, 1),
      baseOffset: 5n,
      compression: CompressionTypes.ZSTD,
    })
    const { batches } = await decodeRecords(Buffer.concat([a, b, c]))
    expect(batches.map((x) => x.baseOffset)).toEqual([0n, 2n, 5n])
    expect(batches.flatMap((x) => x.records.map((r) => r.offset))).toEqual([0n, 1n, 2n, 3n, 4n, 5n])
  })

  test('a trailing batch cut at maxBytes is reported, not thrown, at every cut point', async () => {
    const whole = encodeRecordBatchSync({ records: records.slice(0, 2), baseOffset: 0n })
    const next = encodeRecordBatchSync({ records: records.slice(0, 2), baseOffset: 2n })
    for (let cut = 1; cut < next.length; cut++) {
      const { batches, partialBatch } = await decodeRecords(Buffer.concat([whole, next.subarray(0, cut)]))
      expect(batches).toHaveLength(1)
      expect(partialBatch).toEqual({
        position: whole.length,
        baseOffset: cut >= 8 ? 2n : undefined,
        sizeInBytes: cut >= 12 ? next.length : undefined,
        availableBytes: cut,
      })
    }
  })

  test('a CRC mismatch is a KafkaJSCorruptRecordError naming the offset', async () => {
    const encoded = encodeRecordBatchSync({ records, baseOffset: 31n })
    encoded[encoded.length - 3] ^= 0x40
    const error = await decodeRecords(encoded).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSCorruptRecordError)
    expect(error).toMatchObject({ offset: '31', retriable: false })
    expect((error as Error).message).toMatch(/CRC-32C/)
  })

  test('with verifyChecksums false a flipped value byte goes through', async () => {
    const encoded = encodeRecordBatchSync({ records: [{ value: Buffer.from('abc'), timestamp: 1 }] })
    encoded[encoded.length - 4] = 'x'.charCodeAt(0) // value 'abc' is followed by the header count
    const { batches } = await decodeRecords(encoded, { verifyChecksums: false })
    expect(batches[0]!.records[0]!.value!.toString()).toBe('xbc')
  })

  test('a batch decompressing beyond maxDecompressedBytes is a KafkaJSDecodeError', async () => {
    const encoded = await encodeRecordBatch({
      records: [{ value: Buffer.alloc(1_000_000), timestamp: 1 }],
      compression: CompressionTypes.GZIP,
    })
    await expect(decodeRecords(encoded, { maxDecompressedBytes: 100_000 })).rejects.toThrow(KafkaJSDecodeError)
    await expect(decodeRecords(encoded, { maxDecompressedBytes: 0 })).rejects.toThrow(KafkaJSInvalidArgumentError)
    expect((await decodeRecords(encoded, { maxDecompressedBytes: 2_000_000 })).batches).toHaveLength(1)
  })

  test('a registered codec that misbehaves yields typed errors', async () => {
    const encoded = await encodeRecordBatch({ records, compression: CompressionTypes.Snappy })
    const original = CompressionCodecs[CompressionTypes.Snappy]
    try {
      CompressionCodecs[CompressionTypes.Snappy] = () => ({
        compress: async () => Buffer.alloc(0),
        decompress: async () => undefined as unknown as Buffer,
      })
      await expect(decodeRecords(encoded)).rejects.toThrow(KafkaJSCorruptRecordError)
      CompressionCodecs[CompressionTypes.Snappy] = () => ({
        compress: async () => Buffer.alloc(0),
        decompress: async () => Buffer.alloc(5000),
      })
      await expect(decodeRecords(encoded, { maxDecompressedBytes: 1000 })).rejects.toThrow(KafkaJSDecodeError)
      CompressionCodecs[CompressionTypes.Snappy] = () => ({
        compress: async () => Buffer.alloc(0),
        decompress: async () => {
          throw new TypeError('boom')
        },
      })
      await expect(decodeRecords(encoded)).rejects.toThrow(KafkaJSCorruptRecordError)
    } finally {
      CompressionCodecs[CompressionTypes.Snappy] = original
    }
  })

  test('a record count larger than the bytes allow is corrupt, before any allocation', async () => {
    const encoded = encodeRecordBatchSync({ records: [{ value: Buffer.from('a'), timestamp: 1 }] })
    encoded.writeInt32BE(0x7fffffff, 57)
    await expect(decodeRecords(encoded, { verifyChecksums: false })).rejects.toThrow(KafkaJSCorruptRecordError)
  })

  test('an unknown magic byte is corrupt', async () => {
    const encoded = encodeRecordBatchSync({ records: [{ value: Buffer.from('a'), timestamp: 1 }] })
    encoded[16] = 3
    await expect(decodeRecords(encoded)).rejects.toThrow(/magic 3/)
  })
})

describe('encoding into given buffers', () => {
  const records = [
    { value: Buffer.from('one'), timestamp: 5 },
    { key: Buffer.from('k'), value: null, timestamp: 6 },
  ]

  function recordingBuffers() {
    const given: Buffer[] = []
    const released: Buffer[] = []
    const buffers = {
      allocate(size: number): Buffer {
        const buffer = Buffer.alloc(size, 0xee)
        given.push(buffer)
        return buffer
      },
      release(buffer: Buffer): void {
        released.push(buffer)
      },
    }
    return { buffers, given, released }
  }

  it('writes an uncompressed batch, the same bytes, into the buffer given', () => {
    const { buffers, given, released } = recordingBuffers()
    const encoded = encodeRecordBatchSync({ records }, buffers)
    expect(given).toHaveLength(1)
    expect(encoded).toBe(given[0])
    expect(released).toHaveLength(0)
    expect(encoded).toStrictEqual(encodeRecordBatchSync({ records }))
  })

  it('writes the records of a compressed batch into a buffer given and hands it back once compressed', async () => {
    const { buffers, given, released } = recordingBuffers()
    const input = { records, compression: CompressionTypes.LZ4 }
    const encoded = await encodeRecordBatch(input, buffers)
    expect(given).toHaveLength(1)
    expect(released).toStrictEqual(given)
    expect(encoded).toStrictEqual(await encodeRecordBatch(input))
  })

  it("does not lend a buffer to an application's codec, which might keep it", async () => {
    const original = CompressionCodecs[CompressionTypes.LZ4]
    CompressionCodecs[CompressionTypes.LZ4] = () => ({
      compress: async (encoder: { buffer: Buffer }) => encoder.buffer,
      decompress: async (buffer: Buffer) => buffer,
    })
    try {
      const { buffers, given } = recordingBuffers()
      await encodeRecordBatch({ records, compression: CompressionTypes.LZ4 }, buffers)
      expect(given).toHaveLength(0)
    } finally {
      CompressionCodecs[CompressionTypes.LZ4] = original
    }
  })
})

describe('string keys and values', () => {
  it.each([
    ['ASCII', 'order-17', '{"id":17}'],
    ['multi-byte UTF-8', 'cl\u00e9 \u{1f600}', '\u00e9t\u00e9 \u4e2d\u6587'],
    ['a lone surrogate (written as U+FFFD, as Buffer.from writes it)', 'a\ud800b', '\udc00'],
    ['empty', '', ''],
  ])('%s: the same bytes as their UTF-8 Buffers', async (_label, key, value) => {
    const asStrings = {
      records: [
        { key, value, timestamp: 1 },
        { key: null, value, timestamp: 2 },
      ],
    }
    const asBuffers = {
      records: [
        { key: Buffer.from(key, 'utf8'), value: Buffer.from(value, 'utf8'), timestamp: 1 },
        { key: null, value: Buffer.from(value, 'utf8'), timestamp: 2 },
      ],
    }
    expect(encodeRecordBatchSync(asStrings)).toStrictEqual(encodeRecordBatchSync(asBuffers))
    expect(recordSizeUpperBound(asStrings.records[0]!)).toBe(recordSizeUpperBound(asBuffers.records[0]!))
    const lz4 = CompressionTypes.LZ4
    expect(await encodeRecordBatch({ ...asStrings, compression: lz4 })).toStrictEqual(
      await encodeRecordBatch({ ...asBuffers, compression: lz4 }),
    )
  })
})
