// The broker the benchmarks measure against: KAFKA_BROKERS when set, otherwise one node started by
// kafkit/testing with the JVM a production broker runs (HotSpot's full JIT, G1, a 1 GiB heap).
// kafkit/testing's test defaults (C1 only, serial GC, 512 MiB) start fast but make the broker the
// bottleneck of every client: on this machine kcat wrote 1 KiB values about a third faster to the
// full-JIT broker. KAFKIT_KAFKA_JVM_OPTS still applies after these flags (later flags win).
//
// The producer benchmark deletes each run's topic once the run is measured, and this broker deletes a deleted
// topic's files at once (log.segment.delete.delay.ms=0, not after a minute): the written data never
// piles up in the page cache. It used to: a round writes about 3 GB, this machine's disk writes
// back about 30-100 MB/s, and past the kernel's dirty threshold (10% of memory) every write of the
// broker was throttled, so that later runs measured the disk (the broker's CPU per 100,000 1 KiB
// records went from 0.31 to 0.65 s over three runs of the same client).

import { type KafkaTestCluster, startKafka } from '../src/testing/index.js'

export const BENCH_BROKER_JVM_FLAGS = '-XX:TieredStopAtLevel=4 -XX:-UseSerialGC -XX:+UseG1GC -Xms1g -Xmx1g'

export interface BenchBroker {
  brokers: string[]
  /** Where the broker came from, for the report's header. */
  description: string
  /** The one-node cluster started here (to stop and restart its node); undefined with KAFKA_BROKERS. */
  cluster: KafkaTestCluster | undefined
  stop(): Promise<void>
}

/** `extraJvmFlags` go after BENCH_BROKER_JVM_FLAGS (and before KAFKIT_KAFKA_JVM_OPTS). */
export async function benchBroker(extraJvmFlags = ''): Promise<BenchBroker> {
  const external = process.env.KAFKA_BROKERS
  if (external) {
    return {
      brokers: external.split(',').map((b) => b.trim()),
      description: 'KAFKA_BROKERS',
      cluster: undefined,
      stop: async () => {},
    }
  }
  const userFlags = process.env.KAFKIT_KAFKA_JVM_OPTS ?? ''
  const flags = `${BENCH_BROKER_JVM_FLAGS} ${extraJvmFlags}`.trim()
  process.env.KAFKIT_KAFKA_JVM_OPTS = `${flags} ${userFlags}`
  try {
    const cluster = await startKafka({ nodes: 1, brokerConfig: { 'log.segment.delete.delay.ms': '0' } })
    return {
      brokers: cluster.brokers,
      description: `kafkit/testing, Kafka ${cluster.version}, JVM ${flags}`,
      cluster,
      stop: () => cluster.stop(),
    }
  } finally {
    process.env.KAFKIT_KAFKA_JVM_OPTS = userFlags
  }
}
