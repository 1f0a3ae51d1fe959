// The admin client's retry and routing mechanics, on framing-only fake servers that answer with
// the errors a real cluster gives only under failure (controller moved, coordinator loading or
// moved, connection lost). What the broker does is tested in integration/ against real Kafka; these
// tests check what the client does with such answers.

import type { Admin } from '../../src/admin/admin.js'
import {
  AdminEvents,
  ConfigResourceTypes,
  Kafka,
  KafkaJSAggregateError,
  type KafkaJSCreateTopicError,
  KafkaJSDeleteGroupsError,
  KafkaJSDeleteTopicRecordsError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  type LogEntry,
  logLevel,
} from '../../src/index.js'
import {
  CreatePartitions,
  createCreatePartitionsResponseCreatePartitionsTopicResult as partitionsResult,
} from '../../src/protocol/generated/create-partitions.js'
import {
  CreateTopics,
  createCreateTopicsResponseCreatableTopicResult as topicResult,
} from '../../src/protocol/generated/create-topics.js'
import {
  DeleteGroups,
  createDeleteGroupsResponseDeletableGroupResult as groupResult,
} from '../../src/protocol/generated/delete-groups.js'
import {
  DeleteRecords,
  createDeleteRecordsResponseDeleteRecordsPartitionResult as deletedPartition,
  createDeleteRecordsResponseDeleteRecordsTopicResult as deletedTopic,
} from '../../src/protocol/generated/delete-records.js'
import {
  DeleteTopics,
  createDeleteTopicsResponseDeletableTopicResult as deletedResult,
} from '../../src/protocol/generated/delete-topics.js'
import {
  createDescribeConfigsResponseDescribeConfigsResult as configResult,
  DescribeConfigs,
} from '../../src/protocol/generated/describe-configs.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import {
  createFindCoordinatorResponseCoordinator as coordinator,
  FindCoordinator,
} from '../../src/protocol/generated/find-coordinator.js'
import {
  ListOffsets,
  createListOffsetsResponseListOffsetsPartitionResponse as listedPartition,
  createListOffsetsResponseListOffsetsTopicResponse as listedTopic,
} from '../../src/protocol/generated/list-offsets.js'
import {
  createMetadataResponseMetadataResponseBroker as broker,
  Metadata,
  createMetadataResponseMetadataResponsePartition as partition,
  createMetadataResponseMetadataResponseTopic as topicResponse,
} from '../../src/protocol/generated/metadata.js'
import { Reader } from '../../src/protocol/primitives/reader.js'
import { FakeServer } from '../network/fake-server.js'

let servers: FakeServer[]
let controllerId: number
let coordinatorOf: (key: string) => number
const admins: Admin[] = []

beforeEach(async () => {
  controllerId = 1
  coordinatorOf = () => 1
  servers = [await FakeServer.start(), await FakeServer.start()]
  for (const server of servers) {
    server.serve(Metadata, (request) =>
      Metadata.createResponse({
        clusterId: 'fake',
        controllerId,
        brokers: servers.map((s, i) => broker({ nodeId: i + 1, host: '127.0.0.1', port: s.port })),
        // every topic asked about exists, with one partition led by node 1
        topics: (request.topics ?? []).map(({ name }) =>
          topicResponse({ name, partitions: [partition({ partitionIndex: 0, leaderId: 1 })] }),
        ),
      }),
    )
    server.serve(FindCoordinator, (request) =>
      FindCoordinator.createResponse({
        coordinators: request.coordinatorKeys.map((key) => {
          const node = coordinatorOf(key)
          return coordinator({ key, nodeId: node, host: '127.0.0.1', port: servers[node - 1]!.port })
        }),
      }),
    )
  }
})

afterEach(async () => {
  for (const admin of admins.splice(0)) await admin.disconnect()
  for (const server of servers) await server.close()
})

async function connectedAdmin(retries = 5): Promise<Admin> {
  const kafka = new Kafka({
    brokers: [servers[0]!.broker],
    logLevel: logLevel.NOTHING,
    retry: { retries, initialRetryTime: 1, maxRetryTime: 5 },
  })
  const admin = kafka.admin()
  admins.push(admin)
  await admin.connect()
  return admin
}

