// KafkaJS 2.2.4 src/admin/__tests__/setOffsets.spec.js: argument checks (KafkaJS's texts), setting
// a group's offset (fetchOffsets reads it back, metadata null) and the refusal while the group has
// a running member (KafkaJSNonRetriableError with KafkaJS's text naming the group's state).

import { KafkaJSNonRetriableError } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitForConsumerToJoinGroup } from '../helpers.js'
import { Admins, expectGroupAndTopicChecks, expectKafkaJSValidation } from './admin-helpers.js'

describe('Admin setOffsets (KafkaJS src/admin/__tests__/setOffsets.spec.js)', () => {
  const admins = new Admins()
  let topicName: string
  let groupId: string

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    groupId = `consumer-group-id-${secureRandom()}`
    await createTopic({ topic: topicName })
  })
  afterEach(() => admins.disconnectAll())

  test('throws an error if the groupId or the topic name is invalid', async () => {
    const admin = admins.admin()
    await expectGroupAndTopicChecks((args) => admin.setOffsets(args as never))
  })

  test('throws an error if partitions is invalid', async () => {
    const admin = admins.admin()
    await expectKafkaJSValidation(
      admin.setOffsets({ groupId: 'groupId', topic: 'topic', partitions: null } as never),
      'Invalid partitions',
    )
    await expectKafkaJSValidation(
      admin.setOffsets({ groupId: 'groupId', topic: 'topic', partitions: [] }),
      'Invalid partitions',
    )
  })

  test('set the consumer group to any offsets', async () => {
    const admin = admins.admin()
    await admin.connect()
    await admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: 13 as never }] })
    await expect(admin.fetchOffsets({ groupId, topics: [topicName] })).resolves.toEqual([
      { topic: topicName, partitions: [{ partition: 0, offset: '13', metadata: null }] },
    ])
  })

  test('throws an error if the consumer group is running', async () => {
    const consumer = admins.track(createKafka().consumer({ groupId }))
    await consumer.connect()
    await consumer.subscribe({ topic: topicName })
    void consumer.run({ eachMessage: async () => {} })
    await waitForConsumerToJoinGroup(consumer)

    const admin = admins.admin()
    await admin.connect()
    const error = await admin
      .setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: '13' }] })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSNonRetriableError)
    expect(error).toMatchObject({
      name: 'KafkaJSNonRetriableError',
      message: 'The consumer group must have no running instances, current state: Stable',
    })
  })
})
