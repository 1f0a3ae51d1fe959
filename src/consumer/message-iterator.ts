// `for await (const { topic, partition, message } of consumer)`: the consumer runs with an
// eachMessage handler that hands each message to the loop and waits until the loop asks for the
// next one, which marks the previous one processed (so offsets commit as with eachMessage). When
// the loop ends (break, return, throw), the consumer stops and the message in hand is not marked:
// it is delivered again the next time the group consumes (at least once).
//
// This runs once per message, so it allocates as little as it can: next() is a plain function (an
// async one would wrap the promise it returns in another and take two more microtask turns), and
// a delivery keeps its handler promise's resolve/reject rather than a closure over them.

import type { EachMessageHandler, EachMessagePayload } from './handlers.js'
import { HandlerAborted } from './handlers.js'

interface Delivery {
  readonly payload: EachMessagePayload
  /** Settles the eachMessage handler's promise: processed. */
  readonly resolve: () => void
  /** Settles it as not processed (the runner delivers the message again). */
  readonly reject: (error: Error) => void
}

interface Waiting {
  readonly resolve: (result: IteratorResult<EachMessagePayload>) => void
  readonly reject: (error: Error) => void
}

export interface MessageIteratorDeps {
  start(eachMessage: EachMessageHandler): Promise<void>
  stop(): Promise<void>
  /** Registers a callback for a crash without restart; returns its removal. */
  onCrash(listener: (error: Error) => void): () => void
}

export class MessageIterator implements AsyncIterator<EachMessagePayload>, AsyncIterable<EachMessagePayload> {
  readonly #deps: MessageIteratorDeps
  #started = false
  #finished = false
  #failure: Error | undefined
  /** The message the loop body has now. */
  #current: Delivery | undefined
  /** A message that arrived before the loop asked for it. */
  #incoming: Delivery | undefined
  /** The loop's next() waiting for a message. */
  #waiting: Waiting | undefined
  #removeCrashListener: (() => void) | undefined

  constructor(deps: MessageIteratorDeps) {
    this.#deps = deps
  }

  [Symbol.asyncIterator](): AsyncIterator<EachMessagePayload> {
    return this
  }

  next(): Promise<IteratorResult<EachMessagePayload>> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure)
    if (this.#finished) return Promise.resolve({ value: undefined, done: true })
    const processed = this.#current
    if (processed !== undefined) {
      this.#current = undefined
      processed.resolve()
    }
    return this.#started ? this.#take() : this.#startThenTake()
  }

  async return(): Promise<IteratorResult<EachMessagePayload>> {
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

  async #startThenTake(): Promise<IteratorResult<EachMessagePayload>> {
    this.#started = true
    this.#removeCrashListener = this.#deps.onCrash((error) => this.#fail(error))
    await this.#deps.start(this.#eachMessage)
    return this.#take()
  }

  /** The message that arrived already, or a promise of the next one. */
  #take(): Promise<IteratorResult<EachMessagePayload>> {
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

  readonly #eachMessage: EachMessageHandler = (payload) =>
    new Promise<void>((resolve, reject) => {
      if (this.#finished) {
        reject(new HandlerAborted())
        return
      }
      const delivery: Delivery = { payload, resolve, reject }
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
function abort(delivery: Delivery | undefined): void {
  delivery?.reject(new HandlerAborted())
}
