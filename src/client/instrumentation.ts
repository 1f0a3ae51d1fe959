// KafkaJS's instrumentation events, shared by every client (producer, admin, consumer):
// `client.on(client.events.X, listener)` returns the function that removes the listener; events
// are `{ id, type, timestamp, payload }` with names prefixed by the client ('producer.connect',
// 'admin.network.request', ...). A listener that throws or rejects is logged, never allowed to
// break the operation that emitted. The network events cover the requests the client sends
// through request(); the requests its Cluster makes on its own (metadata, coordinator lookups)
// are not reported.

import { KafkaJSNonRetriableError, KafkaJSRequestTimeoutError } from '../errors.js'
import type { Connection, SendOptions } from '../network/connection.js'
import type { Logger } from '../network/logger.js'
import type { ApiDefinition } from '../protocol/api.js'

export interface ClientEvents<P extends string> {
  readonly CONNECT: `${P}.connect`
  readonly DISCONNECT: `${P}.disconnect`
  readonly REQUEST: `${P}.network.request`
  readonly REQUEST_TIMEOUT: `${P}.network.request_timeout`
  readonly REQUEST_QUEUE_SIZE: `${P}.network.request_queue_size`
}

export type ClientEventName<P extends string> = ClientEvents<P>[keyof ClientEvents<P>]

/** The connection and network event names of the client called `prefix`. */
export function clientEvents<P extends string>(prefix: P): ClientEvents<P> {
  return Object.freeze({
    CONNECT: `${prefix}.connect`,
    DISCONNECT: `${prefix}.disconnect`,
    REQUEST: `${prefix}.network.request`,
    REQUEST_TIMEOUT: `${prefix}.network.request_timeout`,
    REQUEST_QUEUE_SIZE: `${prefix}.network.request_queue_size`,
  } as const)
}

export interface InstrumentationEvent<T> {
  id: number
  type: string
  timestamp: number
  payload: T
}

export type RemoveInstrumentationEventListener = () => void

export type InstrumentationListener = (event: InstrumentationEvent<unknown>) => unknown

export interface RequestTimeoutEventPayload {
  apiKey: number
  apiName: string
  apiVersion: number
  broker: string
  clientId: string
  /** -1 when the connection layer does not tell the client which correlation id it used. */
  correlationId: number
  createdAt: number
  sentAt: number
  pendingDuration: number
}

export interface RequestEventPayload extends RequestTimeoutEventPayload {
  duration: number
  size: number
}

export interface RequestQueueSizeEventPayload {
  broker: string
  clientId: string
  queueSize: number
}

// One sequence for every client in the process, as KafkaJS numbers its events.
let nextEventId = 0

export class ClientInstrumentation<P extends string> {
  readonly events: ClientEvents<P>
  readonly #prefix: P
  readonly #names: ReadonlySet<string>
  readonly #listeners = new Map<string, Set<InstrumentationListener>>()
  readonly #clientId: string
  readonly #logger: Logger

  constructor(prefix: P, clientId: string, logger: Logger) {
    this.events = clientEvents(prefix)
    this.#prefix = prefix
    this.#names = new Set(Object.values(this.events))
    this.#clientId = clientId
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
    return () => {
      set.delete(entry)
    }
  }

  emit(type: ClientEventName<P>, payload: unknown = null): void {
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

  /** Sends a request and reports it: the queue size before, the request with its duration after, or its timeout. */
  request<Req, Res>(
    connection: Connection,
    api: ApiDefinition<Req, Res>,
    request: Req,
    options: SendOptions & { version: number },
  ): Promise<Res> {
    return this.#observe(connection, api, request, options.version, () => connection.send(api, request, options))
  }

  /** The same for a request the broker does not answer (Produce with acks 0). */
  async requestWithoutResponse<Req, Res>(
    connection: Connection,
    api: ApiDefinition<Req, Res>,
    request: Req,
    options: SendOptions & { version: number },
  ): Promise<void> {
    await this.#observe(connection, api, request, options.version, () =>
      connection.send(api, request, { ...options, expectResponse: false }),
    )
  }

  #watched(type: ClientEventName<P>): boolean {
    return (this.#listeners.get(type)?.size ?? 0) > 0
  }

  async #observe<Req, Res, T>(
    connection: Connection,
    api: ApiDefinition<Req, Res>,
    request: Req,
    version: number,
    perform: () => Promise<T>,
  ): Promise<T> {
    const { REQUEST, REQUEST_TIMEOUT, REQUEST_QUEUE_SIZE } = this.events
    if (!this.#watched(REQUEST) && !this.#watched(REQUEST_TIMEOUT) && !this.#watched(REQUEST_QUEUE_SIZE)) {
      return perform()
    }
    const broker = connection.broker
    const common = { apiKey: api.apiKey, apiName: api.name, apiVersion: version, broker, clientId: this.#clientId }
    this.emit(REQUEST_QUEUE_SIZE, {
      broker,
      clientId: this.#clientId,
      queueSize: connection.pendingRequests,
    } satisfies RequestQueueSizeEventPayload)
    const createdAt = Date.now()
    try {
      const response = await perform()
      if (this.#watched(REQUEST)) {
        this.emit(REQUEST, {
          ...common,
          correlationId: -1,
          createdAt,
          sentAt: createdAt,
          pendingDuration: 0,
          duration: Date.now() - createdAt,
          size: api.sizeRequest(request, version),
        } satisfies RequestEventPayload)
      }
      return response
    } catch (error) {
      if (error instanceof KafkaJSRequestTimeoutError) {
        this.emit(REQUEST_TIMEOUT, {
          ...common,
          correlationId: error.correlationId ?? -1,
          createdAt: error.createdAt ?? createdAt,
          sentAt: error.sentAt ?? createdAt,
          pendingDuration: error.pendingDuration ?? Date.now() - createdAt,
        } satisfies RequestTimeoutEventPayload)
      }
      throw error
    }
  }

  #listenerFailed(eventName: string, error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error))
    this.#logger.error(`Failed to execute listener: ${e.message}`, { eventName, stack: e.stack })
  }
}
