// `for await (const { topic, partition, message } of consumer)`: the consumer runs with an
// eachMessage handler that hands each message to the loop and waits until the loop asks for the
// next one, which marks the previous one processed (so offsets commit as with eachMessage). When
// the loop ends (break, return, throw), the consumer stops and the message in hand is not marked:
// it is delivered again the next time the group consumes (at least once).

import type { EachMessageHandler, EachMessagePayload } from './handlers.js'
import { HandlerAborted } from './handlers.js'

interface Delivery {
  readonly payload: EachMessagePayload
  settle(processed: boolean): void
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
  #waiting: { resolve(result: IteratorResult<EachMessagePayload>): void; reject(error: Error): void } | undefined
  #removeCrashListener: (() => void) | undefined

  constructor(deps: MessageIteratorDeps) {
    this.#deps = deps
  }

  [Symbol.asyncIterator](): AsyncIterator<EachMessagePayload> {
    return this
  }

  async next(): Promise<IteratorResult<EachMessagePayload>> {
    if (this.#failure !== undefined) throw this.#failure
    if (this.#finished) return { value: undefined, done: true }
    this.#current?.settle(true)
    this.#current = undefined
    if (!this.#started) {
      this.#started = true
      this.#removeCrashListener = this.#deps.onCrash((error) => this.#fail(error))
      await this.#deps.start(this.#eachMessage)
    }
    const ready = this.#incoming
    if (ready !== undefined) {
      this.#incoming = undefined
      this.#current = ready
      return { value: ready.payload, done: false }
    }
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject }
    })
  }

  async return(): Promise<IteratorResult<EachMessagePayload>> {
    if (!this.#finished) {
      this.#finished = true
      this.#current?.settle(false)
      this.#incoming?.settle(false)
      this.#current = undefined
      this.#incoming = undefined
      this.#waiting?.resolve({ value: undefined, done: true })
      this.#waiting = undefined
      this.#removeCrashListener?.()
      await this.#deps.stop()
    }
    return { value: undefined, done: true }
  }

  readonly #eachMessage: EachMessageHandler = (payload) =>
    new Promise<void>((resolve, reject) => {
      if (this.#finished) {
        reject(new HandlerAborted())
        return
      }
      const delivery: Delivery = {
        payload,
        settle: (processed) => (processed ? resolve() : reject(new HandlerAborted())),
      }
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
    this.#incoming?.settle(false)
    this.#current?.settle(false)
    this.#waiting?.reject(error)
    this.#waiting = undefined
    this.#removeCrashListener?.()
  }
}
