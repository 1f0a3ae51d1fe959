import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ClusterMetadata } from '../../src/cluster/metadata.js'
import { isStaleMetadataError, STALE_METADATA_ERROR_CODES } from '../../src/cluster/stale-metadata.js'
import { KafkaJSProtocolError, KafkaJSTopicMetadataNotLoaded } from '../../src/errors.js'
import { ErrorCode, protocolError } from '../../src/protocol/generated/errors.js'
import {
  createMetadataResponseMetadataResponseBroker as broker,
  createMetadataResponse,
  createMetadataResponseMetadataResponsePartition as partition,
  createMetadataResponseMetadataResponseTopic as topic,
} from '../../src/protocol/generated/metadata.js'

const brokers = [broker({ nodeId: 1, host: 'a', port: 1 }), broker({ nodeId: 2, host: 'b', port: 2 })]

function response(topics: ReturnType<typeof topic>[], fields: Partial<ReturnType<typeof createMetadataResponse>> = {}) {
  return createMetadataResponse({ brokers, clusterId: 'c1', controllerId: 2, topics, ...fields })
}

const orders = topic({
  name: 'orders',
  topicId: 'AAAAAAAAAAAAAAAAAAAAAQ',
  partitions: [
    partition({ partitionIndex: 0, leaderId: 1, leaderEpoch: 5, replicaNodes: [1, 2], isrNodes: [1, 2] }),
    partition({ partitionIndex: 1, leaderId: -1, leaderEpoch: 3, errorCode: 5, replicaNodes: [2], isrNodes: [] }),
  ],
})

test('a response becomes brokers, controller, cluster id and topics with their partitions', () => {
  const m = ClusterMetadata.empty().merge(response([orders]), 1000)
  expect(m.clusterId).toBe('c1')
  expect(m.controllerId).toBe(2)
  expect(m.updatedAt).toBe(1000)
  expect([...m.brokers.values()]).toEqual([
    { nodeId: 1, host: 'a', port: 1, rack: null },
    { nodeId: 2, host: 'b', port: 2, rack: null },
  ])
  expect(m.topics.get('orders')!.partitions.get(0)).toEqual({
    partition: 0,
    errorCode: 0,
    leader: 1,
    leaderEpoch: 5,
    replicas: [1, 2],
    isr: [1, 2],
    offlineReplicas: [],
  })
})

test('leaderFor names the leader, or throws a retriable error saying why there is none', () => {
  const m = ClusterMetadata.empty().merge(response([orders, topic({ name: 'gone', errorCode: 3 })]), 0)
  expect(m.leaderFor('orders', 0)).toBe(1)
  const thrownBy = (fn: () => unknown): unknown => {
    try {
      fn()
    } catch (error) {
      return error
    }
    return undefined
  }
  const noLeader = thrownBy(() => m.leaderFor('orders', 1))
  expect(noLeader).toBeInstanceOf(KafkaJSProtocolError)
  expect(noLeader).toMatchObject({ type: 'LEADER_NOT_AVAILABLE', retriable: true, detail: 'orders-1 has no leader' })
  expect(thrownBy(() => m.leaderFor('orders', 7))).toMatchObject({
    type: 'UNKNOWN_TOPIC_OR_PARTITION',
    detail: 'topic orders has no partition 7',
  })
  expect(thrownBy(() => m.leaderFor('gone', 0))).toMatchObject({ detail: expect.stringMatching(/topic gone/) })
  expect(() => m.leaderFor('unasked', 0)).toThrow(KafkaJSTopicMetadataNotLoaded)
})

test('a refresh for some topics keeps the others; a refresh for all topics drops the missing ones', () => {
  const other = topic({ name: 'other', partitions: [partition({ partitionIndex: 0, leaderId: 2 })] })
  const m = ClusterMetadata.empty()
    .merge(response([orders]), 0)
    .merge(response([other]), 1)
  expect([...m.topics.keys()].sort()).toEqual(['orders', 'other'])
  expect([...m.merge(response([other]), 2, true).topics.keys()]).toEqual(['other'])
})

