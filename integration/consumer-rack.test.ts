// Follower fetching (KIP-392) on a three-node cluster with one rack per node and Kafka's
// RackAwareReplicaSelector: a consumer with a rackId reads a partition led by a node of another rack
// from the follower in its own rack, and goes back to the leader when that follower dies. Which node
// served what is read from the consumer's own consumer.network.request events (the broker every
// Fetch went to) and kafkit's request tracing channel (which Fetch answers carried records).

import { randomUUID } from 'node:crypto'
import { Kafka, logLevel } from '../src/index.js'
import { type KafkaTestCluster, startKafka } from '../src/testing/index.js'
import { usesExternalCluster } from './helpers/brokers.js'
import { waitFor } from './helpers/consumer-helpers.js'
import { recordFetchAnswers } from './helpers/fetched-from.js'

// an external cluster means no JVM may be started here
const describeLocal = usesExternalCluster() ? describe.skip : describe
// three JVMs on a small shared machine: this only bounds the waits, nothing asserts on time
jest.setTimeout(600_000)

const RACK_AWARE_SELECTOR = 'org.apache.kafka.common.replica.RackAwareReplicaSelector'
const rackOf = (nodeId: number): string => `rack-${nodeId - 1}`
const LEADER = 1
const FOLLOWER_IN_CONSUMER_RACK = 3

describeLocal('follower fetching with rackId', () => {
  let cluster: KafkaTestCluster | undefined
  let kafka: Kafka
  const run = randomUUID().slice(0, 8)

  beforeAll(async () => {
    cluster = await startKafka({
      nodes: 3,
      brokerConfig: { 'replica.selector.class': RACK_AWARE_SELECTOR },
      nodeConfig: (id) => ({ 'broker.rack': rackOf(id) }),
    })
    kafka = new Kafka({ brokers: cluster.brokers, clientId: `kafkit-rack-${run}`, logLevel: logLevel.NOTHING })
  })

  afterAll(async () => {
    await cluster?.stop()
  })

  /** A one-partition topic led by node 1 (rack-0) with followers on nodes 2 and 3. */
  async function createRackTopic(name: string): Promise<string> {
    const topic = `kafkit-${name}-${run}`
    const admin = kafka.admin()
    await admin.connect()
    try {
      await admin.createTopics({
        waitForLeaders: true,
        // the first replica is the preferred leader
        topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [LEADER, 2, FOLLOWER_IN_CONSUMER_RACK] }] }],
      })
      const [described] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics
      expect(described?.partitions[0]).toMatchObject({ leader: LEADER, replicas: [LEADER, 2, 3] })
    } finally {
      await admin.disconnect()
    }
    return topic
  }

  async function produce(topic: string, from: number, count: number, acks = -1): Promise<string[]> {
    const values = Array.from({ length: count }, (_, i) => `m-${from + i}`)
    const producer = kafka.producer()
    await producer.connect()
    try {
      // acks=all: every in-sync follower has the records before the send resolves
      for (let i = 0; i < count; i += 50) {
        await producer.send({ topic, acks, messages: values.slice(i, i + 50).map((value) => ({ value })) })
      }
    } finally {
      await producer.disconnect()
    }
    return values
  }

  function brokerOf(nodeId: number): string {
    const node = cluster!.nodes.find((n) => n.id === nodeId)!
    return `${node.host}:${node.port}`
  }

  /**
   * Runs a consumer in the rack of node 3 over `topic` from the beginning, recording the values it
   * receives, the broker of every Fetch request, and the brokers whose Fetch answers carried records
   * (`withData`, in order; `stop()` ends that recording).
   */
  async function rackConsumer(topic: string, groupId: string) {
    const consumer = kafka.consumer({ groupId, rackId: rackOf(FOLLOWER_IN_CONSUMER_RACK) })
    const { answers, stop } = recordFetchAnswers(`kafkit-rack-${run}`)
    const withData = (): string[] => answers.filter((a) => a.withRecords).map((a) => a.broker)
    const seen = { consumer, received: [] as string[], fetchBrokers: [] as string[], withData, stop }
    consumer.on(consumer.events.REQUEST, ({ payload }) => {
      const { apiName, broker } = payload as { apiName: string; broker: string }
      if (apiName === 'Fetch') seen.fetchBrokers.push(broker)
    })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.received.push(message.value!.toString())
      },
    })
    return seen
  }

  test('a consumer in the rack of a follower consumes everything, fetched from that follower', async () => {
    const topic = await createRackTopic('rack')
    const produced = await produce(topic, 0, 500)
    const { consumer, received, fetchBrokers, withData, stop } = await rackConsumer(topic, `kafkit-rack-${run}`)
    try {
      await waitFor(() => received.length >= produced.length, `${produced.length} messages`, 120_000)
    } finally {
      await consumer.disconnect()
      stop()
    }
    expect(received).toEqual(produced)
    // the leader was asked first and named the follower; every later Fetch went to the follower
    expect(fetchBrokers[0]).toBe(brokerOf(LEADER))
    expect(fetchBrokers).toContain(brokerOf(FOLLOWER_IN_CONSUMER_RACK))
    expect(new Set(fetchBrokers)).toEqual(new Set([brokerOf(LEADER), brokerOf(FOLLOWER_IN_CONSUMER_RACK)]))
    // every record came from the follower: the leader's answers carried none
    expect(withData().length).toBeGreaterThan(0)
    expect(new Set(withData())).toEqual(new Set([brokerOf(FOLLOWER_IN_CONSUMER_RACK)]))
  })

  test('when the follower dies, the consumer goes back to the leader and misses nothing', async () => {
    const topic = await createRackTopic('rack-failover')
    const first = await produce(topic, 0, 100)
    const { consumer, received, withData, stop } = await rackConsumer(topic, `kafkit-rack-failover-${run}`)
    try {
      await waitFor(() => received.length >= first.length, `${first.length} messages`, 120_000)
      expect(received).toEqual(first)
      expect(new Set(withData())).toEqual(new Set([brokerOf(FOLLOWER_IN_CONSUMER_RACK)]))

      const servedBeforeKill = withData().length
      await cluster!.killNode(FOLLOWER_IN_CONSUMER_RACK)
      // acks=1: the dead follower stays in the ISR until the controller fences it
      const second = await produce(topic, 100, 100, 1)
      const firstSet = new Set(first)
      const afterKill = (): string[] => [...new Set(received.slice(first.length))].filter((v) => !firstSet.has(v))
      await waitFor(() => afterKill().length >= second.length, 'the 100 messages after the kill', 180_000)
      // at least once: if the dead node was the group coordinator, an uncommitted tail may come twice
      expect(afterKill()).toEqual(second)
      expect(new Set(withData().slice(servedBeforeKill))).toEqual(new Set([brokerOf(LEADER)]))
    } finally {
      await consumer.disconnect()
      stop()
    }
  })
})
