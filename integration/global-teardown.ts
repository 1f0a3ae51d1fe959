// Stops the broker that global-setup started (an external cluster is left alone).

import type { KafkaTestCluster } from '../src/testing/index.js'

interface HarnessGlobals {
  __kafkitTestCluster?: KafkaTestCluster
}

export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as HarnessGlobals
  const cluster = globals.__kafkitTestCluster
  globals.__kafkitTestCluster = undefined
  if (!cluster) return
  // a later run in the same process (jest --watch) must not mistake our broker for an external one
  delete process.env.KAFKA_BROKERS
  delete process.env.KAFKIT_TEST_BROKER_SOURCE
  delete process.env.KAFKIT_TEST_KAFKA_VERSION
  await cluster.stop()
}
