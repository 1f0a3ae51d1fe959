// For tests that need a cluster of their own (three nodes to kill, racks, per-node settings): one
// kafkit/testing cluster per describe block, started before its tests and stopped after them, pass
// or fail. On an external cluster (KAFKA_BROKERS) the block is skipped: no JVM may be started then.

import type { Admin } from '../../src/admin/admin.js'
import { type KafkaTestCluster, type StartKafkaOptions, startKafka } from '../../src/testing/index.js'
import { usesExternalCluster } from './brokers.js'

/**
 * `describe(name)` over a cluster started with `options`; `body` gets a function returning that
 * cluster (valid inside tests and hooks). Its tests may take up to 10 minutes: several JVMs on a
 * small shared machine; the limit only bounds waits, nothing asserts on time.
 */
export function describeWithOwnCluster(
  name: string,
  options: StartKafkaOptions,
  body: (cluster: () => KafkaTestCluster) => void,
): void {
  const describeLocal = usesExternalCluster() ? describe.skip : describe
  describeLocal(name, () => {
    jest.setTimeout(600_000)
    let cluster: KafkaTestCluster | undefined
    beforeAll(async () => {
      cluster = await startKafka(options)
    })
    afterAll(async () => {
      await cluster?.stop()
    })
    body(() => {
      if (cluster === undefined) throw new Error(`the cluster of "${name}" did not start`)
      return cluster
    })
  })
}

/**
 * Creates `topic` on a three-node cluster with every partition on all three nodes and
 * min.insync.replicas 2 (acks=all writes survive one node down), and waits for its leaders.
 */
export async function createReplicatedTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic,
        numPartitions: partitions,
        replicationFactor: 3,
        configEntries: [{ name: 'min.insync.replicas', value: '2' }],
      },
    ],
  })
}
