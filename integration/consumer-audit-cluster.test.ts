// The consumer on a three-node cluster: it fetches from every partition leader (one pipeline per
// broker), and when a node is killed mid-stream (leaders move, the group coordinator may move) it
// follows the new leaders and reads every message, including those written after the kill.

import { randomUUID } from 'node:crypto'
import { Kafka, logLevel } from '../src/index.js'
import { waitFor } from './helpers/consumer-helpers.js'
import { recordFetchAnswers } from './helpers/fetched-from.js'
import { createReplicatedTopic, describeWithOwnCluster } from './helpers/own-cluster.js'

describeWithOwnCluster('the consumer on a three-node cluster', { nodes: 3 }, (ownCluster) => {
  test('fetches from every leader; a node killed mid-stream loses no message', async () => {
    const c = ownCluster()
    const run = randomUUID().slice(0, 8)
    const topic = `kafkit-consumer-kill-${run}`
    const partitions = 6
    const kafka = new Kafka({ brokers: c.brokers, clientId: `kafkit-consumer-kill-${run}`, logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await createReplicatedTopic(admin, topic, partitions)
    const leaders = new Set(
      (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.map((p) => p.leader),
    )
    const brokerOf = new Map((await admin.describeCluster()).brokers.map((b) => [b.nodeId, `${b.host}:${b.port}`]))
    await admin.disconnect()
    expect(leaders.size).toBe(3)

    const producer = kafka.producer()
    await producer.connect()
    const write = async (prefix: string, count: number): Promise<string[]> => {
      const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`)
      await producer.send({ topic, messages: values.map((value) => ({ key: value, value })) })
      return values
    }
    const before = await write('before', 600)

    const consumer = kafka.consumer({ groupId: `g-kill-${run}`, heartbeatInterval: 500, sessionTimeout: 10000 })
    // the brokers whose Fetch answers brought records
    const fetches = recordFetchAnswers(`kafkit-consumer-kill-${run}`)
    const fetchedFrom = (): string[] => [...new Set(fetches.answers.filter((a) => a.withRecords).map((a) => a.broker))]
    const crashes: unknown[] = []
    consumer.on(consumer.events.CRASH, (event) => void crashes.push(event.payload))
    const received = new Set<string>()
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      await consumer.run({ eachMessage: async ({ message }) => void received.add(message.value?.toString() ?? '') })
      await waitFor(() => received.size >= before.length, 'the messages written before the kill', 120_000)
      // one fetch pipeline per broker: every leader was fetched from
      expect(fetchedFrom().sort()).toEqual([...leaders].map((id) => brokerOf.get(id)).sort())

      await c.killNode(1)
      const after = await write('after', 600)
      await waitFor(() => received.size >= before.length + after.length, 'the messages written after the kill', 300_000)
      expect([...before, ...after].filter((v) => !received.has(v))).toEqual([])
      expect(crashes).toEqual([])
    } finally {
      fetches.stop()
      await consumer.disconnect()
      await producer.disconnect()
    }
  })
})
