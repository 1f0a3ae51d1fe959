// KafkaJS 2.2.4 src/admin/__tests__/alterPartitionReassignments.spec.js: argument checks (KafkaJS's
// texts), the KafkaJSAggregateError of per-partition KafkaJSAlterPartitionReassignmentsError for an
// unknown topic and for an unknown broker, and a reassignment the controller accepts. Broker ids
// 0, 1, 2 of the spec are this cluster's three node ids; 5 is a node that does not exist.
// Not encoded: "retries if the controller has moved" mocks cluster internals (findControllerBroker);
// kafkit sends reassignments to any broker (KRaft forwards them to the controller), so NOT_CONTROLLER
// never reaches it.

import { KafkaJSAggregateError, KafkaJSAlterPartitionReassignmentsError } from '../../../src/index.js'
import { secureRandom } from '../helpers.js'
import {
  Admins,
  createAssignedTopic,
  expectKafkaJSValidation,
  expectTopicListChecks,
  nodeIds,
} from './admin-helpers.js'

describe('Admin alterPartitionReassignments (KafkaJS src/admin/__tests__/alterPartitionReassignments.spec.js)', () => {
  const admins = new Admins()
  let topicName: string

  beforeEach(() => {
    topicName = `test-topic-${secureRandom()}`
  })
  afterEach(() => admins.disconnectAll())

  const reassign = (topics: unknown) => admins.admin().alterPartitionReassignments({ topics: topics as never })

  test('throws an error if the topics array is invalid, names a non-string topic or repeats one', async () => {
    await expectKafkaJSValidation(reassign(null), 'Invalid topics array null')
    await expectTopicListChecks(reassign)
  })

  test('throws an error if the partitionAssignment array is not valid', async () => {
    await expectKafkaJSValidation(
      reassign([{ topic: 'topic-123', partitionAssignment: null }]),
      'Invalid partitions array: null for topic: topic-123',
    )
    await expectKafkaJSValidation(
      reassign([{ topic: 'topic-123', partitionAssignment: 'this-is-not-an-array' }]),
      'Invalid partitions array: this-is-not-an-array for topic: topic-123',
    )
  })

  test('throws an error if the partition index is not valid', async () => {
    await expectKafkaJSValidation(
      reassign([{ topic: 'topic-123', partitionAssignment: [{ partition: null }] }]),
      'Invalid partitions index: null for topic: topic-123',
    )
    await expectKafkaJSValidation(
      reassign([{ topic: 'topic-123', partitionAssignment: [{ partition: -1 }] }]),
      'Invalid partitions index: -1 for topic: topic-123',
    )
  })

  test('throws an error if the replicas array is not valid', async () => {
    await expectKafkaJSValidation(
      reassign([{ topic: 'topic-123', partitionAssignment: [{ partition: 0, replicas: null }] }]),
      'Invalid replica assignment: null for topic: topic-123 on partition: 0',
    )
    await expectKafkaJSValidation(
      reassign([{ topic: 'topic-123', partitionAssignment: [{ partition: 0, replicas: [0, 'a'] }] }]),
      'Invalid replica assignment: 0,a for topic: topic-123 on partition: 0. Replicas must be a non negative number',
    )
  })

  test('throws a KafkaJSAggregateError when reassigning partitions of a topic that does not exist', async () => {
    const admin = admins.admin()
    await admin.connect()
    const [a, b] = await nodeIds(admin)
    const error = await admin
      .alterPartitionReassignments({
        topics: [{ topic: `${topicName}x`, partitionAssignment: [{ partition: 0, replicas: [b!, a!] }] }],
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSAggregateError)
    expect(error).toMatchObject({
      name: 'KafkaJSAggregateError',
      message: 'Errors altering partition reassignments',
      errors: [
        expect.objectContaining({
          name: 'KafkaJSAlterPartitionReassignmentsError',
          message: 'This server does not host this topic-partition',
          type: 'UNKNOWN_TOPIC_OR_PARTITION',
          code: 3,
          topic: `${topicName}x`,
          partition: 0,
        }),
      ],
    })
    expect((error as KafkaJSAggregateError).errors[0]).toBeInstanceOf(KafkaJSAlterPartitionReassignmentsError)
  })

  test('throws a KafkaJSAggregateError when assigning a broker that does not exist', async () => {
    const admin = admins.admin()
    await admin.connect()
    const [first, second, third] = await createAssignedTopic(admin, topicName, false)
    const missing = Math.max(first!, second!, third!) + 5
    const error = await admin
      .alterPartitionReassignments({
        topics: [{ topic: topicName, partitionAssignment: [{ partition: 0, replicas: [missing, second!] }] }],
      })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({
      name: 'KafkaJSAggregateError',
      message: 'Errors altering partition reassignments',
      errors: [
        expect.objectContaining({
          message: 'Replica assignment is invalid',
          type: 'INVALID_REPLICA_ASSIGNMENT',
          topic: topicName,
          partition: 0,
        }),
      ],
    })
  })

  test('reassign partitions', async () => {
    const admin = admins.admin()
    await admin.connect()
    const [_first, second, third] = await createAssignedTopic(admin, topicName)
    await expect(
      admin.alterPartitionReassignments({
        topics: [{ topic: topicName, partitionAssignment: [{ partition: 0, replicas: [third!, second!] }] }],
      }),
    ).resolves.toBeUndefined()
  })
})
