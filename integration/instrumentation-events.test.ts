// KafkaJS's instrumentation events against the real broker: every request a producer, consumer or
// admin client makes is reported (its own and its cluster's: ApiVersions, Metadata,
// FindCoordinator) with the correlation id it carried, request timeouts are reported, and every
// consumer event fires with KafkaJS's payload fields.

import { randomUUID } from 'node:crypto'
import net from 'node:net'
import {
  type Admin,
  AssignerProtocol,
  type Consumer,
  type InstrumentationEvent,
  Kafka,
  type KafkaConfig,
  logLevel,
  type PartitionAssigner,
  type Producer,
  type RequestEventPayload,
} from '../src/index.js'
import type { SocketFactory } from '../src/network/socket-factory.js'
import { brokers } from './helpers/brokers.js'
import { waitFor } from './helpers/consumer-helpers.js'

jest.setTimeout(60_000)

const run = randomUUID().slice(0, 8)
const bootstrap = brokers()
let admin: Admin
const open: { disconnect(): Promise<void> }[] = []

function kafka(name: string, config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    brokers: bootstrap,
    clientId: `kafkit-events-${run}-${name}`,
    logLevel: logLevel.NOTHING,
    ...config,
  })
}

async function createTopic(name: string, partitions = 1): Promise<string> {
  const topic = `kafkit-events-${run}-${name}`
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
  })
  return topic
}

beforeAll(async () => {
  admin = kafka('setup').admin()
  await admin.connect()
})

afterAll(async () => {
  await Promise.all(open.splice(0).map((c) => c.disconnect().catch(() => undefined)))
  await admin.disconnect()
})

type RequestPayload = RequestEventPayload

/** Collects the payloads of one event. */
function collect<T>(
  client: { on(name: string, listener: (e: InstrumentationEvent<unknown>) => unknown): unknown },
  name: string,
): T[] {
  const seen: T[] = []
  client.on(name, (event) => {
    seen.push(event.payload as T)
  })
  return seen
}

/** The fields request and request_timeout payloads share (KafkaJS), sentAt included for a written request. */
function sharedFields(clientId: string): Record<string, unknown> {
  return {
    apiKey: expect.any(Number),
    apiName: expect.any(String),
    apiVersion: expect.any(Number),
    broker: expect.any(String),
    clientId,
    correlationId: expect.any(Number),
    createdAt: expect.any(Number),
    sentAt: expect.any(Number),
    pendingDuration: expect.any(Number),
  }
}

function expectRequestShape(payload: RequestPayload, clientId: string): void {
  expect(payload).toEqual({
    ...sharedFields(clientId),
    pendingDuration: payload.sentAt - payload.createdAt,
    duration: expect.any(Number),
    size: expect.any(Number),
  })
  expect(Number.isInteger(payload.correlationId) && payload.correlationId >= 0).toBe(true)
  expect(bootstrap).toContain(payload.broker)
}

/** The events of each of `names`, by event name. */
function record(
  client: { on(name: string, listener: (e: InstrumentationEvent<unknown>) => unknown): unknown },
  names: readonly string[],
): Map<string, InstrumentationEvent<unknown>[]> {
  const seen = new Map<string, InstrumentationEvent<unknown>[]>(names.map((name) => [name, []]))
  for (const name of names) {
    client.on(name, (event) => {
      seen.get(name)!.push(event)
    })
  }
  return seen
}

/** A network that swallows the first request of API `apiKey` written by any of its sockets: the broker never sees it. */
function swallowFirst(apiKey: number): SocketFactory {
  let swallowed = false
  return ({ host, port, onConnect }) => {
    const socket = net.connect({ host, port }, onConnect)
    const write = socket.write.bind(socket) as (chunk: Buffer, cb?: (error?: Error | null) => void) => boolean
    socket.write = ((chunk: Buffer, cb?: (error?: Error | null) => void) => {
      if (!swallowed && Buffer.isBuffer(chunk) && chunk.length >= 6 && chunk.readInt16BE(4) === apiKey) {
        swallowed = true
        if (cb) process.nextTick(cb)
        return true
      }
      return write(chunk, cb)
    }) as typeof socket.write
    return socket
  }
}

const API = { Produce: 0, Fetch: 1, CreateTopics: 19 } as const

/**
 * Every request payload has KafkaJS's shape. Correlation ids count per connection and each
 * connection begins with ApiVersions (id 0), so every later request has a positive id; the
 * requests of `oneConnection` (APIs sent on one connection, such as the group's) have distinct ids
 * until a new connection to that broker begins (a consumer reconnects after a crash, as KafkaJS's).
 */
