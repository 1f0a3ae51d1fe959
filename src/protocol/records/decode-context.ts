// Options resolved once per records buffer and handed to the batch decoders, plus the helpers they
// share for decompressing and for reporting errors.

import { KafkaJSCorruptRecordError, KafkaJSDecodeError, KafkaJSInvalidArgumentError } from '../../errors.js'
import { DecompressionLimitError } from '../codecs/codec.js'
import { compressionTypeName } from '../codecs/compression-types.js'
import { lookupCodec } from '../codecs/registry.js'
import type { DecodeRecordsOptions } from './types.js'

const MIN_DEFAULT_DECOMPRESSED_BYTES = 64 * 1024 * 1024
const DEFAULT_DECOMPRESSION_RATIO = 8

export interface DecodeContext {
  readonly verifyChecksums: boolean
  readonly maxDecompressedBytes: number
}

export function resolveDecodeContext(recordsLength: number, options: DecodeRecordsOptions = {}): DecodeContext {
  const max = options.maxDecompressedBytes
  if (max !== undefined && (!Number.isSafeInteger(max) || max < 1)) {
    throw new KafkaJSInvalidArgumentError(`maxDecompressedBytes must be a positive integer, got ${String(max)}`)
  }
  return {
    verifyChecksums: options.verifyChecksums ?? true,
    maxDecompressedBytes: max ?? Math.max(MIN_DEFAULT_DECOMPRESSED_BYTES, DEFAULT_DECOMPRESSION_RATIO * recordsLength),
  }
}

export function corrupt(message: string, offset: bigint, cause?: unknown): KafkaJSCorruptRecordError {
  return new KafkaJSCorruptRecordError(message, { offset: offset.toString(), cause })
}

/**
 * Runs `decode` and turns anything it throws into a KafkaJSCorruptRecordError naming the batch's
 * offset; errors already typed for the caller pass through.
 */
export function asCorrupt<T>(what: string, offset: bigint, decode: () => T): T {
  try {
    return decode()
  } catch (error) {
    if (error instanceof KafkaJSCorruptRecordError) throw error
    throw corrupt(`${what} at offset ${offset} is malformed: ${(error as Error).message}`, offset, error)
  }
}

/**
 * Decompresses a batch payload with the registered codec, bounded by ctx.maxDecompressedBytes.
 * Exceeding the bound is a KafkaJSDecodeError (the data may be valid, just larger than allowed);
 * a codec failure is a KafkaJSCorruptRecordError.
 */
export async function decompressPayload(
  compression: number,
  payload: Buffer,
  ctx: DecodeContext,
  offset: bigint,
): Promise<Buffer> {
  const codec = lookupCodec(compression)
  const limit = ctx.maxDecompressedBytes
  let result: Buffer
  try {
    result = await codec.decompress(payload, { maxOutputLength: limit })
  } catch (error) {
    if (error instanceof DecompressionLimitError || (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge(compression, offset, limit, error)
    }
    throw corrupt(
      `${compressionTypeName(compression)} payload of the batch at offset ${offset} cannot be decompressed: ${(error as Error).message}`,
      offset,
      error,
    )
  }
  // Codecs registered by applications may return anything and may not honour the limit.
  if (!((result as unknown) instanceof Uint8Array)) {
    throw corrupt(
      `${compressionTypeName(compression)} codec returned no bytes for the batch at offset ${offset}`,
      offset,
    )
  }
  if (result.length > limit) throw tooLarge(compression, offset, limit)
  // KafkaJS codecs may resolve to a plain Uint8Array; records are read through Buffer methods.
  if (Buffer.isBuffer(result)) return result
  const bytes = result as Uint8Array
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function tooLarge(compression: number, offset: bigint, limit: number, cause?: unknown): KafkaJSDecodeError {
  return new KafkaJSDecodeError(
    `${compressionTypeName(compression)} batch at offset ${offset} decompresses to more than ${limit} bytes (maxDecompressedBytes)`,
    { cause },
  )
}
