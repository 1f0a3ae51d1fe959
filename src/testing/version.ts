import { KafkaJSInvalidArgumentError } from '../errors.js'

// The one place the default broker version is pinned. 4.3.1 is the newest release whose jars, the
// console tools included, are all published (4.4.0 lacks kafka-tools-api).
export const DEFAULT_KAFKA_VERSION = '4.3.1'

const VERSION_PATTERN = /^(\d+)\.(\d+)\.(\d+)$/

/** The version to run: the option, else env KAFKA_VERSION, else the pinned default. */
export function chooseKafkaVersion(requested: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return requested ?? (env.KAFKA_VERSION || DEFAULT_KAFKA_VERSION)
}

export function isValidKafkaVersion(version: string): boolean {
  return VERSION_PATTERN.test(version)
}

/** Major and minor of a release version such as "3.9.1". */
export function parseKafkaVersion(version: string): { major: number; minor: number; patch: number } {
  const match = VERSION_PATTERN.exec(version)
  if (!match) throw new KafkaJSInvalidArgumentError(`not a Kafka release version: ${JSON.stringify(version)}`)
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) }
}
