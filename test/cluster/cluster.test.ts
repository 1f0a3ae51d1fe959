import { Cluster } from '../../src/cluster/cluster.js'
import type { ClusterOptions } from '../../src/cluster/cluster-options.js'
import {
  KafkaJSConnectionError,
  KafkaJSInvalidArgumentError,
  KafkaJSMetadataNotLoaded,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
} from '../../src/errors.js'
import { defaultSocketFactory } from '../../src/network/socket-factory.js'
import { ApiVersions } from '../../src/protocol/generated/api-versions.js'
import { protocolError } from '../../src/protocol/generated/errors.js'
import {
  createMetadataResponseMetadataResponseBroker as broker,
  Metadata,
  type MetadataRequest,
  createMetadataResponseMetadataResponsePartition as partition,
  createMetadataResponseMetadataResponseTopic as topicResponse,
} from '../../src/protocol/generated/metadata.js'
import { FakeServer } from '../network/fake-server.js'
import { closedPort } from '../network/ports.js'

/** What the fake servers say about the cluster; tests change it between requests. */
interface FakeClusterState {
  /** Leader node id per partition of topic "t"; -1 for none. */
  leaders: number[]
  controllerId: number
  /** Advertised port per node id, when not the node's own server (a node that moved or died). */
  advertised: Map<number, number>
}

let servers: FakeServer[]
let state: FakeClusterState
let metadataRequests: { server: number; request: MetadataRequest }[]
const clusters: Cluster[] = []

async function fakeCluster(nodes: number): Promise<void> {
  servers = []
  for (let i = 0; i < nodes; i++) servers.push(await FakeServer.start())
  servers.forEach((s, i) => {
    s.serve(Metadata, (request) => {
      metadataRequests.push({ server: i + 1, request })
      return Metadata.createResponse({
        clusterId: 'fake-cluster',
        controllerId: state.controllerId,
        brokers: servers.map((other, j) =>
          broker({ nodeId: j + 1, host: '127.0.0.1', port: state.advertised.get(j + 1) ?? other.port }),
        ),
        topics: (request.topics ?? []).map(({ name }) =>
          name === 't'
            ? topicResponse({
                name,
                partitions: state.leaders.map((leaderId, p) =>
                  partition({ partitionIndex: p, leaderId, errorCode: leaderId < 0 ? 5 : 0 }),
                ),
              })
            : topicResponse({ name, errorCode: 3 }),
        ),
      })
    })
  })
}

function cluster(options: Partial<ClusterOptions> = {}): Cluster {
  const c = new Cluster({
    brokers: servers.map((s) => s.broker),
    retry: { initialRetryTime: 1, maxRetryTime: 5, retries: 5 },
    ...options,
  })
  clusters.push(c)
  return c
}

beforeEach(async () => {
  state = { leaders: [1, 2], controllerId: 2, advertised: new Map() }
  metadataRequests = []
  await fakeCluster(2)
})

afterEach(async () => {
  await Promise.all(clusters.splice(0).map((c) => c.disconnect()))
  await Promise.all(servers.map((s) => s.close()))
})

