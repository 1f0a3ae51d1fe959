// Producer throughput of kafkit and its peers, side by side in one run on one broker: messages/s,
// MB/s of values, CPU seconds and peak RSS per client, and each peer's throughput as a ratio to
// kafkit's. Run on demand (never in the test suite):
//
//   node -r ./bench/register-swc.cjs bench/producer.bench.ts [--quick] [--rounds N]
//
// Every client runs each workload N times (default 3), the clients taking turns, and the median run
// (by messages/s) is reported: the machine is shared, so single runs are noisy.
//
// Brokers: KAFKA_BROKERS, else one started for the run (bench-broker.ts: full-JIT JVM). Peers are used when
// they can be loaded: kafkajs and @platformatic/kafka from the project's node_modules or from the
// directory KAFKIT_BENCH_PEERS names (e.g. one made with `npm install --prefix <dir> kafkajs@2.2.4
// @platformatic/kafka@1`), and kcat (librdkafka) from the PATH. Each client runs in its own process
// (bench/producer-client.ts) so that its CPU time and RSS are its own.

import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kafka, logLevel } from '../src/index.js'
import { findOnPath } from '../src/testing/executables.js'
import { benchBroker } from './bench-broker.js'
import type { ClientResult, ClientRun } from './producer-client.js'

interface Workload {
  messages: number
  valueSize: number
  compression: 'none' | 'lz4'
}

interface Row extends ClientResult {
  workload: string
  skipped?: string
}

const quick = process.argv.includes('--quick')
const roundsArg = process.argv.indexOf('--rounds')
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3
const WORKLOADS: Workload[] = [
  { messages: quick ? 100_000 : 1_000_000, valueSize: 100, compression: 'none' },
  { messages: quick ? 100_000 : 1_000_000, valueSize: 100, compression: 'lz4' },
  { messages: quick ? 20_000 : 200_000, valueSize: 1024, compression: 'none' },
  { messages: quick ? 20_000 : 200_000, valueSize: 1024, compression: 'lz4' },
]
const PARTITIONS = 6

/** Client modes: kafkit and KafkaJS both with calls of 1,000 messages and with concurrent single-message calls. */
const CLIENTS: { client: ClientRun['client']; batch: number; concurrency: number; label: string }[] = [
  { client: 'kafkit', batch: 1000, concurrency: 8, label: 'kafkit (send x1000)' },
  { client: 'kafkit-single', batch: 1, concurrency: 1000, label: 'kafkit (single sends)' },
  { client: 'kafkajs', batch: 1000, concurrency: 8, label: 'kafkajs 2.2.4 (sendBatch x1000)' },
  { client: 'kafkajs-single', batch: 1, concurrency: 1000, label: 'kafkajs 2.2.4 (single sends)' },
  { client: 'platformatic', batch: 1000, concurrency: 8, label: '@platformatic/kafka (send x1000)' },
]

function run(
  command: string,
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
    if (input !== undefined) child.stdin.end(input)
    else child.stdin.end()
  })
}

async function createTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
  })
  await admin.disconnect()
}

async function runClient(brokers: string[], topic: string, w: Workload, c: (typeof CLIENTS)[number]): Promise<Row> {
  const spec: ClientRun = { ...w, client: c.client, brokers, topic, batch: c.batch, concurrency: c.concurrency }
  // KafkaJS sends one request per call: single-message calls get a fiftieth of the messages, or it runs for many minutes
  if (c.client === 'kafkajs-single') spec.messages = Math.ceil(w.messages / 50)
  const result = await run(process.execPath, [
    '-r',
    join(__dirname, 'register-swc.cjs'),
    join(__dirname, 'producer-client.ts'),
    JSON.stringify(spec),
  ])
  const line = result.stdout.trim().split('\n').pop() ?? ''
  const workload = label(w)
  if (result.code !== 0 || !line.startsWith('{')) {
    return {
      workload,
      client: c.label,
      messages: 0,
      seconds: 0,
      cpuSeconds: 0,
      peakRssMB: 0,
      skipped: `failed: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`,
    }
  }
  const parsed = JSON.parse(line) as ClientResult & { skipped?: string }
  return { ...parsed, workload, client: c.label }
}

