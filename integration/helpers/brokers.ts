// Where the integration tests find Kafka. integration/global-setup.ts either starts one broker for
// the whole run or, when KAFKA_BROKERS was set beforehand, uses that external cluster; either way
// the workers inherit KAFKA_BROKERS. KAFKIT_TEST_BROKER_SOURCE says which it was.

import { isKafkaVersionAtLeast } from '../../src/testing/version.js'

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

/**
 * False when the run's broker is a release older than `minimum` (major.minor, e.g. "4.0"). An
 * external cluster, whose release the harness does not know, counts as new enough.
 */
export function brokerIsAtLeast(minimum: string): boolean {
  const version = kafkaVersion()
  return version === undefined || isKafkaVersionAtLeast(version, minimum)
}

/**
 * `describe` for the tests of a feature that came with Kafka `minimum`. On an older broker (npm run
 * test:compat runs against 3.9) the block is skipped, and its name, which jest reports with every
 * skipped test, says why.
 */
export function describeSince(minimum: string, feature: string): (name: string, fn: () => void) => void {
  if (brokerIsAtLeast(minimum)) return describe
  const reason = `[skipped: ${feature} needs Kafka ${minimum}+, the broker is ${kafkaVersion()}]`
  return (name, fn) => describe.skip(name === '' ? reason : `${name} ${reason}`, fn)
}
