// The ZSTD codec: node:zlib's zstd where the runtime has it (Node >= 22.15), otherwise the optional
// zstd-napi package, loaded on first use so that a missing package only matters to ZSTD users.
// zstd-napi's own decompress trusts the frame's declared size; here its streaming context is driven
// chunk by chunk so output beyond the limit is refused before it is allocated.

import { kMaxLength } from 'node:buffer'
import * as zlib from 'node:zlib'
import { KafkaJSNotImplemented } from '../../errors.js'
import {
  type CompressionCodec,
  type CompressionInput,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  DecompressionLimitError,
  type DecompressOptions,
} from './codec.js'

type Callback = (error: Error | null, result: Buffer) => void
interface ZlibWithZstd {
  zstdCompress(input: Buffer, callback: Callback): void
  zstdDecompress(input: Buffer, options: { maxOutputLength: number }, callback: Callback): void
}

/** The parts of zstd-napi (its high-level module and its native binding) this codec uses. */
interface ZstdNapi {
  compress(data: Buffer): Buffer
}
interface ZstdNapiBinding {
  DCtx: new () => ZstdDecompressionContext
  ResetDirective: { sessionOnly: number }
}
interface ZstdDecompressionContext {
  reset(directive: number): void
  /** [bytes still to flush (0 when a frame is complete), bytes produced, bytes consumed] */
  decompressStream(dst: Buffer, src: Buffer): [number, number, number]
}

const MIN_CHUNK = 64 * 1024

let decompressionContext: ZstdDecompressionContext | undefined

function nodeZstd(): ZlibWithZstd | undefined {
  const candidate = zlib as unknown as Partial<ZlibWithZstd>
  return typeof candidate.zstdCompress === 'function' && typeof candidate.zstdDecompress === 'function'
    ? (candidate as ZlibWithZstd)
    : undefined
}

let napi: Promise<{ module: ZstdNapi; binding: ZstdNapiBinding }> | undefined

async function loadZstdNapi(): Promise<{ module: ZstdNapi; binding: ZstdNapiBinding }> {
  if (napi === undefined) {
    // Specifiers held in variables keep bundlers and type checkers from requiring the optional package.
    const moduleName = 'zstd-napi'
    // the file name, extension included: ES modules resolve no extension in a package without an exports map
    const bindingName = 'zstd-napi/binding.js'
    napi = Promise.all([import(moduleName), import(bindingName)]).then(
      ([module, binding]) => ({
        module: (module.default ?? module) as ZstdNapi,
        binding: (binding.default ?? binding) as ZstdNapiBinding,
      }),
      (cause: unknown) => {
        napi = undefined
        throw new KafkaJSNotImplemented(
          `ZSTD compression needs Node.js >= 22.15 (node:zlib zstd) or the optional zstd-napi package, which could not be loaded: ${
            cause instanceof Error ? cause.message : String(cause)
          }`,
        )
      },
    )
  }
  return napi
}

function decompressBounded(context: ZstdDecompressionContext, input: Buffer, limit: number): Buffer {
  const chunks: Buffer[] = []
  let total = 0
  let remaining = input
  for (;;) {
    // One byte past the limit, so that reaching it is distinguishable from exceeding it.
    const room = limit - total + 1
    const out = Buffer.allocUnsafe(Math.min(room, Math.max(MIN_CHUNK, remaining.length * 4)))
    const [toFlush, produced, consumed] = context.decompressStream(out, remaining)
    total += produced
    if (total > limit) throw new DecompressionLimitError('ZSTD', limit)
    if (produced > 0) chunks.push(out.subarray(0, produced))
    remaining = remaining.subarray(consumed)
    if (toFlush === 0 && remaining.length === 0) break
    if (produced === 0 && consumed === 0) throw new Error('ZSTD data is truncated')
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total)
}

export const zstdCodec: CompressionCodec = {
  async compress(encoder: CompressionInput): Promise<Buffer> {
    const native = nodeZstd()
    if (native !== undefined) {
      return new Promise((resolve, reject) =>
        native.zstdCompress(encoder.buffer, (error, result) => (error ? reject(error) : resolve(result))),
      )
    }
    return (await loadZstdNapi()).module.compress(encoder.buffer)
  },
  async decompress(buffer: Buffer, options?: DecompressOptions): Promise<Buffer> {
    const limit = Math.max(1, Math.min(options?.maxOutputLength ?? DEFAULT_MAX_DECOMPRESSED_BYTES, kMaxLength))
    const native = nodeZstd()
    if (native !== undefined) {
      return new Promise((resolve, reject) =>
        native.zstdDecompress(buffer, { maxOutputLength: limit }, (error, result) =>
          error ? reject(error) : resolve(result),
        ),
      )
    }
    const { binding } = await loadZstdNapi()
    // One context serves every call (creating one per batch costs more than small batches take to
    // decompress); decompression is synchronous, and a reset drops whatever an earlier failure left.
    decompressionContext ??= new binding.DCtx()
    decompressionContext.reset(binding.ResetDirective.sessionOnly)
    return decompressBounded(decompressionContext, buffer, limit)
  },
}
