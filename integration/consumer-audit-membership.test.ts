// Group membership points of issue 4 checked through what the group records: a static member's
// restart keeps the generation and continues from its committed offsets; stop() lets the handler in
// flight finish and commits it; a member whose handler outlived the rebalance timeout keeps
// consuming after it rejoins; shutdown calls on a consumer that never ran settle.

import { type Consumer, type ConsumerConfig, PartitionAssigners, type TopicPartition } from '../src/index.js'
import { committedOffsets, consumerTestBed, sleep, waitFor } from './helpers/consumer-helpers.js'
import { numberedRecords, produceRaw } from './helpers/produce-raw.js'

jest.setTimeout(120_000)

const bed = consumerTestBed('consumer-audit-membership-test')
const { suffix, consumer, topicWith } = bed

/** The generation id of every commit the consumer makes (consumer.commit_offsets). */
function commitGenerations(c: Consumer): number[] {
  const generations: number[] = []
  c.on(c.events.COMMIT_OFFSETS, (event) => {
    generations.push((event.payload as { groupGenerationId: number }).groupGenerationId)
  })
  return generations
}

function assignedPartitions(c: Consumer, topic: string): number[][] {
  const seen: number[][] = []
  c.on(c.events.GROUP_JOIN, (event) => {
    const assignment = (event.payload as { memberAssignment: Record<string, number[]> }).memberAssignment
    seen.push([...(assignment[topic] ?? [])].sort((a, b) => a - b))
  })
  return seen
}

test('a static member restarting within sessionTimeout keeps the generation and continues from its commits', async () => {
  // empty until both members own their partitions, so that each of them commits
  const topic = await topicWith('audit-static', 4, 0)
  const groupId = `g-audit-static-${suffix}`
  const options = { sessionTimeout: 20000, heartbeatInterval: 500 }
  const received: string[] = []
  const handler = async ({ partition, message }: { partition: number; message: { offset: string } }) => {
    received.push(`${partition}:${message.offset}`)
  }
  const a = consumer(groupId, { ...options, groupInstanceId: 'audit-a' })
  const aGenerations = commitGenerations(a)
  const aAssigned = assignedPartitions(a, topic)
  await a.subscribe({ topics: [topic], fromBeginning: true })
  await a.run({ eachMessage: handler })
  const b = consumer(groupId, { ...options, groupInstanceId: 'audit-b' })
  const bGenerations = commitGenerations(b)
  const bAssigned = assignedPartitions(b, topic)
  await b.subscribe({ topics: [topic], fromBeginning: true })
  await b.run({ eachMessage: handler })
  await waitFor(() => aAssigned.at(-1)?.length === 2 && bAssigned.at(-1)?.length === 2, 'a 2 + 2 split')
  for (let p = 0; p < 4; p++) await produceRaw(bed.cluster(), topic, p, numberedRecords(`before${p}`, 0, 5))
  await waitFor(() => new Set(received).size === 20, 'the first 20 messages')
  await waitFor(
    async () => (await committedOffsets(bed.cluster(), groupId, topic, 4)).every((o) => o === 5),
    'every partition committed at 5',
  )
  const generation = bGenerations.at(-1)!
  const bOwned = bAssigned.at(-1)!
  const aJoins = aAssigned.length
  const aCommitsBefore = aGenerations.length

  // b goes away without leaving (a static member) and a new process takes its instance id
  await b.disconnect()
  const b2 = consumer(groupId, { ...options, groupInstanceId: 'audit-b' })
  const b2Generations = commitGenerations(b2)
  const b2Assigned = assignedPartitions(b2, topic)
  await b2.subscribe({ topics: [topic], fromBeginning: true })
  const b2Received: string[] = []
  await b2.run({
    eachMessage: async (payload) => {
      b2Received.push(`${payload.partition}:${payload.message.offset}`)
      await handler(payload)
    },
  })
  expect(b2Assigned).toEqual([bOwned])
  for (let p = 0; p < 4; p++) await produceRaw(bed.cluster(), topic, p, numberedRecords(`after${p}`, 5, 7))
  await waitFor(() => received.length >= 28, 'the 8 new messages')
  await sleep(500)
  // nothing of b's was read twice: b2 started where b committed
  expect(received).toHaveLength(28)
  expect(new Set(received).size).toBe(28)
  expect(b2Received.sort()).toEqual(bOwned.flatMap((p) => [`${p}:5`, `${p}:6`]).sort())
  await waitFor(() => b2Generations.length > 0 && aGenerations.length > aCommitsBefore, 'commits after the restart')
  // the same generation before and after: the group never rebalanced
  expect(b2Generations.every((g) => g === generation)).toBe(true)
  expect(aGenerations.slice(aCommitsBefore).every((g) => g === generation)).toBe(true)
  expect(aAssigned).toHaveLength(aJoins)
})

