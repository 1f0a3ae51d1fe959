// The connection layer against a real broker: pipelining, bootstrap over bad seeds, the broker's
// own answer to an ApiVersions version it does not know, and a round trip of several APIs routed to
// the right node (leader, any broker, group and transaction coordinators).

import { randomUUID } from 'node:crypto'
import net from 'node:net'
import { Cluster } from '../src/cluster/cluster.js'
import { CoordinatorType } from '../src/cluster/coordinator-lookup.js'
import type { Logger } from '../src/common/logger.js'
import { FrameDecoder } from '../src/network/frame-decoder.js'
import { decodeResponseFrame, encodeRequestFrame } from '../src/protocol/frame.js'
import { ApiVersions } from '../src/protocol/generated/api-versions.js'
import { DescribeCluster } from '../src/protocol/generated/describe-cluster.js'
import {
  createDescribeConfigsRequestDescribeConfigsResource,
  DescribeConfigs,
} from '../src/protocol/generated/describe-configs.js'
import { FindCoordinator } from '../src/protocol/generated/find-coordinator.js'
import {
  createListOffsetsRequestListOffsetsPartition,
  createListOffsetsRequestListOffsetsTopic,
  ListOffsets,
} from '../src/protocol/generated/list-offsets.js'
import { createMetadataRequestMetadataRequestTopic, Metadata } from '../src/protocol/generated/metadata.js'
import { closedPort } from '../test/network/ports.js'
import { brokers, hostAndPort } from './helpers/brokers.js'
import { connectedCluster, createTopic } from './network-helpers.js'

const seeds = brokers()
const topic = `kafkit-network-${randomUUID()}`
let cluster: Cluster

beforeAll(async () => {
  cluster = await connectedCluster('kafkit-network-test')
  await createTopic(cluster, topic, 2)
})

afterAll(() => cluster.disconnect())

test('a pipelined burst is answered in order, each response matched to its request', async () => {
  const connection = await cluster.anyConnection()
  // each request names a different (missing) topic, so a response matched to the wrong request shows
  const names = Array.from({ length: 200 }, (_, i) => `kafkit-burst-${i}-${randomUUID()}`)
  const responses = await Promise.all(
    names.map((name) =>
      connection.send(
        Metadata,
        Metadata.createRequest({
          topics: [createMetadataRequestMetadataRequestTopic({ name })],
          allowAutoTopicCreation: false,
        }),
      ),
    ),
  )
  expect(responses.map((r) => r.topics[0]!.name)).toEqual(names)
  expect(responses.every((r) => r.topics[0]!.errorCode === 3)).toBe(true)
  expect(connection.pendingRequests).toBe(0)
})

test('bootstrap works with an unreachable seed listed first, whichever order the seeds are tried in', async () => {
  const bad = `127.0.0.1:${await closedPort()}`
  // KafkaJS's entry for a seed that fails, at ERROR; its message names the seed through the error's
  const errors: string[] = []
  const logger: Logger = { error: (m) => errors.push(m), warn() {}, info() {}, debug() {} }
  // seeds are tried in random order: repeat until the bad one has been tried first at least once
  for (let i = 0; i < 30 && !errors.some((w) => w.includes(bad)); i++) {
    const c = new Cluster({ brokers: [bad, ...seeds], logger })
    try {
      await c.connect()
      expect(c.metadata.brokers.size).toBeGreaterThanOrEqual(1)
    } finally {
      await c.disconnect()
    }
  }
  expect(
    errors.some(
      (w) => w.startsWith('Failed to connect to seed broker, trying another broker from the list: ') && w.includes(bad),
    ),
  ).toBe(true)
})

