// The producer examples of KafkaJS's documentation (docs/Producing.md and docs/Transactions.md,
// KafkaJS 2.2.4), run as written there except for the import and the topic and broker names;
// what they wrote is read back.

import { randomUUID } from 'node:crypto'
import type { Cluster } from '../src/cluster/cluster.js'
import { CompressionTypes, Kafka, logLevel, Partitioners } from '../src/index.js'
import { brokers } from './helpers/brokers.js'
import { readerCluster, readPartition } from './producer-helpers.js'

jest.setTimeout(60_000)

const run = randomUUID().slice(0, 8)
const topicName = `kafkit-kafkajs-docs-${run}`
const topics = {
  'topic-name': topicName,
  'topic-a': `${topicName}-a`,
  'topic-b': `${topicName}-b`,
  'topic-c': `${topicName}-c`,
}
let kafka: Kafka
let reader: Cluster

beforeAll(async () => {
  kafka = new Kafka({ clientId: 'my-app', brokers: brokers(), logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    waitForLeaders: true,
    topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 2 })),
  })
  await admin.disconnect()
  reader = await readerCluster(brokers(), `kafkit-kafkajs-docs-reader-${run}`)
})

afterAll(() => reader?.disconnect())

const values = async (topic: string) =>
  [...(await readPartition(reader, topic, 0)), ...(await readPartition(reader, topic, 1))].map((r) => r.value).sort()

test('Producing messages: send, a defined partition, headers, sendBatch, GZIP', async () => {
  const producer = kafka.producer()

  await producer.connect()
  await producer.send({
    topic: topics['topic-name'],
    messages: [
      { key: 'key1', value: 'hello world' },
      { key: 'key2', value: 'hey hey!' },
    ],
  })

  await producer.send({
    topic: topics['topic-name'],
    messages: [
      { key: 'key1', value: 'hello world', partition: 0 },
      { key: 'key2', value: 'hey hey!', partition: 1 },
    ],
  })

  await producer.send({
    topic: topics['topic-name'],
    messages: [
      {
        key: 'key1',
        value: 'hello world',
        headers: {
          'correlation-id': '2bfb68bb-893a-423b-a7fa-7b568cad5b67',
          'system-id': 'my-system',
        },
      },
    ],
  })

  const topicMessages = [
    {
      topic: topics['topic-a'],
      messages: [{ key: 'key', value: 'hello topic-a' }],
    },
    {
      topic: topics['topic-b'],
      messages: [{ key: 'key', value: 'hello topic-b' }],
    },
    {
      topic: topics['topic-c'],
      messages: [
        {
          key: 'key',
          value: 'hello topic-c',
          headers: {
            'correlation-id': '2bfb68bb-893a-423b-a7fa-7b568cad5b67',
          },
        },
      ],
    },
  ]
  await producer.sendBatch({ topicMessages })

  await producer.send({
    topic: topics['topic-name'],
    compression: CompressionTypes.GZIP,
    messages: [
      { key: 'key1', value: 'hello world' },
      { key: 'key2', value: 'hey hey!' },
    ],
  })
  await producer.disconnect()

  expect(await values(topics['topic-name'])).toEqual([
    'hello world',
    'hello world',
    'hello world',
    'hello world',
    'hey hey!',
    'hey hey!',
    'hey hey!',
  ])
  expect(await values(topics['topic-a'])).toEqual(['hello topic-a'])
  expect(await values(topics['topic-c'])).toEqual(['hello topic-c'])
})

test('Custom partitioner and the LegacyPartitioner', async () => {
  const MyPartitioner = () => {
    return ({
      topic,
      partitionMetadata,
      message,
    }: {
      topic: string
      partitionMetadata: unknown[]
      message: unknown
    }) => {
      // select a partition based on some logic
      // return the partition number
      void topic
      void partitionMetadata
      void message
      return 0
    }
  }
  const custom = kafka.producer({ createPartitioner: MyPartitioner })
  await custom.connect()
  await custom.send({ topic: topics['topic-b'], messages: [{ key: 'k', value: 'custom' }] })
  await custom.disconnect()

  const legacy = kafka.producer({ createPartitioner: Partitioners.LegacyPartitioner })
  await legacy.connect()
  await legacy.send({ topic: topics['topic-b'], messages: [{ key: 'k', value: 'legacy' }] })
  await legacy.disconnect()

  expect((await readPartition(reader, topics['topic-b'], 0)).map((r) => r.value)).toContain('custom')
  expect(await values(topics['topic-b'])).toEqual(['custom', 'hello topic-b', 'legacy'])
})

test('Transactions: send within a transaction, commit or abort', async () => {
  const topic = topics['topic-c']
  const messages = [{ key: 'tx', value: 'in a transaction' }]
  const client = new Kafka({
    clientId: 'transactional-client',
    brokers: brokers(),
    logLevel: logLevel.NOTHING,
  })
  const producer = client.producer({
    transactionalId: `my-transactional-producer-${run}`,
    maxInFlightRequests: 1,
    idempotent: true,
  })
  await producer.connect()

  const transaction = await producer.transaction()
  try {
    await transaction.send({ topic, messages })
    await transaction.commit()
    // biome-ignore lint/correctness/noUnusedVariables: the documentation's example, as written
  } catch (e) {
    await transaction.abort()
  }
  await producer.disconnect()
  expect(await values(topic)).toEqual(['hello topic-c', 'in a transaction'])
})