describe('bootstrap', () => {
  test('any reachable seed works, and its connection is kept for its node', async () => {
    const dead = `127.0.0.1:${await closedPort()}`
    const c = cluster({ brokers: [dead, servers[0]!.broker, dead] })
    await c.connect()
    expect(c.metadata.clusterId).toBe('fake-cluster')
    expect([...c.metadata.brokers.keys()]).toEqual([1, 2])
    expect(c.metadata.controllerId).toBe(2)
    expect((await c.connectionToNode(1)).port).toBe(servers[0]!.port)
    expect(servers[0]!.received(ApiVersions)).toHaveLength(1)
  })

  test("when no seed works every seed is tried, and the last one's error ends the retries (as in KafkaJS)", async () => {
    const dead = [`127.0.0.1:${await closedPort()}`, `127.0.0.1:${await closedPort()}`]
    const tried: string[] = []
    const c = cluster({
      brokers: dead,
      retry: { retries: 0 },
      socketFactory: (args) => {
        tried.push(`${args.host}:${args.port}`)
        return defaultSocketFactory(args)
      },
    })
    const error = await c.connect().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded)
    const cause = (error as KafkaJSNumberOfRetriesExceeded).cause as KafkaJSConnectionError
    expect(cause).toBeInstanceOf(KafkaJSConnectionError)
    expect(cause.broker).toBe(tried.at(-1))
    expect([...tried].sort()).toEqual([...dead].sort())
    expect(cause).toMatchObject({
      message: `Connection error: connect ECONNREFUSED ${cause.broker}`,
      code: 'ECONNREFUSED',
    })
    expect((error as Error).message).toBe(cause.message)
    expect(() => c.metadata).toThrow(KafkaJSMetadataNotLoaded)
  })

  test('seeds may come from a function, called at each bootstrap', async () => {
    let calls = 0
    const c = cluster({
      brokers: async () => {
        calls++
        return [servers[1]!.broker]
      },
    })
    await c.connect()
    expect(calls).toBe(1)
    expect(metadataRequests.map((r) => r.server)).toEqual([2])
  })

  test('with every known broker gone, a refresh bootstraps from the seeds again', async () => {
    const c = cluster({ brokers: [servers[0]!.broker] })
    await c.connect()
    await c.disconnect()
    // both nodes now advertise dead addresses; only the seed address still answers
    state.advertised.set(1, await closedPort())
    state.advertised.set(2, await closedPort())
    await c.connect()
    metadataRequests = []
    const metadata = await c.refreshMetadata(['t'])
    expect(metadata.topics.get('t')!.partitions.size).toBe(2)
    expect(metadataRequests.map((r) => r.server)).toEqual([1])
  })
})

describe('metadata cache', () => {
  test('concurrent refreshes share one request; a refresh for more topics waits and asks again', async () => {
    const c = cluster()
    await c.connect()
    metadataRequests = []
    const [a, b] = await Promise.all([c.refreshMetadata(['t']), c.refreshMetadata(['t'])])
    expect(a).toBe(b)
    expect(metadataRequests).toHaveLength(1)
    await Promise.all([c.refreshMetadata(), c.refreshMetadata(['other'])])
    expect(metadataRequests.map((r) => r.request.topics?.map((t) => t.name))).toEqual([['t'], ['t'], ['t', 'other']])
  })

  test('refreshMetadataIfNecessary asks only when metadata is stale, old or lacks a topic', async () => {
    const c = cluster()
    await c.connect()
    await c.refreshMetadataIfNecessary(['t'])
    const before = metadataRequests.length
    await c.refreshMetadataIfNecessary(['t'])
    expect(metadataRequests).toHaveLength(before)
    expect(c.noteError(protocolError(29))).toBe(false)
    await c.refreshMetadataIfNecessary(['t'])
    expect(metadataRequests).toHaveLength(before)
    expect(c.noteError(protocolError(6))).toBe(true)
    await c.refreshMetadataIfNecessary(['t'])
    expect(metadataRequests).toHaveLength(before + 1)
  })

  test('metadata older than metadataMaxAge is refreshed before use', async () => {
    const c = cluster({ metadataMaxAge: 1 })
    await c.connect()
    const before = metadataRequests.length
    await new Promise((resolve) => setTimeout(resolve, 5))
    await c.refreshMetadataIfNecessary()
    expect(metadataRequests).toHaveLength(before + 1)
  })

  test('the target topics are asked about in every refresh', async () => {
    const c = cluster()
    c.addTargetTopics(['t'])
    await c.connect()
    expect(metadataRequests[0]!.request.topics!.map((t) => t.name)).toEqual(['t'])
    expect(metadataRequests[0]!.request.allowAutoTopicCreation).toBe(true)
  })
})

