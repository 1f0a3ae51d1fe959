// KafkaJS 2.2.4 src/admin/__tests__/createPartitions.spec.js: argument checks (KafkaJS's texts), the
// broker's refusals as a KafkaJSProtocolError with KafkaJS's text (unknown topic, a broker that does
// not exist, fewer partitions than the topic has), and growing a topic.
// Not encoded: "retries if the controller has moved" mocks cluster internals (findControllerBroker);
// kafkit's retry of NOT_CONTROLLER is driven against a fake broker in test/admin/retries.test.ts.

import { KafkaJSProtocolError } from '../../../src/index.js'
import { secureRandom } from '../helpers.js'
import { Admins, expectKafkaJSValidation } from './admin-helpers.js'

describe('Admin createPartitions (KafkaJS src/admin/__tests__/createPartitions.spec.js)', () => {
  const admins = new Admins()
  let topicName: string

  beforeEach(() => {
    topicName = `test-topic-${secureRandom()}`
  })
  afterEach(() => admins.disconnectAll())

  const grow = (topicPartitions: unknown) =>
    admins.admin().createPartitions({ topicPartitions: topicPartitions as never })

  test('throws an error if the topics array is invalid', async () => {
    await expectKafkaJSValidation(grow(null), 'Invalid topic partitions array null')
    await expectKafkaJSValidation(grow('this-is-not-an-array'), 'Invalid topic partitions array this-is-not-an-array')
  })

  test('throws an error if the topics array is empty', async () => {
    await expectKafkaJSValidation(grow([]), 'Empty topic partitions array')
  })

  test('throws an error if the topic name is not a valid string', async () => {
    await expectKafkaJSValidation(
      grow([{ topic: 123 }]),
      'Invalid topic partitions array, the topic names have to be a valid string',
    )
  })

  test('throws an error if there are multiple entries for the same topic', async () => {
    await expectKafkaJSValidation(
      grow([{ topic: 'topic-123' }, { topic: 'topic-123' }]),
      'Invalid topic partitions array, it cannot have multiple entries for the same topic',
    )
  })

  const refusal = async (call: Promise<unknown>) => {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(KafkaJSProtocolError)
    expect(error).toMatchObject({ name: 'KafkaJSProtocolError' })
    return error
  }

  test('throws an error trying to create partition if topic does not exists', async () => {
    const admin = admins.admin()
    await admin.connect()
    const error = await refusal(admin.createPartitions({ topicPartitions: [{ topic: `${topicName}x`, count: 3 }] }))
    expect(error).toMatchObject({
      message: 'This server does not host this topic-partition',
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
      code: 3,
    })
  })

  test('throws an error trying to assign invalid broker', async () => {
    const admin = admins.admin()
    await admin.connect()
    await expect(admin.createTopics({ waitForLeaders: false, topics: [{ topic: topicName }] })).resolves.toEqual(true)
    const error = await refusal(
      admin.createPartitions({ topicPartitions: [{ topic: topicName, count: 3, assignments: [[10]] }] }),
    )
    expect(error).toMatchObject({
      message: 'Replica assignment is invalid',
      type: 'INVALID_REPLICA_ASSIGNMENT',
      code: 39,
    })
  })

  test('throws an error trying when total partition is less then current', async () => {
    const admin = admins.admin()
    await admin.connect()
    await expect(
      admin.createTopics({ waitForLeaders: false, topics: [{ topic: topicName, numPartitions: 3 }] }),
    ).resolves.toEqual(true)
    const error = await refusal(admin.createPartitions({ topicPartitions: [{ topic: topicName, count: 2 }] }))
    expect(error).toMatchObject({ message: 'Number of partitions is invalid', type: 'INVALID_PARTITIONS', code: 37 })
  })

  test('create new partition', async () => {
    const admin = admins.admin()
    await admin.connect()
    await expect(admin.createTopics({ waitForLeaders: false, topics: [{ topic: topicName }] })).resolves.toEqual(true)
    // KafkaJS's createPartitions resolves with undefined (its declarations say boolean)
    await expect(admin.createPartitions({ topicPartitions: [{ topic: topicName, count: 3 }] })).resolves.toBeUndefined()
    const { topics } = await admin.fetchTopicMetadata({ topics: [topicName] })
    expect(topics[0]?.partitions).toHaveLength(3)
  })
})
