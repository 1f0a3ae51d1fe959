// A Java console consumer (Kafka's own client) and a kafkit consumer in one group: they agree on
// the protocol and its metadata, split the partitions between them, and together read every
// message once. With cooperative-sticky (the Java consumer configured for it) and with range.

import type { Cluster } from '../src/cluster/cluster.js'
import type { Consumer } from '../src/index.js'
import { PartitionAssigners } from '../src/index.js'
import { runKafkaTool } from '../src/testing/index.js'
import { brokers } from './helpers/brokers.js'
import { sleep, testKafka, waitFor } from './helpers/consumer-helpers.js'
import { numberedRecords, produceRaw } from './helpers/produce-raw.js'
import { connectedCluster, createTopic } from './network-helpers.js'

jest.setTimeout(240_000)

const PARTITIONS = 6
const PER_PARTITION = 10
const suffix = `${process.pid}-${Date.now()}`
let cluster: Cluster
const open: Consumer[] = []

beforeAll(async () => {
  cluster = await connectedCluster('consumer-interop-test')
})

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.disconnect()))
})

afterAll(async () => {
  await cluster.disconnect()
})

describe.each([
  [
    'cooperative-sticky',
    'org.apache.kafka.clients.consumer.CooperativeStickyAssignor',
    PartitionAssigners.cooperativeSticky,
  ],
  ['range', 'org.apache.kafka.clients.consumer.RangeAssignor', PartitionAssigners.range],
] as const)('Java console consumer and kafkit in one group (%s)', (name, javaAssignor, assigner) => {
  test('they split the partitions and read every message once between them', async () => {
    const topic = `interop-${name}-${suffix}`
    const groupId = `g-interop-${name}-${suffix}`
    await createTopic(cluster, topic, PARTITIONS)
    const kafkit = testKafka('consumer-interop-test').consumer({
      groupId,
      heartbeatInterval: 500,
      partitionAssigners: [assigner],
    })
    open.push(kafkit)
    const assignments: number[][] = []
    kafkit.on(kafkit.events.GROUP_JOIN, (event) => {
      const assignment = (event.payload as { memberAssignment: Record<string, number[]> }).memberAssignment
      assignments.push([...(assignment[topic] ?? [])].sort((a, b) => a - b))
    })
    const received: string[] = []
    await kafkit.subscribe({ topics: [topic], fromBeginning: true })
    await kafkit.run({
      eachMessage: async ({ partition, message }) => void received.push(`${partition}:${message.offset}`),
    })
    expect(assignments.at(-1)).toHaveLength(PARTITIONS)

    const java = runKafkaTool(
      'org.apache.kafka.tools.consumer.ConsoleConsumer',
      [
        '--bootstrap-server',
        brokers()[0]!,
        '--topic',
        topic,
        '--group',
        groupId,
        '--from-beginning',
        '--timeout-ms',
        '15000',
        '--consumer-property',
        `partition.assignment.strategy=${javaAssignor}`,
        '--consumer-property',
        'group.protocol=classic',
        '--consumer-property',
        'heartbeat.interval.ms=500',
        '--formatter-property',
        'print.partition=true',
        '--formatter-property',
        'print.offset=true',
      ],
      { timeoutMs: 120000 },
    )
    // the Java member joined when kafkit's share drops to half
    await waitFor(() => assignments.at(-1)?.length === PARTITIONS / 2, 'the Java consumer taking half', 90000)
    const kafkitPartitions = assignments.at(-1)!
    for (let p = 0; p < PARTITIONS; p++) await produceRaw(cluster, topic, p, numberedRecords(`m${p}`, 0, PER_PARTITION))
    await waitFor(() => received.length >= (PARTITIONS / 2) * PER_PARTITION, "kafkit's half of the messages", 60000)
    const result = await java
    expect({ exitCode: result.exitCode, stderr: result.exitCode === 0 ? '' : result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    })
    // ConsoleConsumer prints e.g. "Partition:3\tOffset:7\tm3-7"
    const javaRecords = result.stdout
      .split('\n')
      .map((line) => /Partition:(\d+)\s+Offset:(\d+)/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => `${m[1]}:${m[2]}`)
    const javaPartitions = [...new Set(javaRecords.map((r) => Number(r.split(':')[0])))].sort((a, b) => a - b)
    expect([...kafkitPartitions, ...javaPartitions].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5])
    const all = [...received, ...javaRecords]
    expect(new Set(all).size).toBe(PARTITIONS * PER_PARTITION)
    expect(all).toHaveLength(PARTITIONS * PER_PARTITION)
    // the Java consumer left: kafkit owns everything again
    await waitFor(() => assignments.at(-1)?.length === PARTITIONS, 'kafkit owning every partition again', 60000)
    await sleep(100)
  })
})