describe('routing', () => {
  test('the leader lookup routes each partition to its leader node', async () => {
    const c = cluster()
    await c.connect()
    expect(await c.leaderFor('t', 0)).toBe(1)
    expect((await c.connectionToLeader('t', 1)).port).toBe(servers[1]!.port)
    expect(await c.connectionToLeader('t', 0)).toBe(await c.connectionToNode(1))
  })

  test('the leader lookup refreshes and retries while a partition has no leader', async () => {
    state.leaders = [-1, 2]
    const c = cluster()
    await c.connect()
    let answers = 0
    servers.forEach((s) => {
      const original = s.handlers.get(Metadata.apiKey)!
      s.handlers.set(Metadata.apiKey, (req, server) => {
        if (++answers === 3) state.leaders = [2, 2]
        original(req, server)
      })
    })
    expect(await c.leaderFor('t', 0)).toBe(2)
    expect(answers).toBeGreaterThanOrEqual(3)
  })

  test('an unknown topic fails the leader lookup after the retries', async () => {
    const c = cluster({ retry: { retries: 1, initialRetryTime: 1 } })
    await c.connect()
    const error = await c.leaderFor('nope', 0).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded)
    expect((error as KafkaJSNumberOfRetriesExceeded).cause).toMatchObject({
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
      detail: expect.stringContaining('topic nope'),
    })
  })

  test('the controller connection goes to the node the metadata names', async () => {
    const c = cluster()
    await c.connect()
    expect((await c.controllerConnection()).port).toBe(servers[1]!.port)
  })

  test('anyConnection prefers a connection that is already ready', async () => {
    const c = cluster({ brokers: [servers[0]!.broker] })
    await c.connect()
    expect((await c.anyConnection()).port).toBe(servers[0]!.port)
    expect(servers[1]!.received(ApiVersions)).toHaveLength(0)
  })
})

describe('options', () => {
  test.each([
    [{ brokers: ['h:1'], metadataMaxAge: 0 }, 'metadataMaxAge must be an integer between 1 and 2147483647 (ms), got 0'],
    [
      { brokers: ['h:1'], requestTimeout: -5 },
      'requestTimeout must be an integer between 1 and 2147483647 (ms), got -5',
    ],
    [{ brokers: ['h:1'], retry: { retries: -1 } }, 'retry.retries must be an integer >= 0, got -1'],
    [
      { brokers: ['h:1'], metadataRecoveryStrategy: 'always' },
      'metadataRecoveryStrategy must be "rebootstrap" or "none", got "always"',
    ],
    [
      { brokers: ['h:1'], metadataRecoveryRebootstrapTrigger: -1 },
      'metadataRecoveryRebootstrapTrigger must be an integer between 0 and 2147483647 (ms), got -1',
    ],
    [
      { brokers: ['h:1'], metadataRecoveryRebootstrapTrigger: 1.5 },
      'metadataRecoveryRebootstrapTrigger must be an integer between 0 and 2147483647 (ms), got 1.5',
    ],
  ])('%j is refused: %s', (bad, message) => {
    expect(() => new Cluster(bad as ClusterOptions)).toThrow(message)
    expect(() => new Cluster(bad as ClusterOptions)).toThrow(KafkaJSInvalidArgumentError)
  })

  test("metadataRecoveryStrategy 'none' and a rebootstrap trigger of 0 are accepted (Java's range)", () => {
    expect(
      () => new Cluster({ brokers: ['h:1'], metadataRecoveryStrategy: 'none', metadataRecoveryRebootstrapTrigger: 0 }),
    ).not.toThrow()
  })

  test('IPv6 seeds in brackets are accepted', () => {
    expect(() => new Cluster({ brokers: ['[::1]:9092', '[fe80::1]:19092'] })).not.toThrow()
  })

  // KafkaJS checks the seed list when connecting, not at construction (src/cluster/connectionPoolBuilder.js)
  test.each([
    [[], KafkaJSNonRetriableError, 'Failed to connect: brokers array is empty'],
    [null, KafkaJSNonRetriableError, 'Failed to connect: brokers should not be null'],
    [
      ['localhost:1234', undefined],
      KafkaJSNonRetriableError,
      'Failed to connect: broker at index 1 is invalid "undefined"',
    ],
    [() => null, KafkaJSNonRetriableError, 'Failed to connect: brokers should not be null'],
    [
      () => {
        throw new Error('oh a crash!')
      },
      KafkaJSConnectionError,
      'Failed to connect: "config.brokers" threw: oh a crash!',
    ],
    [
      ['localhost'],
      KafkaJSInvalidArgumentError,
      'brokers[0] must be a "host:port" string with a port between 1 and 65535',
    ],
  ])('seed list %p fails connect() (not the constructor) with %p: %s', async (brokers, kind, message) => {
    const c = new Cluster({ brokers: brokers as ClusterOptions['brokers'], retry: { retries: 0 } })
    const error = await c.connect().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(kind)
    expect((error as Error).message).toContain(message)
  })
})