test('a partition whose leader epoch went backwards keeps the newer leader (a lagging broker answered)', () => {
  const m = ClusterMetadata.empty().merge(response([orders]), 0)
  const lagging = topic({
    ...orders,
    partitions: [partition({ partitionIndex: 0, leaderId: 2, leaderEpoch: 4, replicaNodes: [1, 2], isrNodes: [2] })],
  })
  expect(m.merge(response([lagging]), 1).leaderFor('orders', 0)).toBe(1)
  const newer = topic({ ...orders, partitions: [partition({ partitionIndex: 0, leaderId: 2, leaderEpoch: 6 })] })
  expect(m.merge(response([newer]), 1).leaderFor('orders', 0)).toBe(2)
  // a recreated topic (new id) starts its epochs again
  const recreated = topic({ ...lagging, topicId: 'AAAAAAAAAAAAAAAAAAAAAg' })
  expect(m.merge(response([recreated]), 1).leaderFor('orders', 0)).toBe(2)
})

test('brokers and controller are replaced by each response', () => {
  const m = ClusterMetadata.empty()
    .merge(response([]), 0)
    .merge(response([], { brokers: [broker({ nodeId: 3, host: 'c', port: 3 })], controllerId: 3 }), 1)
  expect([...m.brokers.keys()]).toEqual([3])
  expect(m.controllerId).toBe(3)
})

test('stale-metadata errors are the ones that call for a refresh', () => {
  for (const code of [3, 5, 6, 41, 74, 100]) expect(isStaleMetadataError(protocolError(code))).toBe(true)
  for (const code of [1, 7, 14, 15, 16, 29]) expect(isStaleMetadataError(protocolError(code))).toBe(false)
  expect(isStaleMetadataError(6)).toBe(true)
  expect(isStaleMetadataError(new Error('NOT_LEADER_OR_FOLLOWER'))).toBe(false)
})

test("the stale-metadata codes are Kafka's InvalidMetadataException family, less election outcomes, plus NOT_CONTROLLER", () => {
  // protocol/errors.json records, per code, whether Kafka's exception is an InvalidMetadataException
  const { errors } = JSON.parse(readFileSync(join(__dirname, '../../protocol/errors.json'), 'utf8')) as {
    errors: { code: number; invalidMetadata: boolean }[]
  }
  const family = errors.filter((e) => e.invalidMetadata).map((e) => e.code)
  const electionOutcomes: number[] = [ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, ErrorCode.ELECTION_NOT_NEEDED]
  const expected = [...family.filter((c) => !electionOutcomes.includes(c)), ErrorCode.NOT_CONTROLLER]
  expect([...STALE_METADATA_ERROR_CODES].sort((a, b) => a - b)).toStrictEqual(expected.sort((a, b) => a - b))
})

test('withLeaders routes to the leaders a response named (KIP-951), keeping replicas, ISR and updatedAt', () => {
  const m = ClusterMetadata.empty().merge(response([orders]), 1000)
  const { metadata, applied } = m.withLeaders(
    [
      { topic: 'orders', partition: 0, leaderId: 3, leaderEpoch: 6 },
      { topic: 'orders', partition: 1, leaderId: 2, leaderEpoch: 4 },
    ],
    [{ nodeId: 3, host: 'c', port: 3, rack: 'r3' }],
  )
  expect(applied).toHaveLength(2)
  expect(metadata.leaderFor('orders', 0)).toBe(3)
  expect(metadata.leaderFor('orders', 1)).toBe(2)
  expect(metadata.topics.get('orders')!.partitions.get(0)).toMatchObject({
    leaderEpoch: 6,
    replicas: [1, 2],
    isr: [1, 2],
  })
  expect(metadata.brokers.get(3)).toEqual({ nodeId: 3, host: 'c', port: 3, rack: 'r3' })
  expect(metadata.updatedAt).toBe(1000)
  // the snapshot it came from is not changed
  expect(m.leaderFor('orders', 0)).toBe(1)
})

test('withLeaders ignores hints that are incomplete, not newer, name an unknown node or an unknown partition', () => {
  const m = ClusterMetadata.empty().merge(response([orders]), 0)
  const { metadata, applied } = m.withLeaders([
    { topic: 'orders', partition: 0, leaderId: -1, leaderEpoch: 7 },
    { topic: 'orders', partition: 0, leaderId: 2, leaderEpoch: -1 },
    { topic: 'orders', partition: 0, leaderId: 2, leaderEpoch: 5 },
    { topic: 'orders', partition: 0, leaderId: 9, leaderEpoch: 7 },
    { topic: 'orders', partition: 4, leaderId: 2, leaderEpoch: 7 },
    { topic: 'unknown', partition: 0, leaderId: 2, leaderEpoch: 7 },
  ])
  expect(applied).toEqual([])
  expect(metadata).toBe(m)
})
