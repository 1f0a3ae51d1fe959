// CRC-32C (Castagnoli), the checksum of a v2 record batch. Slicing-by-8: eight 256-entry tables
// let the loop fold eight input bytes per step instead of one, which is what makes a pure
// TypeScript CRC fast enough to check every fetched batch.

const POLYNOMIAL = 0x82f63b78 // reflected Castagnoli polynomial

function buildTables(): Int32Array[] {
  const tables: Int32Array[] = []
  const first = new Int32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1
    first[n] = c
  }
  tables.push(first)
  for (let t = 1; t < 8; t++) {
    const previous = tables[t - 1]!
    const table = new Int32Array(256)
    for (let n = 0; n < 256; n++) table[n] = (previous[n]! >>> 8) ^ first[previous[n]! & 0xff]!
    tables.push(table)
  }
  return tables
}

const [T0, T1, T2, T3, T4, T5, T6, T7] = buildTables() as [
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
]

/**
 * CRC-32C of `data[start, end)`, as an unsigned 32-bit number. Pass a previous result as `crc` to
 * continue a checksum across several ranges.
 */
export function crc32c(data: Uint8Array, start = 0, end = data.length, crc = 0): number {
  let c = ~crc
  let i = start
  const fastEnd = end - 8
  while (i <= fastEnd) {
    const lo = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))
    c =
      T7[lo & 0xff]! ^
      T6[(lo >>> 8) & 0xff]! ^
      T5[(lo >>> 16) & 0xff]! ^
      T4[lo >>> 24]! ^
      T3[data[i + 4]!]! ^
      T2[data[i + 5]!]! ^
      T1[data[i + 6]!]! ^
      T0[data[i + 7]!]!
    i += 8
  }
  while (i < end) c = T0[(c ^ data[i++]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}
