// The two copies every LZ77-family decoder (LZ4, Snappy) performs. Short copies, by far the most
// common, run as plain loops: calling into TypedArray.set / copyWithin costs more than it saves
// below a few dozen bytes. The caller has checked every bound.

const NATIVE_COPY_THRESHOLD = 32
/** Below this offset a long overlapping match takes too many small native copies: a loop is cheaper. */
const MIN_DOUBLING_OFFSET = 8

/** Copies `length` literal bytes from `src` at `s` to `dst` at `d`. */
export function copyLiteral(src: Buffer, s: number, dst: Buffer, d: number, length: number): void {
  if (length > NATIVE_COPY_THRESHOLD) {
    dst.set(src.subarray(s, s + length), d)
  } else {
    for (let k = 0; k < length; k++) dst[d + k] = src[s + k]!
  }
}

/**
 * Appends `length` bytes that repeat the output from `offset` bytes back; an offset shorter than
 * the length repeats the last `offset` bytes. Returns the output position after the copy.
 */
export function copyMatch(dst: Buffer, d: number, offset: number, length: number): number {
  let from = d - offset
  const end = d + length
  if (length > NATIVE_COPY_THRESHOLD && offset >= MIN_DOUBLING_OFFSET) {
    // an overlapping match repeats its first `offset` bytes: each native copy takes everything
    // written so far from `from` on, a whole number of repeats, so the copies double in size
    let copied = 0
    while (copied < length) {
      const n = Math.min(copied + offset, length - copied)
      dst.copyWithin(d + copied, from, from + n)
      copied += n
    }
    return end
  }
  while (d < end) dst[d++] = dst[from++]!
  return end
}
