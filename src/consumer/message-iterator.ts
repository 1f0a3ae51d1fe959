// `for await (const { topic, partition, message } of consumer)`: the consumer runs with an
// eachMessage handler that hands each message to the loop and waits until the loop asks for the
// next one, which marks the previous one processed (so offsets commit as with eachMessage). When
// the loop ends (break, return, throw), the consumer stops and the message in hand is not marked:
// it is delivered again the next time the group consumes (at least once).
//
// This runs once per message, so it allocates as little as it can: next() is a plain function (an
// async one would wrap the promise it returns in another and take two more microtask turns), and
// a delivery keeps its handler promise's resolve/reject rather than a closure over them.

import type { EachMessagePayload } from './handlers.js'
import { HandlerAborted } from './handlers.js'

interface Delivery<P> {
  readonly payload: P
  /** Settles the eachMessage handler's promise: processed. */
  readonly resolve: () => void
  /** Settles it as not processed (the runner delivers the message again). */
  readonly reject: (error: Error) => void
}

interface Waiting<P> {
  readonly resolve: (result: IteratorResult<P>) => void
  readonly reject: (error: Error) => void
}

/** `P`: the payload the handler gets (the consumer's, or the share consumer's). */
export interface MessageIteratorDeps<P> {
  start(eachMessage: (payload: P) => Promise<void>): Promise<void>
  stop(): Promise<void>
  /** Registers a callback for a crash without restart; returns its removal. */
  onCrash(listener: (error: Error) => void): () => void
}

export class MessageIterator<P = EachMessagePayload> implements AsyncIterator<P>, AsyncIterable<P> {
  readonly #deps: MessageIteratorDeps<P>
  #started = false
  #finished = false
  #failure: Error | undefined
  /** The message the loop body has now. */
  #current: Delivery<P> | undefined
  /** A message that arrived before the loop asked for it. */
  #incoming: Delivery<P> | undefined
  /** The loop's next() waiting for a message. */
  #waiting: Waiting<P> | undefined
  #removeCrashListener: (() => void) | undefined

  constructor(deps: MessageIteratorDeps<P>) {
    this.#deps = deps
  }

  [Symbol.asyncIterator](): AsyncIterator<P> {
    return this
  }

  next(): Promise<IteratorResult<P>> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure)
    if (this.#finished) return Promise.resolve({ value: undefined, done: true })
    const processed = this.#current
    if (processed !== undefined) {
      this.#current = undefined
      processed.resolve()
    }
    return this.#started ? this.#take() : this.#startThenTake()
  }

  async return(): Promise<IteratorResult<P>> {
    if (!this.#finished) {
      this.#finished = true
      abort(this.#current)
      abort(this.#incoming)
      this.#current = undefined
      this.#incoming = undefined
      this.#waiting?.resolve({ value: undefined, done: true })
      this.#waiting = undefined
      this.#removeCrashListener?.()
      await this.#deps.stop()
    }
    return { value: undefined, done: true }
  }

  async #startThenTake(): Promise<IteratorResult<P>> {
    this.#started = true
    this.#removeCrashListener = this.#deps.onCrash((error) => this.#fail(error))
    await this.#deps.start(this.#eachMessage)
    return this.#take()
  }

  /** The message that arrived already, or a promise of the next one. */
  #take(): Promise<IteratorResult<P>> {
    const ready = this.#incoming
    if (ready !== undefined) {
      this.#incoming = undefined
      this.#current = ready
      return Promise.resolve({ value: ready.payload, done: false })
    }
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject }
    })
  }

  readonly #eachMessage = (payload: P): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (this.#finished) {
        reject(new HandlerAborted())
        return
      }
      const delivery: Delivery<P> = { payload, resolve, reject }
      const waiting = this.#waiting
      if (waiting !== undefined) {
        this.#waiting = undefined
        this.#current = delivery
        waiting.resolve({ value: payload, done: false })
      } else {
        this.#incoming = delivery
      }
    })

  #fail(error: Error): void {
    this.#failure = error
    this.#finished = true
    abort(this.#incoming)
    abort(this.#current)
    this.#waiting?.reject(error)
    this.#waiting = undefined
    this.#removeCrashListener?.()
  }
}

/** A message handed out but not processed: the runner rewinds to it. */
function abort<P>(delivery: Delivery<P> | undefined): void {
  delivery?.reject(new HandlerAborted())
}
