import type { Admin } from '../src/admin/admin.js'
import {
  KafkaJSAggregateError,
  KafkaJSCreateTopicError,
  KafkaJSInvalidArgumentError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from '../src/index.js'
import { connectedAdmin, uniqueName } from './admin-helpers.js'

jest.setTimeout(60_000)

describe('admin topics (real broker)', () => {
  let admin: Admin

  beforeAll(async () => {
    admin = await connectedAdmin()
  })

  afterAll(async () => {
    await admin.disconnect()
  })

  it('createTopics makes topics with their partitions, replication and configs, listed afterwards', async () => {
    const a = uniqueName('adm-create-a')
    const b = uniqueName('adm-create-b')
    const created = await admin.createTopics({
      topics: [
        { topic: a, numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
        {
          topic: b,
          replicaAssignment: [
            { partition: 0, replicas: [1] },
            { partition: 1, replicas: [1] },
          ],
        },
      ],
    })
    expect(created).toBe(true)
    expect(await admin.listTopics()).toEqual(expect.arrayContaining([a, b]))
    const { topics } = await admin.fetchTopicMetadata({ topics: [a, b] })
    expect(topics.map((t) => [t.name, t.partitions.length])).toEqual([
      [a, 3],
      [b, 2],
    ])
    // waitForLeaders (the default): every partition already has a leader
    for (const t of topics) for (const p of t.partitions) expect(p.leader).toBeGreaterThanOrEqual(0)
    expect(topics[0]!.partitions[0]).toEqual({
      partitionErrorCode: 0,
      partitionId: 0,
      leader: 1,
      replicas: [1],
      isr: [1],
      offlineReplicas: [],
    })
  })

  it('createTopics resolves false when the topics already exist', async () => {
    const name = uniqueName('adm-exists')
    expect(await admin.createTopics({ topics: [{ topic: name }] })).toBe(true)
    expect(await admin.createTopics({ topics: [{ topic: name }] })).toBe(false)
  })

  it('createTopics with validateOnly creates nothing', async () => {
    const name = uniqueName('adm-validate')
    expect(await admin.createTopics({ validateOnly: true, topics: [{ topic: name, numPartitions: 2 }] })).toBe(true)
    expect(await admin.listTopics()).not.toContain(name)
  })

  it('createTopics reports each refused topic by name and creates the others', async () => {
    const good = uniqueName('adm-good')
    const tooManyReplicas = uniqueName('adm-rf')
    const badConfig = uniqueName('adm-badcfg')
    const error = await admin
      .createTopics({
        topics: [
          { topic: good, numPartitions: 2 },
          { topic: tooManyReplicas, replicationFactor: 3 },
          { topic: badConfig, configEntries: [{ name: 'no.such.config', value: 'x' }] },
        ],
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSAggregateError)
    const errors = (error as KafkaJSAggregateError).errors as KafkaJSCreateTopicError[]
    expect(errors.every((e) => e instanceof KafkaJSCreateTopicError)).toBe(true)
    expect(errors.map((e) => [e.topic, e.type]).sort()).toEqual(
      [
        [badConfig, 'INVALID_CONFIG'],
        [tooManyReplicas, 'INVALID_REPLICATION_FACTOR'],
      ].sort(),
    )
    const listed = await admin.listTopics()
    expect(listed).toContain(good)
    expect(listed).not.toContain(tooManyReplicas)
    expect(listed).not.toContain(badConfig)
  })

  it("refuses bad input with KafkaJS's checks before any request; the broker judges names and counts", async () => {
    await expect(admin.createTopics({ topics: [{ topic: 'x' }, { topic: 'x' }] })).rejects.toThrow(
      'Invalid topics array, it cannot have multiple entries for the same topic',
    )
    await expect(admin.createTopics({ topics: [{ topic: 1 as never }] })).rejects.toThrow(KafkaJSNonRetriableError)
    // what KafkaJS sends, the broker refuses: each topic named in the aggregate
    for (const topic of [{ topic: 'bad name!' }, { topic: 'ok', numPartitions: -3 }, { topic: 'a'.repeat(250) }]) {
      const error = await admin.createTopics({ topics: [topic] }).catch((e: unknown) => e)
      expect(error).toMatchObject({ name: 'KafkaJSAggregateError', message: 'Topic creation errors' })
      expect((error as KafkaJSAggregateError).errors[0]).toMatchObject({ topic: topic.topic })
    }
    await expect(admin.createTopics({ topics: [{ topic: 'ok', numPartitions: 1.5 }] })).rejects.toThrow(
      KafkaJSInvalidArgumentError,
    )
  })

  it('deleteTopics resolves once the topics are gone from metadata, and names unknown topics', async () => {
    const a = uniqueName('adm-del-a')
    const b = uniqueName('adm-del-b')
    await admin.createTopics({ topics: [{ topic: a }, { topic: b, numPartitions: 2 }] })
    await admin.deleteTopics({ topics: [a, b] })
    const listed = await admin.listTopics()
    expect(listed).not.toContain(a)
    expect(listed).not.toContain(b)

    const c = uniqueName('adm-del-c')
    const missing = uniqueName('adm-del-missing')
    await admin.createTopics({ topics: [{ topic: c }] })
    // as KafkaJS: the unknown topic is asked about again, then fails as its retries exceeded
    const error = await admin.deleteTopics({ topics: [c, missing] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded)
    expect((error as KafkaJSNumberOfRetriesExceeded).cause).toMatchObject({
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
      detail: expect.stringContaining(`topic ${missing}`),
    })
    expect(await admin.listTopics()).not.toContain(c)
  })

  it('createPartitions grows topics and names a topic it cannot grow', async () => {
    const name = uniqueName('adm-grow')
    await admin.createTopics({ topics: [{ topic: name, numPartitions: 1 }] })
    expect(await admin.createPartitions({ topicPartitions: [{ topic: name, count: 3 }] })).toBeUndefined() // as KafkaJS's
    const { topics } = await admin.fetchTopicMetadata({ topics: [name] })
    expect(topics[0]!.partitions.map((p) => p.partitionId)).toEqual([0, 1, 2])
    expect(topics[0]!.partitions.every((p) => p.leader === 1)).toBe(true)

    const error = await admin
      .createPartitions({ topicPartitions: [{ topic: name, count: 2 }] })
      .catch((e: unknown) => e)
    // as KafkaJS: the broker's error itself; `detail` names the topic
    expect(error).toBeInstanceOf(KafkaJSProtocolError)
    expect(error).toMatchObject({ type: 'INVALID_PARTITIONS', message: 'Number of partitions is invalid' })
    expect((error as KafkaJSProtocolError).detail).toContain(`topic ${name}`)
  })

  it('fetchTopicMetadata without topics returns every topic; with an unknown one it names it', async () => {
    const name = uniqueName('adm-meta')
    await admin.createTopics({ topics: [{ topic: name }] })
    const { topics } = await admin.fetchTopicMetadata()
    expect(topics.map((t) => t.name)).toContain(name)
    const missing = uniqueName('adm-meta-missing')
    const error = await admin.fetchTopicMetadata({ topics: [name, missing] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSProtocolError)
    expect(error).toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION', detail: `topic ${missing}` })
    // asking never creates the topic
    expect(await admin.listTopics()).not.toContain(missing)
  })

  it('describeTopics looks topics up by name and by id', async () => {
    const name = uniqueName('adm-describe')
    await admin.createTopics({ topics: [{ topic: name, numPartitions: 2 }] })
    const byName = await admin.describeTopics({ topics: [name], includeAuthorizedOperations: true })
    const described = byName.topics[0]!
    expect(described.name).toBe(name)
    expect(described.topicId).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(described.isInternal).toBe(false)
    expect(described.partitions.map((p) => [p.partitionId, p.leader, p.leaderEpoch])).toEqual([
      [0, 1, 0],
      [1, 1, 0],
    ])
    // no authorizer: every operation is allowed
    expect(described.authorizedOperations).toEqual(expect.arrayContaining([3, 4, 8]))
    const byId = await admin.describeTopics({ topicIds: [described.topicId] })
    expect(byId.topics[0]!.name).toBe(name)
  })

  it('describeCluster names the brokers, the controller and the cluster id', async () => {
    const cluster = await admin.describeCluster()
    expect(cluster.brokers).toEqual([expect.objectContaining({ nodeId: 1, host: '127.0.0.1' })])
    expect(cluster.controller).toBe(1)
    expect(cluster.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })
})
