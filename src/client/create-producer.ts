// kafka.producer(config): the producer options checked against the client's, and a producer with its
// own connections (as KafkaJS: each producer, consumer and admin client has its own Cluster).

import type { KafkaLogger } from '../common/kafka-logger.js'
import { DEFAULT_CLIENT_ID, DEFAULT_REQUEST_TIMEOUT } from '../network/connection-options.js'
import { ProducerInstrumentation } from '../producer/instrumentation.js'
import { Producer } from '../producer/producer.js'
import { type ProducerConfig, resolveProducerOptions } from '../producer/producer-options.js'
import type { Kafka } from './kafka.js'

export function createProducer(kafka: Kafka, config: ProducerConfig = {}): Producer {
  const requestTimeout = kafka.config.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT
  // KafkaJS: the producer's retry options over the client's
  const clientRetry = kafka.config.retry
  const merged =
    clientRetry === undefined || config === null || typeof config !== 'object'
      ? config
      : { ...config, retry: { ...clientRetry, ...config.retry } }
  const options = resolveProducerOptions(merged, requestTimeout)
  if (merged?.createPartitioner == null) warnOfDefaultPartitioner(kafka.logger())
  const logger = kafka.logger().namespace('Producer')
  const retries = merged?.retry?.retries
  if (merged?.idempotent === true && retries !== undefined && retries < Number.MAX_SAFE_INTEGER) {
    logger.warn('Limiting retries for the idempotent producer may invalidate EoS guarantees')
  }
  const clientId = kafka.config.clientId ?? DEFAULT_CLIENT_ID
  // every connection of the producer's cluster reports its requests as producer.network.* events
  const instrumentation = new ProducerInstrumentation(clientId, logger)
  const cluster = kafka.createCluster('Producer', {
    allowAutoTopicCreation: options.allowAutoTopicCreation,
    ...(options.metadataMaxAge !== undefined && { metadataMaxAge: options.metadataMaxAge }),
    // KafkaJS (and Java's max.in.flight.requests.per.connection) limit every request of a
    // connection, not only Produce: a limit given here holds on the producer's connections too
    ...(merged?.maxInFlightRequests !== undefined && { maxInFlightRequests: options.maxInFlightRequests }),
    requestObserver: instrumentation,
  })
  return new Producer({ cluster, logger, clientId, options, instrumentation })
}

let warnedOfDefaultPartitioner = false

/**
 * KafkaJS's warning, once per process, when a producer is made without createPartitioner: its
 * default partitioner changed in 2.0.0 (kafkit's default is that one, the Java client's). Log-based
 * setups expect it, and KAFKAJS_NO_PARTITIONER_WARNING silences it as in KafkaJS.
 */
function warnOfDefaultPartitioner(logger: KafkaLogger): void {
  if (warnedOfDefaultPartitioner) return
  warnedOfDefaultPartitioner = true
  if (process.env.KAFKAJS_NO_PARTITIONER_WARNING != null) return
  logger.warn(
    'KafkaJS v2.0.0 switched default partitioner. To retain the same partitioning behavior as in previous versions, create the producer with the option "createPartitioner: Partitioners.LegacyPartitioner". See the migration guide at https://kafka.js.org/docs/migration-guide-v2.0.0#producer-new-default-partitioner for details. Silence this warning by setting the environment variable "KAFKAJS_NO_PARTITIONER_WARNING=1"',
  )
}
