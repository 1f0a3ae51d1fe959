// The 32-bit murmur2 hash exactly as the Java client computes it (org.apache.kafka.common.utils.
// Utils.murmur2, seed 0x9747b28c), and Utils.toPositive: the two steps of Java's key partitioning,
// `toPositive(murmur2(keyBytes)) % numPartitions`. Math.imul keeps the products 32-bit as Java's int.

const SEED = 0x9747b28c
const M = 0x5bd1e995
const R = 24

export function murmur2(data: Uint8Array): number {
  const length = data.length
  let h = SEED ^ length
  const whole = length & ~3
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)
    k = Math.imul(k, M)
    k ^= k >>> R
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  // the tail, most significant byte first, falling through as Java's switch does
  const rest = length & 3
  if (rest === 3) h ^= data[whole + 2]! << 16
  if (rest >= 2) h ^= data[whole + 1]! << 8
  if (rest >= 1) {
    h ^= data[whole]!
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** Java's Utils.toPositive: clears the sign bit (not Math.abs, so that -2^31 maps to 0). */
export function toPositive(n: number): number {
  return n & 0x7fffffff
}
