// KafkaJS's instrumentation events for the producer: `producer.on(producer.events.X, listener)`
// with events `{ id, type, timestamp, payload }`, and the network events for the requests the
// producer sends (Produce and the transaction and idempotence requests; the metadata requests the
// cluster layer makes are not reported).

import { EventEmitter } from 'node:events'
import { KafkaJSNonRetriableError, KafkaJSRequestTimeoutError } from '../errors.js'
import type { Connection, SendOptions } from '../network/connection.js'
import type { Logger } from '../network/logger.js'
import type { ApiDefinition } from '../protocol/api.js'

export const ProducerEvents = Object.freeze({
  CONNECT: 'producer.connect',
  DISCONNECT: 'producer.disconnect',
  REQUEST: 'producer.network.request',
  REQUEST_TIMEOUT: 'producer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'producer.network.request_queue_size',
} as const)

export type ProducerEventName = (typeof ProducerEvents)[keyof typeof ProducerEvents]

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
  /** -1: the connection layer does not tell the producer which correlation id it used. */
  correlationId: number
  createdAt: number
  sentAt: number
  pendingDuration: number
  duration: number
  size: number
}

export interface RequestTimeoutEventPayload {
  apiKey: number
  apiName: string
  apiVersion: number
  broker: string
  clientId: string
  correlationId: number
  createdAt: number
  sentAt: number
  pendingDuration: number
}

export interface RequestQueueSizeEventPayload {
  broker: string
  clientId: string
  queueSize: number
}

const EVENT_NAMES: ReadonlySet<string> = new Set(Object.values(ProducerEvents))

let nextEventId = 0

export class ProducerInstrumentation {
  readonly #emitter = new EventEmitter()
  readonly #clientId: string
  readonly #logger: Logger

  constructor(clientId: string, logger: Logger) {
    this.#clientId = clientId
    this.#logger = logger
  }

  /** Adds a listener; returns the function that removes it. A listener's error is logged, never thrown. */
  on(eventName: string, listener: (event: InstrumentationEvent<unknown>) => unknown): () => void {
    if (!EVENT_NAMES.has(eventName)) {
      throw new KafkaJSNonRetriableError(
        `Event name should be one of ${Object.keys(ProducerEvents)
          .map((k) => `producer.events.${k}`)
          .join(', ')}`,
      )
    }
    const wrapped = (event: InstrumentationEvent<unknown>): void => {
      try {
        Promise.resolve(listener(event)).catch((error: unknown) => this.#listenerFailed(eventName, error))
      } catch (error) {
        this.#listenerFailed(eventName, error)
      }
    }
    this.#emitter.on(eventName, wrapped)
    return () => {
      this.#emitter.off(eventName, wrapped)
    }
  }

  emit(type: ProducerEventName, payload?: unknown): void {
    if (this.#emitter.listenerCount(type) === 0) return
    if (nextEventId >= Number.MAX_SAFE_INTEGER) nextEventId = 0
    this.#emitter.emit(type, { id: nextEventId++, type, timestamp: Date.now(), payload })
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

  async #observe<Req, Res, T>(
    connection: Connection,
    api: ApiDefinition<Req, Res>,
    request: Req,
    version: number,
    perform: () => Promise<T>,
  ): Promise<T> {
    const watched =
      this.#emitter.listenerCount(ProducerEvents.REQUEST) > 0 ||
      this.#emitter.listenerCount(ProducerEvents.REQUEST_TIMEOUT) > 0 ||
      this.#emitter.listenerCount(ProducerEvents.REQUEST_QUEUE_SIZE) > 0
    if (!watched) return perform()
    const broker = connection.broker
    const common = { apiKey: api.apiKey, apiName: api.name, apiVersion: version, broker, clientId: this.#clientId }
    this.emit(ProducerEvents.REQUEST_QUEUE_SIZE, {
      broker,
      clientId: this.#clientId,
      queueSize: connection.pendingRequests,
    } satisfies RequestQueueSizeEventPayload)
    const createdAt = Date.now()
    try {
      const response = await perform()
      this.emit(ProducerEvents.REQUEST, {
        ...common,
        correlationId: -1,
        createdAt,
        sentAt: createdAt,
        pendingDuration: 0,
        duration: Date.now() - createdAt,
        size: api.sizeRequest(request, version),
      } satisfies RequestEventPayload)
      return response
    } catch (error) {
      if (error instanceof KafkaJSRequestTimeoutError) {
        this.emit(ProducerEvents.REQUEST_TIMEOUT, {
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
