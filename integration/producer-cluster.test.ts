// Reliability on a three-node cluster: a node is killed while the idempotent producer writes with
// acks=all; afterwards every record the producer acknowledged is in the log, and none is there twice.
// Then a clean leader change (the replica order reversed, a preferred election): the producer follows
// the new leader the old one's Produce answer names (KIP-951) and writes every record once, in order;
// how many Metadata requests it sent first is printed with KAFKIT_REPORT_FIGURES=1 (the fake-broker
// tests assert none).

import { randomUUID } from 'node:crypto'
import { Kafka, logLevel } from '../src/index.js'
import { waitFor } from './helpers/consumer-helpers.js'
import { createReplicatedTopic, describeWithOwnCluster } from './helpers/own-cluster.js'
import { readerCluster, readPartition, readTopic } from './producer-helpers.js'

describeWithOwnCluster('the producer on a three-node cluster', { nodes: 3 }, (ownCluster) => {
  test('a node killed mid-stream: nothing acknowledged is lost, nothing is written twice', async () => {
    const c = ownCluster()
    const run = randomUUID().slice(0, 8)
    const topic = `kafkit-producer-kill-${run}`
    const partitions = 6
    let retries = 0
    const kafka = new Kafka({
      brokers: c.brokers,
      clientId: `kafkit-kill-${run}`,
      logLevel: logLevel.DEBUG,
      logCreator: () => (entry) => {
        if (entry.log.message.startsWith('Retrying a batch')) retries++
      },
    })
    const admin = kafka.admin()
    await admin.connect()
    await createReplicatedTopic(admin, topic, partitions)
    await admin.disconnect()

    const producer = kafka.producer()
    await producer.connect()
    const acknowledged = new Set<string>()
    const failed: Error[] = []
    const perSend = 100
    const sends = 200
    let killed = false
    const inFlight: Promise<void>[] = []
    for (let s = 0; s < sends; s++) {
      const values = Array.from({ length: perSend }, (_, i) => `${s}:${i}`)
      inFlight.push(
        producer
          .send({ topic, messages: values.map((value) => ({ key: value, value })) })
          .then(() => {
            for (const v of values) acknowledged.add(v)
          })
          .catch((error: Error) => {
            failed.push(error)
          }),
      )
      // a few sends at a time, so that the kill lands among requests in flight
      if (inFlight.length >= 5) await inFlight.shift()
      if (!killed && s === sends / 4) {
        killed = true
        await c.killNode(1)
      }
    }
    await Promise.all(inFlight)
    await producer.disconnect()

    const reader = await readerCluster(c.brokers, `kafkit-kill-reader-${run}`)
    try {
      const stored = await readTopic(reader, topic, partitions)
      const seen = new Map<string, number>()
      for (const r of stored) seen.set(r.value!, (seen.get(r.value!) ?? 0) + 1)
      const lost = [...acknowledged].filter((v) => !seen.has(v))
      const duplicated = [...seen].filter(([, n]) => n > 1).map(([v]) => v)
      // the kill hit batches on their way: they were retried to the new leaders
      expect(retries).toBeGreaterThan(0)
      expect(lost).toEqual([])
      expect(duplicated).toEqual([])
      // the cluster kept taking writes with two of three nodes: most of the stream went through
      expect(acknowledged.size).toBeGreaterThan((sends * perSend) / 2)
      expect(failed.length + acknowledged.size / perSend).toBe(sends)
    } finally {
      await reader.disconnect()
    }
  })

  test('a clean leader change: the producer follows the leader the Produce answer names (KIP-951), each record once, in order', async () => {
    const c = ownCluster()
    const run = randomUUID().slice(0, 8)
    const topic = `kafkit-producer-moved-${run}`
    const [x, y] = c.nodes.filter((n) => n.running) as [(typeof c.nodes)[number], (typeof c.nodes)[number]]
    const kafka = new Kafka({ brokers: c.brokers, clientId: `kafkit-moved-${run}`, logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    const producer = kafka.producer()
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [x.id, y.id] }] }],
      })
      const leaderOf = async () =>
        (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.find((p) => p.partitionId === 0)!
      const requests: { apiName: string; broker: string }[] = []
      producer.on(producer.events.REQUEST, (e) => void requests.push(e.payload))
      await producer.connect()
      const values = Array.from({ length: 10 }, (_, i) => `m${i}`)
      for (const value of values.slice(0, 5)) await producer.send({ topic, messages: [{ value, partition: 0 }] })
      // the same replicas, y first: a preferred election makes y the leader while x stays up
      await admin.alterPartitionReassignments({
        topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [y.id, x.id] }] }],
      })
      await waitFor(
        async () => {
          if ((await leaderOf()).leader === y.id) return true
          await admin.electLeaders({ topicPartitions: [{ topic, partitions: [0] }] }).catch(() => undefined)
          return false
        },
        'y elected (preferred)',
        120_000,
      )
      const mark = requests.length
      for (const value of values.slice(5)) await producer.send({ topic, messages: [{ value, partition: 0 }] })
      const after = requests.slice(mark)
      const firstAtY = after.findIndex((r) => r.apiName === 'Produce' && r.broker === `${y.host}:${y.port}`)
      expect(firstAtY).toBeGreaterThanOrEqual(0)
      if (process.env.KAFKIT_REPORT_FIGURES) {
        const metadata = after.slice(0, firstAtY).filter((r) => r.apiName === 'Metadata').length
        console.log(`leader moved: ${metadata} Metadata requests before the first Produce to the new leader`)
      }
      const reader = await readerCluster(c.brokers, `kafkit-moved-reader-${run}`)
      try {
        expect((await readPartition(reader, topic, 0)).map((r) => r.value)).toEqual(values)
      } finally {
        await reader.disconnect()
      }
    } finally {
      await producer.disconnect()
      await admin.disconnect()
    }
  })
})
