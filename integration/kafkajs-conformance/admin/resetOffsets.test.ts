// KafkaJS 2.2.4 src/admin/__tests__/resetOffsets.spec.js: argument checks (KafkaJS's texts), the
// refusal while the group has a running member (KafkaJS's text), and resetting to the latest and
// the earliest offsets, which is a deliberate difference: KafkaJS commits the markers -1 (latest)
// and -2 (earliest), which fetchOffsets then returns; KafkaJS's own consumer and Java's treat a
// negative committed offset as none and start where fromBeginning / auto.offset.reset says, so a
// reset to earliest read by a consumer with fromBeginning: false skipped every record. kafkit
// commits the partitions' current log start or end (what kafka-consumer-groups --reset-offsets
// does), which every client starts from.

import { KafkaJSNonRetriableError } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitForConsumerToJoinGroup } from '../helpers.js'
import { Admins, expectGroupAndTopicChecks } from './admin-helpers.js'

describe('Admin resetOffsets (KafkaJS src/admin/__tests__/resetOffsets.spec.js)', () => {
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
    await expectGroupAndTopicChecks((args) => admin.resetOffsets(args as never))
  })

  const withRecords = async (count: number) => {
    const producer = admins.track(createKafka().producer())
    await producer.connect()
    await producer.send({ topic: topicName, messages: Array.from({ length: count }, (_, i) => ({ value: `v${i}` })) })
  }

  test('difference: reset to the latest offsets commits the log end offset, not -1', async () => {
    await withRecords(3)
    const admin = admins.admin()
    await admin.connect()
    await admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: '13' }] })
    await admin.resetOffsets({ groupId, topic: topicName })
    await expect(admin.fetchOffsets({ groupId, topics: [topicName] })).resolves.toEqual([
      { topic: topicName, partitions: [{ partition: 0, offset: '3', metadata: null }] },
    ])
  })

  test('difference: reset to the earliest offsets commits the log start offset, not -2', async () => {
    await withRecords(3)
    const admin = admins.admin()
    await admin.connect()
    await admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: '13' }] })
    await admin.deleteTopicRecords({ topic: topicName, partitions: [{ partition: 0, offset: '1' }] })
    await admin.resetOffsets({ groupId, topic: topicName, earliest: true })
    await expect(admin.fetchOffsets({ groupId, topics: [topicName] })).resolves.toEqual([
      { topic: topicName, partitions: [{ partition: 0, offset: '1', metadata: null }] },
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
    const error = await admin.resetOffsets({ groupId, topic: topicName }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSNonRetriableError)
    expect(error).toMatchObject({ message: 'The consumer group must have no running instances, current state: Stable' })
  })
})
