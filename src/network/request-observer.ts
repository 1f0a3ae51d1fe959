// What a connection tells an observer about its requests: KafkaJS's network instrumentation
// (`<client>.network.request`, `.request_timeout`, `.request_queue_size`), with the records
// shaped as KafkaJS's event payloads so that a client can hand them on as they are, and kafkit's
// `.request_throttle` (a broker's quota throttling the client, KIP-219), which KafkaJS only logs.
//
// A connection asks the observer, per request, whether anyone wants a kind of record before it
// builds one: with nobody listening, observing costs a property read and allocates nothing.

/** What every record of one request says: which request it was, to which broker. */
export interface RequestIdentity {
  apiKey: number
  apiName: string
  apiVersion: number
  /** "host:port" */
  broker: string
  clientId: string
  /** The correlation id the request carried on the wire. */
  correlationId: number
  /** Date.now() when the request was handed to the connection. */
  createdAt: number
}

export interface RequestTimeoutRecord extends RequestIdentity {
  /** Date.now() when it was written to the socket; null when it timed out before it could be written. */
  sentAt: number | null
  /** Time spent queued before being written (sentAt - createdAt), or until it timed out unwritten. */
  pendingDuration: number
}

export interface RequestRecord extends RequestTimeoutRecord {
  sentAt: number
  /** Time from writing the request to reading its response, in ms. */
  duration: number
  /** Size of the response in bytes (0 for a request the broker does not answer, such as Produce with acks 0). */
  size: number
}

/**
 * A response that asked the client to wait before its next request to that broker (KIP-219); the
 * identity is that of the request whose response carried the throttle.
 */
export interface RequestThrottleRecord extends RequestIdentity {
  /** The throttle time the broker sent, in ms. */
  throttleTimeMs: number
  /** Date.now() before which the connection sends that broker nothing more. */
  throttledUntil: number
}

export interface RequestQueueSizeRecord {
  broker: string
  clientId: string
  /** Requests waiting to be written (not those in flight). */
  queueSize: number
}

export interface RequestObserver {
  /** The kind of client the observed connections belong to ('producer', 'consumer', 'admin'), for request traces. */
  readonly client?: string
  /** Whether onRequest() wants a record now; read once per response. */
  readonly observesRequests: boolean
  /** Whether onRequestTimeout() wants a record now. */
  readonly observesTimeouts: boolean
  /** Whether onRequestQueueSize() wants a record now. */
  readonly observesQueueSize: boolean
  /** A response arrived (or, for a request without response, its bytes were written). */
  onRequest(record: RequestRecord): void
  /** A request timed out, in the queue or in flight. */
  onRequestTimeout(record: RequestTimeoutRecord): void
  /** The number of requests waiting to be written changed, or a failure closed the connection (0). */
  onRequestQueueSize(record: RequestQueueSizeRecord): void
  /** Whether onRequestThrottle() wants a record now; an observer without it is not told of throttles. */
  readonly observesThrottles?: boolean
  /** A response asked the client to hold its requests to that broker for a while (KIP-219). */
  onRequestThrottle?(record: RequestThrottleRecord): void
}

/** Whether `value` has the methods of a RequestObserver (the observes* flags may be getters). */
export function isRequestObserver(value: unknown): value is RequestObserver {
  if (value === null || typeof value !== 'object') return false
  const o = value as Record<keyof RequestObserver, unknown>
  return (
    typeof o.onRequest === 'function' &&
    typeof o.onRequestTimeout === 'function' &&
    typeof o.onRequestQueueSize === 'function'
  )
}
