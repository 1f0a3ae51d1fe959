// KafkaJS 2.2.4 src/consumer/__tests__/instrumentationEvents.spec.js: consumer.on() refuses unknown
// event names, and the consumer emits each of its events with KafkaJS's payload, field for field and
// type for type ({ id, timestamp, type, payload }): heartbeat (also with heartbeatInterval 0),
// commit_offsets (partition and offset as strings), group_join, fetch and fetch_start (nodeId a
// string), start/end_batch_process (also for a batch holding only an aborted transaction), connect,
// disconnect, stop, crash (restart true, and false from retry.restartOnFailure), rebalancing,
// network.request, network.request_timeout and received_unsubscribed_topics. KafkaJS skips its
// request_queue_size test as flaky; so does this file.

import {
  AssignerProtocol,
  type Consumer,
  type ConsumerConfig,
  type InstrumentationEvent,
  KafkaJSNonRetriableError,
  type PartitionAssigner,
  type Producer,
} from '../../../src/index.js'
import {
  createKafka,
  createTopic,
  requestEventPayload,
  requestTimeoutEventPayload,
  secureRandom,
  slowFirstResponses,
  waitFor,
  waitForConsumerToJoinGroup,
} from '../helpers.js'

type Event = InstrumentationEvent<unknown>

/** Collects the events `consumer` emits under `name`. */
function record(consumer: Consumer, name: string): Event[] {
  const events: Event[] = []
  consumer.on(name as never, (event: Event) => {
    events.push(event)
  })
  return events
}

/**
 * KafkaJS's round robin as its leader runs it: the partitions of the leader's topics (`topics`) dealt
 * over all members in turn, whatever each member subscribed to.
 */
const groupWideRoundRobin =
  (topics: string[]): PartitionAssigner =>
  ({ cluster }) => ({
    name: 'GroupWideRoundRobin',
    version: 0,
    async assign({ members }) {
      const ids = members.map((m) => m.memberId).sort()
      const assignment = new Map<string, Record<string, number[]>>(ids.map((id) => [id, {}]))
      let next = 0
      for (const topic of topics) {
        for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
          const memberAssignment = assignment.get(ids[next++ % ids.length] as string) as Record<string, number[]>
          memberAssignment[topic] = [...(memberAssignment[topic] ?? []), partitionId]
        }
      }
      return ids.map((memberId) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 0,
          assignment: assignment.get(memberId) ?? {},
        }),
      }))
    },
    protocol({ topics: subscribed }) {
      return {
        name: 'GroupWideRoundRobin',
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics: subscribed }),
      }
    },
  })

const base = (type: string) => ({ id: expect.any(Number), timestamp: expect.any(Number), type })

