// Splits a byte stream into size-prefixed frames (int32 size, then that many bytes), as Kafka frames
// every request and response. Chunks are kept in a list and copied at most once, into the frame they
// complete, so a frame arriving in n chunks costs O(frame size), not O(n * frame size). A frame that
// lies inside one chunk is returned as a view of it, with no copy at all.
//
// A plaintext socket can also read straight into the frames (net.Socket's `onread`): the socket asks
// readBuffer() where to put its next bytes and reports them with commit(). Once a frame's size is
// known and the frame is not complete, its buffer is allocated and the socket reads the rest of it
// into that buffer directly, so a large response (a Fetch of megabytes) is written once, by the
// kernel, and never copied out of intermediate chunks. Size prefixes and small frames go through one
// reused scratch buffer; a frame complete in it is copied out (it is reused by the next read).

import { KafkaJSDecodeError } from '../errors.js'

/**
 * The default bound on a response frame: 100 MiB, the size the broker itself accepts for a request
 * (`socket.request.max.bytes`). Fetch responses are bounded by `fetch.max.bytes` (50 MiB by default),
 * except that the first batch is always returned whole, so the bound stays well above it.
 */
export const DEFAULT_MAX_FRAME_SIZE = 100 * 1024 * 1024

const SIZE_PREFIX = 4

/** The reused buffer that size prefixes and small frames are read into (onread mode). */
const SCRATCH_SIZE = 64 * 1024

const NO_FRAMES: readonly Buffer[] = Object.freeze([])

export class FrameDecoder {
  readonly maxFrameSize: number
  #chunks: Buffer[] = []
  /** Bytes already consumed from the first chunk. */
  #headOffset = 0
  /** Bytes buffered and not yet consumed, over all chunks. */
  #buffered = 0
  /** Size of the frame being assembled, once its prefix has been read; -1 before that. */
  #frameSize = -1
  // onread mode: bytes [#scratchStart, #scratchEnd) of #scratch are read and not consumed; #frame,
  // when set, is the frame being read into directly, #frameFilled bytes of it so far
  #scratch: Buffer | undefined
  #scratchStart = 0
  #scratchEnd = 0
  #frame: Buffer | undefined
  #frameFilled = 0

  constructor(maxFrameSize = DEFAULT_MAX_FRAME_SIZE) {
    if (!Number.isSafeInteger(maxFrameSize) || maxFrameSize < 0) {
      throw new RangeError(`maxFrameSize must be a non-negative integer, got ${maxFrameSize}`)
    }
    this.maxFrameSize = maxFrameSize
  }

  /** Bytes held for a frame that is not complete yet. */
  get buffered(): number {
    return this.#frame !== undefined ? this.#frameFilled : this.#buffered + this.#scratchEnd - this.#scratchStart
  }

  /** onread mode: where the socket's next read goes (the rest of the frame being read, else scratch). */
  readBuffer(): Buffer {
    if (this.#frame !== undefined) return this.#frame.subarray(this.#frameFilled)
    this.#scratch ??= Buffer.allocUnsafeSlow(SCRATCH_SIZE)
    return this.#scratch.subarray(this.#scratchEnd)
  }

  /**
   * onread mode: `n` bytes were read into the last readBuffer(). Returns every frame they complete,
   * in order, and throws as push() does on an invalid size.
   */
  commit(n: number): readonly Buffer[] {
    const frame = this.#frame
    if (frame !== undefined) {
      this.#frameFilled += n
      if (this.#frameFilled < frame.length) return NO_FRAMES
      this.#frame = undefined
      return [frame]
    }
    const scratch = this.#scratch!
    this.#scratchEnd += n
    let frames: Buffer[] | undefined
    let start = this.#scratchStart
    const end = this.#scratchEnd
    for (;;) {
      if (this.#frameSize < 0) {
        if (end - start < SIZE_PREFIX) break
        this.#frameSize = this.#checkedSize(scratch.readInt32BE(start))
        start += SIZE_PREFIX
      }
      const size = this.#frameSize
      const available = end - start
      const out = Buffer.allocUnsafe(size)
      if (available < size) {
        // the rest of this frame is read into its own buffer
        scratch.copy(out, 0, start, end)
        this.#frame = out
        this.#frameFilled = available
        this.#frameSize = -1
        start = end
        break
      }
      scratch.copy(out, 0, start, start + size)
      frames ??= []
      frames.push(out)
      this.#frameSize = -1
      start += size
    }
    if (start === end) {
      this.#scratchStart = this.#scratchEnd = 0
    } else if (end === SCRATCH_SIZE) {
      // less than a size prefix left at the very end: move it to the front
      scratch.copyWithin(0, start, end)
      this.#scratchStart = 0
      this.#scratchEnd = end - start
    } else {
      this.#scratchStart = start
    }
    return frames ?? NO_FRAMES
  }

  #checkedSize(size: number): number {
    if (size < 0 || size > this.maxFrameSize) {
      throw new KafkaJSDecodeError(
        `invalid frame size ${size}: must be between 0 and ${this.maxFrameSize} bytes (maxResponseSize)`,
      )
    }
    return size
  }

  /**
   * Adds a chunk and returns every frame it completes (without size prefixes), in order. Throws
   * KafkaJSDecodeError on a negative or oversized frame size; the stream cannot be resynchronised
   * after that, so the caller must drop it.
   */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = []
    if (chunk.length === 0) return frames
    this.#chunks.push(chunk)
    this.#buffered += chunk.length
    for (;;) {
      if (this.#frameSize < 0) {
        if (this.#buffered < SIZE_PREFIX) break
        this.#frameSize = this.#checkedSize(this.#take(SIZE_PREFIX).readInt32BE(0))
      }
      if (this.#buffered < this.#frameSize) break
      frames.push(this.#take(this.#frameSize))
      this.#frameSize = -1
    }
    return frames
  }

  /** Removes `n` buffered bytes (n <= #buffered): a view when they lie in the first chunk, else one copy. */
  #take(n: number): Buffer {
    const head = this.#chunks[0]
    if (head !== undefined && head.length - this.#headOffset >= n) {
      const view = head.subarray(this.#headOffset, this.#headOffset + n)
      this.#advance(n)
      return view
    }
    const out = Buffer.allocUnsafe(n)
    let written = 0
    while (written < n) {
      const chunk = this.#chunks[0]!
      const count = Math.min(chunk.length - this.#headOffset, n - written)
      out.set(chunk.subarray(this.#headOffset, this.#headOffset + count), written)
      written += count
      this.#advance(count)
    }
    return out
  }

  #advance(n: number): void {
    this.#buffered -= n
    this.#headOffset += n
    if (this.#headOffset === this.#chunks[0]!.length) {
      this.#chunks.shift()
      this.#headOffset = 0
    }
  }
}