function checkRequests(requests: RequestPayload[], clientId: string, oneConnection: readonly string[]): void {
  for (const r of requests) expectRequestShape(r, clientId)
  for (const r of requests.filter((r) => r.apiName !== 'ApiVersions')) expect(r.correlationId).toBeGreaterThan(0)
  const seen = new Map<string, Set<number>>()
  let checked = 0
  for (const r of requests) {
    if (r.apiName === 'ApiVersions') seen.set(r.broker, new Set())
    if (!oneConnection.includes(r.apiName)) continue
    const ids = seen.get(r.broker) ?? new Set<number>()
    seen.set(r.broker, ids)
    expect(ids.has(r.correlationId)).toBe(false)
    ids.add(r.correlationId)
    checked++
  }
  expect(checked).toBeGreaterThan(0)
}

/** One request_timeout of `apiName`, in KafkaJS's shape, for a request that was written (it has sentAt). */
function expectOneTimeout(timeouts: Record<string, unknown>[], apiName: keyof typeof API, clientId: string): void {
  expect(timeouts).toEqual([{ ...sharedFields(clientId), apiKey: API[apiName], apiName }])
  expect(bootstrap).toContain(timeouts[0]!.broker)
  expect(timeouts[0]!.correlationId).toBeGreaterThan(0)
}

function names(requests: RequestPayload[]): Set<string> {
  return new Set(requests.map((r) => r.apiName))
}

describe('network.request', () => {
  test('a producer reports its cluster requests and its own, each with its wire correlation id', async () => {
    const clientId = `kafkit-events-${run}-producer`
    const producer: Producer = kafka('producer').producer()
    open.push(producer)
    const requests = collect<RequestPayload>(producer, producer.events.REQUEST)
    const topic = await createTopic('produce')
    await producer.connect()
    await producer.send({ topic, messages: [{ value: 'x' }] })
    await producer.send({ topic, messages: [{ value: 'y' }] })
    await producer.disconnect()
    expect(names(requests)).toEqual(new Set(['ApiVersions', 'Metadata', 'InitProducerId', 'Produce']))
    expect(requests.filter((r) => r.apiName === 'Produce')).toHaveLength(2)
    // one connection per broker: its ids are the connection's sequence, in order, from ApiVersions' 0
    for (const broker of new Set(requests.map((r) => r.broker))) {
      const ids = requests.filter((r) => r.broker === broker).map((r) => r.correlationId)
      expect(ids).toEqual(ids.map((_, i) => i))
    }
    checkRequests(requests, clientId, ['Metadata', 'InitProducerId', 'Produce'])
  })

  test('an admin client reports Metadata and CreateTopics', async () => {
    const clientId = `kafkit-events-${run}-admin`
    const client = kafka('admin').admin()
    open.push(client)
    const requests = collect<RequestPayload>(client, client.events.REQUEST)
    await client.connect()
    const topic = `kafkit-events-${run}-admin-created`
    await client.createTopics({ waitForLeaders: false, topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] })
    await client.disconnect()
    expect([...names(requests)]).toEqual(expect.arrayContaining(['ApiVersions', 'Metadata', 'CreateTopics']))
    checkRequests(requests, clientId, ['Metadata', 'CreateTopics'])
  })

  test('an admin request that times out is reported as admin.network.request_timeout, then retried', async () => {
    const client = kafka('admin-timeout', {
      requestTimeout: 1000,
      socketFactory: swallowFirst(API.CreateTopics),
    }).admin()
    open.push(client)
    const timeouts = collect<Record<string, unknown>>(client, client.events.REQUEST_TIMEOUT)
    const requests = collect<RequestPayload>(client, client.events.REQUEST)
    await client.connect()
    const topic = `kafkit-events-${run}-admin-timeout`
    await client.createTopics({
      waitForLeaders: false,
      // the broker's wait, which extends the request's timeout
      timeout: 500,
      topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
    })
    await client.disconnect()
    expectOneTimeout(timeouts, 'CreateTopics', `kafkit-events-${run}-admin-timeout`)
    // the retry on a new connection got its answer
    expect(requests.filter((r) => r.apiName === 'CreateTopics')).toHaveLength(1)
  })
})

/** Gives every member every partition of every topic the group subscribes to, as KafkaJS's round robin can. */
const everythingToEveryone: PartitionAssigner = ({ cluster }) => ({
  name: 'EverythingToEveryone',
  version: 0,
  async assign({ members, topics }) {
    const assignment: Record<string, number[]> = {}
    for (const topic of topics) {
      assignment[topic] = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId)
    }
    return members.map(({ memberId }) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment, userData: Buffer.alloc(0) }),
    }))
  },
  protocol({ topics }) {
    return {
      name: 'EverythingToEveryone',
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    }
  },
})

