// JVM flags and ids for the processes the harness runs. Modest on purpose: test machines are small
// and shared, so heaps are capped and the JIT stops at C1, which starts a broker in a fraction of the
// CPU time at a throughput that is still far above what tests need. KAFKIT_KAFKA_JVM_OPTS appends
// flags (later flags win in HotSpot, so it can also undo these).

import { randomBytes } from 'node:crypto'

const COMMON_FLAGS = [
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
]

function extraFlags(env: NodeJS.ProcessEnv): string[] {
  return (env.KAFKIT_KAFKA_JVM_OPTS ?? '').split(/\s+/).filter((flag) => flag !== '')
}

/**
 * Flags of a broker JVM. The heap only grows as needed (-Xms64m); its cap covers a three-node
 * cluster under the KafkaJS conformance suite's load (at 384m a node died of OutOfMemoryError there).
 */
export function brokerJvmFlags(nodes: number, env: NodeJS.ProcessEnv = process.env): string[] {
  const heap = nodes >= 3 ? '768m' : '512m'
  return [`-Xmx${heap}`, '-Xms64m', ...COMMON_FLAGS, ...extraFlags(env)]
}

/** Flags of a short-lived tool JVM (storage format, console producer/consumer). */
export function toolJvmFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  return ['-Xmx256m', ...COMMON_FLAGS, ...extraFlags(env)]
}

/**
 * A cluster id in Kafka's Uuid text form (22 characters of URL-safe base64). Made here instead of
 * by `StorageTool random-uuid` to save a JVM start; like Kafka, ids starting with '-' are avoided
 * because command lines would read them as flags.
 */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}
