// Codec throughput (MB/s of uncompressed data) of what kafkit ships against the alternatives, side
// by side in one run. Run on demand: node -r ./bench/register-swc.cjs bench/codecs.bench.ts
// Inputs are record-batch-like payloads: JSON events, as a 16 KiB producer batch and a 1 MiB one.

import { gunzipSync, gzipSync } from 'node:zlib'
import { gzipCodec, lz4Codec, snappyCodec, zstdCodec } from '../src/protocol/codecs/index.js'
import { lz4FrameCompress, lz4FrameDecompress } from '../src/protocol/codecs/lz4-frame.js'
import { snappyDecompress, snappyXerialCompress } from '../src/protocol/codecs/snappy.js'

interface Codec {
  compress(input: Buffer): Buffer | Promise<Buffer>
  decompress(input: Buffer): Buffer | Promise<Buffer>
}

function optional<T>(name: string): T | undefined {
  try {
    return require(name) as T
  } catch {
    return undefined
  }
}

function payload(size: number): Buffer {
  const events: string[] = []
  let length = 0
  for (let i = 0; length < size; i++) {
    const event = JSON.stringify({
      id: `evt-${i}`,
      user: `user-${(i * 7919) % 5000}`,
      type: ['click', 'view', 'purchase', 'signup'][i % 4],
      amount: ((i * 37) % 10000) / 100,
      at: 1_700_000_000_000 + i * 13,
    })
    events.push(event)
    length += event.length
  }
  return Buffer.from(events.join('\n')).subarray(0, size)
}

const candidates: [string, Codec][] = [
  [
    'lz4: kafkit (TypeScript frame + block)',
    { compress: lz4FrameCompress, decompress: (b) => lz4FrameDecompress(b, 1 << 30) },
  ],
  [
    'snappy: kafkit (snappyjs compress, own decoder)',
    { compress: snappyXerialCompress, decompress: (b) => snappyDecompress(b, 1 << 30) },
  ],
  [
    'gzip: kafkit (node:zlib, async)',
    { compress: (b) => gzipCodec.compress({ buffer: b }), decompress: (b) => gzipCodec.decompress(b) },
  ],
  ['gzip: node:zlib sync', { compress: (b) => gzipSync(b), decompress: (b) => gunzipSync(b) }],
  [
    'zstd: kafkit (node:zlib)',
    { compress: (b) => zstdCodec.compress({ buffer: b }), decompress: (b) => zstdCodec.decompress(b) },
  ],
]
const kafkajsLz4 =
  optional<
    new () => {
      codec: () => { compress(e: { buffer: Buffer }): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer> }
    }
  >('kafkajs-lz4')
if (kafkajsLz4) {
  const codec = new kafkajsLz4().codec()
  candidates.push([
    'lz4: kafkajs-lz4 (lz4 package)',
    { compress: (b) => codec.compress({ buffer: b }), decompress: (b) => codec.decompress(b) },
  ])
}
const snappyjs = optional<{ compress(b: Buffer): Buffer; uncompress(b: Buffer): Buffer }>('snappyjs')
if (snappyjs)
  candidates.push(['snappy: snappyjs raw both ways', { compress: snappyjs.compress, decompress: snappyjs.uncompress }])
// Compatibility check only: kafkit's codecs must read what the alternatives write and vice versa.
void [lz4Codec, snappyCodec]

async function measure(fn: (b: Buffer) => Buffer | Promise<Buffer>, input: Buffer): Promise<number> {
  const budgetNs = 400_000_000n
  let bytes = 0
  for (let i = 0; i < 20; i++) await fn(input) // warm up
  const start = process.hrtime.bigint()
  let elapsed = 0n
  while (elapsed < budgetNs) {
    for (let i = 0; i < 10; i++) {
      await fn(input)
      bytes += input.length
    }
    elapsed = process.hrtime.bigint() - start
  }
  return bytes / 1e6 / (Number(elapsed) / 1e9)
}

async function main(): Promise<void> {
  for (const size of [16 * 1024, 1024 * 1024]) {
    const input = payload(size)
    console.log(`\n${size} bytes of JSON events`)
    console.log('codec'.padEnd(52), 'ratio'.padStart(6), 'compress MB/s'.padStart(15), 'decompress MB/s'.padStart(17))
    for (const [name, codec] of candidates) {
      const compressed = await codec.compress(input)
      const back = await codec.decompress(compressed)
      if (!Buffer.from(back).equals(input)) throw new Error(`${name} does not round-trip`)
      const c = await measure((b) => codec.compress(b), input)
      const d = await measure(() => codec.decompress(compressed), input)
      const ratio = (input.length / compressed.length).toFixed(2)
      console.log(name.padEnd(52), ratio.padStart(6), c.toFixed(0).padStart(15), d.toFixed(0).padStart(17))
    }
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
