// KafkaJS 2.2.4 src/admin/__tests__/fetchTopicMetadata.spec.js: argument checks (KafkaJS's texts),
// every partition's metadata, every topic by default, and an unknown topic failing with KafkaJS's
// KafkaJSProtocolError (not an aggregate).
// "creates a new topic if the topic does not exist and allowAutoTopicCreation is true": KafkaJS's
// specs gave the admin's cluster allowAutoTopicCreation through createCluster, an internal; a
// KafkaJS admin made by kafka.admin() never auto-creates topics (its cluster is made with
// allowAutoTopicCreation: false), which is what the last test pins through the public API.

import { KafkaJSProtocolError } from '../../../src/index.js'
import { createTopic, secureRandom } from '../helpers.js'
import { Admins, expectKafkaJSValidation } from './admin-helpers.js'

describe('Admin fetchTopicMetadata (KafkaJS src/admin/__tests__/fetchTopicMetadata.spec.js)', () => {
  const admins = new Admins()
  const numPartitions = 4
  let existingTopicName: string

  beforeEach(async () => {
    existingTopicName = `test-topic-${secureRandom()}`
    await createTopic({ topic: existingTopicName, partitions: numPartitions })
  })
  afterEach(() => admins.disconnectAll())

  test('throws an error if the topic name is not a valid string', async () => {
    const admin = admins.admin()
    await expectKafkaJSValidation(admin.fetchTopicMetadata({ topics: [null as never] }), 'Invalid topic null')
    await expectKafkaJSValidation(admin.fetchTopicMetadata({ topics: [0 as never] }), 'Invalid topic 0')
  })

  test('retrieves metadata for each partition in the topic', async () => {
    const admin = admins.admin()
    await admin.connect()
    const { topics } = await admin.fetchTopicMetadata({ topics: [existingTopicName] })
    expect(topics).toHaveLength(1)
    expect(topics[0]).toHaveProperty('name', existingTopicName)
    expect(topics[0]?.partitions).toHaveLength(numPartitions)
    for (const partition of topics[0]?.partitions ?? []) {
      for (const key of ['partitionId', 'leader', 'replicas', 'partitionErrorCode', 'isr'])
        expect(partition).toHaveProperty(key)
    }
  })

  test('by default retrieves metadata for all topics', async () => {
    const admin = admins.admin()
    await admin.connect()
    const { topics } = await admin.fetchTopicMetadata()
    expect(topics.length).toBeGreaterThanOrEqual(1)
  })

  test('throws an error if the topic does not exist (an admin never auto-creates topics)', async () => {
    const admin = admins.admin()
    await admin.connect()
    const newTopicName = `test-topic-${secureRandom()}`
    const error = await admin.fetchTopicMetadata({ topics: [existingTopicName, newTopicName] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSProtocolError)
    expect(error).toMatchObject({
      name: 'KafkaJSProtocolError',
      message: 'This server does not host this topic-partition',
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
      code: 3,
    })
    expect(await admin.listTopics()).not.toContain(newTopicName)
  })
})
