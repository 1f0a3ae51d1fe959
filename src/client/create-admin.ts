// kafka.admin(config): KafkaJS's AdminConfig ({ retry }) over the client's options, and an admin
// client with its own connections that never creates topics by asking for their metadata.

import { Admin, type AdminConfig } from '../admin/admin.js'
import { AdminInstrumentation } from '../admin/instrumentation.js'
import { resolveRetryOptions } from '../common/backoff.js'
import { KafkaJSInvalidArgumentError } from '../errors.js'
import { DEFAULT_CLIENT_ID } from '../network/connection-options.js'
import type { Kafka } from './kafka.js'

export function createAdmin(kafka: Kafka, config: AdminConfig = {}): Admin {
  if (config === null || typeof config !== 'object') {
    throw new KafkaJSInvalidArgumentError(`admin config must be an object, got ${String(config)}`)
  }
  for (const key of Object.keys(config)) {
    if (key !== 'retry') throw new KafkaJSInvalidArgumentError(`admin config has no option ${JSON.stringify(key)}`)
  }
  const retry = resolveRetryOptions({ ...kafka.config.retry, ...config.retry })
  const logger = kafka.logger().namespace('Admin')
  const clientId = kafka.config.clientId ?? DEFAULT_CLIENT_ID
  // every connection of the admin's cluster reports its requests as admin.network.* events
  const instrumentation = new AdminInstrumentation(clientId, logger)
  const cluster = kafka.createCluster('Admin', {
    retry,
    allowAutoTopicCreation: false,
    // KafkaJS's admin connects on its first call when connect() was not called
    connectOnDemand: true,
    requestObserver: instrumentation,
  })
  return new Admin({
    cluster,
    logger,
    retry,
    clientId,
    instrumentation,
  })
}
