// KafkaJS's admin instrumentation events: `admin.on(admin.events.CONNECT, listener)` returns a
// function that removes the listener. Events carry { id, type, timestamp, payload }; a listener
// that throws or rejects is logged, never allowed to break the operation that emitted.

import { KafkaJSNonRetriableError } from '../errors.js'
import type { Logger } from '../network/logger.js'

export const AdminEvents = Object.freeze({
  CONNECT: 'admin.connect',
  DISCONNECT: 'admin.disconnect',
  REQUEST: 'admin.network.request',
  REQUEST_TIMEOUT: 'admin.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'admin.network.request_queue_size',
} as const)
export type AdminEvents = typeof AdminEvents
export type AdminEventName = AdminEvents[keyof AdminEvents]

export interface InstrumentationEvent<T> {
  id: number
  type: string
  timestamp: number
  payload: T
}

export interface RequestEventPayload {
  apiKey: number
  apiName: string
  apiVersion: number
  broker: string
  clientId: string
  createdAt: number
  duration: number
}

export interface RequestTimeoutEventPayload {
  apiKey: number
  apiName: string
  apiVersion: number
  broker: string
  clientId: string
  correlationId: number | undefined
  createdAt: number | undefined
  sentAt: number | undefined
  pendingDuration: number | undefined
}

export type RemoveInstrumentationEventListener = () => void

type Listener = (event: InstrumentationEvent<unknown>) => unknown

const EVENT_NAMES: ReadonlySet<string> = new Set(Object.values(AdminEvents))

export class AdminInstrumentation {
  readonly #listeners = new Map<string, Set<Listener>>()
  readonly #logger: Logger
  #nextId = 0

  constructor(logger: Logger) {
    this.#logger = logger
  }

  on(eventName: AdminEventName, listener: Listener): RemoveInstrumentationEventListener {
    if (!EVENT_NAMES.has(eventName)) {
      throw new KafkaJSNonRetriableError(
        `Event name should be one of ${[...EVENT_NAMES].map((n) => JSON.stringify(n)).join(', ')}, got ${JSON.stringify(eventName)}`,
      )
    }
    if (typeof listener !== 'function') throw new KafkaJSNonRetriableError('The listener must be a function')
    let set = this.#listeners.get(eventName)
    if (set === undefined) {
      set = new Set()
      this.#listeners.set(eventName, set)
    }
    // the same function registered twice gets two entries, as with EventEmitter
    const entry: Listener = (event) => listener(event)
    set.add(entry)
    return () => {
      set.delete(entry)
    }
  }

  emit(eventName: AdminEventName, payload: unknown = null): void {
    const set = this.#listeners.get(eventName)
    if (set === undefined || set.size === 0) return
    const event: InstrumentationEvent<unknown> = { id: this.#nextId++, type: eventName, timestamp: Date.now(), payload }
    for (const listener of [...set]) {
      try {
        Promise.resolve(listener(event)).catch((error: unknown) => this.#failed(eventName, error))
      } catch (error) {
        this.#failed(eventName, error)
      }
    }
  }

  #failed(eventName: string, error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error))
    this.#logger.error(`Failed to execute listener: ${e.message}`, { eventName, stack: e.stack })
  }
}