describe('admin retries (fake servers)', () => {
  it('createTopics retries only the topics that got NOT_CONTROLLER, on the new controller', async () => {
    const asked: Array<{ node: number; topics: string[] }> = []
    for (const [i, server] of servers.entries()) {
      server.serve(CreateTopics, (request) => {
        asked.push({ node: i + 1, topics: request.topics.map((t) => t.name) })
        // the first answer: the controller moved for topic b
        const moved = asked.length === 1
        if (moved) controllerId = 2
        return CreateTopics.createResponse({
          topics: request.topics.map((t) =>
            topicResult({ name: t.name, errorCode: moved && t.name === 'b' ? ErrorCode.NOT_CONTROLLER : 0 }),
          ),
        })
      })
    }
    const admin = await connectedAdmin()
    expect(await admin.createTopics({ topics: [{ topic: 'a' }, { topic: 'b' }] })).toBe(true)
    expect(asked).toEqual([
      { node: 1, topics: ['a', 'b'] },
      { node: 2, topics: ['b'] },
    ])
  })

  it('does not retry a topic the controller refused for good', async () => {
    servers[0]!.serve(CreateTopics, (request) =>
      CreateTopics.createResponse({
        topics: request.topics.map((t) => topicResult({ name: t.name, errorCode: ErrorCode.INVALID_CONFIG })),
      }),
    )
    const admin = await connectedAdmin()
    await expect(admin.createTopics({ topics: [{ topic: 'a' }] })).rejects.toThrow(KafkaJSAggregateError)
    expect(servers[0]!.received(CreateTopics)).toHaveLength(1)
  })

  it('gives up after the configured retries and names the item with its last error', async () => {
    servers[0]!.serve(CreateTopics, (request) =>
      CreateTopics.createResponse({
        topics: request.topics.map((t) => topicResult({ name: t.name, errorCode: ErrorCode.REQUEST_TIMED_OUT })),
      }),
    )
    const admin = await connectedAdmin(2)
    const error = await admin.createTopics({ topics: [{ topic: 'slow' }] }).catch((e: unknown) => e)
    expect(((error as KafkaJSAggregateError).errors[0] as KafkaJSCreateTopicError).type).toBe('REQUEST_TIMED_OUT')
    expect(servers[0]!.received(CreateTopics)).toHaveLength(3)
  })

  it('deleteGroups retries a group whose coordinator is loading, and looks a moved coordinator up again', async () => {
    const asked: Array<{ node: number; groups: string[] }> = []
    for (const [i, server] of servers.entries()) {
      server.serve(DeleteGroups, (request) => {
        asked.push({ node: i + 1, groups: request.groupsNames })
        const round = asked.length
        return DeleteGroups.createResponse({
          results: request.groupsNames.map((groupId) => {
            let errorCode = 0
            if (round === 1 && groupId === 'g2') errorCode = ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
            if (round === 2 && groupId === 'g2') {
              errorCode = ErrorCode.NOT_COORDINATOR
              coordinatorOf = (key) => (key === 'g2' ? 2 : 1)
            }
            if (groupId === 'gone') errorCode = ErrorCode.GROUP_ID_NOT_FOUND
            return groupResult({ groupId, errorCode })
          }),
        })
      })
    }
    const admin = await connectedAdmin()
    const error = await admin.deleteGroups(['g1', 'g2', 'gone']).catch((e: unknown) => e)
    expect(asked).toEqual([
      { node: 1, groups: ['g1', 'g2', 'gone'] },
      { node: 1, groups: ['g2'] },
      { node: 2, groups: ['g2'] },
    ])
    expect(error).toBeInstanceOf(KafkaJSDeleteGroupsError)
    expect((error as KafkaJSDeleteGroupsError).groups.map((g) => [g.groupId, g.errorCode])).toEqual([
      ['gone', ErrorCode.GROUP_ID_NOT_FOUND],
    ])
    // the coordinator of g2 was looked up again once it said it moved
    expect(servers.flatMap((s) => s.received(FindCoordinator)).length).toBeGreaterThanOrEqual(2)
  })

  it('a lost connection is retried on a new one', async () => {
    let calls = 0
    for (const server of servers) {
      server.advertise(DescribeConfigs)
      // the first request loses its connection, wherever it goes
      server.handlers.set(DescribeConfigs.apiKey, (req) => {
        calls++
        if (calls === 1) {
          req.socket.destroy()
          return
        }
        const request = DescribeConfigs.readRequest(new Reader(req.body), req.apiVersion)
        server.reply(
          req,
          DescribeConfigs,
          DescribeConfigs.createResponse({
            results: request.resources.map((r) =>
              configResult({ resourceType: r.resourceType, resourceName: r.resourceName }),
            ),
          }),
        )
      })
    }
    const admin = await connectedAdmin()
    const result = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 't' }],
    })
    expect(result.resources).toEqual([
      {
        configEntries: [],
        errorCode: 0,
        errorMessage: null,
        resourceName: 't',
        resourceType: ConfigResourceTypes.TOPIC,
      },
    ])
    expect(calls).toBe(2)
  })

  it('reports each request to admin.network.request listeners', async () => {
    servers[0]!.serve(CreateTopics, (request) =>
      CreateTopics.createResponse({ topics: request.topics.map((t) => topicResult({ name: t.name })) }),
    )
    const admin = await connectedAdmin()
    const events: Array<{ type: string; payload: { apiName: string; broker: string } }> = []
    admin.on(AdminEvents.REQUEST, (event) => events.push(event as (typeof events)[number]))
    await admin.createTopics({ topics: [{ topic: 'a' }], waitForLeaders: false })
    expect(events).toEqual([
      expect.objectContaining({
        type: 'admin.network.request',
        payload: expect.objectContaining({ apiName: 'CreateTopics', broker: servers[0]!.broker }),
      }),
    ])
  })

  it('connects on the first call when connect() was not called, as KafkaJS does', async () => {
    const admin = new Kafka({ brokers: [servers[0]!.broker], logLevel: logLevel.NOTHING }).admin()
    admins.push(admin)
    const { brokers } = await admin.describeCluster()
    expect(brokers.map((b) => b.nodeId)).toEqual([1, 2])
  })

  it('createPartitions asks the new controller after NOT_CONTROLLER and resolves', async () => {
    const asked: number[] = []
    for (const [i, server] of servers.entries()) {
      server.serve(CreatePartitions, (request) => {
        asked.push(i + 1)
        const moved = asked.length === 1
        if (moved) controllerId = 2
        return CreatePartitions.createResponse({
          results: request.topics.map((t) =>
            partitionsResult({ name: t.name, errorCode: moved ? ErrorCode.NOT_CONTROLLER : 0 }),
          ),
        })
      })
    }
    const admin = await connectedAdmin()
    await expect(
      admin.createPartitions({ topicPartitions: [{ topic: 't', count: 1 }], validateOnly: true }),
    ).resolves.toBeUndefined()
    expect(asked).toEqual([1, 2])
  })

  it('createPartitions fails with the KafkaJSProtocolError of the first topic refused, not an aggregate', async () => {
    servers[0]!.serve(CreatePartitions, (request) =>
      CreatePartitions.createResponse({
        results: request.topics.map((t) =>
          partitionsResult({ name: t.name, errorCode: t.name === 'b' ? ErrorCode.INVALID_PARTITIONS : 0 }),
        ),
      }),
    )
    const admin = await connectedAdmin()
    const error = await admin
      .createPartitions({
        topicPartitions: [
          { topic: 'a', count: 1 },
          { topic: 'b', count: 1 },
        ],
        validateOnly: true,
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSProtocolError)
    expect(error).toMatchObject({
      name: 'KafkaJSProtocolError',
      type: 'INVALID_PARTITIONS',
      code: 37,
      message: 'Number of partitions is invalid',
      detail: 'topic b',
    })
  })

  it("deleteTopics on REQUEST_TIMED_OUT logs KafkaJS's delete.topic.enable hint and fails with its text", async () => {
    servers[0]!.serve(DeleteTopics, (request) =>
      DeleteTopics.createResponse({
        responses: (request.topics ?? []).map((t) =>
          deletedResult({ name: t.name, errorCode: ErrorCode.REQUEST_TIMED_OUT }),
        ),
      }),
    )
    const entries: LogEntry[] = []
    const kafka = new Kafka({
      brokers: [servers[0]!.broker],
      logLevel: logLevel.ERROR,
      logCreator: () => (entry) => void entries.push(entry),
      retry: { retries: 1, initialRetryTime: 1, maxRetryTime: 5 },
    })
    const admin = kafka.admin()
    admins.push(admin)
    const error = await admin.deleteTopics({ topics: ['t'] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded)
    expect(error).toMatchObject({ message: 'The request timed out' })
    expect(entries).toContainEqual(
      expect.objectContaining({
        namespace: 'Admin',
        log: expect.objectContaining({
          message:
            'Could not delete topics, check if "delete.topic.enable" is set to "true" (the default value is "false") or increase the timeout',
          error: 'The request timed out',
          retryCount: expect.any(Number),
          retryTime: expect.any(Number),
        }),
      }),
    )
  })

  describe('deleteTopicRecords (KafkaJS deleteTopicRecords.spec.js retry cases)', () => {
    // topic t: partition 0 led by node 1, partition 1 by node 2; node 2 answers DeleteRecords with `node2Errors` in turn
    let node2Errors: number[]
    beforeEach(() => {
      node2Errors = []
      for (const [i, server] of servers.entries()) {
        const node = i + 1
        server.serve(Metadata, () =>
          Metadata.createResponse({
            clusterId: 'fake',
            controllerId,
            brokers: servers.map((s, j) => broker({ nodeId: j + 1, host: '127.0.0.1', port: s.port })),
            topics: [
              topicResponse({
                name: 't',
                partitions: [
                  partition({ partitionIndex: 0, leaderId: 1 }),
                  partition({ partitionIndex: 1, leaderId: 2 }),
                ],
              }),
            ],
          }),
        )
        server.serve(ListOffsets, (request) =>
          ListOffsets.createResponse({
            topics: request.topics.map((t) =>
              listedTopic({
                name: t.name,
                partitions: t.partitions.map((q) => listedPartition({ partitionIndex: q.partitionIndex, offset: 0n })),
              }),
            ),
          }),
        )
        server.serve(DeleteRecords, (request) =>
          DeleteRecords.createResponse({
            topics: request.topics.map((t) =>
              deletedTopic({
                name: t.name,
                partitions: t.partitions.map((q) =>
                  deletedPartition({
                    partitionIndex: q.partitionIndex,
                    lowWatermark: q.offset,
                    errorCode: node === 2 ? (node2Errors.shift() ?? 0) : 0,
                  }),
                ),
              }),
            ),
          }),
        )
      }
    })
    const records = [
      { partition: 0, offset: '7' },
      { partition: 1, offset: '5' },
    ]

    it('asks again only for the partition that failed retriably, after refreshing stale metadata', async () => {
      node2Errors = [ErrorCode.NOT_LEADER_OR_FOLLOWER]
      const admin = await connectedAdmin()
      const metadataBefore = servers.flatMap((s) => s.received(Metadata)).length
      await admin.deleteTopicRecords({ topic: 't', partitions: records })
      expect(servers[0]!.received(DeleteRecords)).toHaveLength(1)
      expect(servers[1]!.received(DeleteRecords)).toHaveLength(2)
      expect(servers.flatMap((s) => s.received(Metadata)).length).toBeGreaterThan(metadataBefore)
    })

    it('does not ask again when a partition failed for good: KafkaJSNonRetriableError around KafkaJSDeleteTopicRecordsError', async () => {
      node2Errors = [ErrorCode.OFFSET_OUT_OF_RANGE]
      const admin = await connectedAdmin()
      const error = await admin.deleteTopicRecords({ topic: 't', partitions: records }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(KafkaJSNonRetriableError)
      const cause = (error as KafkaJSNonRetriableError).cause as KafkaJSDeleteTopicRecordsError
      expect(cause).toBeInstanceOf(KafkaJSDeleteTopicRecordsError)
      expect(cause.retriable).toBe(false)
      expect(cause.partitions).toEqual([
        { partition: 1, offset: '5', error: expect.objectContaining({ type: 'OFFSET_OUT_OF_RANGE', code: 1 }) },
      ])
      expect(servers[1]!.received(DeleteRecords)).toHaveLength(1)
    })

    it('ends with KafkaJSNumberOfRetriesExceeded when a partition keeps failing retriably', async () => {
      node2Errors = [
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
      ]
      const admin = await connectedAdmin(2)
      const error = await admin.deleteTopicRecords({ topic: 't', partitions: records }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded)
      expect((error as KafkaJSNumberOfRetriesExceeded).cause).toBeInstanceOf(KafkaJSDeleteTopicRecordsError)
      expect(servers[1]!.received(DeleteRecords)).toHaveLength(3)
    })
  })
})
