// Consumer throughput of kafkit and its peers, side by side in one run on one broker: each client
// reads the same pre-filled topic from the beginning in a new group. Messages/s, MB/s of values,
// CPU seconds and peak RSS per client, and how many times faster kafkit (eachBatch) is. Run on
// demand (never in the test suite):
//
//   npm run bench -- consumer [--quick] [--rounds N]
//
// Workloads: 1,000,000 x 100 B and 200,000 x 1 KiB, uncompressed and LZ4, in topics of 6
// partitions written once by kafkit's producer. Every client reads each topic N times (default 3),
// the clients taking turns, and the median run (by messages/s) is reported. Brokers: KAFKA_BROKERS,
// else one started for the run (bench-broker.ts: full-JIT JVM). Peers are used when they can be loaded: kafkajs and
// @platformatic/kafka from node_modules or KAFKIT_BENCH_PEERS, and kcat (librdkafka) from the PATH.
// Each client runs in its own process (bench/consumer-client.ts).

import { Kafka, logLevel } from '../src/index.js'
import { findOnPath } from '../src/testing/executables.js'
import { benchBroker } from './bench-broker.js'
import {
  benchOptions,
  createTopic,
  inTurn,
  median,
  medians,
  produceValues,
  type Row,
  runClientProcess,
  runKcatTimed,
  table,
  type Workload,
} from './bench-common.js'
import type { ConsumerClient, ConsumerRun } from './consumer-client.js'

const { rounds: ROUNDS, workloads: WORKLOADS } = benchOptions()
const CLIENTS: { client: ConsumerClient; label: string }[] = [
  { client: 'kafkit-batch', label: 'kafkit (eachBatch)' },
  { client: 'kafkit-message', label: 'kafkit (eachMessage)' },
  { client: 'kafkit-iterator', label: 'kafkit (for await)' },
  { client: 'kafkajs-batch', label: 'kafkajs 2.2.4 (eachBatch)' },
  { client: 'kafkajs-message', label: 'kafkajs 2.2.4 (eachMessage)' },
  { client: 'platformatic', label: '@platformatic/kafka (stream)' },
]
const BASELINE = 'kafkit (eachBatch)'

function label(w: Workload): string {
  return `${w.messages.toLocaleString('en-US')} x ${w.valueSize} B, ${w.compression}`
}

function topicOf(w: Workload, suffix: string): string {
  return `bench-consume-${w.valueSize}b-${w.compression}-${w.messages}-${suffix}`
}

/** Writes the workload's topic with kafkit's producer (values of repetitive bytes, so that LZ4 has work). */
async function fill(kafka: Kafka, topic: string, w: Workload): Promise<void> {
  await createTopic(kafka, topic)
  await produceValues(kafka, topic, w)
}

function runClient(brokers: string[], topic: string, w: Workload, c: (typeof CLIENTS)[number]): Promise<Row> {
  const spec: ConsumerRun = { client: c.client, brokers, topic, messages: w.messages }
  return runClientProcess('consumer-client.ts', spec, label(w), c.label)
}

/** kcat -C from the beginning to the end of the topic, printing each value's size. */
function runKcat(kcat: string, brokers: string[], topic: string, w: Workload): Promise<Row> {
  const args = ['-C', '-b', brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%S\n']
  return runKcatTimed(kcat, args, label(w), (stdout) => {
    const sizes = stdout.split('\n').filter((l) => l !== '')
    if (sizes.length !== w.messages) return undefined
    return { messages: w.messages, bytes: sizes.reduce((n, l) => n + Number(l), 0) }
  })
}

/** The median of each client's CPU seconds per 100,000 messages over the rounds, by workload and client label. */
function cpuMedians(runs: Row[]): Map<string, number> {
  const byKey = new Map<string, number[]>()
  for (const r of runs) {
    if (r.skipped !== undefined || r.messages === 0) continue
    const key = `${r.workload}\u0000${r.client}`
    byKey.set(key, [...(byKey.get(key) ?? []), (r.cpuSeconds * 100_000) / r.messages])
  }
  return new Map([...byKey].map(([key, values]) => [key, median(values)]))
}

/**
 * CPU per message, the consumer's measure against the native client: per workload the medians of
 * kafkit's and KafkaJS's eachBatch and eachMessage and of kcat, and kafkit's as a share of theirs.
 */
function cpuTable(runs: Row[]): string {
  const cpu = cpuMedians(runs)
  const columns = [
    'kafkit (eachBatch)',
    'kafkit (eachMessage)',
    'kafkajs 2.2.4 (eachBatch)',
    'kafkajs 2.2.4 (eachMessage)',
    'kcat (librdkafka)',
  ]
  const fixed = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(3))
  const ratio = (a: number | undefined, b: number | undefined): string =>
    a === undefined || b === undefined ? '-' : (a / b).toFixed(2)
  const lines = [
    '### CPU s per 100k messages (medians of the rounds) and kafkit as a share of the others',
    '',
    `| workload | ${columns.join(' | ')} | eachBatch / KafkaJS's | eachMessage / KafkaJS's | eachBatch / kcat | eachMessage / kcat |`,
    `| --- |${' ---: |'.repeat(columns.length + 4)}`,
  ]
  for (const w of WORKLOADS) {
    const at = (client: string): number | undefined => cpu.get(`${label(w)}\u0000${client}`)
    const [batch, message, kafkajsBatch, kafkajsMessage, kcat] = columns.map(at)
    lines.push(
      `| ${label(w)} | ${columns.map((c) => fixed(at(c))).join(' | ')} | ${ratio(batch, kafkajsBatch)} | ${ratio(message, kafkajsMessage)} | ${ratio(batch, kcat)} | ${ratio(message, kcat)} |`,
    )
  }
  return lines.join('\n')
}

async function main(): Promise<void> {
  const broker = await benchBroker()
  const brokers = broker.brokers
  try {
    const kafka = new Kafka({ brokers, clientId: 'bench-fill', logLevel: logLevel.ERROR })
    const suffix = `${process.pid}-${Date.now()}`
    for (const w of WORKLOADS) await fill(kafka, topicOf(w, suffix), w)
    // the filling warmed the broker's produce path; one read of every topic, not counted, warms its
    // fetch path (a full-JIT broker compiles it during its first seconds of load)
    for (const w of WORKLOADS) await runClient(brokers, topicOf(w, suffix), w, CLIENTS[0]!)
    const kcat = findOnPath('kcat')
    const runs: Row[] = []
    for (let round = 1; round <= ROUNDS; round++) {
      for (const w of WORKLOADS) {
        const topic = topicOf(w, suffix)
        const turns: (() => Promise<Row>)[] = CLIENTS.map((c) => () => runClient(brokers, topic, w, c))
        if (kcat !== undefined) turns.push(() => runKcat(kcat, brokers, topic, w))
        // clients take turns: each round starts with the next one
        for (const turn of inTurn(turns, round)) {
          const row = await turn()
          runs.push(row)
          const rate = row.seconds > 0 ? Math.round(row.messages / row.seconds) : 0
          const cpu = row.messages > 0 ? ` ${((row.cpuSeconds * 100_000) / row.messages).toFixed(3)} CPU s/100k` : ''
          process.stderr.write(
            `round ${round} ${row.workload} ${row.client}: ${row.skipped ?? `${rate} msg/s${cpu}`}\n`,
          )
        }
      }
    }
    process.stdout.write(`${table(medians(runs), BASELINE, 'kafkit (eachBatch) is x faster')}\n`)
    process.stdout.write(`${cpuTable(runs)}\n`)
  } finally {
    await broker.stop()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
