// KafkaJS 2.2.4 src/consumer/__tests__/runner.spec.js, through the consumer: the spec drives the
// Runner with a mocked consumer group; here each case is the consequence a consumer shows.
//   - joining while the group rebalances (the spec: SyncGroup answers REBALANCE_IN_PROGRESS) does not
//     crash the consumer: members joining in quick succession all end up in the group, none crashes
//   - offsets are committed after a batch ("commit" offsets during fetch)
//   - eachBatch's commitOffsetsIfNecessary(): without offsets it commits only when autoCommit's
//     interval or threshold says so; with offsets it commits those
//   - eachBatchAutoResolve false: what the handler did not resolve is not committed, and is fetched again
//   - autoCommit false: nothing is committed, uncommittedOffsets() reports what was resolved
//   - any other error of the group crashes the consumer (the spec mocks an UNKNOWN error of the join;
//     here the broker refuses the group to a user an ACL denies it: GROUP_AUTHORIZATION_FAILED)
//   - commitOffsets() while running commits
//   - a failing eachBatch with partitionsConsumedConcurrently > 1 crashes with KafkaJSNumberOfRetriesExceeded
//   - a consumer stopped while a fetch is in flight stops without a crash
// Internal only, not encoded: the KafkaJSNotImplemented error of a mocked fetch, a heartbeat that
// rejects in parallel (both need a mock of the group object), and runner.commitOffsets() rejecting
// with the REBALANCE_IN_PROGRESS the mock throws.
// Also the Runner's log entries for a failing handler, which KafkaJS writes under 'Runner' with the
// thrown value itself: log-based alerts written for KafkaJS match them.

import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type Consumer,
  type ConsumerConfig,
  type EachBatchPayload,
  type InstrumentationEvent,
  type Kafka,
  type LogEntry,
  logLevel,
  type Producer,
  ResourcePatternTypes,
} from '../../../src/index.js'
import {
  conformanceCluster,
  createKafka,
  createSaslKafka,
  createTopic,
  secureRandom,
  waitFor,
  waitForConsumerToJoinGroup,
} from '../helpers.js'