test('stop() while a handler runs lets it finish, commits its offset and leaves the group', async () => {
  const topic = await topicWith('audit-stop-inflight', 1, 5)
  const groupId = `g-audit-stop-inflight-${suffix}`
  const c = consumer(groupId)
  await c.subscribe({ topics: [topic], fromBeginning: true })
  const order: string[] = []
  let entered = false
  await c.run({
    eachMessage: async ({ message }) => {
      if (message.offset !== '2') return
      entered = true
      await sleep(1500)
      order.push('handler finished')
    },
  })
  await waitFor(() => entered, 'the handler at offset 2')
  await c.stop()
  order.push('stop resolved')
  expect(order).toEqual(['handler finished', 'stop resolved'])
  // offsets 0-2 were processed; 3 and 4 were never handed to the handler
  expect(await committedOffsets(bed.cluster(), groupId, topic, 1)).toEqual([3])
  expect((await c.describeGroup()).state).toBe('Empty')
})

const slowMemberCases: [string, Partial<ConsumerConfig>][] = [
  ['classic (range, eager)', { partitionAssigners: [PartitionAssigners.range], heartbeatInterval: 500 }],
  ['KIP-848', { groupProtocol: 'consumer' }],
]

describe.each(slowMemberCases)('%s', (label, protocolOptions) => {
  test('a member whose handler outlived the rebalance timeout rejoins and keeps consuming', async () => {
    const topic = await topicWith(`audit-slow-${label.slice(0, 7).replace(/\W/g, '')}`, 2, 1)
    const groupId = `g-${topic}`
    const options = { ...protocolOptions, rebalanceTimeout: 3000 }
    const taken: TopicPartition[][] = []
    const crashes: unknown[] = []
    const a = consumer(groupId, {
      ...options,
      rebalanceListener: {
        onPartitionsRevoked: (tps) => void taken.push(tps),
        onPartitionsLost: (tps) => void taken.push(tps),
      },
    })
    a.on(a.events.CRASH, (event) => void crashes.push(event.payload))
    const aAssigned = assignedPartitions(a, topic)
    const received: { member: string; value: string }[] = []
    // both partitions are in a slow handler, so whichever the coordinator moves, its revocation waits
    const slowStarted = new Set<number>()
    let slowDone = 0
    await a.subscribe({ topics: [topic], fromBeginning: true })
    await a.run({
      partitionsConsumedConcurrently: 2,
      eachMessage: async ({ partition, message }) => {
        if (!slowStarted.has(partition)) {
          slowStarted.add(partition)
          await sleep(9000)
          slowDone++
        }
        received.push({ member: 'a', value: message.value?.toString() ?? '' })
      },
    })
    await waitFor(() => slowStarted.size === 2, 'a in its slow handlers')
    const b = consumer(groupId, options)
    const bAssigned = assignedPartitions(b, topic)
    await b.subscribe({ topics: [topic], fromBeginning: true })
    await b.run({ eachMessage: async ({ message }) => void received.push({ member: 'b', value: `${message.value}` }) })
    await waitFor(
      () => slowDone === 2 && aAssigned.at(-1)?.length === 1 && bAssigned.at(-1)?.length === 1,
      'a back in the group after its slow handler',
      60000,
    )
    // a's partitions were taken from it through the listener, not by a crash
    expect(crashes).toEqual([])
    expect(taken.flat().length).toBeGreaterThan(0)
    const aOwns = aAssigned.at(-1)!
    for (let p = 0; p < 2; p++) await produceRaw(bed.cluster(), topic, p, numberedRecords(`later${p}`, 1, 3))
    await waitFor(() => received.filter((r) => r.value.startsWith('later')).length === 4, 'the later messages')
    const laterByA = received.filter((r) => r.member === 'a' && r.value.startsWith('later')).map((r) => r.value)
    expect(laterByA.sort()).toEqual([`later${aOwns[0]}-1`, `later${aOwns[0]}-2`])
    expect(crashes).toEqual([])
  })
})

