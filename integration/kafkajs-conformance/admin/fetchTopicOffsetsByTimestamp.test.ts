// KafkaJS 2.2.4 src/admin/__tests__/fetchTopicOffsetsByTimestamp.spec.js: the argument check
// (KafkaJS's text); per partition the first offset at or after a timestamp, the log end for a
// timestamp after the last record, and the exact offset for a record's own timestamp; on an empty
// topic the log end (0). As in the spec's last test, that admin is never connect()ed: KafkaJS's
// admin connects on its first call.

import { createKafka, createTopic, secureRandom, sleep, waitFor } from '../helpers.js'
import { Admins, expectKafkaJSValidation } from './admin-helpers.js'

describe('Admin fetchTopicOffsetsByTimestamp (KafkaJS src/admin/__tests__/fetchTopicOffsetsByTimestamp.spec.js)', () => {
  const admins = new Admins()
  let topicName: string

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    await createTopic({ topic: topicName })
  })
  afterEach(() => admins.disconnectAll())

  test('throws an error if the topic name is not a valid string', async () => {
    await expectKafkaJSValidation(admins.admin().fetchTopicOffsetsByTimestamp(null as never), 'Invalid topic null')
  })

  test('returns the offsets from timestamp', async () => {
    const admin = admins.admin()
    const producer = admins.track(createKafka().producer())
    await Promise.all([admin.connect(), producer.connect()])
    const send = (n: number) =>
      producer.send({
        acks: 1,
        topic: topicName,
        messages: Array.from({ length: n }, () => ({ key: `key-${secureRandom()}`, value: secureRandom() })),
      })
    await send(10)
    // record timestamps are in ms: keep the two batches and the lookups in different milliseconds
    await sleep(5)
    const fromTimestamp = Date.now()
    await sleep(5)
    await send(10)
    await sleep(5)
    const futureTimestamp = Date.now()
    await expect(admin.fetchTopicOffsetsByTimestamp(topicName, fromTimestamp)).resolves.toEqual([
      { partition: 0, offset: '10' },
    ])
    await expect(admin.fetchTopicOffsetsByTimestamp(topicName, futureTimestamp)).resolves.toEqual([
      { partition: 0, offset: '20' },
    ])

    // the timestamp of the first record after fromTimestamp finds that record
    const consumer = admins.track(
      createKafka().consumer({
        groupId: `consumer-group-id-${secureRandom()}`,
        maxWaitTimeInMs: 1,
        maxBytesPerPartition: 180,
      }),
    )
    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    let realTimestamp = 0
    void consumer.run({
      eachMessage: async ({ message }) => {
        if (Number(message.timestamp) >= fromTimestamp && realTimestamp === 0) realTimestamp = Number(message.timestamp)
      },
    })
    await waitFor(() => realTimestamp > 0, 'a record after fromTimestamp', 60000)
    await expect(admin.fetchTopicOffsetsByTimestamp(topicName, realTimestamp)).resolves.toEqual([
      { partition: 0, offset: '10' },
    ])
  })

  test('returns the offsets from timestamp when no messages (without connect())', async () => {
    const admin = admins.admin()
    await expect(admin.fetchTopicOffsetsByTimestamp(topicName, Date.now())).resolves.toEqual([
      { partition: 0, offset: '0' },
    ])
    await expect(admin.fetchTopicOffsets(topicName)).resolves.toEqual([
      { partition: 0, offset: '0', low: '0', high: '0' },
    ])
  })
})
