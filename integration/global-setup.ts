// Starts one single-node Kafka broker for the whole integration run, unless KAFKA_BROKERS already
// names a cluster to use. Test workers are forked after this runs and inherit the environment, so
// KAFKA_BROKERS is how they find it (integration/helpers/brokers.ts).

import type { KafkaTestCluster } from '../src/testing/index.js'

// Jest loads this file with plain require (its moduleNameMapper does not apply here), so the
// sources' './x.js' imports need the .ts resolution hook before src/ is required.
const { installTsSourceResolution } = require('../scripts/ts-sources.js') as {
  installTsSourceResolution: () => void
}
installTsSourceResolution()
const { startKafka } = require('../src/testing/index.js') as typeof import('../src/testing/index.js')

interface HarnessGlobals {
  __kafkitTestCluster?: KafkaTestCluster
}

export default async function globalSetup(): Promise<void> {
  // a broker of an earlier run in this process (jest --watch) is ours, not an external cluster
  if (process.env.KAFKA_BROKERS && process.env.KAFKIT_TEST_BROKER_SOURCE !== 'harness') {
    process.env.KAFKIT_TEST_BROKER_SOURCE = 'external'
    return
  }
  const cluster = await startKafka({ nodes: 1 })
  ;(globalThis as HarnessGlobals).__kafkitTestCluster = cluster
  process.env.KAFKA_BROKERS = cluster.brokers.join(',')
  process.env.KAFKIT_TEST_BROKER_SOURCE = 'harness'
  process.env.KAFKIT_TEST_KAFKA_VERSION = cluster.version
}
