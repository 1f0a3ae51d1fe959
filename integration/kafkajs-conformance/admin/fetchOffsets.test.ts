// KafkaJS 2.2.4 src/admin/__tests__/fetchOffsets.spec.js: argument checks (KafkaJS's texts), a
// group's committed offsets ('-1' where none, metadata null) of one topic, of a list of topics and
// of every topic it committed, and resolveOffsets, which turns the markers -1 (latest) and -2
// (earliest) into the partition's log end and log start, commits those and returns them.
// The spec sets the markers with resetOffsets; kafkit's resetOffsets commits real offsets (a
// deliberate difference, see resetOffsets.test.ts), so here setOffsets commits the markers, as
// KafkaJS's resetOffsets did, and the difference is tested on its own.

import { type Admin, KafkaJSNonRetriableError } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitForConsumerToJoinGroup } from '../helpers.js'
import { Admins, expectKafkaJSValidation } from './admin-helpers.js'

describe('Admin fetchOffsets (KafkaJS src/admin/__tests__/fetchOffsets.spec.js)', () => {
  const admins = new Admins()
  let admin: Admin
  let groupId: string
  let topicName: string
  let anotherTopicName: string
  let yetAnotherTopicName: string

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    anotherTopicName = `another-topic-${secureRandom()}`
    yetAnotherTopicName = `yet-another-topic-${secureRandom()}`
    groupId = `consumer-group-id-${secureRandom()}`
    await Promise.all([topicName, anotherTopicName, yetAnotherTopicName].map((topic) => createTopic({ topic })))
    admin = admins.admin()
    await admin.connect()
  })
  afterEach(() => admins.disconnectAll())

  const committed = (topic: string, offset: string) => ({
    topic,
    partitions: [{ partition: 0, offset, metadata: null }],
  })

  test('throws an error if the groupId is invalid', async () => {
    await expectKafkaJSValidation(admin.fetchOffsets({ groupId: null } as never), 'Invalid groupId null')
  })

  test('throws an error if the topics argument is not a valid list', async () => {
    const error = await admin.fetchOffsets({ groupId: 'groupId', topics: topicName as never }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSNonRetriableError)
    expect(error).toMatchObject({ message: 'Expected topics array to be set' })
  })

  test('returns unresolved consumer group offsets', async () => {
    await expect(admin.fetchOffsets({ groupId, topics: [topicName] })).resolves.toEqual([committed(topicName, '-1')])
  })

  test('returns the current consumer group offset', async () => {
    await admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: 13 as never }] })
    await expect(admin.fetchOffsets({ groupId, topics: [topicName] })).resolves.toEqual([committed(topicName, '13')])
  })

  test('returns consumer group offsets for all topics', async () => {
    await admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: '13' }] })
    await admin.setOffsets({ groupId, topic: anotherTopicName, partitions: [{ partition: 0, offset: '23' }] })
    await admin.setOffsets({ groupId, topic: yetAnotherTopicName, partitions: [{ partition: 0, offset: '42' }] })
    const offsets = await admin.fetchOffsets({ groupId })
    expect(offsets).toHaveLength(3)
    expect(offsets).toEqual(
      expect.arrayContaining([
        committed(yetAnotherTopicName, '42'),
        committed(anotherTopicName, '23'),
        committed(topicName, '13'),
      ]),
    )
  })

  test('returns consumer group offsets for list of topics', async () => {
    await admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: '13' }] })
    await admin.setOffsets({ groupId, topic: anotherTopicName, partitions: [{ partition: 0, offset: '42' }] })
    const offsets = await admin.fetchOffsets({ groupId, topics: [topicName, anotherTopicName] })
    expect(offsets).toHaveLength(2)
    expect(offsets).toEqual(expect.arrayContaining([committed(anotherTopicName, '42'), committed(topicName, '13')]))
  })

  describe('when used with the resolveOffsets option', () => {
    // as the spec: a consumer commits 5 records, then 5 more are produced (log end 10)
    beforeEach(async () => {
      const producer = admins.track(createKafka().producer())
      await producer.connect()
      const consumer = createKafka().consumer({ groupId, maxWaitTimeInMs: 100 })
      await consumer.connect()
      await consumer.subscribe({ topic: topicName, fromBeginning: true })
      let seen = 0
      void consumer.run({ eachMessage: async () => void seen++ })
      await waitForConsumerToJoinGroup(consumer)
      const five = () => Array.from({ length: 5 }, (_, i) => ({ key: `key-${i}`, value: secureRandom() }))
      await producer.send({ acks: 1, topic: topicName, messages: five() })
      const deadline = Date.now() + 60000
      while (seen < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      expect(seen).toBe(5)
      // disconnect() commits what the consumer processed
      await consumer.disconnect()
      await producer.send({ acks: 1, topic: topicName, messages: five() })
    })

    const threeReads = async () => [
      await admin.fetchOffsets({ groupId, topics: [topicName] }),
      await admin.fetchOffsets({ groupId, topics: [topicName], resolveOffsets: true }),
      await admin.fetchOffsets({ groupId, topics: [topicName] }),
    ]

    test('no reset: returns latest *committed* consumer offsets', async () => {
      // the spec passes the old `topic` option, which KafkaJS 2.2.4 ignores: every topic of the group
      const before = await admin.fetchOffsets({ groupId, topic: topicName } as never)
      expect(before).toEqual([committed(topicName, '5')])
      const [, upon, after] = await threeReads()
      expect(upon).toEqual([committed(topicName, '5')])
      expect(after).toEqual([committed(topicName, '5')])
    })

    test('latest marker (-1): resolves to the *topic* log end and commits it', async () => {
      await admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: '-1' }] })
      expect(await threeReads()).toEqual([
        [committed(topicName, '-1')],
        [committed(topicName, '10')],
        [committed(topicName, '10')],
      ])
    })

    test('earliest marker (-2): resolves to the *topic* log start and commits it', async () => {
      await admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: '-2' }] })
      expect(await threeReads()).toEqual([
        [committed(topicName, '-2')],
        [committed(topicName, '0')],
        [committed(topicName, '0')],
      ])
    })

    test('will return the correct earliest offset when it is greater than 0', async () => {
      await admin.deleteTopicRecords({ topic: topicName, partitions: [{ partition: 0, offset: '7' }] })
      await admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: '-2' }] })
      expect(await threeReads()).toEqual([
        [committed(topicName, '-2')],
        [committed(topicName, '7')],
        [committed(topicName, '7')],
      ])
    })

    test('difference: after resetOffsets the committed offset is already the real one (10 / 7), not -1 / -2', async () => {
      await admin.resetOffsets({ groupId, topic: topicName })
      expect(await threeReads()).toEqual([
        [committed(topicName, '10')],
        [committed(topicName, '10')],
        [committed(topicName, '10')],
      ])
      await admin.deleteTopicRecords({ topic: topicName, partitions: [{ partition: 0, offset: '7' }] })
      await admin.resetOffsets({ groupId, topic: topicName, earliest: true })
      expect(await threeReads()).toEqual([
        [committed(topicName, '7')],
        [committed(topicName, '7')],
        [committed(topicName, '7')],
      ])
    })
  })
})