describe('Consumer instrumentation events (KafkaJS src/consumer/__tests__/instrumentationEvents.spec.js)', () => {
  let topicName: string
  let groupId: string
  let consumer: Consumer | undefined
  let consumer2: Consumer | undefined
  let producer: Producer
  let message: { key: string; value: string }

  const createTestConsumer = (opts: Partial<ConsumerConfig> = {}, kafkaConfig = {}) =>
    createKafka({ ...kafkaConfig }).consumer({
      groupId,
      heartbeatInterval: 100,
      maxWaitTimeInMs: 500,
      maxBytesPerPartition: 180,
      rebalanceTimeout: 1000,
      metadataMaxAge: 50,
      ...opts,
    })

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    groupId = `consumer-group-id-${secureRandom()}`
    await createTopic({ topic: topicName })
    producer = createKafka().producer()
    message = { key: `key-${secureRandom()}`, value: `value-${secureRandom()}` }
  })

  afterEach(async () => {
    await consumer?.disconnect()
    await consumer2?.disconnect()
    await producer.disconnect()
    consumer = consumer2 = undefined
  })

  test('on throws an error when provided with an invalid event name', () => {
    const created = createTestConsumer()
    consumer = created
    const on = () => created.on('NON_EXISTENT_EVENT' as never, () => {})
    expect(on).toThrow(KafkaJSNonRetriableError)
    expect(on).toThrow(/Event name should be one of consumer.events./)
  })

  test('lists the event names in KafkaJS order', () => {
    consumer = createTestConsumer()
    expect(Object.keys(consumer.events)).toEqual([
      'HEARTBEAT',
      'COMMIT_OFFSETS',
      'GROUP_JOIN',
      'FETCH',
      'FETCH_START',
      'START_BATCH_PROCESS',
      'END_BATCH_PROCESS',
      'CONNECT',
      'DISCONNECT',
      'STOP',
      'CRASH',
      'REBALANCING',
      'RECEIVED_UNSUBSCRIBED_TOPICS',
      'REQUEST',
      'REQUEST_TIMEOUT',
      'REQUEST_QUEUE_SIZE',
    ])
  })

  test('emits heartbeat (heartbeatInterval 0 is accepted)', async () => {
    consumer = createTestConsumer({ heartbeatInterval: 0 })
    const heartbeats = record(consumer, consumer.events.HEARTBEAT)
    await consumer.connect()
    await producer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    await consumer.run({ eachMessage: async () => {} })
    await producer.send({ acks: 1, topic: topicName, messages: [message] })

    await waitFor(() => heartbeats.length > 0, 'a heartbeat event')
    expect(heartbeats[0]).toEqual({
      ...base('consumer.heartbeat'),
      payload: { groupId, memberId: expect.any(String), groupGenerationId: expect.any(Number) },
    })
  })

  test('emits commit offsets (partition and offset as strings)', async () => {
    consumer = createTestConsumer()
    const commits = record(consumer, consumer.events.COMMIT_OFFSETS)
    await consumer.connect()
    await producer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    await consumer.run({ eachMessage: async () => {} })
    await producer.send({ acks: 1, topic: topicName, messages: [message] })

    await waitFor(() => commits.length > 0, 'a commit_offsets event')
    expect(commits[0]).toEqual({
      ...base('consumer.commit_offsets'),
      payload: {
        groupId,
        memberId: expect.any(String),
        groupGenerationId: expect.any(Number),
        topics: [{ topic: topicName, partitions: [{ offset: '1', partition: '0' }] }],
      },
    })
  })

  test('emits group join', async () => {
    consumer = createTestConsumer()
    const joins = record(consumer, consumer.events.GROUP_JOIN)
    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    await consumer.run({ eachMessage: async () => {} })

    await waitFor(() => joins.length > 0, 'a group_join event')
    expect(joins[0]).toEqual({
      ...base('consumer.group_join'),
      payload: {
        duration: expect.any(Number),
        groupId: expect.any(String),
        isLeader: true,
        leaderId: expect.any(String),
        groupProtocol: expect.any(String),
        memberId: expect.any(String),
        memberAssignment: { [topicName]: [0] },
      },
    })
  })

  test('emits fetch (nodeId a string, numberOfBatches always 0 as in KafkaJS)', async () => {
    await producer.connect()
    await producer.send({ topic: topicName, messages: [message] })
    consumer = createTestConsumer()
    const fetches = record(consumer, consumer.events.FETCH)
    let consumed = false
    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    await consumer.run({
      eachMessage: async () => {
        consumed = true
      },
    })

    await waitFor(() => consumed, 'the message consumed')
    // the fetch that returned the message has been reported once a later fetch has been
    const fetchesWhenConsumed = fetches.length
    await waitFor(() => fetches.length > fetchesWhenConsumed, 'a fetch event after the message')
    for (const fetch of fetches) {
      expect(fetch).toEqual({
        ...base('consumer.fetch'),
        payload: { numberOfBatches: 0, duration: expect.any(Number), nodeId: expect.any(String) },
      })
    }
  })

  test('emits fetch start (nodeId a string)', async () => {
    consumer = createTestConsumer()
    const starts = record(consumer, consumer.events.FETCH_START)
    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    await consumer.run({ eachMessage: async () => {} })

    await waitFor(() => starts.length > 0, 'a fetch_start event')
    expect(starts[0]).toEqual({ ...base('consumer.fetch_start'), payload: { nodeId: expect.any(String) } })
  })

  const batchPayload = (topic: string) => ({
    topic,
    partition: 0,
    highWatermark: expect.any(String),
    offsetLag: expect.any(String),
    offsetLagLow: expect.any(String),
    batchSize: 1,
    firstOffset: expect.any(String),
    lastOffset: expect.any(String),
  })

  test('emits start batch process', async () => {
    consumer = createTestConsumer()
    const starts = record(consumer, consumer.events.START_BATCH_PROCESS)
    await consumer.connect()
    await producer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    await consumer.run({ eachMessage: async () => {} })
    await producer.send({ acks: 1, topic: topicName, messages: [message] })

    await waitFor(() => starts.length > 0, 'a start_batch_process event')
    expect(starts[0]).toEqual({ ...base('consumer.start_batch_process'), payload: batchPayload(topicName) })
  })

  test('emits end batch process', async () => {
    consumer = createTestConsumer()
    const ends = record(consumer, consumer.events.END_BATCH_PROCESS)
    await consumer.connect()
    await producer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    await consumer.run({ eachMessage: async () => {} })
    await producer.send({ acks: 1, topic: topicName, messages: [message] })

    await waitFor(() => ends.length > 0, 'an end_batch_process event')
    expect(ends[0]).toEqual({
      ...base('consumer.end_batch_process'),
      payload: { ...batchPayload(topicName), duration: expect.any(Number) },
    })
  })

  test('emits start and end batch process when reading empty control batches', async () => {
    consumer = createTestConsumer()
    const starts = record(consumer, consumer.events.START_BATCH_PROCESS)
    const ends = record(consumer, consumer.events.END_BATCH_PROCESS)
    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    await consumer.run({ eachMessage: async () => {} })

    producer = createKafka().producer({
      transactionalId: `test-producer-${secureRandom()}`,
      maxInFlightRequests: 1,
      idempotent: true,
    })
    await producer.connect()
    const transaction = await producer.transaction()
    await transaction.send({ topic: topicName, acks: -1, messages: [{ key: 'test', value: 'test' }] })
    await transaction.abort()

    await waitFor(() => starts.length > 0 && ends.length > 0, 'start and end_batch_process events')
    // the aborted record is offset 0, the abort marker offset 1: the batch covers both, delivers none
    const payload = {
      topic: topicName,
      partition: 0,
      highWatermark: '2',
      offsetLag: expect.any(String),
      offsetLagLow: expect.any(String),
      batchSize: 0,
      firstOffset: '0',
      lastOffset: '1',
    }
    expect(starts).toEqual([{ ...base('consumer.start_batch_process'), payload }])
    expect(ends).toEqual([
      { ...base('consumer.end_batch_process'), payload: { ...payload, duration: expect.any(Number) } },
    ])
  })

  test('emits connection events', async () => {
    consumer = createTestConsumer()
    const connects = record(consumer, consumer.events.CONNECT)
    const disconnects = record(consumer, consumer.events.DISCONNECT)
    const stops = record(consumer, consumer.events.STOP)

    await consumer.connect()
    expect(connects).toHaveLength(1)
    // KafkaJS's spec runs a consumer without a subscription and without a handler; its consumer
    // group connects again, and emits consumer.connect, when the run starts
    await consumer.run()
    expect(connects).toHaveLength(2)
    await consumer.disconnect()
    expect(stops).toHaveLength(1)
    expect(disconnects).toHaveLength(1)
  })

  for (const restart of [true, false]) {
    test(`emits crash events${restart ? '' : ' with restart=false'}`, async () => {
      const error = new Error(restart ? '💣' : '💣💥')
      let calls = 0
      const eachMessage = async () => {
        if (calls++ === 0) throw error
      }
      consumer = createTestConsumer({
        retry: restart ? { retries: 0 } : { retries: 0, restartOnFailure: async () => false },
      })
      const crashes = record(consumer, consumer.events.CRASH)
      const stops = record(consumer, consumer.events.STOP)
      const disconnects = record(consumer, consumer.events.DISCONNECT)
      await consumer.connect()
      await consumer.subscribe({ topic: topicName, fromBeginning: true })
      await consumer.run({ eachMessage })
      await producer.connect()
      await producer.send({ acks: 1, topic: topicName, messages: [message] })

      await waitFor(() => crashes.length > 0, 'a crash event')
      // the crash stops and disconnects the consumer before it is reported, as in KafkaJS
      expect(stops.length).toBeGreaterThan(0)
      expect(disconnects.length).toBeGreaterThan(0)
      // KafkaJS's retrier reports the handler's error wrapped, with the same message
      expect(crashes[0]).toEqual({
        ...base('consumer.crash'),
        payload: {
          error: expect.objectContaining({ name: 'KafkaJSNumberOfRetriesExceeded', message: error.message }),
          groupId,
          restart,
        },
      })
    })
  }

  test('emits rebalancing', async () => {
    consumer = createTestConsumer()
    consumer2 = createTestConsumer()
    let memberId: string | undefined
    consumer.on(consumer.events.GROUP_JOIN, (event: Event) => {
      memberId ??= (event.payload as { memberId: string }).memberId
    })
    const rebalances = record(consumer, consumer.events.REBALANCING)

    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    void consumer.run({ eachMessage: async () => {} })
    await waitForConsumerToJoinGroup(consumer)

    await consumer2.connect()
    await consumer2.subscribe({ topic: topicName, fromBeginning: true })
    void consumer2.run({ eachMessage: async () => {} })
    await waitForConsumerToJoinGroup(consumer2)

    await waitFor(() => rebalances.length > 0, 'a rebalancing event')
    expect(rebalances).toContainEqual({ ...base('consumer.rebalancing'), payload: { groupId, memberId } })
  })

  test('emits request events', async () => {
    consumer = createTestConsumer()
    const requests = record(consumer, consumer.events.REQUEST)
    await consumer.connect()
    expect(requests).toContainEqual({
      ...base('consumer.network.request'),
      payload: { ...requestEventPayload('ApiVersions'), apiKey: 18 },
    })
  })

  test("emits request events with KafkaJS's API names (GroupCoordinator for API key 10)", async () => {
    consumer = createTestConsumer()
    const requests = record(consumer, consumer.events.REQUEST)
    await consumer.connect()
    await consumer.subscribe({ topic: topicName })
    await consumer.run({ eachMessage: async () => {} })

    await waitFor(
      () => requests.some((r) => (r.payload as { apiKey: number }).apiKey === 10),
      'a request for the group coordinator',
    )
    const names = requests.map((r) => r.payload as { apiKey: number; apiName: string })
    expect(new Set(names.filter((r) => r.apiKey === 10).map((r) => r.apiName))).toEqual(new Set(['GroupCoordinator']))
    expect(names.filter((r) => r.apiKey === 3)[0]?.apiName).toBe('Metadata')
  })

  test('emits request timeout events', async () => {
    // the broker's answers are held back, so a request times out however fast the broker is
    const created = createTestConsumer(
      {},
      { requestTimeout: 1, enforceRequestTimeout: true, socketFactory: slowFirstResponses() },
    )
    consumer = created
    const timeouts = record(created, created.events.REQUEST_TIMEOUT)
    await created
      .connect()
      .then(() => created.run({ eachMessage: async () => {} }))
      .catch((e: unknown) => e)

    await waitFor(() => timeouts.length > 0, 'a request_timeout event')
    expect(timeouts[0]).toEqual({
      ...base('consumer.network.request_timeout'),
      payload: requestTimeoutEventPayload(),
    })
  })

  test('emits received unsubscribed topics events', async () => {
    const topicNames = [`test-topic-${secureRandom()}`, `test-topic-${secureRandom()}`]
    const otherTopic = `test-topic-${secureRandom()}`
    for (const topic of [...topicNames, otherTopic]) await createTopic({ topic, partitions: 2 })
    // KafkaJS's default assigner (its round robin) deals the partitions of the leader's topics over all
    // members, whatever each one subscribed to; kafkit's assigners follow each member's own
    // subscription (as Java's do), so this test brings an assigner that deals as KafkaJS's
    const partitionAssigners = [groupWideRoundRobin(topicNames)]

    const first = createTestConsumer({ partitionAssigners })
    consumer = first
    await first.connect()
    await first.subscribe({ topics: topicNames, fromBeginning: true })
    void first.run({ eachMessage: async () => {} })
    await waitForConsumerToJoinGroup(first)

    consumer2 = createTestConsumer({ partitionAssigners })
    const received = record(consumer2, consumer2.events.RECEIVED_UNSUBSCRIBED_TOPICS)
    await consumer2.connect()
    await consumer2.subscribe({ topics: [topicNames[1] as string, otherTopic], fromBeginning: true })
    void consumer2.run({ eachMessage: async () => {} })
    await waitForConsumerToJoinGroup(consumer2)

    await waitFor(async () => {
      const { state, members } = await first.describeGroup()
      return state === 'Stable' && members.length === 2
    }, 'a stable group of two')
    await waitFor(() => received.length > 0, 'a received_unsubscribed_topics event')
    expect(received[0]).toEqual({
      ...base('consumer.received_unsubscribed_topics'),
      payload: {
        groupId,
        generationId: expect.any(Number),
        memberId: expect.any(String),
        assignedTopics: topicNames,
        topicsSubscribed: [topicNames[1], otherTopic],
        topicsNotSubscribed: [topicNames[0]],
      },
    })
  })
})
