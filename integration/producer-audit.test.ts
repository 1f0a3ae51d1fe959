// Producer points of issue 3 that the other producer tests did not drive: disconnect() delivering
// what lingers, sendBatch's own acks and compression, and transactions that commit a consumer's
// offsets with its group metadata (KIP-447), refused when the metadata is a stale generation.
// Outcomes are read back from the log, with the group's committed offsets, and with kcat in
// read_committed.

import { randomUUID } from 'node:crypto'
import net from 'node:net'
import type { Cluster } from '../src/cluster/cluster.js'
import {
  type Admin,
  CompressionTypes,
  type Consumer,
  Kafka,
  KafkaJSDeliveryTimeoutError,
  KafkaJSProtocolError,
  logLevel,
  type Producer,
} from '../src/index.js'
import { brokers } from './helpers/brokers.js'
import { committedOffsets, sleep, waitFor } from './helpers/consumer-helpers.js'
import { kcatConsume, kcatPath, readerCluster, readPartition } from './producer-helpers.js'

jest.setTimeout(90_000)

const run = randomUUID().slice(0, 8)
let kafka: Kafka
let admin: Admin
let reader: Cluster
const producers: Producer[] = []
const consumers: Consumer[] = []

beforeAll(async () => {
  kafka = new Kafka({ brokers: brokers(), clientId: `kafkit-producer-audit-${run}`, logLevel: logLevel.NOTHING })
  admin = kafka.admin()
  await admin.connect()
  reader = await readerCluster(brokers(), `kafkit-producer-audit-reader-${run}`)
})

afterAll(async () => {
  for (const c of consumers) await c.disconnect()
  for (const p of producers) await p.disconnect()
  await admin?.disconnect()
  await reader?.disconnect()
})

async function createTopic(name: string, partitions = 1): Promise<string> {
  const topic = `kafkit-producer-audit-${run}-${name}`
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] })
  return topic
}

async function connected(config: Parameters<Kafka['producer']>[0] = {}): Promise<Producer> {
  const producer = kafka.producer(config)
  producers.push(producer)
  await producer.connect()
  return producer
}

test('disconnect() delivers what is still lingering before it closes', async () => {
  const topic = await createTopic('disconnect-flush')
  const producer = kafka.producer({ linger: 60_000 })
  await producer.connect()
  const pending = producer.send({ topic, messages: [{ value: 'lingering-1' }, { value: 'lingering-2' }] })
  await producer.disconnect()
  await expect(pending).resolves.toEqual([expect.objectContaining({ topicName: topic, partition: 0, baseOffset: '0' })])
  expect((await readPartition(reader, topic, 0)).map((r) => r.value)).toEqual(['lingering-1', 'lingering-2'])
})

test("sendBatch applies its own acks and compression to every topic's messages", async () => {
  const a = await createTopic('batch-codec-a')
  const b = await createTopic('batch-codec-b')
  const producer = await connected({ idempotent: false })
  const result = await producer.sendBatch({
    acks: 1,
    compression: CompressionTypes.ZSTD,
    topicMessages: [
      { topic: a, messages: [{ key: 'k', value: 'a'.repeat(500) }] },
      { topic: b, messages: [{ value: 'b'.repeat(500), headers: { h: 'v' } }] },
    ],
  })
  expect(result.map((r) => [r.topicName, r.errorCode])).toEqual([
    [a, 0],
    [b, 0],
  ])
  const storedA = await readPartition(reader, a, 0)
  const storedB = await readPartition(reader, b, 0)
  expect(storedA.map((r) => [r.key, r.value, r.compression])).toEqual([['k', 'a'.repeat(500), CompressionTypes.ZSTD]])
  expect(storedB.map((r) => [r.value, r.headers, r.compression])).toEqual([
    ['b'.repeat(500), [['h', 'v']], CompressionTypes.ZSTD],
  ])
})