test('the broker answers an ApiVersions version it does not know in v0, with UNSUPPORTED_VERSION and its range', async () => {
  // claims the broker behaviour the handshake's fallback relies on: a raw socket sends version 127
  const { host, port } = hostAndPort(seeds[0]!)
  const socket = net.connect({ host, port })
  const decoder = new FrameDecoder()
  const frame = new Promise<Buffer>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      const [first] = decoder.push(chunk)
      if (first) resolve(first)
    })
    socket.on('error', reject)
  })
  const future = { ...ApiVersions, sizeRequest: () => 0, writeRequest: () => {}, requestHeaderVersion: () => 2 }
  const request = encodeRequestFrame(future, 127, 1, 'kafkit', ApiVersions.createRequest())
  socket.write(request)
  try {
    const response = decodeResponseFrame(ApiVersions, 0, await frame)
    expect(response.errorCode).toBe(35)
    const own = response.apiKeys.find((k) => k.apiKey === ApiVersions.apiKey)
    expect(own!.maxVersion).toBeGreaterThanOrEqual(3)
  } finally {
    socket.destroy()
  }
})

test('ListOffsets to the partition leader: an empty topic starts and ends at offset 0', async () => {
  const leader = await cluster.connectionToLeader(topic, 0)
  const partitions = [-2n, -1n].map((timestamp) =>
    createListOffsetsRequestListOffsetsPartition({ partitionIndex: 0, timestamp }),
  )
  for (const partition of partitions) {
    const response = await leader.send(
      ListOffsets,
      ListOffsets.createRequest({
        replicaId: -1,
        topics: [createListOffsetsRequestListOffsetsTopic({ name: topic, partitions: [partition] })],
      }),
    )
    const [answer] = response.topics[0]!.partitions
    expect(answer).toMatchObject({ partitionIndex: 0, errorCode: 0, offset: 0n })
  }
})

test('DescribeConfigs of the topic returns its configuration', async () => {
  const connection = await cluster.anyConnection()
  const response = await connection.send(
    DescribeConfigs,
    DescribeConfigs.createRequest({
      resources: [
        createDescribeConfigsRequestDescribeConfigsResource({
          resourceType: 2, // TOPIC
          resourceName: topic,
          configurationKeys: null,
        }),
      ],
    }),
  )
  const [result] = response.results
  expect(result).toMatchObject({ errorCode: 0, resourceName: topic })
  expect(result!.configs.find((c) => c.name === 'cleanup.policy')?.value).toBe('delete')
})

test('DescribeCluster agrees with the metadata cache', async () => {
  const connection = await cluster.anyConnection()
  const response = await connection.send(DescribeCluster, DescribeCluster.createRequest())
  expect(response.errorCode).toBe(0)
  const metadata = cluster.metadata
  expect(response.clusterId).toBe(metadata.clusterId)
  expect(response.brokers.map((b) => [b.brokerId, b.host, b.port]).sort()).toEqual(
    [...metadata.brokers.values()].map((b) => [b.nodeId, b.host, b.port]).sort(),
  )
})

test('group coordinators: one key, then many keys in one batched lookup, all cached', async () => {
  const group = `kafkit-group-${randomUUID()}`
  const coordinator = await cluster.findCoordinator(CoordinatorType.GROUP, group)
  expect(cluster.metadata.brokers.has(coordinator.nodeId)).toBe(true)
  const connection = await cluster.coordinatorConnection(CoordinatorType.GROUP, group)
  expect(connection.broker).toBe(`${coordinator.host}:${coordinator.port}`)
  expect(connection.versionFor(FindCoordinator)).toBeGreaterThanOrEqual(4)

  const groups = Array.from({ length: 5 }, (_, i) => `kafkit-group-${i}-${randomUUID()}`)
  const results = await cluster.findCoordinators(CoordinatorType.GROUP, [...groups, group])
  for (const key of [...groups, group]) {
    const result = results.get(key)!
    expect(result.error).toBeUndefined()
    expect(cluster.metadata.brokers.has(result.coordinator!.nodeId)).toBe(true)
  }
})

test('transaction coordinator lookup waits out COORDINATOR_NOT_AVAILABLE while the state topic is created', async () => {
  const coordinator = await cluster.findCoordinator(CoordinatorType.TRANSACTION, `kafkit-txn-${randomUUID()}`)
  expect(cluster.metadata.brokers.has(coordinator.nodeId)).toBe(true)
})
