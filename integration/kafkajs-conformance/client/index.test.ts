// KafkaJS 2.2.4 src/index.spec.js: the Kafka object gives access to its logger, hands the producer
// options to the producer, makes consumers with the isolation level readUncommitted asks for, and
// merges a client's retry options under a producer's. KafkaJS's spec checked the arguments its
// mocked Cluster and createProducer received; here the options' effects are checked instead.

import {
  type Consumer,
  type Kafka,
  KafkaJSNonRetriableError,
  type LogEntry,
  logLevel,
  type Producer,
} from '../../../src/index.js'
import { createKafka, createTopic, LogCapture, secureRandom, waitForMessages } from '../helpers.js'

describe('Client (KafkaJS src/index.spec.js)', () => {
  const clients: Array<Producer | Consumer> = []

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.disconnect()
  })

  test('gives access to its logger', () => {
    expect(createKafka().logger()).toEqual({
      debug: expect.any(Function),
      error: expect.any(Function),
      info: expect.any(Function),
      namespace: expect.any(Function),
      setLogLevel: expect.any(Function),
      warn: expect.any(Function),
    })
  })

  test('passes options to the producer', async () => {
    const topic = `test-topic-${secureRandom()}`
    await createTopic({ topic, partitions: 2 })
    const transactionalId = `transactional-id-${secureRandom()}`
    const kafka = createKafka()
    const producer = kafka.producer({
      createPartitioner: () => () => 1,
      retry: { retries: 10 },
      idempotent: true,
      transactionalId,
      transactionTimeout: 12345,
    })
    clients.push(producer)
    expect(producer.isIdempotent()).toBe(true)
    await producer.connect()
    const transaction = await producer.transaction()
    const result = await transaction.send({ topic, messages: [{ key: 'a', value: 'a' }] })
    // the partitioner chose partition 1 whatever the key
    expect(result).toEqual([expect.objectContaining({ topicName: topic, partition: 1 })])
    const admin = kafka.admin()
    await admin.connect()
    try {
      const { transactions } = await admin.describeTransactions([transactionalId])
      expect(transactions).toEqual([expect.objectContaining({ transactionalId, transactionTimeoutMs: 12345 })])
    } finally {
      await admin.disconnect()
    }
    await transaction.commit()
  })

  describe('consumer', () => {
    test('creates a consumer with the isolation level readUncommitted asks for', async () => {
      const topic = `test-topic-${secureRandom()}`
      await createTopic({ topic })
      const producer = createKafka().producer({ transactionalId: `transactional-id-${secureRandom()}` })
      clients.push(producer)
      await producer.connect()
      const transaction = await producer.transaction()
      await transaction.send({ topic, messages: [{ value: 'aborted' }] })
      await transaction.abort()
      // outside a transaction: a record both readers reach after the aborted one
      await producer.send({ topic, messages: [{ value: 'last' }] })

      const read = async (readUncommitted: boolean, count: number): Promise<string[]> => {
        const values: string[] = []
        const consumer = createKafka().consumer({ groupId: `consumer-group-${secureRandom()}`, readUncommitted })
        clients.push(consumer)
        await consumer.connect()
        await consumer.subscribe({ topic, fromBeginning: true })
        await consumer.run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? '')
          },
        })
        await waitForMessages(values, count)
        return values
      }
      // read_committed (readUncommitted: false, KafkaJS's default) skips the aborted record
      expect(await read(false, 1)).toEqual(['last'])
      expect(await read(true, 2)).toEqual(['aborted', 'last'])
    })
  })

  describe('retry configurations', () => {
    test("merges local producer options with the client options: the client's retries count for the producer", () => {
      const kafka = createKafka({ retry: { retries: 0 } })
      expect(() => kafka.producer({ idempotent: true })).toThrow(
        new KafkaJSNonRetriableError('Idempotent producer must allow retries to protect against transient errors'),
      )
      // the producer's own retry options win over the client's
      expect(() => kafka.producer({ idempotent: true, retry: { retries: 3 } })).not.toThrow()
    })
  })

  describe('producer log entries (KafkaJS src/index.js and src/producer/index.js)', () => {
    const warnings = (capture: LogCapture): LogEntry[] => capture.entries.filter((e) => e.level === logLevel.WARN)

    test('warns once per process that the default partitioner changed in KafkaJS 2.0.0, unless KAFKAJS_NO_PARTITIONER_WARNING is set', () => {
      const message = expect.stringMatching(/^KafkaJS v2\.0\.0 switched default partitioner\./)
      const freshKafka = (): typeof Kafka => {
        // a fresh module registry: the warning is once per process (per loaded module)
        let fresh: typeof Kafka | undefined
        jest.isolateModules(() => {
          fresh = (require('../../../src/index.js') as { Kafka: typeof Kafka }).Kafka
        })
        if (fresh === undefined) throw new Error('src/index.js did not load')
        return fresh
      }
      const capture = new LogCapture()
      const config = {
        brokers: ['127.0.0.1:1'],
        logLevel: logLevel.INFO,
        logCreator: capture.logCreator,
      }
      const kafka = new (freshKafka())(config)
      kafka.producer({ createPartitioner: () => () => 0 })
      expect(warnings(capture)).toEqual([])
      kafka.producer()
      kafka.producer()
      expect(warnings(capture).map((e) => e.log.message)).toEqual([message])

      const silenced = new LogCapture()
      const saved = process.env.KAFKAJS_NO_PARTITIONER_WARNING
      process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
      try {
        ;new (freshKafka())({ ...config, logCreator: silenced.logCreator }).producer()
      } finally {
        if (saved === undefined) delete process.env.KAFKAJS_NO_PARTITIONER_WARNING
        else process.env.KAFKAJS_NO_PARTITIONER_WARNING = saved
      }
      expect(warnings(silenced)).toEqual([])
    })

    test('warns that an idempotent producer with limited retries may lose its guarantees', () => {
      const capture = new LogCapture()
      const kafka = createKafka({ logLevel: logLevel.DEBUG, logCreator: capture.logCreator })
      kafka.producer({ idempotent: true, retry: { retries: 3 }, createPartitioner: () => () => 0 })
      expect(warnings(capture)).toEqual([
        expect.objectContaining({
          namespace: 'Producer',
          label: 'WARN',
          log: expect.objectContaining({
            message: 'Limiting retries for the idempotent producer may invalidate EoS guarantees',
          }),
        }),
      ])
    })
  })
})
