// Log truncation after an unclean leader election (KIP-320), on a real three-node cluster.
//
// The topic has one partition on two nodes, A (leader) and B, with min.insync.replicas 1 and
// unclean.leader.election.enable. The third node, G, hosts the group coordinator (the offsets topic
// has one replica, there) and is never stopped. Every node is a KRaft voter, so stopping A and B
// together loses the quorum until B is back; nothing happens on the partition meanwhile.
//
//   v0..v9    written to A and B
//   B killed; the controller fences it and shrinks the ISR to A
//   a10..a19  written to A alone (acks=all: the ISR is A)
//   A killed, B restarted: B, out of sync, becomes leader under a new epoch (an unclean election),
//             its log ending at 10; a10..a19 are gone from the cluster
//   b10..b14  written to B, taking offsets 10..14 again
//
// Two consumers read the partition throughout, each in its own group. With the default reset
// policy the consumer detects the truncation (OffsetForLeaderEpoch to the new leader: epoch 0 ends
// at 10, below its position 20) and goes on from offset 10, as Java's consumer does: it delivers
// b10..b14 after a10..a19, skipping nothing the new leader holds. With autoOffsetReset 'none' it
// stops with KafkaJSLogTruncationError naming the partition and both offsets, and delivers nothing
// more. Assertions are on the records, in order, never on time.
//
// On the same cluster, a clean leader change (the replica order reversed, a preferred election):
// the consumer follows the new leader that the old one's Fetch answer names (KIP-951) and delivers
// every record once, in order; how many Metadata requests it sent first is printed with
// KAFKIT_REPORT_FIGURES=1 (the fake-broker tests assert none).

import { randomUUID } from 'node:crypto'
import {
  type Admin,
  type Consumer,
  type ConsumerConfig,
  ElectionTypes,
  Kafka,
  KafkaJSLogTruncationError,
  logLevel,
  type Producer,
} from '../src/index.js'
import { waitFor } from './helpers/consumer-helpers.js'
import { describeWithOwnCluster } from './helpers/own-cluster.js'

