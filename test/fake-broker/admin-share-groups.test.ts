// The share-group admin calls' error paths a real broker gives only in other versions or states:
// a broker without share groups (the APIs not advertised, or only Kafka 4.0's early-access
// ShareGroupDescribe v0), a coordinator still loading or moved, and group- and partition-level refusals.

import {
  type Admin,
  Kafka,
  KafkaJSAggregateError,
  KafkaJSProtocolError,
  KafkaJSServerDoesNotSupportApiKey,
  KafkaJSShareGroupsNotEnabledError,
  logLevel,
} from '../../src/index.js'
import {
  AlterShareGroupOffsets,
  createAlterShareGroupOffsetsResponse,
  createAlterShareGroupOffsetsResponseAlterShareGroupOffsetsResponsePartition,
  createAlterShareGroupOffsetsResponseAlterShareGroupOffsetsResponseTopic,
} from '../../src/protocol/generated/alter-share-group-offsets.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import { FindCoordinator } from '../../src/protocol/generated/find-coordinator.js'
import {
  createShareGroupDescribeResponse,
  createShareGroupDescribeResponseDescribedGroup,
  ShareGroupDescribe,
} from '../../src/protocol/generated/share-group-describe.js'
import { FAST_RETRY, fakeClusterPerTest } from './per-test.js'

let admin: Admin | undefined
afterEach(async () => {
  await admin?.disconnect()
  admin = undefined
})

const fake = fakeClusterPerTest({ topics: { t: 1 } })

async function connectAdmin(): Promise<Admin> {
  admin = new Kafka({ brokers: fake.cluster.brokers, logLevel: logLevel.NOTHING, retry: FAST_RETRY }).admin()
  await admin.connect()
  return admin
}

test('a broker without share groups: each call fails with KafkaJSShareGroupsNotEnabledError naming its API', async () => {
  const a = await connectAdmin()
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['ShareGroupDescribe', () => a.describeShareGroups(['g'])],
    ['DescribeShareGroupOffsets', () => a.fetchShareGroupOffsets({ groupId: 'g' })],
    [
      'AlterShareGroupOffsets',
      () =>
        a.alterShareGroupOffsets({ groupId: 'g', topics: [{ topic: 't', partitions: [{ partition: 0, offset: 1 }] }] }),
    ],
    ['DeleteShareGroupOffsets', () => a.deleteShareGroupOffsets({ groupId: 'g', topics: ['t'] })],
  ]
  for (const [api, call] of calls) {
    const error = await call().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSShareGroupsNotEnabledError)
    expect(error).toMatchObject({ feature: 'share.version', retriable: false })
    expect((error as Error).message).toContain(`does not support ${api}`)
    expect((error as Error).cause).toBeInstanceOf(KafkaJSServerDoesNotSupportApiKey)
    expect((error as Error).cause).toMatchObject({ apiName: api })
  }
  // nothing was retried: one lookup of the coordinator, no share-group request
  expect(fake.cluster.received(ShareGroupDescribe)).toHaveLength(0)
})

test("Kafka 4.0's early-access ShareGroupDescribe v0 only: no common version", async () => {
  fake.cluster.handle(ShareGroupDescribe, () => createShareGroupDescribeResponse(), { minVersion: 0, maxVersion: 0 })
  const a = await connectAdmin()
  const error = await a.describeShareGroups(['g']).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(KafkaJSShareGroupsNotEnabledError)
  expect((error as Error).message).toContain('ShareGroupDescribe (API key 77) v0-v0')
  expect((error as Error).message).toContain('no common version')
})

test('a coordinator still loading is asked again; a group that does not exist is Dead', async () => {
  let calls = 0
  fake.cluster.handle(ShareGroupDescribe, ({ request }) => {
    calls++
    const errorCode = calls === 1 ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.GROUP_ID_NOT_FOUND
    return createShareGroupDescribeResponse({
      groups: request.groupIds.map((groupId) =>
        createShareGroupDescribeResponseDescribedGroup({ groupId, errorCode, groupState: '' }),
      ),
    })
  })
  const a = await connectAdmin()
  const { groups } = await a.describeShareGroups(['g'])
  expect(calls).toBe(2)
  expect(groups).toEqual([expect.objectContaining({ groupId: 'g', type: 'share', state: 'Dead', members: [] })])
})

test("the group's own refusal of an alteration is thrown as it is", async () => {
  fake.cluster.handle(AlterShareGroupOffsets, () =>
    createAlterShareGroupOffsetsResponse({ errorCode: ErrorCode.NON_EMPTY_GROUP, errorMessage: 'members run' }),
  )
  const a = await connectAdmin()
  const error = await a
    .alterShareGroupOffsets({
      groupId: 'g',
      topics: [
        {
          topic: 't',
          partitions: [
            { partition: 0, offset: '1' },
            { partition: 1, offset: 2n },
          ],
        },
      ],
    })
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(KafkaJSProtocolError)
  expect(error).toMatchObject({ type: 'NON_EMPTY_GROUP', retriable: false })
})

test('an alteration the coordinator refuses as NOT_COORDINATOR goes to the coordinator looked up again; partitions fail on their own', async () => {
  let calls = 0
  fake.cluster.handle(AlterShareGroupOffsets, ({ request }) => {
    calls++
    if (calls === 1) return createAlterShareGroupOffsetsResponse({ errorCode: ErrorCode.NOT_COORDINATOR })
    return createAlterShareGroupOffsetsResponse({
      responses: request.topics.map((t) =>
        createAlterShareGroupOffsetsResponseAlterShareGroupOffsetsResponseTopic({
          topicName: t.topicName,
          partitions: t.partitions.map((p) =>
            createAlterShareGroupOffsetsResponseAlterShareGroupOffsetsResponsePartition({
              partitionIndex: p.partitionIndex,
              errorCode: p.partitionIndex === 1 ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NONE,
            }),
          ),
        }),
      ),
    })
  })
  const a = await connectAdmin()
  await a.alterShareGroupOffsets({ groupId: 'g', topics: [{ topic: 't', partitions: [{ partition: 0, offset: 5 }] }] })
  expect(calls).toBe(2)
  expect(fake.cluster.received(FindCoordinator)).toHaveLength(2)
  expect(fake.cluster.received(AlterShareGroupOffsets).map((r) => r.request.topics[0]!.partitions)).toEqual([
    [{ partitionIndex: 0, startOffset: 5n }],
    [{ partitionIndex: 0, startOffset: 5n }],
  ])
  const error = await a
    .alterShareGroupOffsets({
      groupId: 'g',
      topics: [
        {
          topic: 't',
          partitions: [
            { partition: 0, offset: 1 },
            { partition: 1, offset: 1 },
          ],
        },
      ],
    })
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(KafkaJSAggregateError)
  expect((error as KafkaJSAggregateError).errors).toEqual([
    expect.objectContaining({ item: { groupId: 'g', topic: 't', partition: 1 }, type: 'UNKNOWN_TOPIC_OR_PARTITION' }),
  ])
})
