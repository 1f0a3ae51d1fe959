// startKafka: validates the options and hands them to the runtime that runs the brokers.

import type { KafkaTestCluster } from './cluster-types.js'
import { startContainerKafka } from './container.js'
import { startLocalKafka } from './local-cluster.js'
import { normalizeStartOptions, type StartKafkaOptions } from './options.js'

/**
 * Starts a real Apache Kafka cluster for tests: local JVMs resolved with Maven (default) or an
 * apache/kafka container. Resolves once clients can connect and every node is a registered broker.
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaTestCluster> {
  const normalized = normalizeStartOptions(options)
  return normalized.runtime === 'container' ? startContainerKafka(normalized) : startLocalKafka(normalized)
}
