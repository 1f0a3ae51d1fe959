// CRC-32C (Castagnoli), the checksum of a v2 record batch. Node 20 has no native CRC-32C, and
// every produced batch is checksummed once and every fetched one checked once, so this is on the
// hot path of both clients. Slicing-by-16: sixteen 256-entry tables let the loop fold sixteen input
// bytes per step instead of one, read as four little-endian 32-bit words (four loads instead of
// sixteen). On little-endian hosts an Int32Array views the input's aligned middle, the fastest
// read V8 offers (about 1.5x byte-wise slicing-by-8); elsewhere a DataView reads the words.

const POLYNOMIAL = 0x82f63b78 // reflected Castagnoli polynomial
const SLICES = 16

function buildTables(): Int32Array[] {
  const tables: Int32Array[] = []
  const first = new Int32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1
    first[n] = c
  }
  tables.push(first)
  for (let t = 1; t < SLICES; t++) {
    const previous = tables[t - 1]!
    const table = new Int32Array(256)
    for (let n = 0; n < 256; n++) table[n] = (previous[n]! >>> 8) ^ first[previous[n]! & 0xff]!
    tables.push(table)
  }
  return tables
}

// one binding per table: V8 keeps each table's base at hand instead of indexing an array of tables
const TABLES = buildTables()
const table = (t: number): Int32Array => TABLES[t]!
const T0 = table(0)
const T1 = table(1)
const T2 = table(2)
const T3 = table(3)
const T4 = table(4)
const T5 = table(5)
const T6 = table(6)
const T7 = table(7)
const T8 = table(8)
const T9 = table(9)
const T10 = table(10)
const T11 = table(11)
const T12 = table(12)
const T13 = table(13)
const T14 = table(14)
const T15 = table(15)

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** Folds one 16-byte block, given as four little-endian words, into the running CRC `c`. */
function foldBlock(c: number, w0: number, w1: number, w2: number, w3: number): number {
  const a = c ^ w0
  return (
    T15[a & 0xff]! ^
    T14[(a >>> 8) & 0xff]! ^
    T13[(a >>> 16) & 0xff]! ^
    T12[a >>> 24]! ^
    T11[w1 & 0xff]! ^
    T10[(w1 >>> 8) & 0xff]! ^
    T9[(w1 >>> 16) & 0xff]! ^
    T8[w1 >>> 24]! ^
    T7[w2 & 0xff]! ^
    T6[(w2 >>> 8) & 0xff]! ^
    T5[(w2 >>> 16) & 0xff]! ^
    T4[w2 >>> 24]! ^
    T3[w3 & 0xff]! ^
    T2[(w3 >>> 8) & 0xff]! ^
    T1[(w3 >>> 16) & 0xff]! ^
    T0[w3 >>> 24]!
  )
}

/**
 * CRC-32C of `data[start, end)`, as an unsigned 32-bit number. Pass a previous result as `crc` to
 * continue a checksum across several ranges.
 */
export function crc32c(data: Uint8Array, start = 0, end = data.length, crc = 0): number {
  if (!LITTLE_ENDIAN) return crc32cPortable(data, start, end, crc)
  let c = ~crc
  let i = start
  // bytes up to a 4-byte aligned address, so that an Int32Array can view the blocks
  const aligned = Math.min(end, i + ((4 - ((data.byteOffset + i) & 3)) & 3))
  while (i < aligned) c = T0[(c ^ data[i++]!) & 0xff]! ^ (c >>> 8)
  const wordCount = ((end - i) >>> 4) << 2
  if (wordCount > 0) {
    const words = new Int32Array(data.buffer, data.byteOffset + i, wordCount)
    for (let k = 0; k < wordCount; k += 4) c = foldBlock(c, words[k]!, words[k + 1]!, words[k + 2]!, words[k + 3]!)
    i += wordCount << 2
  }
  return finish(c, data, i, end)
}

/** crc32c reading the words with a DataView: any host byte order (crc32c uses it on big-endian ones). */
export function crc32cPortable(data: Uint8Array, start: number, end: number, crc: number): number {
  let c = ~crc
  let i = start
  const blocksEnd = end - ((end - i) % SLICES)
  if (blocksEnd > i) {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
    for (; i < blocksEnd; i += SLICES) {
      c = foldBlock(
        c,
        view.getInt32(i, true),
        view.getInt32(i + 4, true),
        view.getInt32(i + 8, true),
        view.getInt32(i + 12, true),
      )
    }
  }
  return finish(c, data, i, end)
}

/** Folds the bytes after the last whole block, one at a time, and returns the final CRC. */
function finish(crc: number, data: Uint8Array, start: number, end: number): number {
  let c = crc
  for (let i = start; i < end; i++) c = T0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}
