// KafkaJS's consumer instrumentation events: `consumer.on(consumer.events.X, listener)` returns a
// function that removes the listener; events are `{ id, type, timestamp, payload }`. A listener
// that throws or rejects is logged, never allowed to disturb the consumer.

import { EventEmitter } from 'node:events'
import { KafkaJSNonRetriableError } from '../errors.js'
import type { Logger } from '../network/logger.js'

export const ConsumerEvents = Object.freeze({
  HEARTBEAT: 'consumer.heartbeat',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  GROUP_JOIN: 'consumer.group_join',
  FETCH: 'consumer.fetch',
  FETCH_START: 'consumer.fetch_start',
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  CONNECT: 'consumer.connect',
  DISCONNECT: 'consumer.disconnect',
  STOP: 'consumer.stop',
  CRASH: 'consumer.crash',
  REBALANCING: 'consumer.rebalancing',
  RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
  REQUEST: 'consumer.network.request',
  REQUEST_TIMEOUT: 'consumer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'consumer.network.request_queue_size',
} as const)

export type ConsumerEventName = (typeof ConsumerEvents)[keyof typeof ConsumerEvents]

export interface InstrumentationEvent<T> {
  id: number
  type: string
  timestamp: number
  payload: T
}

export type RemoveInstrumentationEventListener = () => void

const EVENT_NAMES: ReadonlySet<string> = new Set(Object.values(ConsumerEvents))

let nextEventId = 0

export class ConsumerInstrumentation {
  readonly #emitter = new EventEmitter()
  readonly #logger: Logger

  constructor(logger: Logger) {
    this.#logger = logger
    this.#emitter.setMaxListeners(0)
  }

  on(
    eventName: string,
    listener: (event: InstrumentationEvent<unknown>) => unknown,
  ): RemoveInstrumentationEventListener {
    if (!EVENT_NAMES.has(eventName)) {
      throw new KafkaJSNonRetriableError(
        `Event name should be one of ${Object.keys(ConsumerEvents)
          .map((k) => `consumer.events.${k}`)
          .join(', ')}`,
      )
    }
    if (typeof listener !== 'function') throw new KafkaJSNonRetriableError('The listener must be a function')
    const wrapped = (event: InstrumentationEvent<unknown>): void => {
      try {
        Promise.resolve(listener(event)).catch((error: unknown) => this.#failed(eventName, error))
      } catch (error) {
        this.#failed(eventName, error)
      }
    }
    this.#emitter.on(eventName, wrapped)
    return () => {
      this.#emitter.off(eventName, wrapped)
    }
  }

  /** Whether anyone listens: payloads that cost something to build are skipped otherwise. */
  listens(eventName: ConsumerEventName): boolean {
    return this.#emitter.listenerCount(eventName) > 0
  }

  emit(eventName: ConsumerEventName, payload: unknown = null): void {
    if (this.#emitter.listenerCount(eventName) === 0) return
    if (nextEventId >= Number.MAX_SAFE_INTEGER) nextEventId = 0
    this.#emitter.emit(eventName, { id: nextEventId++, type: eventName, timestamp: Date.now(), payload })
  }

  #failed(eventName: string, error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error))
    this.#logger.error(`Failed to execute listener: ${e.message}`, { eventName, stack: e.stack })
  }
}
