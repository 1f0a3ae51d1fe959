// KafkaJS 2.2.4 src/admin/__tests__/fetchTopicOffsets.spec.js: the argument check (KafkaJS's text)
// and a topic's offsets after 100 records: offset and high the log end, low the log start.

import { createKafka, createTopic, secureRandom } from '../helpers.js'
import { Admins, expectKafkaJSValidation } from './admin-helpers.js'

describe('Admin fetchTopicOffsets (KafkaJS src/admin/__tests__/fetchTopicOffsets.spec.js)', () => {
  const admins = new Admins()
  let topicName: string

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    await createTopic({ topic: topicName })
  })
  afterEach(() => admins.disconnectAll())

  test('throws an error if the topic name is not a valid string', async () => {
    await expectKafkaJSValidation(admins.admin().fetchTopicOffsets(null as never), 'Invalid topic null')
  })

  test('returns the current topic offset', async () => {
    const admin = admins.admin()
    const producer = admins.track(createKafka().producer())
    await admin.connect()
    await producer.connect()
    const messages = Array.from({ length: 100 }, () => {
      const value = secureRandom()
      return { key: `key-${value}`, value: `value-${value}` }
    })
    await producer.send({ acks: 1, topic: topicName, messages })
    await expect(admin.fetchTopicOffsets(topicName)).resolves.toEqual([
      { partition: 0, offset: '100', low: '0', high: '100' },
    ])
  })
})
