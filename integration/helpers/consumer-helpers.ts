// Shared by the consumer integration tests: a Kafka client on the test broker, waiting for a
// condition, and reading a group's committed offsets back with OffsetFetch.

import { Kafka } from '../../src/client/kafka.js'
import { logLevel } from '../../src/client/logger.js'
import type { Cluster } from '../../src/cluster/cluster.js'
import { GroupOffsets } from '../../src/consumer/offsets/group-offsets.js'
import { resolveRetryOptions } from '../../src/network/backoff.js'
import { brokers } from './brokers.js'

export function testKafka(clientId: string): Kafka {
  return new Kafka({ brokers: brokers(), clientId, logLevel: logLevel.NOTHING })
}

/** Polls `condition` until it holds; throws with `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** The group's committed offset of each partition, -1 where none, read with OffsetFetch. */
export async function committedOffsets(
  cluster: Cluster,
  groupId: string,
  topic: string,
  partitions: number,
): Promise<number[]> {
  const offsets = new GroupOffsets(cluster, groupId, resolveRetryOptions({ retries: 5, initialRetryTime: 100 }))
  const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }))
  const result = await offsets.fetch(tps)
  return tps.map(({ partition }) => Number(result.get(topic, partition)?.offset ?? -1n))
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
