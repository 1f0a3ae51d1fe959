// KafkaJS's consumer instrumentation events: `consumer.on(consumer.events.X, listener)` returns a
// function that removes the listener; events are `{ id, type, timestamp, payload }`. The
// connection and network events (connect, disconnect, network.*) are the shared client module's,
// the network ones reported by the connections of both consumer clusters (requestObserver); the
// group and fetch events are the consumer's own. A listener that throws or rejects is logged,
// never allowed to disturb the consumer.

import { EventEmitter } from 'node:events'
import {
  ClientInstrumentation,
  clientEvents,
  type InstrumentationEvent,
  type RemoveInstrumentationEventListener,
  withKafkitEvents,
} from '../cluster/client-instrumentation.js'
import { toError } from '../common/error-message.js'
import type { Logger } from '../common/logger.js'
import { KafkaJSNonRetriableError } from '../errors.js'
import type { RequestObserver } from '../network/request-observer.js'

const CLIENT_EVENTS = clientEvents('consumer')

const GROUP_EVENTS = {
  HEARTBEAT: 'consumer.heartbeat',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  GROUP_JOIN: 'consumer.group_join',
  FETCH: 'consumer.fetch',
  FETCH_START: 'consumer.fetch_start',
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  STOP: 'consumer.stop',
  CRASH: 'consumer.crash',
  REBALANCING: 'consumer.rebalancing',
  RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
} as const

// in KafkaJS's order: Object.keys(consumer.events) and the on() error message list them so;
// kafkit's REQUEST_THROTTLE is there too, not enumerable
export const ConsumerEvents = withKafkitEvents(
  {
    HEARTBEAT: GROUP_EVENTS.HEARTBEAT,
    COMMIT_OFFSETS: GROUP_EVENTS.COMMIT_OFFSETS,
    GROUP_JOIN: GROUP_EVENTS.GROUP_JOIN,
    FETCH: GROUP_EVENTS.FETCH,
    FETCH_START: GROUP_EVENTS.FETCH_START,
    START_BATCH_PROCESS: GROUP_EVENTS.START_BATCH_PROCESS,
    END_BATCH_PROCESS: GROUP_EVENTS.END_BATCH_PROCESS,
    CONNECT: CLIENT_EVENTS.CONNECT,
    DISCONNECT: CLIENT_EVENTS.DISCONNECT,
    STOP: GROUP_EVENTS.STOP,
    CRASH: GROUP_EVENTS.CRASH,
    REBALANCING: GROUP_EVENTS.REBALANCING,
    RECEIVED_UNSUBSCRIBED_TOPICS: GROUP_EVENTS.RECEIVED_UNSUBSCRIBED_TOPICS,
    REQUEST: CLIENT_EVENTS.REQUEST,
    REQUEST_TIMEOUT: CLIENT_EVENTS.REQUEST_TIMEOUT,
    REQUEST_QUEUE_SIZE: CLIENT_EVENTS.REQUEST_QUEUE_SIZE,
  } as const,
  'consumer',
)
export type ConsumerEvents = typeof ConsumerEvents

export type ConsumerEventName = (typeof ConsumerEvents)[keyof typeof ConsumerEvents]
type GroupEventName = (typeof GROUP_EVENTS)[keyof typeof GROUP_EVENTS]

export type { InstrumentationEvent, RemoveInstrumentationEventListener }

const CLIENT_NAMES: ReadonlySet<string> = new Set([...Object.values(CLIENT_EVENTS), CLIENT_EVENTS.REQUEST_THROTTLE])
const GROUP_NAMES: ReadonlySet<string> = new Set(Object.values(GROUP_EVENTS))

let nextEventId = 0

export class ConsumerInstrumentation {
  readonly #client: ClientInstrumentation<'consumer'>
  readonly #emitter = new EventEmitter()
  readonly #logger: Logger

  constructor(clientId: string, logger: Logger) {
    this.#client = new ClientInstrumentation('consumer', clientId, logger)
    this.#logger = logger
    this.#emitter.setMaxListeners(0)
  }

  on(
    eventName: string,
    listener: (event: InstrumentationEvent<unknown>) => unknown,
  ): RemoveInstrumentationEventListener {
    if (CLIENT_NAMES.has(eventName)) return this.#client.on(eventName, listener)
    if (!GROUP_NAMES.has(eventName)) {
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

  emit(eventName: ConsumerEventName, payload?: unknown): void {
    if (CLIENT_NAMES.has(eventName)) {
      this.#client.emit(eventName as (typeof CLIENT_EVENTS)[keyof typeof CLIENT_EVENTS], payload)
      return
    }
    if (this.#emitter.listenerCount(eventName as GroupEventName) === 0) return
    if (nextEventId >= Number.MAX_SAFE_INTEGER) nextEventId = 0
    this.#emitter.emit(eventName, { id: nextEventId++, type: eventName, timestamp: Date.now(), payload })
  }

  /** What the consumer's connections report their requests to, as consumer.network.* events. */
  get requestObserver(): RequestObserver {
    return this.#client
  }

  #failed(eventName: string, error: unknown): void {
    const e = toError(error)
    this.#logger.error(`Failed to execute listener: ${e.message}`, { eventName, stack: e.stack })
  }
}
