// The examples of KafkaJS's admin documentation (docs/Admin.md of KafkaJS 2.2.4), run against the
// real broker with only the import changed. Where the documentation shows a placeholder
// (`<Number>`), the example's own sample values are used; resources the examples name by literal
// ('custom-topic', 'my-consumer-group', ...) are created first, since the documentation assumes
// they exist. The ACL examples need an authorizer and run in admin-security.test.ts.

import { ConfigResourceTypes, Kafka } from '../src/index.js'
import { produceRecords } from './admin-helpers.js'
import { brokers } from './helpers/brokers.js'

jest.setTimeout(120_000)

const kafka = new Kafka({ clientId: 'kafkajs-docs', brokers: brokers(), logLevel: 0 })
const admin = kafka.admin()

beforeAll(async () => {
  await admin.connect()
  // what the examples take for granted, made fresh
  const existing = await admin.listTopics()
  const named = ['topic-name', 'custom-topic', 'topic1', 'topic2', 'docs-topic'].filter((t) => existing.includes(t))
  if (named.length > 0) await admin.deleteTopics({ topics: named })
  await admin.createTopics({
    topics: [
      { topic: 'topic-name' },
      { topic: 'custom-topic', numPartitions: 4 },
      { topic: 'topic1', numPartitions: 4 },
      { topic: 'topic2', numPartitions: 2 },
    ],
  })
  await produceRecords(
    'custom-topic',
    0,
    Array.from({ length: 40 }, (_, i) => ({ value: `r${i}`, timestamp: 1000 * i })),
  )
  await produceRecords(
    'custom-topic',
    3,
    Array.from({ length: 5 }, (_, i) => ({ value: `r${i}` })),
  )
})

afterAll(async () => {
  await admin.disconnect()
})

test('connect and disconnect', async () => {
  const kafka = new Kafka({ brokers: brokers(), logLevel: 0 })
  const admin = kafka.admin()

  // remember to connect and disconnect when you are done
  await admin.connect()
  await admin.disconnect()
})

test('list topics', async () => {
  const topics = await admin.listTopics()
  // [ 'topic-1', 'topic-2', 'topic-3', ... ]
  expect(topics).toEqual(expect.arrayContaining(['topic-name', 'custom-topic']))
})

test('create topics (ITopicConfig with the sample values)', async () => {
  const created = await admin.createTopics({
    validateOnly: false,
    waitForLeaders: true,
    timeout: 5000,
    topics: [
      {
        topic: 'docs-topic',
        numPartitions: 1, // default: -1 (uses broker `num.partitions` configuration)
        replicationFactor: 1, // default: -1 (uses broker `default.replication.factor` configuration)
        replicaAssignment: [], // Example: [{ partition: 0, replicas: [0,1,2] }] - default: []
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }], // default: []
      },
    ],
  })
  expect(created).toBe(true)
})

test('delete topics', async () => {
  await admin.deleteTopics({
    topics: ['docs-topic'],
    timeout: 5000, // default: 5000
  })
  expect(await admin.listTopics()).not.toContain('docs-topic')
})

test('create partitions', async () => {
  await admin.createPartitions({
    validateOnly: false,
    timeout: 5000,
    topicPartitions: [{ topic: 'topic2', count: 3 }],
  })
  const { topics } = await admin.fetchTopicMetadata({ topics: ['topic2'] })
  expect(topics[0]!.partitions).toHaveLength(3)
})

test('fetch topic metadata', async () => {
  const some = await admin.fetchTopicMetadata({ topics: ['custom-topic'] })
  expect(some.topics[0]!.partitions[0]).toEqual(
    expect.objectContaining({ partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1], isr: [1] }),
  )
  const all = await admin.fetchTopicMetadata()
  expect(all.topics.map((t) => t.name)).toContain('custom-topic')
})

test('fetch topic offsets, and by timestamp', async () => {
  const topic = 'custom-topic'
  const offsets = await admin.fetchTopicOffsets(topic)
  // [ { partition: 0, offset: '31004', high: '31004', low: '421' }, ... ]
  expect(offsets[0]).toEqual({ partition: 0, offset: '40', high: '40', low: '0' })
  const timestamp = 10_000
  const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, timestamp)
  // [ { partition: 0, offset: '3244' }, { partition: 1, offset: '3113' } ]
  expect(byTime[0]).toEqual({ partition: 0, offset: '10' })
})

test('consumer group offsets: fetch, reset, set, reset by timestamp', async () => {
  const groupId = 'docs-group'
  const topic = 'custom-topic'
  const fetched = await admin.fetchOffsets({ groupId, topics: ['topic1', 'topic2'] })
  expect(fetched.map((t) => t.topic)).toEqual(['topic1', 'topic2'])

  await admin.resetOffsets({ groupId, topic }) // latest by default
  await admin.resetOffsets({ groupId, topic, earliest: true })
  await admin.resetOffsets({ groupId, topic })
  const unresolved = await admin.fetchOffsets({ groupId, topics: [topic], resolveOffsets: false })
  await admin.resetOffsets({ groupId, topic })
  const resolved = await admin.fetchOffsets({ groupId, topics: [topic], resolveOffsets: true })
  // kafkit commits real offsets on reset, so both read the high watermarks
  expect(unresolved[0]!.partitions.map((p) => p.offset)).toEqual(['40', '0', '0', '5'])
  expect(resolved).toEqual(unresolved)

  await admin.setOffsets({
    groupId: 'my-consumer-group',
    topic: 'custom-topic',
    partitions: [
      { partition: 0, offset: '35' },
      { partition: 3, offset: '19' },
    ],
  })
  const set = await admin.fetchOffsets({ groupId: 'my-consumer-group', topics: ['custom-topic'] })
  expect(set[0]!.partitions.map((p) => p.offset)).toEqual(['35', '-1', '-1', '19'])

  const timestamp = 10_000
  await admin.setOffsets({ groupId, topic, partitions: await admin.fetchTopicOffsetsByTimestamp(topic, timestamp) })
  const byTime = await admin.fetchOffsets({ groupId, topics: [topic] })
  expect(byTime[0]!.partitions.map((p) => p.offset)).toEqual(['10', '0', '0', '0'])
})