describe('Consumer runner (KafkaJS src/consumer/__tests__/runner.spec.js)', () => {
  let topicName: string
  let groupId: string
  let kafka: Kafka
  let producer: Producer
  let consumers: Consumer[] = []

  const consumerOf = (config: Partial<ConsumerConfig> = {}, client: Kafka = kafka): Consumer => {
    const consumer = client.consumer({ groupId, maxWaitTimeInMs: 100, ...config })
    consumers.push(consumer)
    return consumer
  }

  const committed = async (): Promise<string | undefined> => {
    const admin = createKafka().admin()
    await admin.connect()
    try {
      const [topic] = await admin.fetchOffsets({ groupId, topics: [topicName] })
      return topic?.partitions.find((p) => p.partition === 0)?.offset
    } finally {
      await admin.disconnect()
    }
  }

  const send = (count: number) =>
    producer.send({
      acks: 1,
      topic: topicName,
      messages: Array.from({ length: count }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` })),
    })

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    groupId = `consumer-group-id-${secureRandom()}`
    await createTopic({ topic: topicName })
    kafka = createKafka()
    producer = kafka.producer()
    await producer.connect()
  })

  afterEach(async () => {
    await Promise.all(consumers.map((c) => c.disconnect()))
    consumers = []
    await producer.disconnect()
  })

  test('recovers from a rebalance in progress while joining, without a crash', async () => {
    const members = [consumerOf(), consumerOf(), consumerOf()]
    const crashes: unknown[] = []
    for (const member of members) {
      member.on(member.events.CRASH, (event) => {
        crashes.push(event)
      })
      await member.connect()
      await member.subscribe({ topic: topicName, fromBeginning: true })
    }
    // started one right after the other: each join meets the rebalance the previous one started
    const joins = members.map((member) => waitForConsumerToJoinGroup(member))
    for (const member of members) void member.run({ eachMessage: async () => {} })
    await Promise.all(joins)
    await waitFor(async () => {
      const { state, members: described } = await (members[0] as Consumer).describeGroup()
      return state === 'Stable' && described.length === 3
    }, 'a stable group of three')
    expect(crashes).toEqual([])
  })

  test('commits the offsets of a batch once it is processed', async () => {
    const consumer = consumerOf()
    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    const batches: string[] = []
    void consumer.run({
      eachBatch: async ({ batch }) => {
        batches.push(batch.lastOffset())
      },
    })
    await send(5)
    await waitFor(async () => (await committed()) === '5', 'offset 5 committed')
    expect(batches.length).toBeGreaterThan(0)
  })

  describe('eachBatch commitOffsetsIfNecessary', () => {
    test('without offsets commits only when autoCommit says so; with offsets commits those', async () => {
      const consumer = consumerOf()
      await consumer.connect()
      await consumer.subscribe({ topic: topicName, fromBeginning: true })
      const calls: string[] = []
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, commitOffsetsIfNecessary }: EachBatchPayload) => {
          // no interval, no threshold (and autoCommit off): nothing to commit
          await commitOffsetsIfNecessary()
          calls.push('plain')
          await commitOffsetsIfNecessary({
            topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: '1' }] }],
          })
          calls.push('offsets')
        },
      })
      await send(3)
      await waitFor(() => calls.includes('offsets'), 'the batch handled')
      expect(await committed()).toEqual('1')
    })
  })

  test('eachBatchAutoResolve false: an unresolved batch is neither committed nor skipped', async () => {
    const consumer = consumerOf()
    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    const firstOffsets: (string | null)[] = []
    void consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch }) => {
        firstOffsets.push(batch.firstOffset())
      },
    })
    await send(3)
    // the same messages come again: nothing moved the consumer past them
    await waitFor(() => firstOffsets.length >= 2, 'the batch delivered twice')
    expect(firstOffsets.slice(0, 2)).toEqual(['0', '0'])
    expect(await committed()).toEqual('-1')
  })

  test('autoCommit false: nothing is committed, uncommittedOffsets() reports the resolved offsets', async () => {
    const consumer = consumerOf()
    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    const uncommitted: unknown[] = []
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset, uncommittedOffsets }) => {
        for (const message of batch.messages) resolveOffset(message.offset)
        uncommitted.push(uncommittedOffsets())
      },
    })
    await send(3)
    await waitFor(() => uncommitted.length > 0, 'a batch')
    expect(uncommitted[0]).toEqual({ topics: [{ topic: topicName, partitions: [{ partition: '0', offset: '3' }] }] })
    await consumer.stop()
    expect(await committed()).toEqual('-1')
  })

  test('crashes on any other error of the group (GROUP_AUTHORIZATION_FAILED), without a restart', async () => {
    const admin = createSaslKafka('plain').admin()
    await admin.connect()
    try {
      await admin.createAcls({
        acl: [
          {
            resourceType: AclResourceTypes.GROUP,
            resourceName: groupId,
            resourcePatternType: ResourcePatternTypes.LITERAL,
            principal: 'User:bob',
            host: '*',
            operation: AclOperationTypes.ALL,
            permissionType: AclPermissionTypes.DENY,
          },
        ],
      })
    } finally {
      await admin.disconnect()
    }
    const consumer = consumerOf({ retry: { retries: 0 } }, createSaslKafka('plain', conformanceCluster().users.bob))
    const crashes: InstrumentationEvent<{ error: Error; restart: boolean }>[] = []
    consumer.on(consumer.events.CRASH, (event) => {
      crashes.push(event as InstrumentationEvent<{ error: Error; restart: boolean }>)
    })
    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    await consumer.run({ eachMessage: async () => {} }).catch(() => {})
    await waitFor(() => crashes.length > 0, 'a crash')
    expect(crashes[0]?.payload).toMatchObject({
      error: expect.objectContaining({ type: 'GROUP_AUTHORIZATION_FAILED' }),
      groupId,
      restart: false,
    })
  })

  test('commitOffsets() while running commits the given offsets', async () => {
    const consumer = consumerOf()
    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    await consumer.run({ autoCommit: false, eachMessage: async () => {} })
    await consumer.commitOffsets([{ topic: topicName, partition: 0, offset: '1' }])
    expect(await committed()).toEqual('1')
  })

  test('a failing eachBatch processed concurrently crashes with KafkaJSNumberOfRetriesExceeded', async () => {
    const consumer = consumerOf({ retry: { retries: 0 } })
    const crashes: InstrumentationEvent<{ error: Error }>[] = []
    consumer.on(consumer.events.CRASH, (event) => {
      crashes.push(event as InstrumentationEvent<{ error: Error }>)
    })
    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    await consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 10,
      eachBatch: async () => {
        throw new Error('Error while processing batches in parallel')
      },
    })
    await send(1)
    await waitFor(() => crashes.length > 0, 'a crash')
    expect(crashes[0]?.payload.error).toMatchObject({
      name: 'KafkaJSNumberOfRetriesExceeded',
      message: 'Error while processing batches in parallel',
    })
  })

  test('a consumer stopped while a fetch is in flight stops without a crash', async () => {
    const consumer = consumerOf({ maxWaitTimeInMs: 5000 })
    const crashes: unknown[] = []
    consumer.on(consumer.events.CRASH, (event) => {
      crashes.push(event)
    })
    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    await consumer.run({ eachMessage: async () => {} })
    await consumer.stop()
    expect(crashes).toEqual([])
  })

  describe("the Runner's log entries for a failing handler (KafkaJS's runner.js)", () => {
    const run = async (handler: Partial<Parameters<Consumer['run']>[0]>) => {
      const entries: LogEntry[] = []
      const logging = createKafka({ logLevel: logLevel.ERROR, logCreator: () => (entry) => entries.push(entry) })
      const consumer = consumerOf({ retry: { retries: 0, restartOnFailure: async () => false } }, logging)
      await consumer.connect()
      await consumer.subscribe({ topic: topicName, fromBeginning: true })
      await consumer.run(handler)
      await send(1)
      await waitFor(() => entries.some((e) => e.namespace === 'Runner'), 'a Runner entry')
      return entries.find((e) => e.namespace === 'Runner')
    }

    test('eachMessage throwing a plain object (as NestJS does): the object itself, not "[object Object]"', async () => {
      const thrown = { status: 'error', message: 'handler failed' }
      const entry = await run({
        eachMessage: async () => {
          throw thrown
        },
      })
      expect(entry).toEqual({
        namespace: 'Runner',
        level: logLevel.ERROR,
        label: 'ERROR',
        log: {
          timestamp: expect.any(String),
          logger: 'kafkajs',
          message: 'Error when calling eachMessage',
          topic: topicName,
          partition: 0,
          offset: '0',
          stack: undefined,
          error: thrown,
        },
      })
      expect(entry?.log.error).toBe(thrown)
    })

    test('eachBatch throwing an Error: the error itself and its stack', async () => {
      const thrown = new Error('batch failed')
      const entry = await run({
        eachBatch: async () => {
          throw thrown
        },
      })
      expect(entry).toMatchObject({
        namespace: 'Runner',
        label: 'ERROR',
        log: {
          logger: 'kafkajs',
          message: 'Error when calling eachBatch',
          topic: topicName,
          partition: 0,
          offset: '0',
          stack: thrown.stack,
        },
      })
      expect(entry?.log.error).toBe(thrown)
    })
  })

  test("pausing and resuming write KafkaJS's ConsumerGroup entries", async () => {
    const entries: LogEntry[] = []
    const logging = createKafka({ logLevel: logLevel.INFO, logCreator: () => (entry) => entries.push(entry) })
    const consumer = consumerOf({}, logging)
    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    let paused = false
    await consumer.run({
      eachMessage: async ({ pause }) => {
        if (!paused) pause()
        paused = true
      },
    })
    await send(1)
    await waitFor(() => paused, 'the handler paused its partition')
    consumer.resume([{ topic: topicName }])
    const group = entries.filter(
      (e) => e.namespace === 'ConsumerGroup' && /^(Pausing|Resuming) fetching/.test(e.log.message),
    )
    expect(group.map((e) => [e.label, e.log.message, e.log.topicPartitions])).toEqual([
      ['INFO', 'Pausing fetching from 1 topics', [{ topic: topicName, partitions: [0] }]],
      ['INFO', 'Resuming fetching from 1 topics', [{ topic: topicName }]],
    ])
  })
})
