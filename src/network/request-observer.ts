// What a connection tells an observer about its requests: KafkaJS's network instrumentation
// (`<client>.network.request`, `.request_timeout`, `.request_queue_size`), with the records
// shaped as KafkaJS's event payloads so that a client can hand them on as they are.
//
// A connection asks the observer, per request, whether anyone wants a kind of record before it
// builds one: with nobody listening, observing costs a property read and allocates nothing.

export interface RequestTimeoutRecord {
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