test('describe cluster', async () => {
  const cluster = await admin.describeCluster()
  // { brokers: [ { nodeId: 0, host: 'localhost', port: 9092 } ], controller: 0, clusterId: 'f8QmWTB8SQSLE6C99G4qzA' }
  expect(cluster).toEqual({
    brokers: [{ nodeId: 1, host: '127.0.0.1', port: expect.any(Number) }],
    controller: 1,
    clusterId: expect.any(String),
  })
})

test('describe configs', async () => {
  const all = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      {
        type: ConfigResourceTypes.TOPIC,
        name: 'topic-name',
      },
    ],
  })
  expect(all.resources[0]!.configEntries.length).toBeGreaterThan(1)

  const response = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      {
        type: ConfigResourceTypes.TOPIC,
        name: 'topic-name',
        configNames: ['cleanup.policy'],
      },
    ],
  })
  // the example response, but for configSynonyms (KafkaJS lists it too, empty without includeSynonyms)
  expect(response).toEqual({
    resources: [
      {
        configEntries: [
          {
            configName: 'cleanup.policy',
            configValue: 'delete',
            isDefault: true,
            configSource: 5,
            isSensitive: false,
            readOnly: false,
            configSynonyms: [],
          },
        ],
        errorCode: 0,
        errorMessage: null,
        resourceName: 'topic-name',
        resourceType: 2,
      },
    ],
    // KafkaJS's documented example shows a throttleTime; its admin returns none, nor does kafkit's
  })
})

test('alter configs', async () => {
  const response = await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: ConfigResourceTypes.TOPIC,
        name: 'topic-name',
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ],
  })
  expect(response).toEqual({
    resources: [{ errorCode: 0, errorMessage: null, resourceName: 'topic-name', resourceType: 2 }],
    // no throttleTime, as KafkaJS's admin (its documented example shows one)
  })
})

test('list, describe and delete groups', async () => {
  await admin.setOffsets({ groupId: 'testgroup', topic: 'topic1', partitions: [{ partition: 0, offset: '0' }] })
  await admin.setOffsets({ groupId: 'group-test', topic: 'topic1', partitions: [{ partition: 0, offset: '0' }] })
  const { groups } = await admin.listGroups()
  // { groups: [ {groupId: 'testgroup', protocolType: 'consumer'} ] }
  expect(groups).toEqual(expect.arrayContaining([expect.objectContaining({ groupId: 'testgroup', protocolType: '' })]))

  const described = await admin.describeGroups(['testgroup'])
  expect(described.groups[0]).toEqual(
    expect.objectContaining({ errorCode: 0, groupId: 'testgroup', members: [], state: 'Empty' }),
  )

  const deleted = await admin.deleteGroups(['group-test'])
  expect(deleted).toEqual([{ groupId: 'group-test', errorCode: 0 }])

  try {
    await admin.deleteGroups(['a', 'b', 'c'])
  } catch (error) {
    // error.name 'KafkaJSDeleteGroupsError'
    // error.groups = [{ groupId: a, error: KafkaJSProtocolError }]
    expect((error as Error).name).toBe('KafkaJSDeleteGroupsError')
    expect((error as { groups: Array<{ groupId: string }> }).groups.map((g) => g.groupId)).toEqual(['a', 'b', 'c'])
  }
})

test('delete topic records', async () => {
  await admin.deleteTopicRecords({
    topic: 'custom-topic',
    partitions: [
      { partition: 0, offset: '30' }, // delete up to and including offset 29
      { partition: 3, offset: '-1' }, // delete all available records on this partition
    ],
  })
  const offsets = await admin.fetchTopicOffsets('custom-topic')
  expect(offsets.map((o) => o.low)).toEqual(['30', '0', '0', '5'])
})

test('alter and list partition reassignments', async () => {
  await admin.alterPartitionReassignments({
    topics: [{ topic: 'topic1', partitionAssignment: [{ partition: 0, replicas: [1] }] }],
    timeout: 5000, // optional - 5000 default
  })
  const response = await admin.listPartitionReassignments({
    topics: [{ topic: 'topic1', partitions: [0, 1] }], // optional, if null then all topics will be returned.
    timeout: 5000, // optional - 5000 default
  })
  // nothing to move on one broker: nothing in progress
  expect(response).toEqual({ topics: [] })
})

test('instrumentation events and logger', async () => {
  const kafka = new Kafka({ brokers: brokers(), logLevel: 0 })
  const admin = kafka.admin()
  const { CONNECT, DISCONNECT } = admin.events
  const seen: string[] = []
  const removeListener = admin.on(CONNECT, (e) => seen.push(e.type))
  admin.on(DISCONNECT, (e) => seen.push(e.type))
  await admin.connect()
  removeListener()
  await admin.disconnect()
  expect(seen).toEqual(['admin.connect', 'admin.disconnect'])
  admin.logger().info('logged through the admin logger')
})
