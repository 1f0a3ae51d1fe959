// kafka.producer(config): the producer options checked against the client's, and a producer with its
// own connections (as KafkaJS: each producer, consumer and admin client has its own Cluster).

import type { Kafka } from '../client/kafka.js'
import { DEFAULT_REQUEST_TIMEOUT } from '../network/connection-options.js'
import { ProducerInstrumentation } from './instrumentation.js'
import { Producer } from './producer.js'
import { type ProducerConfig, resolveProducerOptions } from './producer-options.js'

export function createProducer(kafka: Kafka, config: ProducerConfig = {}): Producer {
  const requestTimeout = kafka.config.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT
  const options = resolveProducerOptions(config, requestTimeout)
  const logger = kafka.logger().namespace('Producer')
  const clientId = kafka.config.clientId ?? 'kafkit'
  // every connection of the producer's cluster reports its requests as producer.network.* events
  const instrumentation = new ProducerInstrumentation(clientId, logger)
  const cluster = kafka.createCluster('Producer', {
    allowAutoTopicCreation: options.allowAutoTopicCreation,
    ...(options.metadataMaxAge !== undefined && { metadataMaxAge: options.metadataMaxAge }),
    requestObserver: instrumentation,
  })
  return new Producer({ cluster, logger, clientId, requestTimeout, options, instrumentation })
}
