// KafkaJS 2.2.4 src/producer/index.spec.js: the producer's argument checks and connection states,
// SSL and SASL connections, its logger and instrumentation events, what send() and sendBatch()
// resolve with (acks 0, 1 and -1, with and without idempotence), and transactions (commit, abort,
// sends outside a transaction, offsets, empty transactions). Also the observable parts of
// src/producer/eosManager/index.spec.js (which requests an empty transaction sends) and
// src/producer/compression.spec.js.
//
// KafkaJS built its producers from a Cluster of its own; here every producer comes from
// `new Kafka(...).producer(...)`. Where the spec watched an internal (a spy on initProducerId), the
// producer's request events show the same thing.

import { connect, type Socket } from 'node:net'
import {
  type Admin,
  CompressionTypes,
  type IHeaders,
  type Kafka,
  type KafkaConfig,
  KafkaJSNonRetriableError,
  logLevel,
  type Producer,
  type ProducerConfig,
  type RecordMetadata,
} from '../../../src/index.js'
import {
  createKafka,
  createSaslKafka,
  createSslKafka,
  createTopic,
  LogCapture,
  requestEventPayload,
  requestTimeoutEventPayload,
  type SaslMechanism,
  secureRandom,
  slowFirstResponses,
  waitFor,
  waitForMessages,
} from '../helpers.js'

interface Consumed {
  topic: string
  partition: number
  key: Buffer | null
  value: Buffer | null
  offset: string
}

