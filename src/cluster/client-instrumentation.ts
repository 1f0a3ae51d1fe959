// KafkaJS's instrumentation events, shared by every client (producer, admin, consumer):
// `client.on(client.events.X, listener)` returns the function that removes the listener; events
// are `{ id, type, timestamp, payload }` with names prefixed by the client ('producer.connect',
// 'admin.network.request', ...). A listener that throws or rejects is logged, never allowed to
// break the operation that emitted. The network events come from the connections of the client's
// Cluster (it is their RequestObserver): every request the client makes is reported, its own and
// those its Cluster makes (ApiVersions, Metadata, FindCoordinator, SASL), with the correlation id
// it carried on the wire. `<client>.network.request_throttle` is kafkit's own (KafkaJS only logs a
// throttle): it is on `events` as REQUEST_THROTTLE but not enumerable, so that Object.keys(events)
// and the list in on()'s error stay KafkaJS's.

import { toError } from '../common/error-message.js'
import type { Logger } from '../common/logger.js'
import { KafkaJSNonRetriableError } from '../errors.js'
import type {
  RequestObserver,
  RequestQueueSizeRecord,
  RequestRecord,
  RequestThrottleRecord,
  RequestTimeoutRecord,
} from '../network/request-observer.js'

export interface ClientEvents<P extends string> {
  readonly CONNECT: `${P}.connect`
  readonly DISCONNECT: `${P}.disconnect`
  readonly REQUEST: `${P}.network.request`
  readonly REQUEST_TIMEOUT: `${P}.network.request_timeout`
  readonly REQUEST_QUEUE_SIZE: `${P}.network.request_queue_size`
  /** kafkit's: a broker's quota throttled the client (KIP-219). Not enumerable (see above). */
  readonly REQUEST_THROTTLE: `${P}.network.request_throttle`
}

export type ClientEventName<P extends string> = ClientEvents<P>[keyof ClientEvents<P>]

/** The connection and network event names of the client called `prefix`. */
export function clientEvents<P extends string>(prefix: P): ClientEvents<P> {
  return withKafkitEvents(
    {
      CONNECT: `${prefix}.connect`,
      DISCONNECT: `${prefix}.disconnect`,
      REQUEST: `${prefix}.network.request`,
      REQUEST_TIMEOUT: `${prefix}.network.request_timeout`,
      REQUEST_QUEUE_SIZE: `${prefix}.network.request_queue_size`,
    },
    prefix,
  )
}

/**
 * `events` (KafkaJS's names, enumerable, in KafkaJS's order) with kafkit's own added as
 * non-enumerable properties, frozen.
 */
export function withKafkitEvents<E extends object, P extends string>(
  events: E,
  prefix: P,
): E & Pick<ClientEvents<P>, 'REQUEST_THROTTLE'> {
  Object.defineProperty(events, 'REQUEST_THROTTLE', {
    value: `${prefix}.network.request_throttle`,
    enumerable: false,
  })
  return Object.freeze(events) as E & Pick<ClientEvents<P>, 'REQUEST_THROTTLE'>
}

export interface InstrumentationEvent<T> {
  id: number
  type: string
  timestamp: number
  payload: T
}

/** KafkaJS's type carries the event name, which the function does not need. */
export type RemoveInstrumentationEventListener<_EventName = string> = () => void

export type InstrumentationListener = (event: InstrumentationEvent<unknown>) => unknown

/** Payload of `<client>.network.request_timeout`; sentAt is null for a request that timed out before it was written. */
export type RequestTimeoutEventPayload = RequestTimeoutRecord

/** Payload of `<client>.network.request`. */
export type RequestEventPayload = RequestRecord

/** Payload of `<client>.network.request_queue_size`: requests waiting to be written to that broker. */
export type RequestQueueSizeEventPayload = RequestQueueSizeRecord

/** Payload of `<client>.network.request_throttle` (kafkit's): a response asked the client to wait (KIP-219). */
export type RequestThrottleEventPayload = RequestThrottleRecord

// One sequence for every client in the process, as KafkaJS numbers its events.
let nextEventId = 0

