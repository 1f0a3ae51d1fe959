// Reuses the buffers large record batches are encoded into. Under load the producer encodes a
// batch of up to a megabyte every few milliseconds and drops it once acknowledged: allocated anew
// each time, every page of it faulted in again, and V8, which counts such buffers as external
// memory, ran a full garbage collection every few dozen of them.
//
// Invariant: a buffer goes back (release) only once nothing reads it any more. The sender releases
// a batch's buffer when the batch is acknowledged (the broker answered, so the socket has written
// every byte of the request) or, without acks, once the request was written; never on a failure,
// where a destroyed connection may still hold it.

/** Below this size a batch is allocated as any Buffer: Node's own pool serves small ones well. */
const MIN_POOLED_SIZE = 64 * 1024

export class BatchBufferPool {
  readonly #maxPooledBytes: number
  /** Free backing stores by their size, a power of two. */
  readonly #free = new Map<number, ArrayBuffer[]>()
  /** Backing stores this pool handed out: release() takes nothing else. */
  readonly #issued = new WeakSet<ArrayBuffer>()
  #pooledBytes = 0

  /** Keeps at most `maxPooledBytes` of free buffers. */
  constructor(maxPooledBytes: number) {
    this.#maxPooledBytes = maxPooledBytes
  }

  /** Bytes held by free buffers. */
  get pooledBytes(): number {
    return this.#pooledBytes
  }

  /** A Buffer of `size` bytes with arbitrary contents. */
  allocate(size: number): Buffer {
    if (size < MIN_POOLED_SIZE) return Buffer.allocUnsafe(size)
    const capacity = 2 ** Math.ceil(Math.log2(size))
    let store = this.#free.get(capacity)?.pop()
    if (store !== undefined) {
      this.#pooledBytes -= capacity
    } else {
      store = Buffer.allocUnsafeSlow(capacity).buffer as ArrayBuffer
      this.#issued.add(store)
    }
    return Buffer.from(store, 0, size)
  }

  /** Takes back a buffer allocate() returned, once nothing reads it (see the invariant above). */
  release(buffer: Buffer): void {
    const store = buffer.buffer as ArrayBuffer
    if (!this.#issued.has(store)) return
    const capacity = store.byteLength
    if (this.#pooledBytes + capacity > this.#maxPooledBytes) return
    let free = this.#free.get(capacity)
    if (free === undefined) {
      free = []
      this.#free.set(capacity, free)
    }
    // a second release of the same buffer would hand it out twice
    if (free.includes(store)) return
    free.push(store)
    this.#pooledBytes += capacity
  }
}
