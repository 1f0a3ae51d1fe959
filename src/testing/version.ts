import { KafkaJSInvalidArgumentError } from '../errors.js'

// The one place the default broker version is pinned: the newest release, 4.4.0. The suite also runs
// its compatibility subset (npm run test:compat) against 3.9.x, the oldest supported line, and 4.2.x.
export const DEFAULT_KAFKA_VERSION = '4.4.0'

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

/** True when release `version` ("3.9.2") is `minimum` (major.minor, "4.0") or newer. */
export function isKafkaVersionAtLeast(version: string, minimum: string): boolean {
  const { major, minor } = parseKafkaVersion(version)
  const [wantedMajor = 0, wantedMinor = 0] = minimum.split('.').map(Number)
  return major > wantedMajor || (major === wantedMajor && minor >= wantedMinor)
}
