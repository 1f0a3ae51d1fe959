// Shared by the consumer integration tests: a Kafka client on the test broker, waiting for a
// condition (test/helpers/wait.ts), and reading a group's committed offsets back with OffsetFetch.

import { Kafka } from '../../src/client/kafka.js'
import type { Cluster } from '../../src/cluster/cluster.js'
import { resolveRetryOptions } from '../../src/common/backoff.js'
import { logLevel } from '../../src/common/kafka-logger.js'
import { GroupOffsets } from '../../src/consumer/offsets/group-offsets.js'
import type { Consumer, ConsumerConfig } from '../../src/index.js'
import { type CompressionType, CompressionTypes } from '../../src/protocol/index.js'
import { connectedCluster, createTopic } from '../network-helpers.js'
import { brokers } from './brokers.js'
import { numberedRecords, produceRaw } from './produce-raw.js'

export { sleep, waitFor } from '../../test/helpers/wait.js'

export function testKafka(clientId: string): Kafka {
  return new Kafka({ brokers: brokers(), clientId, logLevel: logLevel.NOTHING })
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

/** Every codec, in CompressionTypes order. */
export const ALL_CODECS: readonly CompressionType[] = [
  CompressionTypes.None,
  CompressionTypes.GZIP,
  CompressionTypes.Snappy,
  CompressionTypes.LZ4,
  CompressionTypes.ZSTD,
]

export interface ConsumerTestBed {
  /** Unique per test file run: topic and group names end with it. */
  readonly suffix: string
  /** A connected cluster for producing raw batches and reading offsets (set in beforeAll). */
  cluster(): Cluster
  /** A consumer with a 500 ms heartbeat, disconnected after the test. */
  consumer(groupId: string, options?: Partial<ConsumerConfig>): Consumer
  /** Creates `<name>-<suffix>` with `perPartition` numbered records ("p<partition>-<i>") in each partition. */
  topicWith(name: string, partitions: number, perPartition: number): Promise<string>
}

/** Registers the hooks a consumer test file needs (cluster, consumer cleanup) and returns its helpers. */
export function consumerTestBed(clientId: string): ConsumerTestBed {
  const suffix = `${process.pid}-${Date.now()}`
  let cluster: Cluster | undefined
  const open: Consumer[] = []
  beforeAll(async () => {
    cluster = await connectedCluster(clientId)
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.disconnect()))
  })
  afterAll(async () => {
    await cluster?.disconnect()
  })
  const bed: ConsumerTestBed = {
    suffix,
    cluster: () => {
      if (cluster === undefined) throw new Error('the cluster connects in beforeAll')
      return cluster
    },
    consumer: (groupId, options = {}) => {
      const c = testKafka(clientId).consumer({ groupId, heartbeatInterval: 500, ...options })
      open.push(c)
      return c
    },
    topicWith: async (name, partitions, perPartition) => {
      const topic = `${name}-${suffix}`
      await createTopic(bed.cluster(), topic, partitions)
      for (let p = 0; p < partitions && perPartition > 0; p++) {
        await produceRaw(bed.cluster(), topic, p, numberedRecords(`p${p}`, 0, perPartition))
      }
      return topic
    },
  }
  return bed
}
