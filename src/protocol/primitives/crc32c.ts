// CRC-32C (Castagnoli), the checksum of a v2 record batch. Every produced batch is checksummed once
// and every fetched one checked once, so this is on the hot path of both clients. Node has no
// native CRC-32C; the optional @node-rs/crc32 package (a prebuilt Node-API binary, nothing built at
// install) computes it about 3.5x faster than the TypeScript below on 16 KiB batches. It is loaded
// at startup when installed and taken only after it agrees with the TypeScript on a test input;
// until then, without it, or with KAFKIT_CRC32C=typescript, the TypeScript computes every checksum.
//
// The TypeScript is slicing-by-16: sixteen 256-entry tables let the loop fold sixteen input bytes
// per step instead of one, read as four little-endian 32-bit words (four loads instead of sixteen).
// On little-endian hosts an Int32Array views the input's aligned middle, the fastest read V8 offers
// (about 1.5x byte-wise slicing-by-8); elsewhere a DataView reads the words.

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

/** @node-rs/crc32's crc32c: the CRC-32C of `input`, continuing from `initialState`. */
type NativeCrc32c = (input: Uint8Array, initialState?: number) => number

let native: NativeCrc32c | undefined

/** Below this many bytes the call into native code costs about what the TypeScript loop does. */
const NATIVE_MIN_BYTES = 128

/**
 * CRC-32C of `data[start, end)`, as an unsigned 32-bit number. Pass a previous result as `crc` to
 * continue a checksum across several ranges.
 */
export function crc32c(data: Uint8Array, start = 0, end = data.length, crc = 0): number {
  if (native !== undefined && end - start >= NATIVE_MIN_BYTES) {
    return native(start === 0 && end === data.length ? data : data.subarray(start, end), crc)
  }
  return crc32cTypeScript(data, start, end, crc)
}

/** Which implementation crc32c() uses for inputs of 128 bytes and more. */
export function crc32cImplementation(): 'native' | 'typescript' {
  return native === undefined ? 'typescript' : 'native'
}

/** crc32c in TypeScript only, whether or not the native package is loaded. */
export function crc32cTypeScript(data: Uint8Array, start = 0, end = data.length, crc = 0): number {
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

/**
 * Loads the optional native CRC-32C and returns which implementation crc32c() now uses. Called once
 * when this module loads; a package that is missing, fails to load or disagrees with the
 * TypeScript on a test input leaves the TypeScript in use.
 */
export async function loadNativeCrc32c(): Promise<'native' | 'typescript'> {
  if (process.env.KAFKIT_CRC32C === 'typescript') return crc32cImplementation()
  try {
    // a specifier held in a variable keeps bundlers and type checkers from requiring the optional package
    const name = '@node-rs/crc32'
    const loaded = (await import(name)) as { crc32c?: NativeCrc32c; default?: { crc32c?: NativeCrc32c } }
    const candidate = loaded.crc32c ?? loaded.default?.crc32c
    if (typeof candidate === 'function' && agrees(candidate)) native = candidate
  } catch {
    // not installed, or no binary for this platform: the TypeScript stays in use
  }
  return crc32cImplementation()
}

/** The candidate computes what the TypeScript does, whole and continued, on an unaligned input. */
function agrees(candidate: NativeCrc32c): boolean {
  const data = new Uint8Array(1031)
  for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff
  const part = data.subarray(3)
  const expected = crc32cTypeScript(part)
  return (
    candidate(part, 0) === expected &&
    candidate(part.subarray(500), candidate(part.subarray(0, 500), 0)) === expected &&
    candidate(new Uint8Array(0), 0) === 0
  )
}

void loadNativeCrc32c()
