// The bound on bytes the producer holds (Java's buffer.memory, here maxBufferedBytes): records take
// their size when appended and give it back when their batch is acknowledged or fails. When the
// bound is reached, send() waits, first come first served, up to its maxBlockMs, then fails with
// KafkaJSBufferExhaustedError. While anyone waits, the accumulator sends every batch at once
// (Java's "exhausted" readiness) so that room is made as fast as possible.
//
// Invariant: 0 <= used <= capacity, except that a single reservation larger than what is free may
// proceed when nothing else is held (it cannot otherwise ever proceed).
//
// The waiters are a linked list: one that times out leaves it in O(1). An app that does not await
// its sends can have tens of thousands waiting while a broker is down (its offered rate times
// maxBlockMs), one timing out every fraction of a millisecond; removing each from an array moved
// the whole array, and at 40,000 waiters that took a third of the process's CPU, so the timeouts
// fell behind and the waiting calls (and their records) piled up past rate x maxBlockMs.

import { KafkaJSBufferExhaustedError } from '../errors.js'

interface Waiter {
  readonly size: number
  readonly resolve: () => void
  readonly reject: (error: Error) => void
  timer: NodeJS.Timeout | undefined
  /** The queue is a doubly linked list: a waiter that times out leaves it in O(1) wherever it is. */
  prev: Waiter | undefined
  next: Waiter | undefined
}

export class BufferLimit {
  readonly capacity: number
  #used = 0
  /** The waiters in arrival order (head is served first). */
  #head: Waiter | undefined = undefined
  #tail: Waiter | undefined = undefined
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
    return this.#head !== undefined
  }

  /** Takes `size` bytes if they are free and no one waits before us; returns whether it did. */
  tryReserve(size: number): boolean {
    if (this.#head !== undefined || !this.#fits(size)) return false
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
      const waiter: Waiter = { size, resolve, reject, timer: undefined, prev: this.#tail, next: undefined }
      waiter.timer = setTimeout(() => {
        this.#remove(waiter)
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
      if (this.#tail === undefined) this.#head = waiter
      else this.#tail.next = waiter
      this.#tail = waiter
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
    let waiter = this.#head
    this.#head = undefined
    this.#tail = undefined
    while (waiter !== undefined) {
      const next = waiter.next
      waiter.prev = undefined
      waiter.next = undefined
      clearTimeout(waiter.timer)
      waiter.reject(error)
      waiter = next
    }
  }

  #fits(size: number): boolean {
    return this.#used + size <= this.capacity || this.#used === 0
  }

  #remove(waiter: Waiter): void {
    if (waiter.prev === undefined) this.#head = waiter.next
    else waiter.prev.next = waiter.next
    if (waiter.next === undefined) this.#tail = waiter.prev
    else waiter.next.prev = waiter.prev
    waiter.prev = undefined
    waiter.next = undefined
  }

  #serve(): void {
    while (this.#head !== undefined && this.#fits(this.#head.size)) {
      const waiter = this.#head
      this.#remove(waiter)
      clearTimeout(waiter.timer)
      this.#used += waiter.size
      waiter.resolve()
    }
  }
}
