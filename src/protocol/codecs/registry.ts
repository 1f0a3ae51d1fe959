// KafkaJS's codec registry. `CompressionCodecs[type]` holds a factory returning the codec; every type
// has a built-in one, and applications may still replace any of them the KafkaJS way:
//   CompressionCodecs[CompressionTypes.ZSTD] = () => ({ compress: async (encoder) => ..., decompress: async (buffer) => ... })

import { KafkaJSNotImplemented } from '../../errors.js'
import type { CompressionCodec, CompressionCodecFactory } from './codec.js'
import { CompressionTypes, compressionTypeName } from './compression-types.js'
import { gzipCodec } from './gzip.js'
import { lz4Codec } from './lz4.js'
import { snappyCodec } from './snappy.js'
import { zstdCodec } from './zstd.js'

export const CompressionCodecs: { [type: number]: CompressionCodecFactory | undefined } = {
  [CompressionTypes.GZIP]: () => gzipCodec,
  [CompressionTypes.Snappy]: () => snappyCodec,
  [CompressionTypes.LZ4]: () => lz4Codec,
  [CompressionTypes.ZSTD]: () => zstdCodec,
}

const BUILT_IN_CODECS: ReadonlySet<CompressionCodec> = new Set([gzipCodec, snappyCodec, lz4Codec, zstdCodec])

/**
 * Whether `codec` is one of kafkit's own, which keep no reference to their input once compress()
 * has resolved (an application's codec might): only then may the input's memory be reused.
 */
export function isBuiltInCodec(codec: CompressionCodec): boolean {
  return BUILT_IN_CODECS.has(codec)
}

// Factories are called once each: a factory replaced in the registry is noticed by identity.
const instances = new WeakMap<CompressionCodecFactory, CompressionCodec>()

/** The codec registered for `type`; throws KafkaJSNotImplemented when none is. */
export function lookupCodec(type: number): CompressionCodec {
  const factory = CompressionCodecs[type]
  if (typeof factory !== 'function') {
    throw new KafkaJSNotImplemented(`${compressionTypeName(type)} compression not implemented`)
  }
  let codec = instances.get(factory)
  if (codec === undefined) {
    codec = factory()
    instances.set(factory, codec)
  }
  return codec
}
