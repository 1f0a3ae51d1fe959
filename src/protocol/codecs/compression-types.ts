// Compression type ids as they appear in bits 0-2 of a batch's attributes, under KafkaJS's names.

export const CompressionTypes = {
  None: 0,
  GZIP: 1,
  Snappy: 2,
  LZ4: 3,
  ZSTD: 4,
} as const

export type CompressionType = (typeof CompressionTypes)[keyof typeof CompressionTypes]
/** KafkaJS's CompressionTypes is an enum, a type as well as a value. */
export type CompressionTypes = CompressionType

const NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const

/** Kafka's lowercase name of a compression type id ('gzip', ...), or `unknown(<id>)`. */
export function compressionTypeName(type: number): string {
  return NAMES[type] ?? `unknown(${type})`
}

export function isCompressionType(type: number): type is CompressionType {
  return Number.isInteger(type) && type >= 0 && type <= 4
}
