export * from './errors.js'
export {
  type CompressionCodec,
  CompressionCodecs,
  type CompressionType,
  CompressionTypes,
} from './protocol/codecs/index.js'
