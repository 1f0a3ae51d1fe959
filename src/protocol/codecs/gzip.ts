// The GZIP codec, on node:zlib. Small payloads (a typical producer batch) are (de)compressed
// synchronously: handing them to the libuv thread pool costs more than the work itself. Larger ones
// go to the thread pool so they do not block the event loop. zlib's maxOutputLength bounds
// decompression before the output is allocated.

import { kMaxLength } from 'node:buffer'
import { promisify } from 'node:util'
import * as zlib from 'node:zlib'
import {
  type CompressionCodec,
  type CompressionInput,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  type DecompressOptions,
} from './codec.js'

const SYNC_LIMIT = 32 * 1024

const gzip = promisify(zlib.gzip)
const gunzip = promisify(zlib.gunzip)

export const gzipCodec: CompressionCodec = {
  async compress(encoder: CompressionInput): Promise<Buffer> {
    const input = encoder.buffer
    return input.length <= SYNC_LIMIT ? zlib.gzipSync(input) : gzip(input)
  },
  async decompress(buffer: Buffer, options?: DecompressOptions): Promise<Buffer> {
    const limit = options?.maxOutputLength ?? DEFAULT_MAX_DECOMPRESSED_BYTES
    const zlibOptions = { maxOutputLength: Math.max(1, Math.min(limit, kMaxLength)) }
    return buffer.length <= SYNC_LIMIT ? zlib.gunzipSync(buffer, zlibOptions) : gunzip(buffer, zlibOptions)
  },
}
