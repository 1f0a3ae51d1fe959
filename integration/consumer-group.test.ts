// The consumer in a group on the real broker: what arrives, in which order, what is committed
// (read back with OffsetFetch), the group's state (DescribeGroups), and how partitions move between
// members under cooperative and eager assignors.

import type { Cluster } from '../src/cluster/cluster.js'
import { type Consumer, type KafkaMessage, PartitionAssigners, type TopicPartition } from '../src/index.js'
import { committedOffsets, sleep, testKafka, waitFor } from './helpers/consumer-helpers.js'
import { numberedRecords, produceRaw } from './helpers/produce-raw.js'
import { connectedCluster, createTopic } from './network-helpers.js'

jest.setTimeout(90_000)

const suffix = `${process.pid}-${Date.now()}`
let cluster: Cluster
const open: Consumer[] = []

beforeAll(async () => {
  cluster = await connectedCluster('consumer-group-test')
})

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.disconnect()))
})

afterAll(async () => {
  await cluster.disconnect()
})

function consumer(
  groupId: string,
  options: Parameters<ReturnType<typeof testKafka>['consumer']>[0] extends infer C ? Partial<C> : never = {},
): Consumer {
  const c = testKafka('consumer-group-test').consumer({ groupId, ...options })
  open.push(c)
  return c
}

async function fill(topic: string, partitions: number, perPartition: number, prefix = 'm'): Promise<void> {
  for (let p = 0; p < partitions; p++)
    await produceRaw(cluster, topic, p, numberedRecords(`${prefix}${p}`, 0, perPartition))
}

type Received = { partition: number; offset: number; value: string }

function collector(): {
  received: Received[]
  eachMessage: (p: { partition: number; message: KafkaMessage }) => Promise<void>
} {
  const received: Received[] = []
  return {
    received,
    eachMessage: async ({ partition, message }) => {
      received.push({ partition, offset: Number(message.offset), value: message.value?.toString() ?? '' })
    },
  }
}

