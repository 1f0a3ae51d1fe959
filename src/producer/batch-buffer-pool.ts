// Reuses the buffers record batches are encoded into (and compressed batches' records before
// compression). Under load the producer encodes a batch of 16 KiB to a few megabytes every few
// milliseconds and drops it once acknowledged: allocated anew each time, every page of it faulted
// in again, and V8, which counts such buffers as external memory, ran a full garbage collection
// every few dozen of them. Stores are kept by power-of-two size class under a byte bound; batch
// sizes wander across classes as the load changes (LZ4 batches of 1 KiB values went from 150 KB
// to 1.8 MB within a run), so a request may take a larger free store, and a released store may
// push smaller free ones out. Before both, such a run (400,000 records) allocated 318 new stores,
// 560 MB; now 57, 37 MB.
//
// Invariant: a buffer goes back (release) only once nothing reads it any more. The sender releases
// a batch's buffer when the batch is acknowledged (the broker answered, so the socket has written
// every byte of the request) or, without acks, once the request was written; never on a failure,
// where a destroyed connection may still hold it.

/** Below this size a batch is allocated as any Buffer: Node's own pool serves up to 4 KiB. */
const MIN_POOLED_SIZE = 8 * 1024
/** The smallest store: MIN_POOLED_SIZE rounded up to a power of two. */
const MIN_POOLED_CAPACITY = 2 ** Math.ceil(Math.log2(MIN_POOLED_SIZE))
/** A request takes a free store of up to this many times the size it needs. */
const REUSE_UP_TO = 4

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
    // the smallest free store that holds `size`, up to four times its size: batch sizes wander
    // across a power of two, and a store of the exact class only would leave the larger ones idle
    // while new ones are allocated (and their pages faulted in)
    for (let c = capacity; c <= capacity * REUSE_UP_TO; c *= 2) {
      const store = this.#free.get(c)?.pop()
      if (store !== undefined) {
        this.#pooledBytes -= c
        return Buffer.from(store, 0, size)
      }
    }
    const store = Buffer.allocUnsafeSlow(capacity).buffer as ArrayBuffer
    this.#issued.add(store)
    return Buffer.from(store, 0, size)
  }

  /** Takes back a buffer allocate() returned, once nothing reads it (see the invariant above). */
  release(buffer: Buffer): void {
    const store = buffer.buffer as ArrayBuffer
    if (!this.#issued.has(store)) return
    const capacity = store.byteLength
    let free = this.#free.get(capacity)
    // a second release of the same buffer would hand it out twice
    if (free?.includes(store)) return
    if (!this.#makeRoom(capacity)) return
    if (free === undefined) {
      free = []
      this.#free.set(capacity, free)
    }
    free.push(store)
    this.#pooledBytes += capacity
  }

  /**
   * Whether a store of `capacity` fits under the bound, after dropping smaller free stores if need
   * be: a larger store serves more requests (allocate takes up to four times the size), and batches
   * grow as the producer's load does, so the small stores of the first batches must not keep the
   * later, larger ones out for good.
   */
  #makeRoom(capacity: number): boolean {
    if (capacity > this.#maxPooledBytes) return false
    for (let c = MIN_POOLED_CAPACITY; c < capacity && this.#pooledBytes + capacity > this.#maxPooledBytes; c *= 2) {
      const free = this.#free.get(c)
      while (free !== undefined && free.length > 0 && this.#pooledBytes + capacity > this.#maxPooledBytes) {
        free.pop()
        this.#pooledBytes -= c
      }
    }
    return this.#pooledBytes + capacity <= this.#maxPooledBytes
  }
}