describe('consumer events', () => {
  test('every KafkaJS consumer event fires with its payload fields', async () => {
    const client = kafka('consumer')
    const clientId = `kafkit-events-${run}-consumer`
    const [topicA, topicB] = [await createTopic('consume-a'), await createTopic('consume-b')]
    const groupId = `kafkit-events-${run}-group`
    const producer = client.producer()
    open.push(producer)
    await producer.connect()
    await producer.send({ topic: topicA, messages: [{ value: 'a0' }, { value: 'a1' }] })
    await producer.send({ topic: topicB, messages: [{ value: 'b0' }] })

    const a: Consumer = client.consumer({
      groupId,
      heartbeatInterval: 300,
      partitionAssigners: [everythingToEveryone],
      retry: { retries: 0, initialRetryTime: 100, maxRetryTime: 200 },
    })
    open.push(a)
    const events = record(a, Object.values(a.events))
    const seenA: string[] = []
    let failOnce = true
    await a.connect()
    await a.subscribe({ topics: [topicA], fromBeginning: true })
    await a.run({
      eachMessage: async ({ message }) => {
        // the first delivery fails with no retry left: the consumer crashes, restarts and gets it again
        if (failOnce) {
          failOnce = false
          throw new Error('handler failed once')
        }
        seenA.push(String(message.value))
      },
    })
    await waitFor(() => seenA.length >= 2, 'a0 and a1 after the restart')
    await waitFor(() => events.get(a.events.COMMIT_OFFSETS)!.length > 0, 'a commit')
    await waitFor(() => events.get(a.events.HEARTBEAT)!.length > 0, 'a heartbeat')

    // a second member subscribed to another topic: the group rebalances, and the assigner hands each
    // member the other's topic too
    const b: Consumer = client.consumer({ groupId, heartbeatInterval: 300, partitionAssigners: [everythingToEveryone] })
    open.push(b)
    const unsubscribedB = collect<Record<string, unknown>>(b, b.events.RECEIVED_UNSUBSCRIBED_TOPICS)
    const seenB: string[] = []
    await b.connect()
    await b.subscribe({ topics: [topicB], fromBeginning: true })
    await b.run({
      eachMessage: async ({ message }) => {
        seenB.push(String(message.value))
      },
    })
    await waitFor(() => seenB.length >= 1 && unsubscribedB.length > 0, 'b0 and the unsubscribed topic at b')
    await waitFor(() => events.get(a.events.RECEIVED_UNSUBSCRIBED_TOPICS)!.length > 0, 'the unsubscribed topic at a')
    await b.disconnect()
    await a.disconnect()
    expect(seenA).toEqual(['a0', 'a1'])
    expect(seenB).toEqual(['b0'])

    /** The payloads of an event that fired, checking KafkaJS's event envelope. */
    const one = (name: string): unknown[] => {
      const fired = events.get(name)!
      expect({ name, fired: fired.length > 0 }).toEqual({ name, fired: true })
      for (const event of fired) {
        expect(event).toEqual({
          id: expect.any(Number),
          type: name,
          timestamp: expect.any(Number),
          payload: event.payload,
        })
      }
      return fired.map((event) => event.payload)
    }
    // as KafkaJS: connect at connect(), at run() and at the restart (its consumer group connects per
    // run); the crash stops and disconnects, as disconnect() does; none has a payload
    expect(one(a.events.CONNECT)).toEqual([undefined, undefined, undefined])
    expect(one(a.events.DISCONNECT)).toEqual([undefined, undefined])
    expect(one(a.events.STOP)).toEqual([undefined, undefined])
    const member = { groupId, memberId: expect.any(String), groupGenerationId: expect.any(Number) }
    for (const p of one(a.events.HEARTBEAT)) expect(p).toEqual(member)
    for (const p of one(a.events.COMMIT_OFFSETS)) {
      expect(p).toEqual({
        ...member,
        // KafkaJS's runtime types: the partition a string, as the node ids below
        topics: [{ topic: topicA, partitions: [{ partition: '0', offset: expect.stringMatching(/^\d+$/) }] }],
      })
    }
    for (const p of one(a.events.GROUP_JOIN)) {
      expect(p).toEqual({
        groupId,
        memberId: expect.any(String),
        leaderId: expect.any(String),
        isLeader: expect.any(Boolean),
        memberAssignment: { [topicA]: [0] },
        groupProtocol: 'EverythingToEveryone',
        duration: expect.any(Number),
      })
    }
    for (const p of one(a.events.FETCH_START)) expect(p).toEqual({ nodeId: expect.stringMatching(/^\d+$/) })
    for (const p of one(a.events.FETCH)) {
      expect(p).toEqual({
        numberOfBatches: expect.any(Number),
        duration: expect.any(Number),
        nodeId: expect.stringMatching(/^\d+$/),
      })
    }
    const batch = {
      topic: topicA,
      partition: 0,
      highWatermark: '2',
      offsetLag: expect.stringMatching(/^\d+$/),
      offsetLagLow: expect.stringMatching(/^\d+$/),
      batchSize: expect.any(Number),
      firstOffset: expect.stringMatching(/^\d+$/),
      lastOffset: '1',
    }
    for (const p of one(a.events.START_BATCH_PROCESS)) expect(p).toEqual(batch)
    for (const p of one(a.events.END_BATCH_PROCESS)) expect(p).toEqual({ ...batch, duration: expect.any(Number) })
    expect(one(a.events.CRASH)).toEqual([
      { error: expect.objectContaining({ name: 'KafkaJSNumberOfRetriesExceeded' }), groupId, restart: true },
    ])
    for (const p of one(a.events.REBALANCING)) expect(p).toEqual({ groupId, memberId: expect.any(String) })
    const unsubscribed = {
      groupId,
      generationId: expect.any(Number),
      memberId: expect.any(String),
      assignedTopics: expect.arrayContaining([topicA, topicB]),
    }
    expect(one(a.events.RECEIVED_UNSUBSCRIBED_TOPICS)).toContainEqual({
      ...unsubscribed,
      topicsSubscribed: [topicA],
      topicsNotSubscribed: [topicB],
    })
    expect(unsubscribedB).toContainEqual({ ...unsubscribed, topicsSubscribed: [topicB], topicsNotSubscribed: [topicA] })

    const requests = one(a.events.REQUEST) as RequestPayload[]
    // the group's requests share the group cluster's one connection to the coordinator
    checkRequests(requests, clientId, ['JoinGroup', 'SyncGroup', 'Heartbeat', 'OffsetCommit', 'LeaveGroup'])
    expect([...names(requests)]).toEqual(
      expect.arrayContaining([
        'ApiVersions',
        'Metadata',
        'GroupCoordinator', // KafkaJS's name of FindCoordinator (API key 10)
        'JoinGroup',
        'SyncGroup',
        'Heartbeat',
        'OffsetFetch',
        'Fetch',
        'OffsetCommit',
        'LeaveGroup',
      ]),
    )
    // nothing timed out here (the next test times a Fetch out)
    expect(events.get(a.events.REQUEST_TIMEOUT)).toEqual([])
  })

  test('a Fetch that times out is reported as consumer.network.request_timeout, and the emptied queue as request_queue_size', async () => {
    const clientId = `kafkit-events-${run}-consumer-timeout`
    const client = kafka('consumer-timeout', { requestTimeout: 1000, socketFactory: swallowFirst(API.Fetch) })
    const topic = await createTopic('consume-timeout')
    const producer = kafka('consumer-timeout-producer').producer()
    open.push(producer)
    await producer.connect()
    await producer.send({ topic, messages: [{ value: 'after the timeout' }] })
    const c = client.consumer({ groupId: `kafkit-events-${run}-timeout`, maxWaitTimeInMs: 100 })
    open.push(c)
    const timeouts = collect<Record<string, unknown>>(c, c.events.REQUEST_TIMEOUT)
    const queueSizes = collect<Record<string, unknown>>(c, c.events.REQUEST_QUEUE_SIZE)
    const requests = collect<RequestPayload>(c, c.events.REQUEST)
    const seen: string[] = []
    await c.connect()
    await c.subscribe({ topics: [topic], fromBeginning: true })
    await c.run({
      eachMessage: async ({ message }) => {
        seen.push(String(message.value))
      },
    })
    await waitFor(() => seen.length > 0, 'the message, fetched again after the timeout')
    await c.disconnect()
    expectOneTimeout(timeouts, 'Fetch', clientId)
    // the timed-out Fetch got no response, so it is not among the requests reported
    const fetches = requests.filter((r) => r.apiName === 'Fetch')
    expect(fetches.length).toBeGreaterThan(0)
    expect(fetches.map((r) => r.correlationId)).not.toContain(timeouts[0]!.correlationId)
    // the timeout closed its connection, emptying its queue
    expect(queueSizes).toContainEqual({ broker: timeouts[0]!.broker, clientId, queueSize: 0 })
    checkRequests(requests, clientId, ['JoinGroup', 'SyncGroup', 'OffsetCommit'])
  })
})
