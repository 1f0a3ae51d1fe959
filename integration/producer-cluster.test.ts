// Reliability on a three-node cluster: a node is killed while the idempotent producer writes with
// acks=all; afterwards every record the producer acknowledged is in the log, and none is there twice.

import { randomUUID } from 'node:crypto'
import { Kafka, logLevel } from '../src/index.js'
import { createReplicatedTopic, describeWithOwnCluster } from './helpers/own-cluster.js'
import { readerCluster, readTopic } from './producer-helpers.js'

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
})
