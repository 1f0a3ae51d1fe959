// The instrumentation events every client emits (connect, disconnect, network), under KafkaJS's type
// names, and the map from each event name to its event that types `on(name, listener)` of the
// producer and admin; the consumer's own events are in src/consumer/event-types.ts.

import type {
  RequestQueueSizeRecord,
  RequestRecord,
  RequestThrottleRecord,
  RequestTimeoutRecord,
} from '../network/request-observer.js'
import type { ClientEvents, InstrumentationEvent } from './client-instrumentation.js'

export type ConnectEvent = InstrumentationEvent<null>
export type DisconnectEvent = InstrumentationEvent<null>
export type RequestEvent = InstrumentationEvent<RequestRecord>
export type RequestTimeoutEvent = InstrumentationEvent<RequestTimeoutRecord>
export type RequestQueueSizeEvent = InstrumentationEvent<RequestQueueSizeRecord>
/** kafkit's `<client>.network.request_throttle` (KIP-219). */
export type RequestThrottleEvent = InstrumentationEvent<RequestThrottleRecord>

export type ClientEventMap<P extends string> = {
  [K in keyof ClientEvents<P> as ClientEvents<P>[K]]: K extends 'CONNECT'
    ? ConnectEvent
    : K extends 'DISCONNECT'
      ? DisconnectEvent
      : K extends 'REQUEST'
        ? RequestEvent
        : K extends 'REQUEST_TIMEOUT'
          ? RequestTimeoutEvent
          : K extends 'REQUEST_QUEUE_SIZE'
            ? RequestQueueSizeEvent
            : RequestThrottleEvent
}

export type ProducerEventMap = ClientEventMap<'producer'>
export type AdminEventMap = ClientEventMap<'admin'>
