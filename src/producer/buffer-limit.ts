// The bound on bytes the producer holds (Java's buffer.memory, here maxBufferedBytes): records take
// their size when appended and give it back when their batch is acknowledged or fails. When the
// bound is reached, send() waits, first come first served, up to its maxBlockMs, then fails with
// KafkaJSBufferExhaustedError. While anyone waits, the accumulator sends every batch at once
// (Java's "exhausted" readiness) so that room is made as fast as possible.
//
// Invariant: 0 <= used <= capacity, except that a single reservation larger than what is free may
// proceed when nothing else is held (it cannot otherwise ever proceed).

import { KafkaJSBufferExhaustedError } from '../errors.js'

interface Waiter {
  readonly size: number
  readonly resolve: () => void
  readonly reject: (error: Error) => void
  timer: NodeJS.Timeout | undefined
}

export class BufferLimit {
  readonly capacity: number
  #used = 0
  readonly #waiters: Waiter[] = []
  /** Called when someone starts waiting, so that the sender drains everything. */
  readonly #onWait: () => void

  constructor(capacity: number, onWait: () => void = () => {}) {
    this.capacity = capacity
    this.#onWait = onWait
  }

  get used(): number {
    return this.#used
  }

  get hasWaiters(): boolean {
    return this.#waiters.length > 0
  }

  /** Takes `size` bytes if they are free and no one waits before us; returns whether it did. */
  tryReserve(size: number): boolean {
    if (this.#waiters.length > 0 || !this.#fits(size)) return false
    this.#used += size
    return true
  }

  /**
   * Waits (in arrival order) until `size` bytes are free and takes them, or fails after `timeoutMs`
   * (what is left of the send's `maxBlockMs`, named in the error).
   */
  reserve(size: number, timeoutMs: number, maxBlockMs = timeoutMs): Promise<void> {
    if (this.tryReserve(size)) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { size, resolve, reject, timer: undefined }
      waiter.timer = setTimeout(() => {
        const index = this.#waiters.indexOf(waiter)
        if (index < 0) return
        this.#waiters.splice(index, 1)
        reject(
          new KafkaJSBufferExhaustedError(
            `Failed to reserve ${size} bytes of the producer's buffer within maxBlockMs (${maxBlockMs} ms): ` +
              `${this.#used} of ${this.capacity} bytes (maxBufferedBytes) are held by records not yet acknowledged`,
            { waitedMs: maxBlockMs },
          ),
        )
        // the next waiter may fit where this one did not
        this.#serve()
      }, timeoutMs)
      this.#waiters.push(waiter)
      this.#onWait()
    })
  }

  release(size: number): void {
    this.#used -= size
    if (this.#used < 0) this.#used = 0
    this.#serve()
  }

  /** Fails every waiter (the producer is closing). */
  failWaiters(error: Error): void {
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer)
      waiter.reject(error)
    }
  }

  #fits(size: number): boolean {
    return this.#used + size <= this.capacity || this.#used === 0
  }

  #serve(): void {
    while (this.#waiters.length > 0 && this.#fits(this.#waiters[0]!.size)) {
      const waiter = this.#waiters.shift()!
      clearTimeout(waiter.timer)
      this.#used += waiter.size
      waiter.resolve()
    }
  }
}
