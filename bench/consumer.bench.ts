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
        for (const c of CLIENTS) {
          const row = await runClient(brokers, topic, w, c)
          runs.push(row)
          const rate = row.seconds > 0 ? Math.round(row.messages / row.seconds) : 0
          process.stderr.write(`round ${round} ${row.workload} ${row.client}: ${row.skipped ?? `${rate} msg/s`}\n`)
        }
        if (kcat !== undefined) runs.push(await runKcat(kcat, brokers, topic, w))
      }
    }
    process.stdout.write(`${table(medians(runs), BASELINE, 'kafkit (eachBatch) is x faster')}\n`)
  } finally {
    await broker.stop()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
