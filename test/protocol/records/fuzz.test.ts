// Hostile input: random bytes, truncations and bit flips of valid batches (every codec, control,
// legacy, Java-written). Decoding must end in a result or a KafkaJSDecodeError /
// KafkaJSCorruptRecordError: never another error, a crash or a hang. Checksums are switched off for
// most runs so the mutations reach the parsers and codecs instead of stopping at the CRC.
// A seeded generator keeps failures reproducible (the seed is in the test name).

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { KafkaJSCorruptRecordError, KafkaJSDecodeError } from '../../../src/errors.js'
import { DecompressionLimitError } from '../../../src/protocol/codecs/codec.js'
import { CompressionTypes } from '../../../src/protocol/codecs/index.js'
import { Lz4FormatError } from '../../../src/protocol/codecs/lz4-block.js'
import { lz4FrameCompress, lz4FrameDecompress } from '../../../src/protocol/codecs/lz4-frame.js'
import { snappyDecompress, snappyXerialCompress } from '../../../src/protocol/codecs/snappy.js'
import { SnappyFormatError } from '../../../src/protocol/codecs/snappy-block.js'
import { decodeRecords, encodeRecordBatch, endTxnMarkerRecord } from '../../../src/protocol/records/index.js'

const SEED = 0x6b61666b

function generator(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const random = generator(SEED)
const int = (n: number): number => Math.floor(random() * n)

function randomBuffer(length: number): Buffer {
  const b = Buffer.alloc(length)
  for (let i = 0; i < length; i++) b[i] = int(256)
  return b
}

function mutate(input: Buffer): Buffer {
  const out = Buffer.from(input)
  const flips = 1 + int(4)
  for (let i = 0; i < flips; i++) {
    const at = int(out.length)
    switch (int(3)) {
      case 0:
        out[at] = out[at]! ^ (1 << int(8))
        break
      case 1:
        out[at] = [0x00, 0xff, 0x7f, 0x80, 0x01][int(5)]!
        break
      default:
        out[at] = int(256)
    }
  }
  return out
}

async function expectTypedOutcome(input: Buffer, verifyChecksums: boolean): Promise<void> {
  try {
    await decodeRecords(input, { verifyChecksums, maxDecompressedBytes: 4 * 1024 * 1024 })
  } catch (error) {
    if (!(error instanceof KafkaJSDecodeError || error instanceof KafkaJSCorruptRecordError)) {
      throw new Error(`untyped error for input ${input.toString('hex').slice(0, 400)}: ${String(error)}`, {
        cause: error,
      })
    }
  }
}

let corpus: Buffer[] = []

beforeAll(async () => {
  const records = [
    {
      key: Buffer.from('key'),
      value: Buffer.from('value'),
      headers: [{ key: 'h', value: Buffer.from('x') }],
      timestamp: 1,
    },
    { key: null, value: Buffer.alloc(300, 'z'), timestamp: 2 },
    { key: Buffer.from('k'), value: null, headers: [{ key: 'n', value: null }], timestamp: 3 },
  ]
  for (const compression of Object.values(CompressionTypes)) {
    corpus.push(await encodeRecordBatch({ records, compression, baseOffset: 10n, producerId: 1n, producerEpoch: 0 }))
  }
  corpus.push(
    await encodeRecordBatch({
      records: [endTxnMarkerRecord({ committed: true, coordinatorEpoch: 1, timestamp: 1 })],
      isControl: true,
      transactional: true,
    }),
  )
  const golden = JSON.parse(readFileSync(join(__dirname, '../../fixtures/records/java-golden.json'), 'utf8')) as {
    cases: { name: string; hex: string }[]
  }
  // the small Java cases (legacy messages and wrappers among them); the 100 KB ones slow the loop down
  corpus.push(...golden.cases.filter((c) => c.hex.length < 4000).map((c) => Buffer.from(c.hex, 'hex')))
  corpus.push(Buffer.concat([corpus[0]!, corpus[3]!]))
  corpus = corpus.filter((b) => b.length > 0)
})

describe(`decodeRecords fuzz (seed 0x${SEED.toString(16)})`, () => {
  test('random bytes', async () => {
    for (let i = 0; i < 1500; i++) await expectTypedOutcome(randomBuffer(int(200)), i % 2 === 0)
  })

  test('random bytes behind a plausible v2 or legacy header', async () => {
    for (let i = 0; i < 1500; i++) {
      const body = randomBuffer(int(200))
      const header = Buffer.alloc(17)
      header.writeInt32BE(body.length + 5, 8)
      header[16] = int(3)
      await expectTypedOutcome(Buffer.concat([header, body]), false)
    }
  })

  test('every truncation of every corpus entry', async () => {
    for (const input of corpus) {
      const step = Math.max(1, Math.floor(input.length / 150))
      for (let cut = 0; cut < input.length; cut += step) await expectTypedOutcome(input.subarray(0, cut), false)
    }
  })

  test('bit flips and byte overwrites', async () => {
    for (let i = 0; i < 4000; i++) {
      const input = corpus[int(corpus.length)]!
      await expectTypedOutcome(mutate(input), i % 4 === 0)
    }
  })
})

describe(`codec fuzz (seed 0x${SEED.toString(16)})`, () => {
  const sample = Buffer.from('kafkit '.repeat(3000) + 'the quick brown fox jumps over the lazy dog '.repeat(200))

  test.each([
    ['lz4', lz4FrameCompress(sample), (b: Buffer) => lz4FrameDecompress(b, 1 << 20), Lz4FormatError],
    ['snappy', snappyXerialCompress(sample), (b: Buffer) => snappyDecompress(b, 1 << 20), SnappyFormatError],
  ] as const)('%s: mutated and truncated frames fail with the codec error', (_name, valid, decompress, formatError) => {
    for (let i = 0; i < 3000; i++) {
      const input = i % 3 === 0 ? valid.subarray(0, int(valid.length)) : mutate(valid)
      try {
        decompress(input)
      } catch (error) {
        if (!(error instanceof formatError || error instanceof DecompressionLimitError)) throw error
      }
    }
  })
})
