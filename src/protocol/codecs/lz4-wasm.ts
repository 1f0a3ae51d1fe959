// The LZ4 block compressors lz4-frame.ts chooses from: the WebAssembly one (lz4-block.wat, about
// twice the TypeScript's speed on record batches) where the runtime runs WebAssembly, the
// TypeScript one (lz4-block.ts) otherwise or with KAFKIT_LZ4=typescript. Both write the same bytes.
//
// A frame's input is copied into the module's memory once; each block is compressed there and its
// output copied out.

import { HashTableBase, lz4CompressBlock, lz4CompressBound } from './lz4-block.js'
import { LZ4_BLOCK_WASM } from './lz4-block-wasm.js'

/** Compresses blocks of one input: load() it, then compress() its blocks in turn. */
export interface Lz4BlockCompressor {
  readonly name: 'webassembly' | 'typescript'
  load(input: Buffer, maxBlockSize: number): void
  /**
   * Compresses `input[start, end)` into `dst` at `dstStart`; returns the offset after it. A result
   * of `end - start` bytes or more says the block does not shrink, and `dst` may not hold it.
   */
  compress(start: number, end: number, dst: Buffer, dstStart: number): number
}

// The parts of the WebAssembly JavaScript API used here: the project compiles against ES2022 and
// Node's types, neither of which declares it (the DOM library does).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object) => { exports: object }
}
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}

interface Lz4BlockExports {
  memory: WasmMemory
  compressBlock(src: number, end: number, dst: number, validFrom: number): number
}

/** The hash table's bytes at the start of the module's memory. */
const TABLE_BYTES = 1 << 16
/** Room after the input and the output for the module's 16-byte literal copies. */
const SLACK = 16
const PAGE_BYTES = 1 << 16

class WasmBlockCompressor implements Lz4BlockCompressor {
  readonly name = 'webassembly'
  readonly #exports: Lz4BlockExports
  readonly #base = new HashTableBase()
  #memory: Uint8Array
  #outputAt = TABLE_BYTES

  constructor(exports: Lz4BlockExports) {
    this.#exports = exports
    this.#memory = new Uint8Array(exports.memory.buffer)
  }

  load(input: Buffer, maxBlockSize: number): void {
    const outputAt = TABLE_BYTES + input.length + SLACK
    const needed = outputAt + lz4CompressBound(Math.min(maxBlockSize, input.length)) + SLACK
    if (needed > this.#memory.length) {
      this.#exports.memory.grow(Math.ceil((needed - this.#memory.length) / PAGE_BYTES))
      this.#memory = new Uint8Array(this.#exports.memory.buffer)
    }
    this.#memory.set(input, TABLE_BYTES)
    this.#outputAt = outputAt
  }

  compress(start: number, end: number, dst: Buffer, dstStart: number): number {
    const memory = this.#memory
    const validFrom = this.#base.take(end - start, () => memory.fill(0, 0, TABLE_BYTES))
    // the input sits right after the hash table (load)
    const written =
      this.#exports.compressBlock(TABLE_BYTES + start, TABLE_BYTES + end, this.#outputAt, validFrom) - this.#outputAt
    // a block no smaller than its input is stored uncompressed by the caller: nothing to copy out
    if (written < end - start) dst.set(memory.subarray(this.#outputAt, this.#outputAt + written), dstStart)
    return dstStart + written
  }
}

class TypeScriptBlockCompressor implements Lz4BlockCompressor {
  readonly name = 'typescript'
  #input: Buffer = Buffer.alloc(0)

  load(input: Buffer): void {
    this.#input = input
  }

  compress(start: number, end: number, dst: Buffer, dstStart: number): number {
    return lz4CompressBlock(this.#input, start, end, dst, dstStart)
  }
}

/** The WebAssembly compressor, or undefined where WebAssembly cannot run (e.g. node --jitless). */
export function createWasmBlockCompressor(): Lz4BlockCompressor | undefined {
  try {
    const module = new WebAssembly.Module(Buffer.from(LZ4_BLOCK_WASM, 'base64'))
    const instance = new WebAssembly.Instance(module)
    return new WasmBlockCompressor(instance.exports as unknown as Lz4BlockExports)
  } catch {
    return undefined
  }
}

export function createTypeScriptBlockCompressor(): Lz4BlockCompressor {
  return new TypeScriptBlockCompressor()
}

let chosen: Lz4BlockCompressor | undefined

/** The compressor lz4FrameCompress uses, made on first use (one per process: compression is synchronous). */
export function lz4BlockCompressor(): Lz4BlockCompressor {
  chosen ??=
    (process.env.KAFKIT_LZ4 === 'typescript' ? undefined : createWasmBlockCompressor()) ??
    createTypeScriptBlockCompressor()
  return chosen
}