/** kcat -P from a file of `messages` lines, timed by /usr/bin/time (wall, CPU, peak RSS). */
async function runKcat(kcat: string, brokers: string[], topic: string, w: Workload): Promise<Row> {
  const workload = label(w)
  const time = findOnPath('time') ?? '/usr/bin/time'
  const dir = mkdtempSync(join(tmpdir(), 'kafkit-bench-'))
  try {
    const value = Array.from({ length: w.valueSize }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join('')
    const file = join(dir, 'messages')
    writeFileSync(file, `${value}\n`.repeat(w.messages))
    const args = [
      '-f',
      '%e %U %S %M',
      kcat,
      '-P',
      '-b',
      brokers.join(','),
      '-t',
      topic,
      '-X',
      'acks=all',
      '-z',
      w.compression,
      '-l',
      file,
    ]
    const result = await run(time, args)
    const stats = result.stderr.trim().split('\n').pop()!.split(' ').map(Number)
    if (result.code !== 0 || stats.length !== 4) {
      return {
        workload,
        client: 'kcat (librdkafka)',
        messages: 0,
        seconds: 0,
        cpuSeconds: 0,
        peakRssMB: 0,
        skipped: `failed: ${result.stderr.trim()}`,
      }
    }
    const [wall, user, system, rssKB] = stats as [number, number, number, number]
    return {
      workload,
      client: 'kcat (librdkafka)',
      messages: w.messages,
      seconds: wall,
      cpuSeconds: user + system,
      peakRssMB: rssKB / 1024,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Per workload and client, the run with the median messages/s (failed runs count as 0). */
function medians(runs: Row[]): Row[] {
  const groups = new Map<string, Row[]>()
  for (const r of runs) {
    const key = `${r.workload}\u0000${r.client}`
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  const rate = (r: Row): number => (r.seconds > 0 ? r.messages / r.seconds : 0)
  return [...groups.values()].map((g) => [...g].sort((a, b) => rate(a) - rate(b))[Math.floor(g.length / 2)]!)
}

function label(w: Workload): string {
  return `${w.messages.toLocaleString('en-US')} x ${w.valueSize} B, acks=all, ${w.compression}`
}

function table(rows: Row[]): string {
  const out: string[] = []
  for (const workload of [...new Set(rows.map((r) => r.workload))]) {
    const group = rows.filter((r) => r.workload === workload)
    const kafkit = group.find((r) => r.client.startsWith('kafkit (send'))
    const base = kafkit !== undefined && kafkit.seconds > 0 ? kafkit.messages / kafkit.seconds : undefined
    out.push(`\n### ${workload}\n`)
    out.push('| client | messages/s | MB/s | CPU s per 100k msgs | peak RSS MB | kafkit is x faster |')
    out.push('| --- | ---: | ---: | ---: | ---: | ---: |')
    for (const r of group) {
      if (r.skipped !== undefined || r.seconds === 0) {
        out.push(`| ${r.client} | - | - | - | - | ${r.skipped ?? 'skipped'} |`)
        continue
      }
      const rate = r.messages / r.seconds
      const valueSize = Number(workload.split(' x ')[1]!.split(' ')[0])
      out.push(
        `| ${r.client} | ${Math.round(rate).toLocaleString('en-US')} | ${((rate * valueSize) / 1e6).toFixed(1)} | ` +
          `${((r.cpuSeconds / r.messages) * 100_000).toFixed(2)} | ${Math.round(r.peakRssMB)} | ` +
          `${base === undefined ? '-' : (base / rate).toFixed(2)} |`,
      )
    }
  }
  return out.join('\n')
}

/**
 * A full-JIT broker compiles its hot paths during its first seconds of load: 200 MB written and
 * thrown away first, so that no client's run pays for the broker's warm-up.
 */
async function warmUp(kafka: Kafka, topic: string): Promise<void> {
  await createTopic(kafka, topic)
  const producer = kafka.producer()
  await producer.connect()
  try {
    const messages = Array.from({ length: 1000 }, () => ({ value: Buffer.alloc(1024, 97) }))
    for (let call = 0; call < 200; call += 8) {
      await Promise.all(Array.from({ length: 8 }, () => producer.send({ topic, messages })))
    }
  } finally {
    await producer.disconnect()
  }
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.deleteTopics({ topics: [topic] })
  } finally {
    await admin.disconnect()
  }
}

async function main(): Promise<void> {
  const broker = await benchBroker()
  const brokers = broker.brokers
  const kafka = new Kafka({ brokers, clientId: 'kafkit-bench', logLevel: logLevel.NOTHING })
  const kcat = findOnPath('kcat') ?? findOnPath('kafkacat')
  const runs: Row[] = []
  const stamp = Date.now()
  const report = (round: number, row: Row): void => {
    const outcome = row.skipped ?? `${Math.round(row.messages / row.seconds)} msg/s`
    console.error(`round ${round + 1} | ${row.workload} | ${row.client}: ${outcome}`)
    runs.push(row)
  }
  try {
    await warmUp(kafka, `kafkit-bench-${stamp}-warm-up`)
    for (let round = 0; round < ROUNDS; round++) {
      for (const w of WORKLOADS) {
        for (const c of CLIENTS) {
          const topic = `kafkit-bench-${stamp}-${round}-${c.client}-${w.valueSize}-${w.compression}`
          await createTopic(kafka, topic)
          report(round, await runClient(brokers, topic, w, c))
        }
        if (kcat !== undefined) {
          const topic = `kafkit-bench-${stamp}-${round}-kcat-${w.valueSize}-${w.compression}`
          await createTopic(kafka, topic)
          report(round, await runKcat(kcat, brokers, topic, w))
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
  console.log(table(rows))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
