// KafkaJS 2.2.4 src/admin/__tests__/listPartitionReassignments.spec.js: argument checks (KafkaJS's
// texts) and listing after a reassignment. Broker ids 0, 1, 2 of the spec are this cluster's three.
// Not encoded: "retries if the controller has moved" mocks cluster internals (findControllerBroker);
// kafkit sends reassignments to any broker (KRaft forwards them to the controller), so NOT_CONTROLLER
// never reaches it.

import { secureRandom } from '../helpers.js'
import { Admins, createAssignedTopic, expectKafkaJSValidation, expectTopicListChecks } from './admin-helpers.js'

describe('Admin listPartitionReassignments (KafkaJS src/admin/__tests__/listPartitionReassignments.spec.js)', () => {
  const admins = new Admins()
  afterEach(() => admins.disconnectAll())

  const list = (topics: unknown) => admins.admin().listPartitionReassignments({ topics: topics as never })

  test('throws an error if the topics array is invalid (the spec calls alterPartitionReassignments)', async () => {
    await expectKafkaJSValidation(
      admins.admin().alterPartitionReassignments({ topics: 'this-is-not-an-array' as never }),
      'Invalid topics array this-is-not-an-array',
    )
  })

  test('throws an error if the topics array is invalid, names a non-string topic or repeats one', async () => {
    await expectTopicListChecks(list)
  })

  test('throws an error if the partition array is not a valid array', async () => {
    await expectKafkaJSValidation(
      list([{ topic: 'topic-123', partitions: null }]),
      'Invalid partition array: null for topic: topic-123',
    )
    await expectKafkaJSValidation(
      list([{ topic: 'topic-123', partitions: 'this-is-not-an-array' }]),
      'Invalid partition array: this-is-not-an-array for topic: topic-123',
    )
  })

  test('throws an error if the partitions are not a valid number', async () => {
    await expectKafkaJSValidation(
      list([{ topic: 'topic-123', partitions: [0, 'a'] }]),
      'Invalid partition array: 0,a for topic: topic-123. The partition indices have to be a valid number greater than 0.',
    )
  })

  test('list reassignments', async () => {
    const topicName = `test-topic-${secureRandom()}`
    const admin = admins.admin()
    await admin.connect()
    const [_first, second, third] = await createAssignedTopic(admin, topicName)
    await admin.alterPartitionReassignments({
      topics: [{ topic: topicName, partitionAssignment: [{ partition: 0, replicas: [third!, second!] }] }],
    })
    const { topics } = await admin.listPartitionReassignments({ topics: [{ topic: topicName, partitions: [0, 1, 2] }] })
    // a reassignment of an empty partition may already be done; one still going is listed under KafkaJS's runtime names
    for (const t of topics) {
      expect(t).toMatchObject({ name: topicName })
      for (const p of t.partitions)
        expect(p).toMatchObject({ partition: expect.any(Number), replicas: expect.any(Array) })
    }
  })
})
