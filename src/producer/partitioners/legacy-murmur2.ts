// The murmur2 variant of KafkaJS's LegacyPartitioner (its default before 2.0). It follows the same
// steps as Java's murmur2 but multiplies in double precision, so once the products pass 2^53 the low
// bits differ and many keys hash to other values than in Java. It is reproduced here, operation for
// operation, so that data produced by KafkaJS 1.x keeps landing on the same partitions.

const SEED = 0x9747b28c
const M = 0x5bd1e995
const R = 24

export function legacyMurmur2(key: Buffer | string | number): number {
  const data = Buffer.isBuffer(key) ? key : Buffer.from(String(key))
  const length = data.length
  let h = SEED ^ length
  const whole = Math.ceil(length / 4)
  // KafkaJS's loop bound is length / 4 unrounded, so a partial last word is read too (bytes past the
  // end are undefined, and undefined & 0xff is 0)
  for (let i = 0; i < whole; i++) {
    const i4 = i * 4
    let k =
      ((data[i4] ?? 0) & 0xff) +
      (((data[i4 + 1] ?? 0) & 0xff) << 8) +
      (((data[i4 + 2] ?? 0) & 0xff) << 16) +
      (((data[i4 + 3] ?? 0) & 0xff) << 24)
    k *= M
    k ^= k >>> R
    k *= M
    h *= M
    h ^= k
  }
  const tail = length & ~3
  const rest = length % 4
  if (rest === 3) h ^= (data[tail + 2]! & 0xff) << 16
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8
  if (rest >= 1) {
    h ^= data[tail]! & 0xff
    h *= M
  }
  h ^= h >>> 13
  h *= M
  h ^= h >>> 15
  return h
}