const range = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`)

describeWithOwnCluster(
  'log truncation after an unclean leader election, and a clean leader change',
  {
    nodes: 3,
    brokerConfig: {
      // the group coordinator lives on one node, which the test keeps running
      'offsets.topic.replication.factor': '1',
      // a killed broker is fenced (and leaves the ISR) after 4 s instead of 9 s
      'broker.session.timeout.ms': '4000',
      'broker.heartbeat.interval.ms': '500',
    },
    // eligible leader replicas (KIP-966) off: the last ISR member's loss leaves an ordinary offline
    // partition, which unclean election may give to any live replica
    features: { 'eligible.leader.replicas.version': 0 },
  },
  (ownCluster) => {
    const run = randomUUID().slice(0, 8)
    const topic = `kafkit-truncation-${run}`
    let kafka: Kafka
    let admin: Admin
    let producer: Producer
    /** Writes at the new leader: the old producer's idempotence state went with A's log. */
    let writer: Producer
    const consumers: Consumer[] = []

    beforeAll(async () => {
      kafka = new Kafka({
        brokers: ownCluster().brokers,
        clientId: `kafkit-truncation-${run}`,
        logLevel: logLevel.NOTHING,
      })
      admin = kafka.admin()
      await admin.connect()
      producer = kafka.producer()
      writer = kafka.producer()
    })
    afterAll(async () => {
      for (const c of consumers) await c.disconnect().catch(() => undefined)
      await producer?.disconnect().catch(() => undefined)
      await writer?.disconnect().catch(() => undefined)
      await admin?.disconnect()
    })

    async function partition0() {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
      return topics[0]!.partitions.find((p) => p.partitionId === 0)!
    }

    async function send(values: string[], by = producer): Promise<void> {
      await by.send({ topic, messages: values.map((value) => ({ value, partition: 0 })) })
    }

    /** A consumer of its own group reading the partition from offset 0, and what it delivered. */
    async function consume(name: string, config: Partial<ConsumerConfig> = {}) {
      const groupId = `kafkit-truncation-${run}-${name}`
      // a committed offset 0, so that a consumer without a reset policy has a position
      await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '0' }] })
      const consumer = kafka.consumer({ groupId, heartbeatInterval: 500, ...config })
      consumers.push(consumer)
      const values: string[] = []
      const crashes: Error[] = []
      consumer.on(consumer.events.CRASH, (e) => void crashes.push(e.payload.error))
      await consumer.connect()
      await consumer.subscribe({ topic })
      await consumer.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) })
      return { values, crashes }
    }

    test('the consumer goes on from where the logs diverge; without a reset policy it fails naming both offsets', async () => {
      const cluster = ownCluster()
      // G: the node of the offsets topic (made by the first group lookup); A and B: the other two
      await admin.describeGroups([`kafkit-truncation-${run}-probe`])
      await waitFor(
        async () => {
          const { topics } = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] })
          return (topics[0]?.partitions[0]?.leader ?? -1) >= 0
        },
        'the offsets topic has a leader',
        60_000,
      )
      const coordinator = (await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] })).topics[0]!.partitions[0]!
        .leader
      const [a, b] = cluster.nodes.map((n) => n.id).filter((id) => id !== coordinator) as [number, number]
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            replicaAssignment: [{ partition: 0, replicas: [a, b] }],
            configEntries: [
              { name: 'min.insync.replicas', value: '1' },
              { name: 'unclean.leader.election.enable', value: 'true' },
            ],
          },
        ],
      })
      await producer.connect()
      expect((await partition0()).leader).toBe(a)

      await send(range('v', 0, 10))
      await waitFor(async () => (await partition0()).isr.length === 2, 'B in sync', 60_000)
      const reset = await consume('reset')
      const none = await consume('none', { autoOffsetReset: 'none' })
      await waitFor(() => reset.values.length >= 10 && none.values.length >= 10, 'v0..v9 consumed', 120_000)

      await cluster.killNode(b)
      await waitFor(async () => (await partition0()).isr.join() === String(a), 'the ISR shrunk to A', 120_000)
      await send(range('a', 10, 20))
      await waitFor(() => reset.values.length >= 20 && none.values.length >= 20, 'a10..a19 consumed', 120_000)

      await cluster.killNode(a)
      const killed = Date.now()
      await cluster.restartNode(b)
      // the controller elects B once it fences A (the topic allows unclean elections); the admin's
      // unclean election asks for it too, in case the controller waits for its periodic check
      await waitFor(
        async () => {
          const p = await partition0().catch(() => undefined)
          if (p?.leader === b) return true
          await admin
            .electLeaders({ electionType: ElectionTypes.UNCLEAN, topicPartitions: [{ topic, partitions: [0] }] })
            .catch(() => undefined)
          return false
        },
        'B elected (unclean)',
        180_000,
      )
      const elected = Date.now()
      // a new producer id: the new leader never saw the sequence numbers of a10..a19, so the first
      // producer's next batch would be out of order there
      await writer.connect()
      await send(range('b', 10, 15), writer)
      await waitFor(() => reset.values.length >= 25, 'b10..b14 consumed', 120_000)
      const recovered = Date.now()
      await waitFor(() => none.crashes.length > 0, 'the consumer without a reset policy stopped', 120_000)

      // what the new leader holds: v0..v9 then b10..b14 (a10..a19 went with A's log)
      expect(reset.values).toEqual([...range('v', 0, 10), ...range('a', 10, 20), ...range('b', 10, 15)])
      expect(none.values).toEqual([...range('v', 0, 10), ...range('a', 10, 20)])
      expect(none.crashes).toHaveLength(1)
      expect(none.crashes[0]).toBeInstanceOf(KafkaJSLogTruncationError)
      expect(none.crashes[0]).toMatchObject({
        topic,
        partition: 0,
        fetchOffset: '20',
        divergentOffset: '10',
        retriable: false,
      })
      if (process.env.KAFKIT_REPORT_FIGURES) {
        console.log(
          `log truncation: A killed -> B elected ${elected - killed} ms; B elected -> b10..b14 consumed ${recovered - elected} ms`,
        )
      }
    })

    test('a clean leader change: the consumer follows the leader the Fetch answer names (KIP-951), nothing lost or repeated', async () => {
      const cluster = ownCluster()
      const [x, y] = cluster.nodes.filter((n) => n.running).map((n) => n.id) as [number, number]
      const moved = `${topic}-moved`
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: moved, replicaAssignment: [{ partition: 0, replicas: [x, y] }] }],
      })
      const leaderOf = async () =>
        (await admin.fetchTopicMetadata({ topics: [moved] })).topics[0]!.partitions.find((p) => p.partitionId === 0)!
      expect((await leaderOf()).leader).toBe(x)
      const consumer = kafka.consumer({ groupId: `kafkit-truncation-${run}-moved`, heartbeatInterval: 500 })
      consumers.push(consumer)
      const values: string[] = []
      const requests: { apiName: string; broker: string }[] = []
      consumer.on(consumer.events.REQUEST, (e) => void requests.push(e.payload))
      await consumer.connect()
      await consumer.subscribe({ topic: moved, fromBeginning: true })
      await consumer.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) })
      const sender = kafka.producer()
      await sender.connect()
      const sendMoved = (from: number, to: number) =>
        sender.send({ topic: moved, messages: range('x', from, to).map((value) => ({ value, partition: 0 })) })
      try {
        await sendMoved(0, 5)
        await waitFor(() => values.length >= 5, 'x0..x4 consumed', 120_000)
        // the same replicas, y first: a preferred election makes y the leader, x a follower
        await admin.alterPartitionReassignments({
          topics: [{ topic: moved, partitionAssignment: [{ partition: 0, replicas: [y, x] }] }],
        })
        const mark = requests.length
        await waitFor(
          async () => {
            if ((await leaderOf()).leader === y) return true
            await admin.electLeaders({ topicPartitions: [{ topic: moved, partitions: [0] }] }).catch(() => undefined)
            return false
          },
          'y elected (preferred)',
          120_000,
        )
        await sendMoved(5, 10)
        await waitFor(() => values.length >= 10, 'x5..x9 consumed', 120_000)
        expect(values).toEqual(range('x', 0, 10))
        const yAddress = cluster.nodes.find((n) => n.id === y)!
        const after = requests.slice(mark)
        const firstAtY = after.findIndex(
          (r) => r.apiName === 'Fetch' && r.broker === `${yAddress.host}:${yAddress.port}`,
        )
        expect(firstAtY).toBeGreaterThanOrEqual(0)
        if (process.env.KAFKIT_REPORT_FIGURES) {
          const metadata = after.slice(0, firstAtY).filter((r) => r.apiName === 'Metadata').length
          console.log(`leader moved: ${metadata} Metadata requests before the first Fetch to the new leader`)
        }
      } finally {
        await sender.disconnect()
      }
    })
  },
)
