// One FakeCluster per test of the calling file, and producers on it made as a user makes them
// (`new Kafka({ brokers }).producer(config)`), with short retry backoffs so retries take
// milliseconds; everything is disconnected and closed after each test.

import { Kafka, type KafkaConfig, logLevel, type Producer, type ProducerConfig } from '../../src/index.js'
import { FakeCluster, type FakeClusterOptions } from './fake-cluster.js'

/** Backoffs of a few ms: the retry paths run, the tests do not wait. */
export const FAST_RETRY = { initialRetryTime: 1, maxRetryTime: 5 }

export interface FakeClusterPerTest {
  /** The current test's cluster. */
  readonly cluster: FakeCluster
  /** A producer on the cluster (not connected); disconnected after the test. */
  producer(config?: ProducerConfig, client?: Partial<KafkaConfig>): Producer
}

export function fakeClusterPerTest(options: FakeClusterOptions = {}): FakeClusterPerTest {
  let current: FakeCluster | undefined
  const producers: Producer[] = []
  beforeEach(async () => {
    current = await FakeCluster.start(options)
  })
  afterEach(async () => {
    await Promise.all(producers.splice(0).map((p) => p.disconnect().catch(() => undefined)))
    await current?.close()
    current = undefined
  })
  return {
    get cluster() {
      if (current === undefined) throw new Error('the fake cluster runs only inside a test')
      return current
    },
    producer(config = {}, client = {}) {
      const producer = producerOn(this.cluster, config, client)
      producers.push(producer)
      return producer
    },
  }
}

/** A producer on `cluster` as a user makes one, quiet, with FAST_RETRY backoffs, partition 0 for keyless records and no linger. */
export function producerOn(
  cluster: FakeCluster,
  config: ProducerConfig = {},
  client: Partial<KafkaConfig> = {},
): Producer {
  const kafka = new Kafka({
    brokers: cluster.brokers,
    clientId: 'fake-broker-test',
    logLevel: logLevel.NOTHING,
    retry: FAST_RETRY,
    ...client,
  })
  return kafka.producer({ createPartitioner: () => () => 0, retry: FAST_RETRY, linger: 0, ...config })
}