test('records the broker never acknowledges fail with KafkaJSDeliveryTimeoutError after deliveryTimeout', async () => {
  const topic = await createTopic('delivery-timeout')
  // the real broker, but every Produce request is swallowed on its way out: each attempt times out
  const client = new Kafka({
    brokers: brokers(),
    clientId: `kafkit-producer-audit-timeout-${run}`,
    logLevel: logLevel.NOTHING,
    requestTimeout: 1000,
    socketFactory: ({ host, port, onConnect }) => {
      const socket = net.connect({ host, port }, onConnect)
      const write = socket.write.bind(socket) as (chunk: Buffer) => boolean
      socket.write = ((chunk: Buffer) =>
        Buffer.isBuffer(chunk) && chunk.length >= 6 && chunk.readInt16BE(4) === 0
          ? true
          : write(chunk)) as typeof socket.write
      return socket
    },
  })
  const producer = client.producer({ deliveryTimeout: 2500, disconnectTimeout: 100 })
  producers.push(producer)
  await producer.connect()
  // each attempt's request times out (Produce timeout + requestTimeout) and is retried; the batch
  // fails at deliveryTimeout, in flight or waiting for its retry (as Java's)
  const error = await producer
    .send({ topic, timeout: 1000, messages: [{ value: 'never acknowledged' }] })
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(KafkaJSDeliveryTimeoutError)
  expect(error).toMatchObject({ topic, partition: 0 })
  expect(await readPartition(reader, topic, 0)).toEqual([])
})

describe("transactions with a consumer's group metadata (KIP-447)", () => {
  test('consume-transform-produce commits output and input offsets together; a stale generation is refused', async () => {
    const input = await createTopic('eos-in')
    const output = await createTopic('eos-out')
    const groupId = `kafkit-producer-audit-${run}-eos`
    const seed = await connected()
    await seed.send({ topic: input, messages: ['a', 'b', 'c'].map((value) => ({ value })) })
    const producer = await connected({ transactionalId: `kafkit-producer-audit-${run}-eos`, maxInFlightRequests: 1 })
    const consumer = kafka.consumer({ groupId, heartbeatInterval: 500 })
    consumers.push(consumer)
    await consumer.subscribe({ topics: [input], fromBeginning: true })
    const done: string[] = []
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const txn = await producer.transaction()
        await txn.send({ topic: output, messages: [{ value: String(message.value).toUpperCase() }] })
        await txn.sendOffsets({
          consumerGroupMetadata: consumer.groupMetadata(),
          topics: [{ topic, partitions: [{ partition, offset: String(Number(message.offset) + 1) }] }],
        })
        await txn.commit()
        done.push(message.offset)
      },
    })
    await waitFor(() => done.length === 3, 'three transactions')
    expect(await committedOffsets(reader, groupId, input, 1)).toEqual([3])
    const metadata = consumer.groupMetadata()
    expect(metadata).toMatchObject({ groupId, groupInstanceId: null })
    expect(metadata.generationId).toBeGreaterThan(0)
    expect(metadata.memberId).not.toBe('')
    if (kcatPath !== undefined) {
      expect(await kcatConsume(brokers()[0]!, output, '%s\\n', { 'isolation.level': 'read_committed' })).toEqual([
        'A',
        'B',
        'C',
      ])
    }

    // a second member joins: the generation moves on and the metadata taken before is a zombie's
    const other = kafka.consumer({ groupId, heartbeatInterval: 500 })
    consumers.push(other)
    await other.subscribe({ topics: [input], fromBeginning: true })
    await other.run({ autoCommit: false, eachMessage: async () => {} })
    await waitFor(() => consumer.groupMetadata().generationId > metadata.generationId, 'a new generation')
    const txn = await producer.transaction()
    await txn.send({ topic: output, messages: [{ value: 'ZOMBIE' }] })
    const refused = await txn
      .sendOffsets({
        consumerGroupMetadata: metadata,
        topics: [{ topic: input, partitions: [{ partition: 0, offset: '100' }] }],
      })
      .then(() => txn.commit())
      .catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(KafkaJSProtocolError)
    expect((refused as KafkaJSProtocolError).type).toBe('ILLEGAL_GENERATION')
    await txn.abort()
    await sleep(300)
    expect(await committedOffsets(reader, groupId, input, 1)).toEqual([3])
    if (kcatPath !== undefined) {
      expect(await kcatConsume(brokers()[0]!, output, '%s\\n', { 'isolation.level': 'read_committed' })).toEqual([
        'A',
        'B',
        'C',
      ])
    }
    // the producer is still usable after the abort
    const next = await producer.transaction()
    await next.send({ topic: output, messages: [{ value: 'AFTER' }] })
    await next.commit()
  })
})
