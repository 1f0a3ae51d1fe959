// kafka.consumer(config): the consumer options checked at construction, and a consumer with its own
// connections (as KafkaJS: each producer, consumer and admin client has its own Cluster).

import type { Kafka } from '../client/kafka.js'
import { DEFAULT_REQUEST_TIMEOUT } from '../network/connection-options.js'
import { Consumer } from './consumer.js'
import { type ConsumerConfig, resolveConsumerOptions } from './consumer-options.js'

export function createConsumer(kafka: Kafka, config: ConsumerConfig): Consumer {
  const options = resolveConsumerOptions(config)
  const overrides = {
    allowAutoTopicCreation: options.allowAutoTopicCreation,
    ...(options.metadataMaxAge !== undefined && { metadataMaxAge: options.metadataMaxAge }),
    ...(options.maxInFlightRequests !== undefined && { maxInFlightRequests: options.maxInFlightRequests }),
  }
  return new Consumer({
    cluster: kafka.createCluster('Consumer', overrides),
    groupCluster: kafka.createCluster('Consumer', overrides),
    clientId: kafka.config.clientId ?? 'kafkit',
    logger: kafka.logger().namespace('Consumer'),
    requestTimeout: kafka.config.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT,
    options,
  })
}
