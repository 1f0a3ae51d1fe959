// What the admin conformance files share: an admin client per test (disconnected after it), the
// cluster's node ids (KafkaJS's specs named brokers 0, 1, 2; this cluster's are whatever it reports),
// and a check that a call fails before any request with KafkaJS's argument-validation error.

import { type Admin, type Consumer, type Kafka, KafkaJSNonRetriableError } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitForConsumerToJoinGroup, waitForMessages } from '../helpers.js'

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

/** KafkaJS's three checks of a `topics` list of topic objects (alter/listPartitionReassignments share them). */
export async function expectTopicListChecks(call: (topics: unknown) => Promise<unknown>): Promise<void> {
  await expectKafkaJSValidation(call('this-is-not-an-array'), 'Invalid topics array this-is-not-an-array')
  await expectKafkaJSValidation(
    call([{ topic: 123 }]),
    'Invalid topics array, the topic names have to be a valid string',
  )
  await expectKafkaJSValidation(
    call([{ topic: 'topic-123' }, { topic: 'topic-123' }]),
    'Invalid topics array, it cannot have multiple entries for the same topic',
  )
}

/** KafkaJS's checks of setOffsets' and resetOffsets' groupId and topic. */
export async function expectGroupAndTopicChecks(call: (args: unknown) => Promise<unknown>): Promise<void> {
  await expectKafkaJSValidation(call({ groupId: null }), 'Invalid groupId null')
  await expectKafkaJSValidation(call({ groupId: 'groupId', topic: null }), 'Invalid topic null')
}

/**
 * The reassignment specs' topic: partition 0 on the second and first node, partition 1 on the third
 * and second (KafkaJS's [1, 0] and [2, 1]); returns the node ids.
 */
export async function createAssignedTopic(admin: Admin, topic: string, waitForLeaders = true): Promise<number[]> {
  const ids = await nodeIds(admin)
  const [first, second, third] = ids as [number, number, number]
  await expect(
    admin.createTopics({
      waitForLeaders,
      topics: [
        {
          topic,
          replicaAssignment: [
            { partition: 0, replicas: [second, first] },
            { partition: 1, replicas: [third, second] },
          ],
        },
      ],
    }),
  ).resolves.toEqual(true)
  return ids
}

/**
 * The group specs' setup: a consumer of `groupId` joined on a new topic and consumed one record;
 * returns the consumer (tracked by `admins`).
 */
export async function groupThatConsumed(admins: Admins, groupId: string): Promise<Consumer> {
  const topic = `test-topic-${secureRandom()}`
  const consumer = admins.track(createKafka().consumer({ groupId, maxWaitTimeInMs: 100 }))
  const producer = admins.track(createKafka().producer())
  await Promise.all([consumer.connect(), producer.connect()])
  await createTopic({ topic })
  const consumed: unknown[] = []
  await consumer.subscribe({ topic, fromBeginning: true })
  void consumer.run({ eachMessage: async (event) => void consumed.push(event) })
  await waitForConsumerToJoinGroup(consumer)
  await producer.send({ acks: 1, topic, messages: [{ key: 'key', value: secureRandom() }] })
  await waitForMessages(consumed, 1)
  return consumer
}
