// KafkaJS 2.2.4 src/network/connection.spec.js: connecting over PLAINTEXT and SSL, and how a failed
// connection surfaces (a host that does not resolve, a connection timeout, TLS options the socket
// cannot use), sending once connected, disconnecting. KafkaJS checks these on its Connection object;
// here they go through the client objects, where a failed connection ends connect()'s retries:
// KafkaJSNumberOfRetriesExceeded with KafkaJS's message, caused by the KafkaJSConnectionError.
// The spec's internals (correlation ids, frame buffering, the request queue's sizes, throttling
// state, debug log payloads) are not observable through the client objects; the request queue and
// request timeouts are checked on a fake server in test/kafkajs-conformance/client/connection.test.ts.

import * as net from 'node:net'
import {
  type Admin,
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  type Producer,
} from '../../../src/index.js'
import { conformanceCluster, createKafka, createSslKafka } from '../helpers.js'

/** connect()'s rejection, checked to be KafkaJS's wrapping of a connection error; returns that error. */
async function connectionFailure(client: Producer | Admin): Promise<KafkaJSConnectionError> {
  const error = await client.connect().then(
    () => new Error('connect() succeeded'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded)
  const cause = (error as KafkaJSNumberOfRetriesExceeded).cause
  expect(cause).toBeInstanceOf(KafkaJSConnectionError)
  expect(cause).toMatchObject({ name: 'KafkaJSConnectionError', retriable: true })
  expect((error as Error).message).toBe((cause as Error).message)
  return cause as KafkaJSConnectionError
}

describe('Network > Connection (KafkaJS src/network/connection.spec.js)', () => {
  let client: Producer | Admin | undefined

  afterEach(async () => {
    await client?.disconnect()
    client = undefined
  })

  describe('#connect PLAINTEXT', () => {
    test('resolves the Promise when connected', async () => {
      client = createKafka().producer()
      await expect(client.connect()).resolves.toBeUndefined()
    })

    test('rejects the Promise in case of errors: "Connection error: getaddrinfo ENOTFOUND <host>"', async () => {
      client = createKafka({ brokers: ['kafkajs.test:9092'], retry: { retries: 0 } }).producer()
      const cause = await connectionFailure(client)
      expect(cause.message).toMatch(/^Connection error: getaddrinfo (ENOTFOUND|EAI_AGAIN) kafkajs.test$/)
      expect(cause).toMatchObject({
        broker: 'kafkajs.test:9092',
        code: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/),
      })
    })

    test('a refused connection: "Connection error: connect ECONNREFUSED <address>", code ECONNREFUSED', async () => {
      const server = net.createServer()
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const { port } = server.address() as net.AddressInfo
      await new Promise<void>((resolve) => server.close(() => resolve()))
      client = createKafka({ brokers: [`127.0.0.1:${port}`], retry: { retries: 1, initialRetryTime: 10 } }).admin()
      const cause = await connectionFailure(client)
      expect(cause).toMatchObject({
        message: `Connection error: connect ECONNREFUSED 127.0.0.1:${port}`,
        code: 'ECONNREFUSED',
        broker: `127.0.0.1:${port}`,
      })
    })
  })

  describe('#connect SSL', () => {
    test('resolves the Promise when connected', async () => {
      client = createSslKafka().producer()
      await expect(client.connect()).resolves.toBeUndefined()
    })

    test('rejects the Promise in case of timeouts: "Connection timeout"', async () => {
      // a socket that never connects stands for a broker that never answers
      client = createSslKafka({
        connectionTimeout: 1,
        retry: { retries: 0 },
        socketFactory: () => new net.Socket(),
      }).producer()
      const cause = await connectionFailure(client)
      expect(cause.message).toBe('Connection timeout')
      expect(conformanceCluster().ssl).toContain(cause.broker)
    })

    test('rejects the Promise in case of errors: "Failed to connect: <reason>" for an unusable certificate', async () => {
      const cluster = conformanceCluster()
      client = createSslKafka({ ssl: { ca: [cluster.ca], cert: 'invalid' }, retry: { retries: 0 } }).producer()
      const cause = await connectionFailure(client)
      expect(cause.message).toMatch(/^Failed to connect: /)
      expect(cause.message).not.toMatch(/^Failed to connect: Error:/)
    })
  })

  describe('#disconnect', () => {
    test('disconnects an active connection', async () => {
      const producer = createKafka().producer()
      client = producer
      await producer.connect()
      await expect(producer.disconnect()).resolves.toBeUndefined()
      // nothing is sent on a disconnected client
      await expect(producer.send({ topic: 'any', messages: [{ value: 'x' }] })).rejects.toThrow()
    })
  })

  describe('#send', () => {
    test('resolves the Promise with the response', async () => {
      const admin = createKafka().admin()
      client = admin
      await admin.connect()
      await expect(admin.listTopics()).resolves.toEqual(expect.any(Array))
    })
  })
})
