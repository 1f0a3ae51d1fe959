// What the admin conformance files share: an admin client per test (disconnected after it), the
// cluster's node ids (KafkaJS's specs named brokers 0, 1, 2; this cluster's are whatever it reports),
// and a check that a call fails before any request with KafkaJS's argument-validation error.

import { type Admin, type Kafka, KafkaJSNonRetriableError } from '../../../src/index.js'
import { createKafka } from '../helpers.js'

/** Admin clients made through `admin()`; `disconnectAll()` (afterEach) disconnects them. */
export class Admins {
  readonly #open: Array<{ disconnect(): Promise<void> }> = []

  admin(kafka: Kafka = createKafka()): Admin {
    const admin = kafka.admin()
    this.#open.push(admin)
    return admin
  }

  /** Any client with a disconnect() (producers, consumers) to disconnect with the admins. */
  track<T extends { disconnect(): Promise<void> }>(client: T): T {
    this.#open.push(client)
    return client
  }

  async disconnectAll(): Promise<void> {
    const open = this.#open.splice(0)
    await Promise.all(open.map((c) => c.disconnect()))
  }
}

/** The cluster's node ids, ascending (KafkaJS's specs' 0, 1, 2 are ids[0], ids[1], ids[2]). */
export async function nodeIds(admin: Admin): Promise<number[]> {
  const { brokers } = await admin.describeCluster()
  return brokers.map((b) => b.nodeId).sort((a, b) => a - b)
}

/** Expects `call` to reject with KafkaJS's validation error: a KafkaJSNonRetriableError with exactly `message`. */
export async function expectKafkaJSValidation(call: Promise<unknown>, message: string): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(KafkaJSNonRetriableError)
  expect(error).toMatchObject({ name: 'KafkaJSNonRetriableError', message, retriable: false })
}
