// The LZ4 codec: Kafka's LZ4 frame layout (lz4-frame.ts); blocks are compressed in WebAssembly where
// it runs, in TypeScript otherwise (lz4-wasm.ts), and decompressed in TypeScript (lz4-block.ts).

import {
  type CompressionCodec,
  type CompressionInput,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  type DecompressOptions,
} from './codec.js'
import { lz4FrameCompress, lz4FrameDecompress } from './lz4-frame.js'

export const lz4Codec: CompressionCodec = {
  async compress(encoder: CompressionInput): Promise<Buffer> {
    return lz4FrameCompress(encoder.buffer)
  },
  async decompress(buffer: Buffer, options?: DecompressOptions): Promise<Buffer> {
    return lz4FrameDecompress(buffer, options?.maxOutputLength ?? DEFAULT_MAX_DECOMPRESSED_BYTES)
  },
}
