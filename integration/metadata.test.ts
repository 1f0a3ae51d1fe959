// Metadata against a real broker: at every version the broker supports, and through the cluster's
// metadata cache and leader lookup.

import { randomUUID } from 'node:crypto'
import { Cluster } from '../src/cluster/cluster.js'
import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from '../src/errors.js'
import { createMetadataRequestMetadataRequestTopic, Metadata } from '../src/protocol/generated/metadata.js'
import { ZERO_UUID } from '../src/protocol/primitives/uuid.js'
import { brokers } from './helpers/brokers.js'
import { connectedCluster, createTopic } from './network-helpers.js'

const seeds = brokers()
const topic = `kafkit-metadata-${randomUUID()}`
let cluster: Cluster

beforeAll(async () => {
  cluster = await connectedCluster('kafkit-metadata-test')
  await createTopic(cluster, topic, 3)
})

afterAll(() => cluster.disconnect())

test('Metadata decodes sanely at every version the broker supports', async () => {
  const connection = await cluster.anyConnection()
  const range = connection.apiVersions.get(Metadata.apiKey)!
  const low = Math.max(range.minVersion, Metadata.minVersion)
  const high = Math.min(range.maxVersion, Metadata.latestVersion)
  expect(high).toBeGreaterThanOrEqual(12)
  const clusterIds = new Set<string | null>()
  const topicIds = new Set<string>()
  for (let version = low; version <= high; version++) {
    const request = Metadata.createRequest({
      topics: [createMetadataRequestMetadataRequestTopic({ name: topic })],
      // v0-v3 cannot carry the flag (the broker's auto.create.topics.enable decides); the topic exists anyway
      allowAutoTopicCreation: version < 4,
    })
    const response = await connection.send(Metadata, request, { version })
    const label = `Metadata v${version}`
    expect({ label, errorCode: response.errorCode }).toEqual({ label, errorCode: 0 })

    const brokerIds = new Set(response.brokers.map((b) => b.nodeId))
    expect(response.brokers.length).toBeGreaterThanOrEqual(1)
    for (const b of response.brokers) {
      expect(b.nodeId).toBeGreaterThanOrEqual(0)
      expect(b.host.length).toBeGreaterThan(0)
      expect(b.port).toBeGreaterThan(0)
    }
    // the broker we asked is one of those listed
    expect(response.brokers.map((b) => `${b.host}:${b.port}`)).toContain(connection.broker)
    if (version >= 1) expect(brokerIds.has(response.controllerId)).toBe(true)
    if (version >= 2) {
      expect(typeof response.clusterId).toBe('string')
      clusterIds.add(response.clusterId)
    }

    expect(response.topics).toHaveLength(1)
    const [t] = response.topics
    expect({ label, name: t!.name, errorCode: t!.errorCode, isInternal: t!.isInternal }).toEqual({
      label,
      name: topic,
      errorCode: 0,
      isInternal: false,
    })
    if (version >= 10) {
      expect(t!.topicId).not.toBe(ZERO_UUID)
      topicIds.add(t!.topicId)
    }
    const partitions = [...t!.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex)
    expect(partitions.map((p) => p.partitionIndex)).toEqual([0, 1, 2])
    for (const p of partitions) {
      expect(p.errorCode).toBe(0)
      expect(brokerIds.has(p.leaderId)).toBe(true)
      expect(p.replicaNodes).toContain(p.leaderId)
      expect(p.isrNodes).toContain(p.leaderId)
      expect(p.offlineReplicas).toEqual([])
      if (version >= 7) expect(p.leaderEpoch).toBeGreaterThanOrEqual(0)
    }
  }
  // one cluster, one topic: the same ids whatever the version
  expect(clusterIds.size).toBe(1)
  expect(topicIds.size).toBe(1)
})

test('a request for every topic (null) lists the new topic', async () => {
  const connection = await cluster.anyConnection()
  const response = await connection.send(Metadata, Metadata.createRequest({ topics: null }))
  expect(response.topics.map((t) => t.name)).toContain(topic)
})

test('the metadata cache holds brokers, controller, cluster id and the topic with its partitions', async () => {
  const metadata = await cluster.refreshMetadata([topic])
  expect(metadata.clusterId).toEqual(expect.any(String))
  expect(metadata.brokers.has(metadata.controllerId)).toBe(true)
  const cached = metadata.topics.get(topic)!
  expect(cached.errorCode).toBe(0)
  expect(cached.topicId).not.toBe(ZERO_UUID)
  expect([...cached.partitions.keys()].sort()).toEqual([0, 1, 2])
  for (const p of cached.partitions.values()) {
    expect(metadata.brokers.has(p.leader)).toBe(true)
    expect(p.leaderEpoch).toBeGreaterThanOrEqual(0)
    expect(p.isr).toContain(p.leader)
    expect(await cluster.leaderFor(topic, p.partition)).toBe(p.leader)
  }
  const leaderConnection = await cluster.connectionToLeader(topic, 0)
  expect(leaderConnection.broker).toBe(
    `${metadata.brokers.get(cached.partitions.get(0)!.leader)!.host}:${metadata.brokers.get(cached.partitions.get(0)!.leader)!.port}`,
  )
  // the connection per node is reused
  expect(await cluster.connectionToLeader(topic, 0)).toBe(leaderConnection)
})

test('a topic that does not exist is cached with UNKNOWN_TOPIC_OR_PARTITION and its leader lookup fails', async () => {
  const missing = `kafkit-missing-${randomUUID()}`
  const quick = new Cluster({
    brokers: seeds,
    allowAutoTopicCreation: false,
    retry: { retries: 1, initialRetryTime: 10 },
  })
  try {
    const metadata = await quick.refreshMetadata([missing])
    expect(metadata.topics.get(missing)!.errorCode).toBe(3)
    const error = await quick.leaderFor(missing, 0).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded)
    const cause = (error as KafkaJSNumberOfRetriesExceeded).cause
    expect(cause).toBeInstanceOf(KafkaJSProtocolError)
    expect((cause as KafkaJSProtocolError).type).toBe('UNKNOWN_TOPIC_OR_PARTITION')
  } finally {
    await quick.disconnect()
  }
})
