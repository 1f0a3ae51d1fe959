// The producer's instrumentation: the shared client events under the 'producer' prefix. The
// network events cover every request of the producer's connections: Produce, the transaction and
// idempotence requests, and those of its cluster (ApiVersions, Metadata, FindCoordinator, SASL).

import { ClientInstrumentation, clientEvents } from '../cluster/client-instrumentation.js'
import type { Logger } from '../common/logger.js'

export type {
  InstrumentationEvent,
  RequestEventPayload,
  RequestQueueSizeEventPayload,
  RequestThrottleEventPayload,
  RequestTimeoutEventPayload,
} from '../cluster/client-instrumentation.js'

export const ProducerEvents = clientEvents('producer')
export type ProducerEvents = typeof ProducerEvents

export type ProducerEventName = (typeof ProducerEvents)[keyof typeof ProducerEvents]

export class ProducerInstrumentation extends ClientInstrumentation<'producer'> {
  constructor(clientId: string, logger: Logger) {
    super('producer', clientId, logger)
  }
}
