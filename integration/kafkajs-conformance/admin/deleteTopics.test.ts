// KafkaJS 2.2.4 src/admin/__tests__/deleteTopics.spec.js: argument checks (KafkaJS's texts) and
// deleting a topic (resolves undefined, the topic gone from listTopics). "remove deleted topics from
// the cluster target group" checks the cluster's internal target-topic set; its consequence, that
// a deleted topic is no longer listed nor fetched, is checked.
// "retries if the controller has moved" and "interrupts on REQUEST_TIMED_OUT" mock the controller
// broker: test/admin/retries.test.ts drives REQUEST_TIMED_OUT from a fake broker (KafkaJS's log
// entry, its text); NOT_CONTROLLER is driven there for createTopics and createPartitions, which
// share deleteTopics' path to the controller.

import { KafkaJSNumberOfRetriesExceeded } from '../../../src/index.js'
import { createKafka, secureRandom } from '../helpers.js'
import { Admins, expectKafkaJSValidation } from './admin-helpers.js'

describe('Admin deleteTopics (KafkaJS src/admin/__tests__/deleteTopics.spec.js)', () => {
  const admins = new Admins()
  let topicName: string

  beforeEach(() => {
    topicName = `test-topic-${secureRandom()}`
  })
  afterEach(() => admins.disconnectAll())

  test('throws an error if the topics array is invalid', async () => {
    const admin = admins.admin()
    await expectKafkaJSValidation(admin.deleteTopics({ topics: null as never }), 'Invalid topics array null')
    await expectKafkaJSValidation(
      admin.deleteTopics({ topics: 'this-is-not-an-array' as never }),
      'Invalid topics array this-is-not-an-array',
    )
  })

  test('throws an error if the topic name is not a valid string', async () => {
    await expectKafkaJSValidation(
      admins.admin().deleteTopics({ topics: [123] as never }),
      'Invalid topics array, the names must be a valid string',
    )
  })

  test('delete topics', async () => {
    const admin = admins.admin()
    await admin.connect()
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: topicName }] })
    await expect(admin.deleteTopics({ topics: [topicName] })).resolves.toBeUndefined()
    expect(await admin.listTopics()).not.toContain(topicName)
  })

  test('a deleted topic is no longer a target: its offsets and metadata are gone', async () => {
    const admin = admins.admin()
    await admin.connect()
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: topicName }] })
    await expect(admin.fetchTopicOffsets(topicName)).resolves.toBeTruthy()
    await admin.deleteTopics({ topics: [topicName] })
    await expect(admin.fetchTopicMetadata({ topics: [topicName] })).rejects.toMatchObject({
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
    })
  })

  test('a topic that does not exist fails after the retries, as KafkaJS retries UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const admin = admins.track(createKafka({ retry: { retries: 1, initialRetryTime: 50 } }).admin())
    const error = await admin.deleteTopics({ topics: [topicName] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded)
    expect(error).toMatchObject({
      message: 'This server does not host this topic-partition',
      cause: expect.objectContaining({ name: 'KafkaJSProtocolError', type: 'UNKNOWN_TOPIC_OR_PARTITION', code: 3 }),
    })
  })
})