test('stop() and disconnect() on a consumer that never connected or never ran settle, repeatedly', async () => {
  const idle = consumer(`g-audit-idle-${suffix}`)
  await Promise.all([idle.stop(), idle.disconnect(), idle.stop()])
  await idle.disconnect()
  const connected = consumer(`g-audit-connected-${suffix}`)
  await connected.connect()
  await connected.subscribe({ topics: [`audit-never-run-${suffix}`] })
  await Promise.all([connected.disconnect(), connected.disconnect()])
  await connected.stop()
  // and a consumer still works afterwards: connect again, run, read
  const topic = await topicWith('audit-after-idle', 1, 2)
  const again = consumer(`g-audit-connected-${suffix}`)
  await again.subscribe({ topics: [topic], fromBeginning: true })
  const seen: string[] = []
  await again.run({ eachMessage: async ({ message }) => void seen.push(message.offset) })
  await waitFor(() => seen.length === 2, 'two messages')
  expect(seen).toEqual(['0', '1'])
})

describe('KIP-848 groupRemoteAssignor and onPartitionsAssigned', () => {
  test("'range' reaches the broker: contiguous ranges, announced through onPartitionsAssigned", async () => {
    const topic = await topicWith('audit-remote-range', 4, 0)
    const groupId = `g-audit-remote-range-${suffix}`
    const members = [0, 1].map(() => {
      const assigned: number[] = []
      const c = consumer(groupId, {
        groupProtocol: 'consumer',
        groupRemoteAssignor: 'range',
        rebalanceListener: {
          onPartitionsAssigned: (tps) => void assigned.push(...tps.map((tp) => tp.partition)),
          onPartitionsRevoked: (tps) => {
            for (const tp of tps) assigned.splice(assigned.indexOf(tp.partition), 1)
          },
        },
      })
      return { c, assigned, joins: assignedPartitions(c, topic) }
    })
    for (const m of members) {
      await m.c.subscribe({ topics: [topic] })
      await m.c.run({ eachMessage: async () => {} })
    }
    await waitFor(() => members.every((m) => m.assigned.length === 2), 'two partitions each')
    const owned = members.map((m) => [...m.assigned].sort((x, y) => x - y))
    expect(owned.sort((x, y) => x[0]! - y[0]!)).toEqual([
      [0, 1],
      [2, 3],
    ])
    // the callback and the group_join event agree
    for (const m of members) expect(m.joins.at(-1)).toEqual([...m.assigned].sort((x, y) => x - y))
  })

  test('an assignor the broker does not know fails with a typed error naming it', async () => {
    const topic = await topicWith('audit-remote-unknown', 1, 0)
    const c = consumer(`g-audit-remote-unknown-${suffix}`, { groupProtocol: 'consumer', groupRemoteAssignor: 'nope' })
    const crashes: { error: Error & { type?: string } }[] = []
    c.on(c.events.CRASH, (event) => void crashes.push(event.payload as { error: Error & { type?: string } }))
    await c.subscribe({ topics: [topic] })
    const ran = await c.run({ eachMessage: async () => {} }).catch((e: unknown) => e)
    await waitFor(() => crashes.length > 0 || ran instanceof Error, 'the refusal')
    const error = (ran instanceof Error ? ran : crashes[0]!.error) as Error & { type?: string; detail?: string }
    expect(error.type).toBe('UNSUPPORTED_ASSIGNOR')
    expect(error.detail).toContain('nope')
  })
})

