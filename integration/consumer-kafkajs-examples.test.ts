// KafkaJS's consumer documentation examples, run unchanged but for the import
// (integration/kafkajs-examples/consumer.js), against the real broker.

import { AssignerProtocol, type Consumer, Kafka, logLevel } from '../src/index.js'
import { brokers } from './helpers/brokers.js'
import { waitFor } from './helpers/consumer-helpers.js'
import { numberedRecords, produceRaw } from './helpers/produce-raw.js'
import { connectedCluster, createTopic } from './network-helpers.js'

// biome-ignore lint/suspicious/noExplicitAny: the examples are KafkaJS's plain JavaScript
const examples = require('./kafkajs-examples/consumer.js') as Record<string, (...args: any[]) => Promise<any>>

jest.setTimeout(90_000)

const suffix = `${process.pid}-${Date.now()}`
const kafka = new Kafka({ clientId: 'my-app', brokers: brokers(), logLevel: logLevel.NOTHING })
const logged: unknown[] = []
const open: Consumer[] = []
let restoreLog: () => void

beforeAll(() => {
  const spy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args[0]))
  restoreLog = () => spy.mockRestore()
})

beforeEach(() => {
  logged.length = 0
})

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.disconnect()))
})

afterAll(() => restoreLog())

async function prepare(topic: string, partitions = 1, messages = 3): Promise<void> {
  const cluster = await connectedCluster('examples')
  try {
    await createTopic(cluster, topic, partitions)
    for (let p = 0; p < partitions; p++) {
      const records = numberedRecords('value', 0, messages).map((r) => ({
        ...r,
        headers: [{ key: 'h', value: Buffer.from('v') }],
      }))
      await produceRaw(cluster, topic, p, records)
    }
  } finally {
    await cluster.disconnect()
  }
}

test('Consuming: eachMessage', async () => {
  const topic = `topic-A-${suffix}`
  await prepare(topic)
  open.push(await examples.eachMessage!(kafka, { topic, groupId: `test-group-${suffix}` }))
  await waitFor(() => logged.length >= 3, 'three messages')
  expect(logged[0]).toEqual({ key: 'k-0', value: 'value-0', headers: { h: Buffer.from('v') } })
})

test('ConsumerExample.md', async () => {
  const topic = `topic-test-${suffix}`
  await prepare(topic)
  open.push(await examples.consumerExample!(kafka, { topic, groupId: `test-group-example-${suffix}` }))
  await waitFor(() => logged.length >= 3, 'three messages')
  expect(String(logged[1])).toMatch(new RegExp(`^- ${topic}\\[0 \\| 1\\] / \\d+ k-1#value-1$`))
})

test('Consuming: eachBatch', async () => {
  const topic = `topic-B-${suffix}`
  await prepare(topic)
  open.push(await examples.eachBatch!(kafka, { topic, groupId: `test-group-batch-${suffix}` }))
  await waitFor(() => logged.length >= 3, 'three messages')
  expect(logged[2]).toMatchObject({
    topic,
    partition: 0,
    highWatermark: '3',
    message: { offset: '2', value: 'value-2' },
  })
})

test('Consuming: partitionsConsumedConcurrently, regex subscription, seek without awaiting run, describeGroup', async () => {
  const topic = `topic-eu-${suffix}`
  const groupId = `test-group-concurrent-${suffix}`
  await prepare(topic, 3, 5)
  const consumer = await examples.concurrentRegexSeek!(kafka, {
    topicPattern: new RegExp(`topic-(eu|us)-${suffix}`, 'i'),
    topic,
    groupId,
  })
  open.push(consumer)
  await waitFor(() => logged.length >= 12, 'messages of three partitions')
  expect(logged.filter((l) => String(l).startsWith('0:'))).toEqual(['0:3', '0:4'])
  expect(await examples.describeGroup!(consumer)).toMatchObject({ groupId, state: 'Stable', protocolType: 'consumer' })
})

test('CustomPartitionAssigner: an assigner written for KafkaJS', async () => {
  const topic = `topic-custom-${suffix}`
  await prepare(topic, 2, 2)
  const consumer: Consumer = await examples.customAssigner!(kafka, { topic, groupId: `test-group-custom-${suffix}` })
  open.push(consumer)
  await waitFor(() => logged.length >= 4, 'four messages')
  expect(new Set(logged)).toEqual(new Set(['0:0', '0:1', '1:0', '1:1']))
  const described = await consumer.describeGroup()
  expect(described.protocol).toBe('MyPartitionAssigner')
  expect(AssignerProtocol.MemberAssignment.decode(described.members[0]!.memberAssignment)).toMatchObject({
    version: 1,
    assignment: { [topic]: [0, 1] },
    userData: Buffer.from('custom'),
  })
})
