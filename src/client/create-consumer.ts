// kafka.consumer(config): the consumer options checked at construction, and a consumer with its own
// connections (as KafkaJS: each producer, consumer and admin client has its own Cluster).

import { Consumer } from '../consumer/consumer.js'
import { type ConsumerConfig, resolveConsumerOptions } from '../consumer/consumer-options.js'
import { ConsumerInstrumentation } from '../consumer/instrumentation.js'
import { DEFAULT_CLIENT_ID } from '../network/connection-options.js'
import type { Kafka } from './kafka.js'

export function createConsumer(kafka: Kafka, config: ConsumerConfig): Consumer {
  const options = resolveConsumerOptions(config)
  const logger = kafka.logger().namespace('Consumer')
  const clientId = kafka.config.clientId ?? DEFAULT_CLIENT_ID
  // every connection of both clusters reports its requests as consumer.network.* events
  const instrumentation = new ConsumerInstrumentation(clientId, logger)
  const overrides = {
    allowAutoTopicCreation: options.allowAutoTopicCreation,
    ...(options.metadataMaxAge !== undefined && { metadataMaxAge: options.metadataMaxAge }),
    ...(options.maxInFlightRequests !== undefined && { maxInFlightRequests: options.maxInFlightRequests }),
    requestObserver: instrumentation.requestObserver,
  }
  return new Consumer({
    cluster: kafka.createCluster('Consumer', overrides),
    groupCluster: kafka.createCluster('Consumer', overrides),
    clientId,
    logger,
    options,
    instrumentation,
  })
}