test('KIP-848: a static member restarting gets its partitions back; the other member keeps its own throughout', async () => {
  const topic = await topicWith('audit-static-848', 4, 0)
  const groupId = `g-audit-static-848-${suffix}`
  const options = { groupProtocol: 'consumer' as const }
  const aRevoked: number[] = []
  const a = consumer(groupId, {
    ...options,
    groupInstanceId: 'audit-848-a',
    rebalanceListener: { onPartitionsRevoked: (tps) => void aRevoked.push(...tps.map((tp) => tp.partition)) },
  })
  const aAssigned = assignedPartitions(a, topic)
  await a.subscribe({ topics: [topic], fromBeginning: true })
  await a.run({ eachMessage: async () => {} })
  await waitFor(() => aAssigned.at(-1)?.length === 4, 'a owning all four')
  const b = consumer(groupId, { ...options, groupInstanceId: 'audit-848-b' })
  const bAssigned = assignedPartitions(b, topic)
  await b.subscribe({ topics: [topic], fromBeginning: true })
  await b.run({ eachMessage: async () => {} })
  await waitFor(() => aAssigned.at(-1)?.length === 2 && bAssigned.at(-1)?.length === 2, 'a 2 + 2 split')
  const aOwned = aAssigned.at(-1)!
  const bOwned = bAssigned.at(-1)!
  const aRevokedBefore = aRevoked.length
  const aAssignmentsBefore = aAssigned.length

  await b.disconnect()
  const b2 = consumer(groupId, { ...options, groupInstanceId: 'audit-848-b' })
  const b2Assigned = assignedPartitions(b2, topic)
  const b2Received: string[] = []
  await b2.subscribe({ topics: [topic], fromBeginning: true })
  await b2.run({
    eachMessage: async ({ partition, message }) => void b2Received.push(`${partition}:${message.offset}`),
  })
  await waitFor(() => b2Assigned.at(-1)?.length === 2, 'b2 owning two')
  expect(b2Assigned.at(-1)).toEqual(bOwned)
  for (let p = 0; p < 4; p++) await produceRaw(bed.cluster(), topic, p, numberedRecords('s', 0, 1))
  await waitFor(() => b2Received.length === 2, "b2 reading b's partitions")
  expect(b2Received.map((r) => Number(r.split(':')[0])).sort()).toEqual(bOwned)
  // a kept its partitions: nothing revoked, no new assignment
  expect(aRevoked).toHaveLength(aRevokedBefore)
  expect(aAssigned).toHaveLength(aAssignmentsBefore)
  expect(aAssigned.at(-1)).toEqual(aOwned)
})

test("KIP-848: a handler running 3x the broker's heartbeat interval keeps the membership and its partitions", async () => {
  const topic = await topicWith('audit-848-long', 2, 2)
  const groupId = `g-audit-848-long-${suffix}`
  const taken: number[] = []
  const c = consumer(groupId, {
    groupProtocol: 'consumer',
    rebalanceListener: {
      onPartitionsRevoked: (tps) => void taken.push(...tps.map((tp) => tp.partition)),
      onPartitionsLost: (tps) => void taken.push(...tps.map((tp) => tp.partition)),
    },
  })
  const assigned = assignedPartitions(c, topic)
  const epochs: number[] = []
  c.on(
    c.events.HEARTBEAT,
    (event) => void epochs.push((event.payload as { groupGenerationId: number }).groupGenerationId),
  )
  await c.subscribe({ topics: [topic], fromBeginning: true })
  const done: string[] = []
  let heartbeatsAtStart = 0
  let heartbeatsDuring = 0
  await c.run({
    eachMessage: async ({ partition, message }) => {
      if (partition === 0 && message.offset === '0') {
        heartbeatsAtStart = epochs.length
        // the broker's group.consumer.heartbeat.interval.ms is 5 s by default
        await sleep(15_000)
        heartbeatsDuring = epochs.length - heartbeatsAtStart
      }
      done.push(`${partition}:${message.offset}`)
    },
  })
  await waitFor(() => done.length === 4, 'all four messages', 60_000)
  expect(heartbeatsDuring).toBeGreaterThanOrEqual(2)
  expect(taken).toEqual([])
  expect(assigned.at(-1)).toEqual([0, 1])
  // one member epoch throughout the handler: no rebalance happened
  expect(new Set(epochs.slice(heartbeatsAtStart)).size).toBe(1)
  expect(done.filter((d) => d.startsWith('0:'))).toEqual(['0:0', '0:1'])
})
