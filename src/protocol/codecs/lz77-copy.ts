// The two copies every LZ77-family decoder (LZ4, Snappy) performs. Short copies, by far the most
// common, run as plain loops: calling into TypedArray.set / copyWithin costs more than it saves
// below a few dozen bytes. The caller has checked every bound.

const NATIVE_COPY_THRESHOLD = 32

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
  if (offset >= length && length > NATIVE_COPY_THRESHOLD) {
    dst.copyWithin(d, from, from + length)
    return end
  }
  while (d < end) dst[d++] = dst[from++]!
  return end
}
