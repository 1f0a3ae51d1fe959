// Producer throughput of kafkit and its peers, side by side in one run on one broker: messages/s,
// MB/s of values, CPU seconds and peak RSS per client, and each peer's throughput as a ratio to
// kafkit's. Run on demand (never in the test suite):
//
//   node -r ./bench/register-swc.cjs bench/producer.bench.ts [--quick] [--rounds N] [--clients kafkit,kcat]
//     [--value-sizes 100]
//
// Every client runs each workload N times (default 3), the clients taking turns (each round starting
// with the next client), and the median run (by messages/s) is reported: the machine is shared, so
// single runs are noisy.
//
// Brokers: KAFKA_BROKERS, else one started for the run (bench-broker.ts: full-JIT JVM). Peers are
// used when they can be loaded: kafkajs and @platformatic/kafka from the project's node_modules or
// from the directory KAFKIT_BENCH_PEERS names (e.g. one made with `npm install --prefix <dir>
// kafkajs@2.2.4 @platformatic/kafka@1`), @platformatic/kafka 2.x and Node 24 from the directory
// KAFKIT_BENCH_PEERS_NODE24 names (see node24Runtime), and kcat (librdkafka) from the PATH. Each
// client runs in its own process (bench/producer-client.ts) so that its CPU time and RSS are its own.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kafka, logLevel } from '../src/index.js'
import { findOnPath } from '../src/testing/executables.js'
import { benchBroker } from './bench-broker.js'
import {
  benchOptions,
  createTopic,
  deleteTopic,
  inTurn,
  medians,
  node24Runtime,
  PARTITIONS,
  produceValues,
  type Row,
  runClientProcess,
  runKcatTimed,
  table,
  type Workload,
} from './bench-common.js'
import { benchValue } from './client-common.js'
import type { ClientRun } from './producer-client.js'

const options = benchOptions()
const ROUNDS = options.rounds
/** `--value-sizes 100,1024`: only the workloads of those value sizes; all without it. */
const sizesAt = process.argv.indexOf('--value-sizes')
const WORKLOADS =
  sizesAt < 0
    ? options.workloads
    : options.workloads.filter((w) => (process.argv[sizesAt + 1] ?? '').split(',').map(Number).includes(w.valueSize))

/**
 * Client modes: kafkit and KafkaJS both with calls of 1,000 messages and with concurrent
 * single-message calls; @platformatic/kafka 1.x on this Node and 2.x on Node 24 (it needs Node >= 22),
 * with kafkit on the same Node 24 beside it.
 */
const CLIENTS: { client: ClientRun['client']; batch: number; concurrency: number; label: string; node24?: true }[] = [
  { client: 'kafkit', batch: 1000, concurrency: 8, label: 'kafkit (send x1000)' },
  { client: 'kafkit-single', batch: 1, concurrency: 1000, label: 'kafkit (single sends)' },
  { client: 'kafkajs', batch: 1000, concurrency: 8, label: 'kafkajs 2.2.4 (sendBatch x1000)' },
  { client: 'kafkajs-single', batch: 1, concurrency: 1000, label: 'kafkajs 2.2.4 (single sends)' },
  { client: 'platformatic', batch: 1000, concurrency: 8, label: '@platformatic/kafka 1.x (send x1000)' },
  { client: 'kafkit', batch: 1000, concurrency: 8, label: 'kafkit on Node 24 (send x1000)', node24: true },
  {
    client: 'platformatic',
    batch: 1000,
    concurrency: 8,
    label: '@platformatic/kafka 2.x on Node 24 (send x1000)',
    node24: true,
  },
]
const BASELINE = 'kafkit (send x1000)'

/**
 * `--clients a,b`: only the rows whose label contains one of the words (case-insensitive), e.g.
 * `--clients kafkit,kcat` for kafkit's and kcat's rows; every row without it.
 */
function selectedRows(argv: string[] = process.argv): (label: string) => boolean {
  const at = argv.indexOf('--clients')
  if (at < 0) return () => true
  const words = (argv[at + 1] ?? '').toLowerCase().split(',').filter(Boolean)
  return (label) => words.some((word) => label.toLowerCase().includes(word))
}
const SELECTED = selectedRows()

