// Group protocols beyond the basic classic group: KIP-848 (groupProtocol: 'consumer') rebalancing
// as members come and go, static membership (KIP-345) surviving a restart without a rebalance,
// and read_committed against transactions written by kafkit's own producer.

import type { Cluster } from '../src/cluster/cluster.js'
import type { Consumer, ConsumerConfig } from '../src/index.js'
import { committedOffsets, sleep, testKafka, waitFor } from './helpers/consumer-helpers.js'
import { numberedRecords, produceRaw } from './helpers/produce-raw.js'
import { connectedCluster, createTopic } from './network-helpers.js'

jest.setTimeout(120_000)

const suffix = `${process.pid}-${Date.now()}`
let cluster: Cluster
const open: Consumer[] = []

beforeAll(async () => {
  cluster = await connectedCluster('consumer-protocols-test')
})

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.disconnect()))
})

afterAll(async () => {
  await cluster.disconnect()
})

function consumer(groupId: string, options: Partial<ConsumerConfig> = {}): Consumer {
  const c = testKafka('consumer-protocols-test').consumer({ groupId, ...options })
  open.push(c)
  return c
}

function assignments(c: Consumer, topic: string): number[][] {
  const seen: number[][] = []
  c.on(c.events.GROUP_JOIN, (event) => {
    const assignment = (event.payload as { memberAssignment: Record<string, number[]> }).memberAssignment
    seen.push([...(assignment[topic] ?? [])].sort((a, b) => a - b))
  })
  return seen
}

describe('KIP-848 consumer protocol', () => {
  test('members coming and going: the coordinator rebalances; every message is consumed once', async () => {
    const topic = `kip848-${suffix}`
    const groupId = `g-kip848-${suffix}`
    await createTopic(cluster, topic, 4)
    for (let p = 0; p < 4; p++) await produceRaw(cluster, topic, p, numberedRecords(`a${p}`, 0, 10))
    const received: string[] = []
    const handler = async ({ partition, message }: { partition: number; message: { offset: string } }) => {
      received.push(`${partition}:${message.offset}`)
    }
    const a = consumer(groupId, { groupProtocol: 'consumer' })
    const aAssignments = assignments(a, topic)
    await a.subscribe({ topics: [topic], fromBeginning: true })
    await a.run({ eachMessage: handler })
    await waitFor(() => received.length >= 40, 'the first 40 messages')
    expect(aAssignments.at(-1)).toEqual([0, 1, 2, 3])

    const b = consumer(groupId, { groupProtocol: 'consumer' })
    const bAssignments = assignments(b, topic)
    await b.subscribe({ topics: [topic], fromBeginning: true })
    await b.run({ eachMessage: handler })
    await waitFor(() => bAssignments.some((x) => x.length === 2) && aAssignments.at(-1)?.length === 2, 'a 2 + 2 split')
    expect([...aAssignments.at(-1)!, ...bAssignments.at(-1)!].sort()).toEqual([0, 1, 2, 3])
    for (let p = 0; p < 4; p++) await produceRaw(cluster, topic, p, numberedRecords(`b${p}`, 10, 20))
    await waitFor(() => received.length >= 80, 'the next 40 messages')

    // b leaves: a gets its partitions back and consumes what follows
    await b.disconnect()
    await waitFor(() => aAssignments.at(-1)?.length === 4, 'a owning all four again')
    for (let p = 0; p < 4; p++) await produceRaw(cluster, topic, p, numberedRecords(`c${p}`, 20, 25))
    await waitFor(() => received.length >= 100, 'the last 20 messages')
    await sleep(300)
    expect(received).toHaveLength(100)
    expect(new Set(received).size).toBe(100)
    await a.stop()
    expect(await committedOffsets(cluster, groupId, topic, 4)).toEqual([25, 25, 25, 25])
  })
})

