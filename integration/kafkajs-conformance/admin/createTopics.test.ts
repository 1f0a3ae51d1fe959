// KafkaJS 2.2.4 src/admin/__tests__/createTopics.spec.js: argument checks (KafkaJS's texts), creating
// topics (true), with a manual replica assignment, an existing topic (false, as KafkaJS ignores
// TOPIC_ALREADY_EXISTS), and any other refusal as a KafkaJSAggregateError of KafkaJSCreateTopicError
// naming the topic. The spec's mocked cases are encoded through a real broker where one can take
// them (already existing, invalid topic); "query metadata if waitForLeaders is true" checks which
// internal request was made: its consequence, the topics having leaders on return, is checked.
// Not encoded: "retries if the controller has moved" mocks cluster internals (findControllerBroker);
// kafkit's retry of NOT_CONTROLLER is driven against a fake broker in test/admin/retries.test.ts.

import { KafkaJSAggregateError, KafkaJSCreateTopicError } from '../../../src/index.js'
import { secureRandom } from '../helpers.js'
import { Admins, expectKafkaJSValidation, nodeIds } from './admin-helpers.js'

describe('Admin createTopics (KafkaJS src/admin/__tests__/createTopics.spec.js)', () => {
  const admins = new Admins()
  let topicName: string

  beforeEach(() => {
    topicName = `test-topic-${secureRandom()}`
  })
  afterEach(() => admins.disconnectAll())

  const create = (topics: unknown) => admins.admin().createTopics({ topics: topics as never })

  test('throws an error if the topics array is invalid', async () => {
    await expectKafkaJSValidation(create(null), 'Invalid topics array null')
    await expectKafkaJSValidation(create('this-is-not-an-array'), 'Invalid topics array this-is-not-an-array')
  })

  test('throws an error if the topic name is not a valid string', async () => {
    await expectKafkaJSValidation(
      create([{ topic: 123 }]),
      'Invalid topics array, the topic names have to be a valid string',
    )
  })

  test('throws an error if there are multiple entries for the same topic', async () => {
    await expectKafkaJSValidation(
      create([{ topic: 'topic-123' }, { topic: 'topic-123' }]),
      'Invalid topics array, it cannot have multiple entries for the same topic',
    )
  })

  const configCases: Array<[string, unknown, string]> = [
    ['are not an array', 'this-is-not-an-array', 'Invalid configEntries for topic "topic-123", must be an array'],
    [
      'contain a non-object',
      ['this-is-not-an-object'],
      'Invalid configEntries for topic "topic-123". Entry 0 must be an object',
    ],
    [
      'contain an entry with missing value property',
      [{ name: 'missing-value' }],
      'Invalid configEntries for topic "topic-123". Entry 0 must have a valid "value" property',
    ],
    [
      'contain an entry with missing name property',
      [{ value: 'missing-name' }],
      'Invalid configEntries for topic "topic-123". Entry 0 must have a valid "name" property',
    ],
  ]
  for (const [what, configEntries, message] of configCases) {
    test(`throws an error if the config entries ${what}`, async () => {
      await expectKafkaJSValidation(create([{ topic: 'topic-123', configEntries }]), message)
    })
  }

  test('create the new topics and return true', async () => {
    const admin = admins.admin()
    await admin.connect()
    await expect(admin.createTopics({ waitForLeaders: false, topics: [{ topic: topicName }] })).resolves.toEqual(true)
  })

  test('creating topic with manual replica assignment', async () => {
    const admin = admins.admin()
    await admin.connect()
    const [first, second] = await nodeIds(admin)
    await expect(
      admin.createTopics({
        waitForLeaders: false,
        topics: [{ topic: topicName, replicaAssignment: [{ partition: 0, replicas: [first!, second!] }] }],
      }),
    ).resolves.toEqual(true)
  })

  test('ignore already created topics and return false', async () => {
    const admin = admins.admin()
    await admin.connect()
    await expect(admin.createTopics({ waitForLeaders: false, topics: [{ topic: topicName }] })).resolves.toEqual(true)
    await expect(admin.createTopics({ waitForLeaders: false, topics: [{ topic: topicName }] })).resolves.toEqual(false)
  })

  test('waitForLeaders: true resolves once every new topic has leaders', async () => {
    const admin = admins.admin()
    await admin.connect()
    const names = [topicName, `test-topic-${secureRandom()}`, `test-topic-${secureRandom()}`]
    await expect(
      admin.createTopics({ waitForLeaders: true, topics: names.map((topic) => ({ topic })) }),
    ).resolves.toEqual(true)
    const { topics } = await admin.fetchTopicMetadata({ topics: names })
    for (const t of topics) for (const p of t.partitions) expect(p.leader).toBeGreaterThanOrEqual(0)
  })

  test('forward non ignorable errors with topic name metadata', async () => {
    const admin = admins.admin()
    await admin.connect()
    const invalidName = `${topicName}$invalid`
    const error = await admin
      .createTopics({ waitForLeaders: true, topics: [{ topic: invalidName }] })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSAggregateError)
    expect(error).toMatchObject({
      name: 'KafkaJSAggregateError',
      message: 'Topic creation errors',
      errors: [expect.objectContaining({ type: 'INVALID_TOPIC_EXCEPTION', code: 17, topic: invalidName })],
    })
    expect((error as KafkaJSAggregateError).errors[0]).toBeInstanceOf(KafkaJSCreateTopicError)
  })
})
