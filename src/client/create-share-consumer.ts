// kafka.shareConsumer(config): the share consumer's options checked at construction, and a share
// consumer with its own connections (one Cluster for fetching, one for the group coordinator, as
// the consumer has).

import { ConsumerInstrumentation } from '../consumer/instrumentation.js'
import { ShareConsumer } from '../consumer/share/share-consumer.js'
import { resolveShareConsumerOptions, type ShareConsumerConfig } from '../consumer/share/share-consumer-options.js'
import { DEFAULT_CLIENT_ID } from '../network/connection-options.js'
import type { Kafka } from './kafka.js'

export function createShareConsumer(kafka: Kafka, config: ShareConsumerConfig): ShareConsumer {
  const options = resolveShareConsumerOptions(config)
  const logger = kafka.logger().namespace('ShareConsumer')
  const instrumentation = new ConsumerInstrumentation(kafka.config.clientId ?? DEFAULT_CLIENT_ID, logger)
  const overrides = {
    allowAutoTopicCreation: options.allowAutoTopicCreation,
    ...(options.metadataMaxAge !== undefined && { metadataMaxAge: options.metadataMaxAge }),
    ...(options.maxInFlightRequests !== undefined && { maxInFlightRequests: options.maxInFlightRequests }),
    requestObserver: instrumentation.requestObserver,
  }
  return new ShareConsumer({
    cluster: kafka.createCluster('ShareConsumer', overrides),
    groupCluster: kafka.createCluster('ShareConsumer', overrides),
    logger,
    options,
    instrumentation,
  })
}
