// The codec contract. It is KafkaJS's (compress receives an object whose `.buffer` holds the bytes,
// both methods are async), so codecs written for KafkaJS plug in unchanged. The built-in codecs also
// honour DecompressOptions, which KafkaJS codecs ignore.

/**
 * What `compress` receives (KafkaJS's shape); the API reference shows it within CompressionCodec.
 * @inline
 */
export interface CompressionInput {
  readonly buffer: Buffer
}

/**
 * The decompressed-size limit a built-in codec applies when called without DecompressOptions. The
 * record decoder passes its own limit (see records/decode-options.ts).
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024

/** Thrown by the built-in codecs when output would exceed DecompressOptions.maxOutputLength. */
export class DecompressionLimitError extends RangeError {
  constructor(codec: string, limit: number) {
    super(`${codec} data decompresses to more than the ${limit}-byte limit`)
    this.name = 'DecompressionLimitError'
  }
}

/**
 * Limits of one decompression; the API reference shows them within CompressionCodec.
 * @inline
 */
export interface DecompressOptions {
  /** Decompressing to more than this many bytes is refused before the memory is allocated. */
  readonly maxOutputLength: number
}

export interface CompressionCodec {
  compress(encoder: CompressionInput): Promise<Buffer>
  decompress(buffer: Buffer, options?: DecompressOptions): Promise<Buffer>
}

/**
 * What `CompressionCodecs[type]` holds: a function returning the codec, as in KafkaJS.
 * @inline
 */
export type CompressionCodecFactory = () => CompressionCodec