describe('Producer (KafkaJS src/producer/index.spec.js)', () => {
  let topicName: string
  const producers: Producer[] = []
  const closers: Array<() => Promise<void>> = []

  /** A producer disconnected after the test. */
  function producerOf(kafka: Kafka, config: ProducerConfig = {}): Producer {
    const producer = kafka.producer(config)
    producers.push(producer)
    return producer
  }

  function newProducer(config: ProducerConfig = {}, kafkaConfig: Partial<KafkaConfig> = {}): Producer {
    return producerOf(createKafka(kafkaConfig), config)
  }

  /** The apiNames of the requests `producer` makes from now on. */
  function recordRequests(producer: Producer): string[] {
    const names: string[] = []
    producer.on(producer.events.REQUEST, (event) => {
      names.push(event.payload.apiName)
    })
    return names
  }

  beforeEach(() => {
    topicName = `test-topic-${secureRandom()}`
  })

  afterEach(async () => {
    for (const producer of producers.splice(0)) await producer.disconnect()
    for (const close of closers.splice(0)) await close()
  })

  describe('argument checks and connection state', () => {
    test('throws an error if the topic is invalid', async () => {
      const producer = newProducer()
      const send = producer.send({ acks: 1, topic: null as unknown as string, messages: [] })
      await expect(send).rejects.toThrow(new KafkaJSNonRetriableError('Invalid topic'))
      await expect(send).rejects.toBeInstanceOf(KafkaJSNonRetriableError)
    })

    test('throws an error if messages is invalid', async () => {
      const producer = newProducer()
      await expect(
        producer.send({ acks: 1, topic: topicName, messages: null as unknown as [] }),
      ).rejects.toHaveProperty('message', `Invalid messages array [null] for topic "${topicName}"`)
    })

    test('throws an error for messages with a value of undefined', async () => {
      const producer = newProducer()
      const message = { foo: 'bar' } as unknown as { value: string }
      const send = producer.send({ acks: 1, topic: topicName, messages: [message] })
      await expect(send).rejects.toHaveProperty(
        'message',
        `Invalid message without value for topic "${topicName}": {"foo":"bar"}`,
      )
      await expect(send).rejects.toBeInstanceOf(KafkaJSNonRetriableError)
    })

    test('throws an error if the producer is not connected', async () => {
      const producer = newProducer()
      await expect(producer.send({ topic: topicName, messages: [{ key: 'key', value: 'value' }] })).rejects.toThrow(
        /The producer is disconnected/,
      )
    })

    test('throws an error if the producer is disconnecting, from the moment disconnect() is called', async () => {
      const producer = newProducer()
      await producer.connect()
      // KafkaJS's spec slowed the disconnect down; a send in the very same tick must be refused too
      const disconnecting = producer.disconnect()
      const send = producer.send({ topic: topicName, messages: [{ key: 'key', value: 'value' }] })
      await expect(send).rejects.toThrow(
        new KafkaJSNonRetriableError(
          "The producer is disconnecting; therefore, it can't safely accept messages anymore",
        ),
      )
      await expect(send).rejects.toBeInstanceOf(KafkaJSNonRetriableError)
      await disconnecting
    })

    test('allows messages with a null value to support tombstones', async () => {
      const producer = newProducer()
      await producer.connect()
      const tombstone = { foo: 'bar', value: null } as unknown as { value: null }
      await expect(producer.send({ acks: 1, topic: topicName, messages: [tombstone] })).resolves.toEqual([
        expect.objectContaining({ topicName, errorCode: 0 }),
      ])
    })
  })

  describe('connections', () => {
    test('support SSL connections', async () => {
      const producer = producerOf(createSslKafka())
      await producer.connect()
      await expect(producer.send({ acks: 1, topic: topicName, messages: [{ value: 'over SSL' }] })).resolves.toEqual([
        expect.objectContaining({ topicName, errorCode: 0 }),
      ])
    })

    const mechanisms: Array<[SaslMechanism, RegExp]> = [
      ['plain', /SASL PLAIN authentication failed/],
      ['scram-sha-256', /SASL SCRAM SHA256 authentication failed/],
      ['scram-sha-512', /SASL SCRAM SHA512 authentication failed/],
    ]
    for (const [mechanism, expectedError] of mechanisms) {
      test(`support SASL ${mechanism} connections`, async () => {
        const producer = producerOf(createSaslKafka(mechanism))
        await producer.connect()
        await expect(producer.send({ acks: 1, topic: topicName, messages: [{ value: 'over SASL' }] })).resolves.toEqual(
          [expect.objectContaining({ topicName, errorCode: 0 })],
        )
      })

      test(`throws an error if SASL ${mechanism} fails to authenticate`, async () => {
        const kafka = createSaslKafka(mechanism, { username: 'wrong', password: 'wrong' }, { retry: { retries: 0 } })
        const producer = producerOf(kafka)
        await expect(producer.connect()).rejects.toThrow(expectedError)
      })
    }

    test('reconnects the cluster if disconnected', async () => {
      await createTopic({ topic: topicName })
      // the spec disconnected the producer's cluster; here its sockets are closed under it
      const sockets: Socket[] = []
      const socketFactory: KafkaConfig['socketFactory'] = ({ host, port, onConnect }) => {
        const socket = connect({ host, port }, onConnect)
        sockets.push(socket)
        return socket
      }
      const producer = newProducer({}, { socketFactory })
      await producer.connect()
      await producer.send({ acks: 1, topic: topicName, messages: [{ key: '1', value: '1' }] })
      for (const socket of sockets) socket.destroy()
      await expect(producer.send({ acks: 1, topic: topicName, messages: [{ key: '2', value: '2' }] })).resolves.toEqual(
        [expect.objectContaining({ topicName, partition: 0, baseOffset: '1' })],
      )
    })
  })

  describe('logger and instrumentation events', () => {
    test('gives access to its logger', () => {
      const producer = newProducer()
      expect(producer.logger()).toEqual({
        debug: expect.any(Function),
        error: expect.any(Function),
        info: expect.any(Function),
        namespace: expect.any(Function),
        setLogLevel: expect.any(Function),
        warn: expect.any(Function),
      })
    })

    test('on throws an error when provided with an invalid event name', () => {
      const producer = newProducer()
      expect(() => producer.on('NON_EXISTENT_EVENT' as never, () => {})).toThrow(
        /Event name should be one of producer.events./,
      )
      expect(() => producer.on('NON_EXISTENT_EVENT' as never, () => {})).toThrow(
        new KafkaJSNonRetriableError(
          'Event name should be one of producer.events.CONNECT, producer.events.DISCONNECT, producer.events.REQUEST, producer.events.REQUEST_TIMEOUT, producer.events.REQUEST_QUEUE_SIZE',
        ),
      )
    })

    test('emits connection events', async () => {
      const producer = newProducer()
      const connectListener = jest.fn()
      const disconnectListener = jest.fn()
      producer.on(producer.events.CONNECT, connectListener)
      producer.on(producer.events.DISCONNECT, disconnectListener)
      await producer.connect()
      expect(connectListener).toHaveBeenCalledWith({
        id: expect.any(Number),
        timestamp: expect.any(Number),
        type: 'producer.connect',
      })
      await producer.disconnect()
      expect(disconnectListener).toHaveBeenCalledWith({
        id: expect.any(Number),
        timestamp: expect.any(Number),
        type: 'producer.disconnect',
      })
    })

    test('emits disconnect also when the producer was never connected, and on every disconnect()', async () => {
      const producer = newProducer()
      const disconnects: string[] = []
      producer.on(producer.events.DISCONNECT, (event) => {
        disconnects.push(event.type)
      })
      await producer.disconnect()
      expect(disconnects).toEqual(['producer.disconnect'])
      await producer.connect()
      await producer.disconnect()
      await producer.disconnect()
      expect(disconnects).toEqual(['producer.disconnect', 'producer.disconnect', 'producer.disconnect'])
    })

    test('emits connect on every connect(), and before it asks for a producer id (InitProducerId)', async () => {
      const producer = newProducer({ idempotent: true })
      const seen: string[] = []
      producer.on(producer.events.CONNECT, (event) => {
        seen.push(event.type)
      })
      producer.on(producer.events.REQUEST, (event) => {
        if (event.payload.apiName === 'InitProducerId') seen.push('InitProducerId')
      })
      await producer.connect()
      expect(seen).toEqual(['producer.connect', 'InitProducerId'])
      await producer.connect()
      expect(seen).toEqual(['producer.connect', 'InitProducerId', 'producer.connect'])
    })

    test('emits the request event', async () => {
      const producer = newProducer()
      const requestListener = jest.fn()
      producer.on(producer.events.REQUEST, requestListener)
      await producer.connect()
      expect(requestListener).toHaveBeenCalledWith({
        id: expect.any(Number),
        timestamp: expect.any(Number),
        type: 'producer.network.request',
        payload: requestEventPayload('ApiVersions'),
      })
    })

    test('emits the request timeout event', async () => {
      // the broker's answers are held back, so a request times out however fast the broker is
      const producer = newProducer(
        {},
        { requestTimeout: 1, enforceRequestTimeout: true, socketFactory: slowFirstResponses() },
      )
      const requestListener = jest.fn()
      producer.on(producer.events.REQUEST_TIMEOUT, requestListener)
      await producer
        .connect()
        .then(() => producer.send({ acks: -1, topic: topicName, messages: [{ key: 'key-0', value: 'value-0' }] }))
        .catch((e: unknown) => e)
      expect(requestListener).toHaveBeenCalledWith({
        id: expect.any(Number),
        timestamp: expect.any(Number),
        type: 'producer.network.request_timeout',
        payload: requestTimeoutEventPayload(),
      })
    })

    test('emits the request queue size event', async () => {
      await createTopic({ topic: topicName })
      // maxInFlightRequests limits every request of a connection, as in KafkaJS. kafkit's sender
      // itself keeps to it (it holds batches rather than queueing requests), so the requests that
      // wait here are those of a transactional producer's two identities: a transaction's batch and
      // a batch sent outside it, drained in the same tick (linger 0) for the same leader
      const producer = newProducer(
        { maxInFlightRequests: 1, linger: 0, transactionalId: `transactional-id-${secureRandom()}` },
        { clientId: 'test-client-id11111' },
      )
      const requestListener = jest.fn()
      producer.on(producer.events.REQUEST_QUEUE_SIZE, requestListener)
      await producer.connect()
      // the outside identity's producer id first, so that both batches are ready at once below
      await producer.send({ acks: -1, topic: topicName, messages: [{ value: 'value-0' }] })
      const transaction = await producer.transaction()
      await Promise.all([
        transaction.send({ acks: -1, topic: topicName, messages: [{ value: 'value-1' }] }),
        producer.send({ acks: -1, topic: topicName, messages: [{ value: 'value-2' }] }),
      ])
      await transaction.commit()
      expect(requestListener).toHaveBeenCalledWith({
        id: expect.any(Number),
        timestamp: expect.any(Number),
        type: 'producer.network.request_queue_size',
        payload: {
          broker: expect.any(String),
          clientId: 'test-client-id11111',
          queueSize: 1,
        },
      })
    })
  })

  describe('idempotence by default', () => {
    test('difference: a producer is idempotent unless told otherwise (KafkaJS: idempotent false); idempotent: false gives KafkaJS plain producer', async () => {
      await createTopic({ topic: topicName })
      const byDefault = newProducer()
      const plain = newProducer({ idempotent: false })
      expect(byDefault.isIdempotent()).toBe(true)
      expect(plain.isIdempotent()).toBe(false)
      const requestsOf = new Map([byDefault, plain].map((p) => [p, recordRequests(p)]))
      for (const producer of [byDefault, plain]) {
        await producer.connect()
        await producer.send({ topic: topicName, messages: [{ value: 'value' }] })
      }
      // an idempotent producer asks for a producer id; KafkaJS's default producer never does
      expect(requestsOf.get(byDefault)).toContain('InitProducerId')
      expect(requestsOf.get(plain)).not.toContain('InitProducerId')
    })
  })

  describe('metadataMaxAge', () => {
    // KafkaJS refreshes metadata older than metadataMaxAge before it partitions a send, so a
    // partition added since is known to that very send
    test('a send after metadataMaxAge sees partitions added since', async () => {
      await createTopic({ topic: topicName })
      const producer = newProducer({ metadataMaxAge: 200 })
      await producer.connect()
      await producer.send({ topic: topicName, messages: [{ value: 'before', partition: 0 }] })
      const admin = createKafka().admin()
      closers.push(() => admin.disconnect())
      await admin.createPartitions({ topicPartitions: [{ topic: topicName, count: 2 }] })
      await waitFor(
        async () => (await admin.fetchTopicMetadata({ topics: [topicName] })).topics[0]!.partitions.length === 2,
        'the second partition in the metadata',
      )
      // past metadataMaxAge, so the producer's metadata (one partition) is due for a refresh
      await new Promise((resolve) => setTimeout(resolve, 300))
      const [result] = await producer.send({ topic: topicName, messages: [{ value: 'after', partition: 1 }] })
      expect(result).toMatchObject({ topicName, partition: 1, errorCode: 0 })
      const offsets = await admin.fetchTopicOffsets(topicName)
      expect(offsets.find((o) => o.partition === 1)).toMatchObject({ high: '1' })
    })
  })

  describe('when acks=0', () => {
    test('returns immediately, with an empty result', async () => {
      await createTopic({ topic: topicName })
      const producer = newProducer()
      await producer.connect()
      const result = await producer.send({
        acks: 0,
        topic: topicName,
        messages: Array.from({ length: 10 }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` })),
      })
      expect(result).toEqual([])
    })
  })

  /** KafkaJS's RecordMetadata for a partition-0 write to a fresh topic at `baseOffset`. */
  const written = (topic: string, baseOffset: string): RecordMetadata => ({
    topicName: topic,
    partition: 0,
    errorCode: 0,
    baseOffset,
    logAppendTime: '-1',
    logStartOffset: '0',
  })

  function testProduceMessages(idempotent: boolean): void {
    const acks = idempotent ? -1 : 1
    const tenMessages = (headers?: (i: number) => IHeaders) =>
      Array.from({ length: 10 }, (_, i) => ({
        key: `key-${i}`,
        value: `value-${i}`,
        ...(headers !== undefined && { headers: headers(i) }),
      }))

    test('produce messages', async () => {
      await createTopic({ topic: topicName })
      const producer = newProducer({ idempotent })
      await producer.connect()
      expect(await producer.send({ acks, topic: topicName, messages: tenMessages() })).toEqual([
        written(topicName, '0'),
      ])
      expect(await producer.send({ acks, topic: topicName, messages: tenMessages() })).toEqual([
        written(topicName, '10'),
      ])
    })

    test('it should allow sending an empty list of messages', async () => {
      await createTopic({ topic: topicName })
      const producer = newProducer({ idempotent })
      await producer.connect()
      await expect(producer.send({ acks, topic: topicName, messages: [] })).resolves.toEqual([])
    })

    test('produce messages to multiple topics', async () => {
      const topics = [`test-topic-${secureRandom()}`, `test-topic-${secureRandom()}`]
      await createTopic({ topic: topics[0]! })
      await createTopic({ topic: topics[1]! })
      const producer = newProducer({ idempotent })
      await producer.connect()
      const byTopicName = (a: RecordMetadata, b: RecordMetadata) => a.topicName.localeCompare(b.topicName)
      const sendBatch = () =>
        producer.sendBatch({ acks, topicMessages: topics.map((topic) => ({ topic, messages: tenMessages() })) })
      expect((await sendBatch()).sort(byTopicName)).toEqual(topics.map((t) => written(t, '0')).sort(byTopicName))
      expect((await sendBatch()).sort(byTopicName)).toEqual(topics.map((t) => written(t, '10')).sort(byTopicName))
    })

    test('sendBatch should allow sending an empty list of topicMessages', async () => {
      await createTopic({ topic: topicName })
      const producer = newProducer({ idempotent })
      await producer.connect()
      await expect(producer.sendBatch({ acks, topicMessages: [] })).resolves.toEqual([])
    })

    test('sendBatch should consolidate topicMessages by topic', async () => {
      await createTopic({ topic: topicName, partitions: 1 })
      const consumed: Consumed[] = []
      const consumer = createKafka().consumer({ groupId: `test-consumer-${secureRandom()}` })
      closers.push(() => consumer.disconnect())
      await consumer.connect()
      await consumer.subscribe({ topic: topicName, fromBeginning: true })
      await consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          consumed.push({ topic, partition, key: message.key, value: message.value, offset: message.offset })
        },
      })
      const producer = newProducer({ idempotent })
      await producer.connect()
      const result = await producer.sendBatch({
        acks,
        topicMessages: [
          {
            topic: topicName,
            messages: [
              { key: 'key-1', value: 'value-1' },
              { key: 'key-2', value: 'value-2' },
            ],
          },
          { topic: topicName, messages: [{ key: 'key-3', value: 'value-3' }] },
        ],
      })
      expect(result).toEqual([written(topicName, '0')])
      await expect(waitForMessages(consumed, 3)).resolves.toEqual(
        [1, 2, 3].map((i) => ({
          topic: topicName,
          partition: 0,
          key: Buffer.from(`key-${i}`),
          value: Buffer.from(`value-${i}`),
          offset: String(i - 1),
        })),
      )
    })

    test('produce messages without specifying message key', async () => {
      await createTopic({ topic: topicName })
      const producer = newProducer({ idempotent })
      await producer.connect()
      await expect(producer.send({ acks, topic: topicName, messages: [{ value: 'test-value' }] })).resolves.toEqual([
        written(topicName, '0'),
      ])
    })

    test('produce messages with headers', async () => {
      await createTopic({ topic: topicName })
      const producer = newProducer({ idempotent })
      await producer.connect()
      const headers = (i: number): IHeaders => ({
        [`header-a${i}`]: `header-value-a${i}`,
        [`header-b${i}`]: `header-value-b${i}`,
        [`header-c${i}`]: `header-value-c${i}`,
      })
      expect(await producer.send({ acks, topic: topicName, messages: tenMessages(headers) })).toEqual([
        written(topicName, '0'),
      ])
      expect(await producer.send({ acks, topic: topicName, messages: tenMessages(headers) })).toEqual([
        written(topicName, '10'),
      ])
    })
  }

  describe('when idempotent=false', () => {
    testProduceMessages(false)
  })

  describe('when idempotent=true', () => {
    testProduceMessages(true)

    test('throws an error if sending a message with acks != -1', async () => {
      const producer = newProducer({ idempotent: true })
      await producer.connect()
      const messages = Array.from({ length: 10 }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` }))
      const expected = new KafkaJSNonRetriableError(
        "Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees",
      )
      await expect(producer.send({ acks: 1, topic: topicName, messages })).rejects.toEqual(expected)
      await expect(producer.send({ acks: 0, topic: topicName, messages })).rejects.toEqual(expected)
    })

    test('throws an error if retries < 1', () => {
      const kafka = createKafka()
      expect(() => kafka.producer({ idempotent: true, retry: { retries: 0 } })).toThrow(
        new KafkaJSNonRetriableError('Idempotent producer must allow retries to protect against transient errors'),
      )
    })

    test('only calls initProducerId if uninitialized', async () => {
      const producer = newProducer({ idempotent: true })
      const requests = recordRequests(producer)
      await producer.connect()
      expect(requests.filter((name) => name === 'InitProducerId')).toHaveLength(1)
      await producer.connect()
      expect(requests.filter((name) => name === 'InitProducerId')).toHaveLength(1)
    })
  })

  describe('transactions', () => {
    let transactionalId: string
    let admin: Admin

    beforeEach(async () => {
      transactionalId = `transactional-id-${secureRandom()}`
      admin = createKafka().admin()
      await admin.connect()
      closers.push(() => admin.disconnect())
    })

    const ended = new KafkaJSNonRetriableError('Cannot continue to use transaction once ended')

    for (const end of ['commit', 'abort'] as const) {
      test(`transaction flow ${end}`, async () => {
        await createTopic({ topic: topicName })
        const producer = newProducer({ transactionalId })
        await producer.connect()
        const txn = await producer.transaction()
        await expect(producer.transaction()).rejects.toEqual(
          new KafkaJSNonRetriableError(
            'There is already an ongoing transaction for this producer. Please end the transaction before beginning another.',
          ),
        )
        await txn.send({ topic: topicName, messages: [{ key: '2', value: '2' }] })
        await txn.sendBatch({ topicMessages: [{ topic: topicName, messages: [{ key: '2', value: '2' }] }] })
        await txn[end]()
        const noArgument = undefined as never
        await expect(txn.send(noArgument)).rejects.toEqual(ended)
        await expect(txn.sendBatch(noArgument)).rejects.toEqual(ended)
        await expect(txn.commit()).rejects.toEqual(ended)
        await expect(txn.abort()).rejects.toEqual(ended)
        // another transaction can begin
        expect(await producer.transaction()).toBeTruthy()
      })
    }

    test('a producer without transactionalId has no transactions (eosManager/index.spec.js: methods unavailable if non-transactional)', async () => {
      const producer = newProducer()
      await producer.connect()
      const begin = producer.transaction()
      await expect(begin).rejects.toThrow(
        new KafkaJSNonRetriableError('Must provide transactional id for transactional producer'),
      )
      await expect(begin).rejects.toBeInstanceOf(KafkaJSNonRetriableError)
    })

    test('allows sending messages outside a transaction', async () => {
      await createTopic({ topic: topicName })
      const producer = newProducer({ transactionalId })
      await producer.connect()
      await producer.transaction()
      await expect(producer.send({ topic: topicName, messages: [{ key: 'key', value: 'value' }] })).resolves.toEqual([
        written(topicName, '0'),
      ])
      await expect(
        producer.sendBatch({ topicMessages: [{ topic: topicName, messages: [{ key: 'key', value: 'value' }] }] }),
      ).resolves.toEqual([written(topicName, '1')])
    })

    test('supports sending offsets', async () => {
      await createTopic({ topic: topicName, partitions: 2 })
      const producer = newProducer({ transactionalId })
      await producer.connect()
      const consumerGroupId = `consumer-group-id-${secureRandom()}`
      const topics = [
        {
          topic: topicName,
          partitions: [
            { partition: 0, offset: '5' },
            { partition: 1, offset: '10' },
          ],
        },
      ]
      const txn = await producer.transaction()
      await txn.sendOffsets({ consumerGroupId, topics })
      await txn.commit()
      // the commit's offsets may take a moment to be readable from the coordinator
      let offsets: Array<{ partition: number; offset: string }> = []
      await waitFor(async () => {
        const [fetched] = await admin.fetchOffsets({ groupId: consumerGroupId, topics: [topicName] })
        offsets = (fetched?.partitions ?? []).map(({ partition, offset }) => ({ partition, offset }))
        return offsets.every((p) => p.offset !== '-1')
      }, 'the transaction offsets')
      expect(offsets.sort((a, b) => a.partition - b.partition)).toEqual([
        { partition: 0, offset: '5' },
        { partition: 1, offset: '10' },
      ])
    })

    describe('without operations', () => {
      for (const end of ['abort', 'commit'] as const) {
        test(`does not throw an error when ${end === 'abort' ? 'aborting' : 'commiting'} transaction, and sends no EndTxn`, async () => {
          await createTopic({ topic: topicName })
          const logs = new LogCapture()
          const producer = newProducer({ transactionalId }, { logLevel: logLevel.DEBUG, logCreator: logs.logCreator })
          const requests = recordRequests(producer)
          await producer.connect()
          const transaction = await producer.transaction()
          await expect(transaction[end]()).resolves.toBeUndefined()
          // eosManager/index.spec.js: nothing was added to the transaction, so it is not ended at the coordinator
          expect(requests).not.toContain('EndTxn')
          expect(logs.inNamespace('Producer').map((e) => e.log.message)).toContain(
            'No partitions or offsets registered, not sending EndTxn',
          )
        })

        test(`allows creating a transaction when the previous was ${end === 'abort' ? 'aborted' : 'committed'} without any operations made in it`, async () => {
          await createTopic({ topic: topicName })
          const producer = newProducer({ transactionalId })
          await producer.connect()
          const transaction = await producer.transaction()
          await transaction[end]()
          await expect(producer.transaction()).resolves.toBeTruthy()
        })
      }

      test("transaction that is created after a transaction that hasn't made any operations should work", async () => {
        const partition = 0
        await createTopic({ topic: topicName })
        const producer = newProducer({ transactionalId })
        await producer.connect()
        const invalidTransaction = await producer.transaction()
        await invalidTransaction.abort()
        const transaction = await producer.transaction()
        await transaction.send({
          topic: topicName,
          messages: [
            { value: 'value', partition },
            { value: 'value', partition },
          ],
        })
        await transaction.commit()
        // two records and the commit marker
        let offset = ''
        await waitFor(async () => {
          const offsets = await admin.fetchTopicOffsets(topicName)
          offset = offsets.find((o) => o.partition === partition)?.offset ?? ''
          return offset === '3'
        }, 'the end offset after the commit marker')
        expect(offset).toBe('3')
      })
    })
  })
})

describe('Producer compression (KafkaJS src/producer/compression.spec.js)', () => {
  let producer: Producer | undefined

  afterEach(async () => {
    await producer?.disconnect()
    producer = undefined
  })

  const codecs = [
    ['snappy', CompressionTypes.Snappy],
    ['lz4', CompressionTypes.LZ4],
    ['zstd', CompressionTypes.ZSTD],
  ] as const
  for (const [name, codec] of codecs) {
    test(`difference: ${name} compression works without configuring a codec (KafkaJS: KafkaJSNotImplemented until one is registered)`, async () => {
      const topicName = `test-topic-${secureRandom()}`
      await createTopic({ topic: topicName })
      producer = createKafka().producer()
      await producer.connect()
      await expect(
        producer.send({
          topic: topicName,
          compression: codec,
          messages: [{ key: secureRandom(), value: secureRandom() }],
        }),
      ).resolves.toEqual([expect.objectContaining({ topicName, partition: 0, errorCode: 0, baseOffset: '0' })])
    })
  }
})