function label(w: Workload): string {
  return `${w.messages.toLocaleString('en-US')} x ${w.valueSize} B, acks=all, ${w.compression}`
}

function runClient(brokers: string[], topic: string, w: Workload, c: (typeof CLIENTS)[number]): Promise<Row> {
  const spec: ClientRun = { ...w, client: c.client, brokers, topic, batch: c.batch, concurrency: c.concurrency }
  // KafkaJS sends one request per call: single-message calls get a fiftieth of the messages, or it runs for many minutes
  if (c.client === 'kafkajs-single') spec.messages = Math.ceil(w.messages / 50)
  return runClientProcess('producer-client.ts', spec, label(w), c.label, c.node24 ? node24Runtime() : undefined)
}

/** kcat -P from a file of `messages` lines. */
async function runKcat(kcat: string, brokers: string[], topic: string, w: Workload): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'kafkit-bench-'))
  try {
    const file = join(dir, 'messages')
    writeFileSync(file, `${benchValue(w.valueSize).toString('latin1')}\n`.repeat(w.messages))
    const args = ['-P', '-b', brokers.join(','), '-t', topic, '-X', 'acks=all', '-z', w.compression, '-l', file]
    // kcat -P exits non-zero unless every message was delivered
    return await runKcatTimed(kcat, args, label(w), () => ({ messages: w.messages, bytes: w.messages * w.valueSize }))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * A full-JIT broker compiles its hot paths during its first seconds of load: 200 MB written and
 * thrown away first, so that no client's run pays for the broker's warm-up.
 */
async function warmUp(kafka: Kafka, topic: string): Promise<void> {
  await createTopic(kafka, topic)
  await produceValues(kafka, topic, { messages: 200_000, valueSize: 1024, compression: 'none' })
  await deleteTopic(kafka, topic)
}

async function main(): Promise<void> {
  const broker = await benchBroker()
  const brokers = broker.brokers
  const kafka = new Kafka({ brokers, clientId: 'kafkit-bench', logLevel: logLevel.NOTHING })
  const kcat = findOnPath('kcat') ?? findOnPath('kafkacat')
  const runs: Row[] = []
  const stamp = Date.now()
  const report = (round: number, row: Row): void => {
    const cpu = ((row.cpuSeconds * 1e5) / Math.max(1, row.messages)).toFixed(3)
    const outcome = row.skipped ?? `${Math.round(row.messages / row.seconds)} msg/s, ${cpu} CPU s per 100k msgs`
    console.error(`round ${round + 1} | ${row.workload} | ${row.client}: ${outcome}`)
    runs.push(row)
  }
  try {
    await warmUp(kafka, `kafkit-bench-${stamp}-warm-up`)
    for (let round = 0; round < ROUNDS; round++) {
      for (const w of WORKLOADS) {
        const runners: { name: string; run: (topic: string) => Promise<Row> }[] = CLIENTS.flatMap((c, i) =>
          SELECTED(c.label)
            ? [{ name: `${i}-${c.client}`, run: (topic: string) => runClient(brokers, topic, w, c) }]
            : [],
        )
        if (kcat !== undefined && SELECTED('kcat (librdkafka)')) {
          runners.push({ name: 'kcat', run: (topic) => runKcat(kcat, brokers, topic, w) })
        }
        // each round starts with the next client, so that no client always runs first after a workload change
        for (const r of inTurn(runners, round)) {
          const topic = `kafkit-bench-${stamp}-${round}-${r.name}-${w.valueSize}-${w.compression}`
          await createTopic(kafka, topic)
          report(round, await r.run(topic))
          await deleteTopic(kafka, topic)
        }
      }
    }
  } finally {
    await broker.stop()
  }
  const rows = medians(runs)
  console.log(
    `Node ${process.version}, ${PARTITIONS} partitions, median of ${ROUNDS} rounds, one broker (${broker.description})`,
  )
  console.log(table(rows, BASELINE, 'kafkit is x faster'))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