describe('consumer group (classic protocol)', () => {
  test('consumes every message once, in order per partition, commits, and leaves the group empty', async () => {
    const topic = `cg-basic-${suffix}`
    const groupId = `g-basic-${suffix}`
    await createTopic(cluster, topic, 3)
    await fill(topic, 3, 20)
    const c = consumer(groupId)
    await c.connect()
    await c.subscribe({ topics: [topic], fromBeginning: true })
    const { received, eachMessage } = collector()
    await c.run({ eachMessage })
    await waitFor(() => received.length >= 60, '60 messages')
    const described = await c.describeGroup()
    expect(described).toMatchObject({
      groupId,
      state: 'Stable',
      protocolType: 'consumer',
      protocol: 'cooperative-sticky',
    })
    expect(described.members).toHaveLength(1)
    await waitFor(async () => (await c.lag()).every((l) => l.lag === '0'), 'no lag')
    expect((await c.lag()).sort((a, b) => a.partition - b.partition)).toEqual(
      [0, 1, 2].map((partition) => ({ topic, partition, offset: '20', high: '20', lag: '0' })),
    )
    await c.stop()
    expect(received).toHaveLength(60)
    for (let p = 0; p < 3; p++) {
      const offsets = received.filter((r) => r.partition === p).map((r) => r.offset)
      expect(offsets).toEqual(Array.from({ length: 20 }, (_, i) => i))
    }
    expect(await committedOffsets(cluster, groupId, topic, 3)).toEqual([20, 20, 20])
    expect((await c.describeGroup()).state).toBe('Empty')
  })

  test('the committed offset wins over fromBeginning; without one, fromBeginning: false starts at the end', async () => {
    const topic = `cg-committed-${suffix}`
    const groupId = `g-committed-${suffix}`
    await createTopic(cluster, topic, 1)
    await fill(topic, 1, 10)
    const first = consumer(groupId)
    await first.subscribe({ topics: [topic], fromBeginning: true })
    await first.run({ eachMessage: async () => {}, autoCommit: false })
    await first.commitOffsets([{ topic, partition: 0, offset: '6' }])
    await first.disconnect()
    expect(await committedOffsets(cluster, groupId, topic, 1)).toEqual([6])

    const second = consumer(groupId)
    await second.subscribe({ topics: [topic], fromBeginning: true })
    const { received, eachMessage } = collector()
    await second.run({ eachMessage })
    await waitFor(() => received.length >= 4, 'messages 6-9')
    expect(received.map((r) => r.offset)).toEqual([6, 7, 8, 9])

    const latest = consumer(`g-latest-${suffix}`)
    await latest.subscribe({ topics: [topic], fromBeginning: false })
    const late = collector()
    // produce only once the member has resolved "latest" to a position, or the new messages could
    // land before the position is taken and be skipped as old ones
    await latest.run({ eachMessage: late.eachMessage })
    await waitFor(
      async () => (await latest.lag()).some((p) => p.offset !== '-1'),
      'the latest-offset consumer to have a position',
    )
    await produceRaw(cluster, topic, 0, numberedRecords('new', 0, 2))
    await waitFor(() => late.received.length >= 2, 'new messages')
    expect(late.received.map((r) => r.value)).toEqual(['new-0', 'new-1'])
  })

  test('cooperative-sticky: a second member takes half the partitions; kept ones are never revoked; no duplicates', async () => {
    const topic = `cg-coop-${suffix}`
    const groupId = `g-coop-${suffix}`
    await createTopic(cluster, topic, 4)
    await fill(topic, 4, 25, 'a')
    const revokedA: TopicPartition[][] = []
    const a = consumer(groupId, { rebalanceListener: { onPartitionsRevoked: (tps) => void revokedA.push(tps) } })
    await a.subscribe({ topics: [topic], fromBeginning: true })
    const ca = collector()
    await a.run({ eachMessage: ca.eachMessage })
    await waitFor(() => ca.received.length >= 100, 'first 100 messages')

    const b = consumer(groupId)
    await b.subscribe({ topics: [topic], fromBeginning: true })
    const cb = collector()
    const assignedB: TopicPartition[][] = []
    b.on(b.events.GROUP_JOIN, (event) => {
      const assignment = (event.payload as { memberAssignment: Record<string, number[]> }).memberAssignment
      assignedB.push((assignment[topic] ?? []).map((partition) => ({ topic, partition })))
    })
    await b.run({ eachMessage: cb.eachMessage })
    await waitFor(() => assignedB.some((x) => x.length === 2), 'b owning two partitions')
    await fill(topic, 4, 25, 'b')
    await waitFor(() => ca.received.length + cb.received.length >= 200, 'all 200 messages')
    await sleep(500)
    // A gave up exactly the two partitions B took, in one revocation
    expect(revokedA).toHaveLength(1)
    expect(revokedA[0]).toHaveLength(2)
    const all = [...ca.received, ...cb.received].map((r) => `${r.partition}:${r.offset}`)
    expect(new Set(all).size).toBe(all.length)
    expect(all).toHaveLength(200)
    const bPartitions = new Set(cb.received.map((r) => r.partition))
    expect(bPartitions.size).toBe(2)
    expect(revokedA[0]!.map((tp) => tp.partition).sort()).toEqual([...bPartitions].sort())
  })

  test('eager (range): every partition is revoked before the rebalance; still no duplicates', async () => {
    const topic = `cg-eager-${suffix}`
    const groupId = `g-eager-${suffix}`
    await createTopic(cluster, topic, 4)
    await fill(topic, 4, 10, 'a')
    const revokedA: TopicPartition[][] = []
    const a = consumer(groupId, {
      partitionAssigners: [PartitionAssigners.range],
      rebalanceListener: { onPartitionsRevoked: (tps) => void revokedA.push(tps) },
    })
    await a.subscribe({ topics: [topic], fromBeginning: true })
    const ca = collector()
    await a.run({ eachMessage: ca.eachMessage })
    await waitFor(() => ca.received.length >= 40, 'first 40 messages')
    const b = consumer(groupId, { partitionAssigners: [PartitionAssigners.range] })
    await b.subscribe({ topics: [topic], fromBeginning: true })
    const cb = collector()
    await b.run({ eachMessage: cb.eachMessage })
    expect((await b.describeGroup()).protocol).toBe('range')
    await fill(topic, 4, 10, 'b')
    await waitFor(() => ca.received.length + cb.received.length >= 80, 'all 80 messages')
    expect(revokedA[0]).toHaveLength(4)
    const all = [...ca.received, ...cb.received].map((r) => `${r.partition}:${r.offset}`)
    expect(new Set(all).size).toBe(80)
    // range: the member first in member-id order gets partitions 0-1, the other 2-3
    const bPartitions = [...new Set(cb.received.map((r) => r.partition))].sort()
    expect([
      [0, 1],
      [2, 3],
    ]).toContainEqual(bPartitions)
  })

  test('a member stopped in the middle of a cooperative rebalance commits what it processed: nothing is redelivered', async () => {
    const topic = `cg-stop-mid-${suffix}`
    const groupId = `g-stop-mid-${suffix}`
    await createTopic(cluster, topic, 4)
    await fill(topic, 4, 25)
    // what a has processed is committed after its batches and on the revocation at stop: b goes on from there
    const options = { heartbeatInterval: 300 }
    const a = consumer(groupId, options)
    await a.subscribe({ topics: [topic], fromBeginning: true })
    const ca = collector()
    await a.run({ eachMessage: ca.eachMessage, autoCommitInterval: 600000 })
    await waitFor(() => ca.received.length >= 100, 'a consuming everything')
    let stopping: Promise<void> | undefined
    a.on(a.events.REBALANCING, () => {
      stopping ??= a.stop()
    })
    const b = consumer(groupId, options)
    await b.subscribe({ topics: [topic], fromBeginning: true })
    const cb = collector()
    await b.run({ eachMessage: cb.eachMessage, autoCommitInterval: 600000 })
    await waitFor(() => stopping !== undefined, 'a told of the rebalance')
    await stopping
    await waitFor(async () => (await b.describeGroup()).members.length === 1, 'b alone in the group')
    await fill(topic, 4, 1, 'after')
    await waitFor(() => cb.received.length >= 4, 'the new messages')
    await sleep(300)
    expect(cb.received.map((r) => r.value).sort()).toEqual(['after0-0', 'after1-0', 'after2-0', 'after3-0'])
  })

  test('a handler outliving the rebalance timeout loses its partitions cleanly; the consumer does not crash', async () => {
    const topic = `cg-slow-${suffix}`
    const groupId = `g-slow-${suffix}`
    await createTopic(cluster, topic, 2)
    await fill(topic, 2, 1)
    const options = { partitionAssigners: [PartitionAssigners.range], heartbeatInterval: 500, rebalanceTimeout: 3000 }
    const crashes: unknown[] = []
    const revokedOrLost: string[] = []
    const a = consumer(groupId, {
      ...options,
      rebalanceListener: {
        onPartitionsRevoked: () => void revokedOrLost.push('revoked'),
        onPartitionsLost: () => void revokedOrLost.push('lost'),
      },
    })
    a.on(a.events.CRASH, (event) => void crashes.push(event.payload))
    let slowDone = false
    const aJoins: number[][] = []
    a.on(a.events.GROUP_JOIN, (event) => {
      aJoins.push((event.payload as { memberAssignment: Record<string, number[]> }).memberAssignment[topic] ?? [])
    })
    await a.subscribe({ topics: [topic], fromBeginning: true })
    await a.run({
      eachMessage: async ({ partition }) => {
        if (partition === 0 && !slowDone) {
          await sleep(9000)
          slowDone = true
        }
      },
    })
    const b = consumer(groupId, options)
    const bAssigned: number[][] = []
    b.on(b.events.GROUP_JOIN, (event) => {
      bAssigned.push((event.payload as { memberAssignment: Record<string, number[]> }).memberAssignment[topic] ?? [])
    })
    await b.subscribe({ topics: [topic], fromBeginning: true })
    await b.run({ eachMessage: async () => {} })
    // the coordinator gave up on A (still in its handler) and gave B everything
    expect(bAssigned[0]).toEqual([0, 1])
    expect(slowDone).toBe(false)
    // A finishes, finds it was dropped, and joins again: the two share the partitions
    await waitFor(() => aJoins.length >= 2 && bAssigned.at(-1)?.length === 1, 'A back in the group', 60000)
    expect(crashes).toEqual([])
    expect(revokedOrLost.length).toBeGreaterThan(0)
  })
})
