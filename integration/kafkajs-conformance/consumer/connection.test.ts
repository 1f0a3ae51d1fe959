// KafkaJS 2.2.4 src/consumer/__tests__/connection.spec.js: a consumer connects over SSL and over
// SASL_SSL with each SASL mechanism, and keeps consuming after its connections were closed under it
// (KafkaJS's spec disconnects the consumer's cluster object; here the sockets the consumer's
// socketFactory made are destroyed, which is what the public API can do to it).

import * as net from 'node:net'
import {
  type Consumer,
  type ISocketFactory,
  type KafkaMessage,
  type LogEntry,
  logLevel,
  type Producer,
} from '../../../src/index.js'
import {
  createKafka,
  createSaslKafka,
  createSslKafka,
  createTopic,
  type SaslMechanism,
  secureRandom,
  waitFor,
  waitForConsumerToJoinGroup,
} from '../helpers.js'

describe('Consumer connection (KafkaJS src/consumer/__tests__/connection.spec.js)', () => {
  let topicName: string
  let groupId: string
  let consumer: Consumer | undefined
  let producer: Producer | undefined

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    groupId = `consumer-group-id-${secureRandom()}`
    await createTopic({ topic: topicName })
  })

  afterEach(async () => {
    await consumer?.disconnect()
    await producer?.disconnect()
    consumer = undefined
    producer = undefined
  })

  test('support SSL connections', async () => {
    consumer = createSslKafka().consumer({ groupId, maxWaitTimeInMs: 1 })
    await consumer.connect()
    // the connection is used, so that a handshake that only seemed to succeed cannot pass
    await expect(consumer.describeGroup()).resolves.toMatchObject({ groupId })
  })

  const mechanisms: SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512']
  for (const mechanism of mechanisms) {
    test(`support SASL ${mechanism} connections`, async () => {
      consumer = createSaslKafka(mechanism).consumer({ groupId, maxWaitTimeInMs: 1 })
      await consumer.connect()
      await expect(consumer.describeGroup()).resolves.toMatchObject({ groupId })
    })
  }

  test('reconnects the cluster if disconnected', async () => {
    const sockets: net.Socket[] = []
    // KafkaJS's socketFactory contract, on the plaintext listeners: the sockets are the test's to close
    const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
      const socket = net.connect({ host, port }, onConnect)
      sockets.push(socket)
      return socket
    }
    consumer = createKafka({ socketFactory, retry: { retries: 3 } }).consumer({
      groupId,
      maxWaitTimeInMs: 1,
      maxBytesPerPartition: 180,
    })
    producer = createKafka().producer()
    await consumer.connect()
    await producer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })

    const messages: KafkaMessage[] = []
    void consumer.run({
      eachMessage: async ({ message }) => {
        messages.push(message)
      },
    })
    await waitForConsumerToJoinGroup(consumer)

    // every connection the consumer has is closed under it
    const open = sockets.filter((s) => !s.destroyed)
    expect(open.length).toBeGreaterThan(0)
    for (const socket of open) socket.destroy()

    await producer.send({
      acks: 1,
      topic: topicName,
      messages: [{ key: `key-${secureRandom()}`, value: `value-${secureRandom()}` }],
    })
    await waitFor(() => messages.length > 0, 'a message consumed after the reconnection')
    // new connections replaced the closed ones
    expect(sockets.filter((s) => !s.destroyed).length).toBeGreaterThan(0)
  })

  // Not in KafkaJS's spec: the log entries of a connection that fails, which alerts written for
  // KafkaJS look for (its Connection and BrokerPool entries)
  test('logs a refused connection as KafkaJS does', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo
        server.close(() => resolve(port))
      })
    })
    const entries: LogEntry[] = []
    const clientId = `test-${secureRandom()}`
    consumer = createKafka({
      clientId,
      brokers: [`127.0.0.1:${port}`],
      retry: { retries: 0 },
      logLevel: logLevel.ERROR,
      logCreator: () => (entry) => entries.push(entry),
    }).consumer({ groupId })
    await expect(consumer.connect()).rejects.toThrow()
    const connection = entries.find((e) => e.namespace === 'Connection')
    expect(connection).toMatchObject({
      label: 'ERROR',
      log: {
        logger: 'kafkajs',
        message: expect.stringMatching(/^Connection error: .*ECONNREFUSED/),
        broker: `127.0.0.1:${port}`,
        clientId,
        stack: expect.any(String),
      },
    })
    expect(entries.find((e) => e.namespace === 'BrokerPool')).toMatchObject({
      label: 'ERROR',
      log: {
        logger: 'kafkajs',
        message: `Failed to connect to seed broker, trying another broker from the list: ${connection?.log.message}`,
        retryCount: 0,
        retryTime: expect.any(Number),
      },
    })
  })

  test('logs a refused SASL authentication as KafkaJS does', async () => {
    const entries: LogEntry[] = []
    consumer = createSaslKafka(
      'plain',
      { username: 'wrong', password: 'wrong' },
      { retry: { retries: 0 }, logLevel: logLevel.ERROR, logCreator: () => (entry) => entries.push(entry) },
    ).consumer({ groupId })
    await expect(consumer.connect()).rejects.toThrow()
    expect(entries.find((e) => e.namespace === 'SaslAuthenticator-PLAIN')).toMatchObject({
      label: 'ERROR',
      log: {
        logger: 'kafkajs',
        message: expect.stringMatching(/^SASL PLAIN authentication failed/),
        broker: expect.any(String),
      },
    })
  })
})
