// Splits a byte stream into size-prefixed frames (int32 size, then that many bytes), as Kafka frames
// every request and response. Chunks are kept in a list and copied at most once, into the frame they
// complete, so a frame arriving in n chunks costs O(frame size), not O(n * frame size). A frame that
// lies inside one chunk is returned as a view of it, with no copy at all.

import { KafkaJSDecodeError } from '../errors.js'

/**
 * The default bound on a response frame: 100 MiB, the size the broker itself accepts for a request
 * (`socket.request.max.bytes`). Fetch responses are bounded by `fetch.max.bytes` (50 MiB by default),
 * except that the first batch is always returned whole, so the bound stays well above it.
 */
export const DEFAULT_MAX_FRAME_SIZE = 100 * 1024 * 1024

const SIZE_PREFIX = 4

export class FrameDecoder {
  readonly maxFrameSize: number
  #chunks: Buffer[] = []
  /** Bytes already consumed from the first chunk. */
  #headOffset = 0
  /** Bytes buffered and not yet consumed, over all chunks. */
  #buffered = 0
  /** Size of the frame being assembled, once its prefix has been read; -1 before that. */
  #frameSize = -1

  constructor(maxFrameSize = DEFAULT_MAX_FRAME_SIZE) {
    if (!Number.isSafeInteger(maxFrameSize) || maxFrameSize < 0) {
      throw new RangeError(`maxFrameSize must be a non-negative integer, got ${maxFrameSize}`)
    }
    this.maxFrameSize = maxFrameSize
  }

  /** Bytes held for a frame that is not complete yet. */
  get buffered(): number {
    return this.#buffered
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
        const size = this.#take(SIZE_PREFIX).readInt32BE(0)
        if (size < 0 || size > this.maxFrameSize) {
          throw new KafkaJSDecodeError(
            `invalid frame size ${size}: must be between 0 and ${this.maxFrameSize} bytes (maxResponseSize)`,
          )
        }
        this.#frameSize = size
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
