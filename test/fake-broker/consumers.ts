// A fake cluster per test with consumers on it, made as a user makes them
// (`new Kafka({ brokers }).consumer({ groupId, ... })`) with short retry backoffs and heartbeat
// intervals, so rebalances and retries take milliseconds; all are disconnected after each test.
// Helpers to wait for what the handler saw without sleeping.

import type { ConsumerEventMap } from '../../src/consumer/event-types.js'
import { type Consumer, type ConsumerConfig, Kafka, type KafkaConfig, logLevel } from '../../src/index.js'
import type { FakeClusterOptions } from './fake-cluster.js'
import { FAST_RETRY, type FakeClusterPerTest, fakeClusterPerTest } from './per-test.js'

export interface ConsumerClusterPerTest extends FakeClusterPerTest {
  /** A consumer on the cluster (not connected); disconnected after the test, before the cluster closes. */
  consumer(config: Partial<ConsumerConfig> & { groupId: string }, client?: Partial<KafkaConfig>): Consumer
}

/**
 * One FakeCluster per test (fakeClusterPerTest) with consumers on it. The consumers' afterEach is
 * registered first so it runs first: a consumer leaves its group while the cluster still answers.
 */
export function consumerClusterPerTest(options: FakeClusterOptions = {}): ConsumerClusterPerTest {
  const consumers: Consumer[] = []
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect().catch(() => undefined)))
  })
  const fake = fakeClusterPerTest(options)
  return {
    get cluster() {
      return fake.cluster
    },
    producer: (config, client) => fake.producer(config, client),
    consumer(config, client = {}) {
      const kafka = new Kafka({
        brokers: fake.cluster.brokers,
        clientId: 'fake-consumer',
        logLevel: logLevel.NOTHING,
        retry: FAST_RETRY,
        ...client,
      })
      const consumer = kafka.consumer({ heartbeatInterval: 10, retry: FAST_RETRY, maxWaitTimeInMs: 50, ...config })
      consumers.push(consumer)
      return consumer
    },
  }
}

/** Resolves once `predicate` holds, checked after each call of the returned `tick` (no timers). */
export class Waiter {
  readonly #waits: { predicate: () => boolean; resolve: () => void }[] = []

  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve()
    return new Promise((resolve) => this.#waits.push({ predicate, resolve }))
  }

  tick(): void {
    for (const wait of [...this.#waits]) {
      if (!wait.predicate()) continue
      this.#waits.splice(this.#waits.indexOf(wait), 1)
      wait.resolve()
    }
  }
}

/** Resolves with the payload of the next `event` the consumer emits. */
export function nextEvent<E extends keyof ConsumerEventMap>(
  c: Consumer,
  event: E,
): Promise<ConsumerEventMap[E]['payload']> {
  return new Promise((resolve) => {
    const remove = c.on(event, (e) => {
      remove()
      resolve((e as ConsumerEventMap[E]).payload)
    })
  })
}

/** The messages a consumer's eachMessage saw ("partition:value"), and a wait for the Nth. */
export interface Seen {
  readonly values: string[]
  /** Resolves once `n` messages were handled in total. */
  count(n: number): Promise<void>
  /** Resolves once every one of `values` was handled. */
  all(values: string[]): Promise<void>
}

export function recorder(): Seen & { record(value: string): void } {
  const values: string[] = []
  const waiter = new Waiter()
  return {
    values,
    record(value) {
      values.push(value)
      waiter.tick()
    },
    count: (n) => waiter.until(() => values.length >= n),
    all: (wanted) => waiter.until(() => wanted.every((v) => values.includes(v))),
  }
}

/** A promise and the function that resolves it: `const [released, release] = latch()`. */
export function latch(): [Promise<void>, () => void] {
  let open: () => void = () => {}
  const promise = new Promise<void>((resolve) => {
    open = resolve
  })
  return [promise, open]
}