describe('KIP-848 regex subscription', () => {
  test('the broker evaluates the regex: a topic created later is assigned without client-side checks', async () => {
    const prefix = `kip848-re-${suffix}`
    await createTopic(cluster, `${prefix}-a`, 1)
    await produceRaw(cluster, `${prefix}-a`, 0, numberedRecords('a', 0, 1))
    // metadataMaxAge long: the client's own regex check does not run during the test
    const c = consumer(`g-kip848-re-${suffix}`, { groupProtocol: 'consumer', metadataMaxAge: 600000 })
    await c.subscribe({ topics: [new RegExp(`${prefix}-.*`)], fromBeginning: true })
    const seen: string[] = []
    await c.run({ eachMessage: async ({ topic, message }) => void seen.push(`${topic}:${message.value}`) })
    await waitFor(() => seen.length === 1, 'the first topic')
    await createTopic(cluster, `${prefix}-b`, 1)
    await produceRaw(cluster, `${prefix}-b`, 0, numberedRecords('b', 0, 1))
    await waitFor(() => seen.length === 2, 'the topic created later', 60000)
    expect(seen).toEqual([`${prefix}-a:a-0`, `${prefix}-b:b-0`])
  })
})

describe('static membership (classic)', () => {
  test('a static member restarting within sessionTimeout gets its partitions back without a rebalance', async () => {
    const topic = `static-${suffix}`
    const groupId = `g-static-${suffix}`
    await createTopic(cluster, topic, 4)
    const options = { sessionTimeout: 20000, heartbeatInterval: 500 }
    const a = consumer(groupId, { ...options, groupInstanceId: 'instance-a' })
    let aRebalances = 0
    a.on(a.events.REBALANCING, () => void aRebalances++)
    const aAssignments = assignments(a, topic)
    await a.subscribe({ topics: [topic] })
    await a.run({ eachMessage: async () => {} })
    const b = consumer(groupId, { ...options, groupInstanceId: 'instance-b' })
    const bAssignments = assignments(b, topic)
    await b.subscribe({ topics: [topic] })
    await b.run({ eachMessage: async () => {} })
    await waitFor(() => aAssignments.at(-1)?.length === 2 && bAssignments.at(-1)?.length === 2, 'a 2 + 2 split')
    await sleep(1500)
    const rebalancesBefore = aRebalances
    const joinsBefore = aAssignments.length
    const bOwned = bAssignments.at(-1)

    // b stops without leaving (static), and comes back as a new process would
    await b.disconnect()
    const b2 = consumer(groupId, { ...options, groupInstanceId: 'instance-b' })
    const b2Assignments = assignments(b2, topic)
    await b2.subscribe({ topics: [topic] })
    await b2.run({ eachMessage: async () => {} })
    expect(b2Assignments[0]).toEqual(bOwned)
    await sleep(2000)
    expect(aRebalances).toBe(rebalancesBefore)
    expect(aAssignments).toHaveLength(joinsBefore)
    expect((await b2.describeGroup()).state).toBe('Stable')
  })
})

describe('read_committed with kafkit transactions', () => {
  test('aborted transactions of kafkit producer are skipped, committed ones delivered', async () => {
    const topic = `txn-${suffix}`
    await createTopic(cluster, topic, 1)
    const kafka = testKafka('consumer-protocols-test')
    const producer = kafka.producer({ transactionalId: `txn-${suffix}`, idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    try {
      for (const [i, commit] of [
        [0, true],
        [1, false],
        [2, true],
        [3, false],
      ] as const) {
        const txn = await producer.transaction()
        await txn.send({ topic, messages: [{ value: `t${i}-a` }, { value: `t${i}-b` }] })
        if (commit) await txn.commit()
        else await txn.abort()
      }
    } finally {
      await producer.disconnect()
    }
    const plain = kafka.producer()
    await plain.connect()
    await plain.send({ topic, messages: [{ value: 'plain' }] })
    await plain.disconnect()
    const values: string[] = []
    const committed = consumer(`g-txn-${suffix}`)
    await committed.subscribe({ topics: [topic], fromBeginning: true })
    await committed.run({ eachMessage: async ({ message }) => void values.push(message.value?.toString() ?? '') })
    await waitFor(() => values.includes('plain'), 'the last message')
    expect(values).toEqual(['t0-a', 't0-b', 't2-a', 't2-b', 'plain'])

    const all: string[] = []
    const uncommitted = consumer(`g-txn-ru-${suffix}`, { readUncommitted: true })
    await uncommitted.subscribe({ topics: [topic], fromBeginning: true })
    await uncommitted.run({ eachMessage: async ({ message }) => void all.push(message.value?.toString() ?? '') })
    await waitFor(() => all.includes('plain'), 'the last message (read_uncommitted)')
    expect(all).toEqual(['t0-a', 't0-b', 't1-a', 't1-b', 't2-a', 't2-b', 't3-a', 't3-b', 'plain'])
  })
})
