// Where the integration tests find Kafka. integration/global-setup.ts either starts one broker for
// the whole run or, when KAFKA_BROKERS was set beforehand, uses that external cluster; either way
// the workers inherit KAFKA_BROKERS. KAFKIT_TEST_BROKER_SOURCE says which it was.

/** The bootstrap servers (host:port) of the cluster under test. */
export function brokers(): string[] {
  const list = (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '')
  if (list.length === 0) {
    throw new Error('KAFKA_BROKERS is not set: run integration tests through jest --selectProjects integration')
  }
  return list
}

/** host and port of one bootstrap server. */
export function hostAndPort(broker: string): { host: string; port: number } {
  const colon = broker.lastIndexOf(':')
  const port = Number(broker.slice(colon + 1))
  if (colon <= 0 || !Number.isInteger(port)) throw new Error(`broker address ${broker} is not host:port`)
  return { host: broker.slice(0, colon), port }
}

/**
 * True when the tests run against a cluster someone else provides (KAFKA_BROKERS set before the
 * run): tests that start their own brokers or kill nodes must then skip, since no JVM may be started.
 */
export function usesExternalCluster(): boolean {
  return process.env.KAFKIT_TEST_BROKER_SOURCE === 'external'
}

/** The Kafka release of the broker started for this run (undefined for an external cluster). */
export function kafkaVersion(): string | undefined {
  return process.env.KAFKIT_TEST_KAFKA_VERSION || undefined
}