export class ClientInstrumentation<P extends string> implements RequestObserver {
  readonly events: ClientEvents<P>
  readonly #prefix: P
  readonly #names: ReadonlySet<string>
  readonly #listeners = new Map<string, Set<InstrumentationListener>>()
  readonly #logger: Logger
  // the RequestObserver flags, kept current by on() and its remover: connections read them per request
  #observesRequests = false
  #observesTimeouts = false
  #observesQueueSize = false
  #observesThrottles = false

  /** `clientId` is the one the client's connections send, and so the one their records carry. */
  constructor(prefix: P, _clientId: string, logger: Logger) {
    this.events = clientEvents(prefix)
    this.#prefix = prefix
    this.#names = new Set([...Object.values(this.events), this.events.REQUEST_THROTTLE])
    this.#logger = logger
  }

  /** Adds a listener; returns the function that removes it. A listener's error is logged, never thrown. */
  on(eventName: string, listener: InstrumentationListener): RemoveInstrumentationEventListener {
    if (!this.#names.has(eventName)) {
      const keys = Object.keys(this.events).map((key) => `${this.#prefix}.events.${key}`)
      throw new KafkaJSNonRetriableError(`Event name should be one of ${keys.join(', ')}`)
    }
    if (typeof listener !== 'function') throw new KafkaJSNonRetriableError('The listener must be a function')
    let set = this.#listeners.get(eventName)
    if (set === undefined) {
      set = new Set()
      this.#listeners.set(eventName, set)
    }
    // the same function registered twice gets two entries, as with EventEmitter
    const entry: InstrumentationListener = (event) => listener(event)
    set.add(entry)
    this.#updateObserverFlags()
    return () => {
      set.delete(entry)
      this.#updateObserverFlags()
    }
  }

  /** Emits to the listeners of `type`, if any; connect, disconnect and stop carry no payload, as in KafkaJS. */
  emit(type: ClientEventName<P>, payload?: unknown): void {
    const set = this.#listeners.get(type)
    if (set === undefined || set.size === 0) return
    if (nextEventId >= Number.MAX_SAFE_INTEGER) nextEventId = 0
    const event: InstrumentationEvent<unknown> = { id: nextEventId++, type, timestamp: Date.now(), payload }
    for (const listener of [...set]) {
      try {
        Promise.resolve(listener(event)).catch((error: unknown) => this.#listenerFailed(type, error))
      } catch (error) {
        this.#listenerFailed(type, error)
      }
    }
  }

  // RequestObserver: the client's Cluster passes this to every connection it makes, which asks
  // these flags per request so that nothing is built while nobody listens.

  get client(): P {
    return this.#prefix
  }

  get observesRequests(): boolean {
    return this.#observesRequests
  }

  get observesTimeouts(): boolean {
    return this.#observesTimeouts
  }

  get observesQueueSize(): boolean {
    return this.#observesQueueSize
  }

  get observesThrottles(): boolean {
    return this.#observesThrottles
  }

  onRequest(record: RequestRecord): void {
    this.emit(this.events.REQUEST, record satisfies RequestEventPayload)
  }

  onRequestTimeout(record: RequestTimeoutRecord): void {
    this.emit(this.events.REQUEST_TIMEOUT, record satisfies RequestTimeoutEventPayload)
  }

  onRequestQueueSize(record: RequestQueueSizeRecord): void {
    this.emit(this.events.REQUEST_QUEUE_SIZE, record satisfies RequestQueueSizeEventPayload)
  }

  onRequestThrottle(record: RequestThrottleRecord): void {
    this.emit(this.events.REQUEST_THROTTLE, record satisfies RequestThrottleEventPayload)
  }

  #updateObserverFlags(): void {
    this.#observesRequests = this.#watched(this.events.REQUEST)
    this.#observesTimeouts = this.#watched(this.events.REQUEST_TIMEOUT)
    this.#observesQueueSize = this.#watched(this.events.REQUEST_QUEUE_SIZE)
    this.#observesThrottles = this.#watched(this.events.REQUEST_THROTTLE)
  }

  #watched(type: ClientEventName<P>): boolean {
    return (this.#listeners.get(type)?.size ?? 0) > 0
  }

  #listenerFailed(eventName: string, error: unknown): void {
    const e = toError(error)
    this.#logger.error(`Failed to execute listener: ${e.message}`, { eventName, stack: e.stack })
  }
}
