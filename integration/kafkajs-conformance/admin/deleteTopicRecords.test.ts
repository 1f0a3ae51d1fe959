// KafkaJS 2.2.4 src/admin/__tests__/deleteTopicRecords.spec.js, on a topic whose two partitions hold
// 13 and 7 records (the spec's modulo partitioner spread 20 that way; here each record names its
// partition): argument checks (KafkaJS's texts), deleting up to an offset (the log start moves, the
// rest is consumed), -1 deleting everything, a partition that does not exist failing the call
// before anything is deleted, an offset below the log start logged (KafkaJS's warning) and
// ignored, and an offset past the end failing with KafkaJSNonRetriableError around a
// KafkaJSDeleteTopicRecordsError naming it while the other partition is deleted.
// The spec's retry cases replace Broker.prototype.deleteRecords with mocks (retriable and
// stale-metadata errors, which partitions are sent again); a real broker cannot be made to answer
// so, and test/admin/retries.test.ts drives them from fake brokers: only the failed partition is
// sent again after a metadata refresh, a partition refused for good is not, and retries running
// out end in KafkaJSNumberOfRetriesExceeded.

import { type Admin, KafkaJSDeleteTopicRecordsError, KafkaJSNonRetriableError, logLevel } from '../../../src/index.js'
import { createKafka, createTopic, LogCapture, secureRandom, waitForMessages } from '../helpers.js'
import { Admins, expectKafkaJSValidation } from './admin-helpers.js'

describe('Admin deleteTopicRecords (KafkaJS src/admin/__tests__/deleteTopicRecords.spec.js)', () => {
  const admins = new Admins()
  let topicName: string
  let admin: Admin
  let logs: LogCapture

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    logs = new LogCapture()
    admin = admins.admin(createKafka({ logLevel: logLevel.DEBUG, logCreator: logs.logCreator }))
    const producer = admins.track(createKafka().producer())
    await Promise.all([admin.connect(), producer.connect()])
    await createTopic({ topic: topicName, partitions: 2 })
    const messages = Array.from({ length: 20 }, (_, i) => ({
      key: `key-${i}`,
      value: `value-${secureRandom()}`,
      partition: i < 13 ? 0 : 1,
    }))
    await producer.send({ acks: 1, topic: topicName, messages })
    expect(await lowAndHigh()).toEqual([
      { partition: 0, low: '0', high: '13' },
      { partition: 1, low: '0', high: '7' },
    ])
  })
  afterEach(() => admins.disconnectAll())

  const lowAndHigh = async () =>
    (await admin.fetchTopicOffsets(topicName)).map(({ partition, low, high }) => ({ partition, low, high }))
  const lows = async () => (await admin.fetchTopicOffsets(topicName)).map(({ partition, low }) => ({ partition, low }))

  test('throws an error if the topic name is invalid', async () => {
    await expectKafkaJSValidation(admin.deleteTopicRecords({ topic: null } as never), 'Invalid topic "null"')
    await expectKafkaJSValidation(
      admin.deleteTopicRecords({ topic: ['topic-in-an-array'] } as never),
      'Invalid topic "topic-in-an-array"',
    )
  })

  test('throws an error if the partitions array is invalid', async () => {
    await expectKafkaJSValidation(admin.deleteTopicRecords({ topic: topicName, partitions: [] }), 'Invalid partitions')
  })

  test('removes deleted offsets from the selected partition', async () => {
    await admin.deleteTopicRecords({ topic: topicName, partitions: [{ partition: 0, offset: '7' }] })
    expect(await lows()).toEqual([
      { partition: 0, low: '7' },
      { partition: 1, low: '0' },
    ])
  })

  test('non-deleted messages are successfully consumed', async () => {
    await admin.deleteTopicRecords({ topic: topicName, partitions: [{ partition: 0, offset: '7' }] })
    const consumer = admins.track(
      createKafka().consumer({ groupId: `consumer-group-id-${secureRandom()}`, maxWaitTimeInMs: 100 }),
    )
    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    const consumed: Array<{ partition: number; offset: string }> = []
    void consumer.run({
      eachMessage: async ({ partition, message }) => void consumed.push({ partition, offset: message.offset }),
    })
    await waitForMessages(consumed, 13)
    const first = consumed.filter((m) => m.partition === 0)
    expect(first.map((m) => m.offset)).toEqual(['7', '8', '9', '10', '11', '12'])
    expect(consumed.filter((m) => m.partition === 1)).toHaveLength(7)
  })

  test('deletes all records when provided the -1 offset', async () => {
    await admin.deleteTopicRecords({ topic: topicName, partitions: [{ partition: 0, offset: '-1' }] })
    expect((await lows())[0]).toEqual({ partition: 0, low: '13' })
  })

  test('in case at least one partition does not exist/has no leader, throws before processing any partitions', async () => {
    const error = await admin
      .deleteTopicRecords({
        topic: topicName,
        partitions: [
          { partition: 0, offset: '7' },
          { partition: 2, offset: '5' },
        ],
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSDeleteTopicRecordsError)
    expect(error).toMatchObject({ name: 'KafkaJSDeleteTopicRecordsError', retriable: false })
    expect((error as KafkaJSDeleteTopicRecordsError).partitions).toEqual([
      {
        partition: 2,
        offset: '5',
        error: expect.objectContaining({
          name: 'KafkaJSBrokerNotFound',
          message: 'Could not find the leader for the partition',
          retriable: false,
        }),
      },
    ])
    expect(await lows()).toEqual([
      { partition: 0, low: '0' },
      { partition: 1, low: '0' },
    ])
  })

  test('in case offset is below low watermark, log a warning', async () => {
    await admin.deleteTopicRecords({ topic: topicName, partitions: [{ partition: 1, offset: '5' }] })
    await admin.deleteTopicRecords({
      topic: topicName,
      partitions: [
        { partition: 0, offset: '7' },
        { partition: 1, offset: '3' },
      ],
    })
    const below =
      'The requested offset is before the earliest offset maintained on the partition - no records will be deleted from this partition'
    const warnings = logs.entries.filter((e) => e.level === logLevel.WARN && e.log.message === below)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({
      namespace: 'Admin',
      log: expect.objectContaining({
        message: below,
        topic: topicName,
        partition: 1,
        offset: '3',
      }),
    })
    expect(await lows()).toEqual([
      { partition: 0, low: '7' },
      { partition: 1, low: '5' },
    ])
  })

  test('if 1 of the broker request offsets is out-of-range (non-retriable), the request in its entirety throws an error', async () => {
    const error = await admin
      .deleteTopicRecords({
        topic: topicName,
        partitions: [
          { partition: 0, offset: '7' },
          { partition: 1, offset: '99' },
        ],
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSNonRetriableError)
    expect(error).toMatchObject({ name: 'KafkaJSNonRetriableError' })
    const cause = (error as KafkaJSNonRetriableError).cause
    expect(cause).toBeInstanceOf(KafkaJSDeleteTopicRecordsError)
    expect(cause).toMatchObject({ name: 'KafkaJSDeleteTopicRecordsError', retriable: false })
    expect((cause as KafkaJSDeleteTopicRecordsError).partitions).toEqual([
      {
        partition: 1,
        offset: '99',
        error: expect.objectContaining({
          message: 'The requested offset is not within the range of offsets maintained by the server',
          type: 'OFFSET_OUT_OF_RANGE',
        }),
      },
    ])
    expect(await lows()).toEqual([
      { partition: 0, low: '7' },
      { partition: 1, low: '0' },
    ])
  })
})
