import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { HashTableBase } from '../../../src/protocol/codecs/lz4-block.js'
import { lz4FrameCompress, lz4FrameDecompress } from '../../../src/protocol/codecs/lz4-frame.js'
import {
  createTypeScriptBlockCompressor,
  createWasmBlockCompressor,
  type Lz4BlockCompressor,
  lz4BlockCompressor,
} from '../../../src/protocol/codecs/lz4-wasm.js'
import { findOnPath } from '../../../src/testing/executables.js'
import { pseudoRandomBytes } from '../../helpers/bytes.js'

// Kafka's own readers (Java's consumer, kcat) read these frames in integration/codec-interop tests,
// which compress with the default compressor, the WebAssembly one
/** Record-like input: repeated values with small varying headers, as a producer's batch. */
function recordsLike(count: number, valueSize: number): Buffer {
  const value = Buffer.alloc(valueSize)
  for (let i = 0; i < valueSize; i++) value[i] = 97 + ((i * 7) % 26)
  const parts: Buffer[] = []
  for (let r = 0; r < count; r++) parts.push(Buffer.from([0x90, 0x10, 0, r & 0x7f, r & 0xff, 1, 0x80]), value)
  return Buffer.concat(parts)
}

/** Text with repeats at every distance and of every length, and incompressible stretches. */
function mixed(length: number, seed: number): Buffer {
  const noise = pseudoRandomBytes(length, seed)
  const out = Buffer.alloc(length)
  let i = 0
  while (i < length) {
    const kind = noise[i]! % 3
    const run = 1 + (noise[(i + 1) % length]! % 300)
    for (let k = 0; k < run && i < length; k++, i++) {
      out[i] = kind === 0 ? noise[i]! : kind === 1 ? 32 + (k % 17) : i >= 70000 ? out[i - 70000]! : 120
    }
  }
  return out
}

const INPUTS: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['1 byte', Buffer.from([42])],
  ['12 bytes (below the 13 a match needs)', Buffer.from('abcabcabcabc')],
  ['13 bytes', Buffer.from('abcabcabcabca')],
  ['64 zero bytes', Buffer.alloc(64)],
  ['1,000 random bytes', pseudoRandomBytes(1000, 1)],
  ['a 64 KiB block exactly', mixed(65536, 2)],
  ['64 KiB + 1 (two blocks)', mixed(65537, 3)],
  ['200 KiB of records of 1 KiB values', recordsLike(200, 1024)],
  ['300 KiB mixed', mixed(300 * 1024, 4)],
  ['300 KiB random', pseudoRandomBytes(300 * 1024, 5)],
  ['1 MiB of one byte', Buffer.alloc(1 << 20, 7)],
]

describe('LZ4 block compressors', () => {
  const wasm = createWasmBlockCompressor()

  it('the WebAssembly one is the default here (Node runs WebAssembly), unless KAFKIT_LZ4=typescript', () => {
    expect(wasm).toBeDefined()
    expect(lz4BlockCompressor().name).toBe(process.env.KAFKIT_LZ4 === 'typescript' ? 'typescript' : 'webassembly')
  })

  it.each(INPUTS)(
    '%s: WebAssembly and TypeScript write the same frame, which decompresses to the input',
    (_l, input) => {
      const typescript = createTypeScriptBlockCompressor()
      const fromWasm = lz4FrameCompress(input, wasm!)
      const fromTypeScript = lz4FrameCompress(input, typescript)
      expect(fromWasm.equals(fromTypeScript)).toBe(true)
      expect(lz4FrameDecompress(fromWasm, 1 << 24).equals(input)).toBe(true)
    },
  )

  it('stay identical over many calls in a row (neither clears its hash table between calls)', () => {
    const compressors: Lz4BlockCompressor[] = [wasm!, createTypeScriptBlockCompressor()]
    for (let round = 0; round < 40; round++) {
      const input = round % 3 === 0 ? recordsLike(20 + round, 100 + round * 13) : mixed(5000 + round * 3001, round)
      const [a, b] = compressors.map((c) => lz4FrameCompress(input, c))
      expect(a!.equals(b!)).toBe(true)
      expect(lz4FrameDecompress(a!, 1 << 24).equals(input)).toBe(true)
    }
  })

  it('compresses record-like input to about 1% of its size', () => {
    const input = recordsLike(1000, 1024)
    expect(lz4FrameCompress(input, wasm!).length).toBeLessThan(input.length / 50)
  })

  it('grows the WebAssembly memory for a large input', () => {
    const input = Buffer.concat([pseudoRandomBytes(1 << 20, 9), recordsLike(4000, 1024)])
    const out = lz4FrameCompress(input, wasm!)
    expect(lz4FrameDecompress(out, 1 << 24).equals(input)).toBe(true)
  })
})

describe('HashTableBase', () => {
  it('gives each input a base above every position stored before, and clears the table when it nears 2^30', () => {
    const base = new HashTableBase()
    let clears = 0
    const clear = (): void => {
      clears++
    }
    expect(base.take(100, clear)).toBe(1)
    expect(base.take(100, clear)).toBe(102)
    // 203 + 0x3fffff80 + 1 passes 2^30
    expect(base.take(0x3fffff80, clear)).toBe(1)
    expect(clears).toBe(1)
    expect(base.take(10, clear)).toBe(0x3fffff82)
    expect(clears).toBe(1)
  })

  it('starts over with a clear table whose old entries cannot pass for new ones', () => {
    // after a clear, every entry is 0, below any base (bases start at 1)
    const base = new HashTableBase()
    const first = base.take(0x3ffffff0, () => {})
    expect(first).toBe(1)
    expect(base.take(0x100, () => {})).toBe(1)
  })
})

const wat2wasm = findOnPath('wat2wasm')

// CI installs wabt; elsewhere the check is skipped (the generated module is committed)
;(wat2wasm === undefined ? it.skip : it)('the committed WebAssembly is what lz4-block.wat assembles to', () => {
  execFileSync(process.execPath, [join(__dirname, '../../../scripts/build-wasm.mjs'), '--check'], { stdio: 'pipe' })
})
