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

import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { CompressionTypes, Kafka, logLevel } from '../src/index.js'
import { findOnPath } from '../src/testing/executables.js'
import { benchBroker } from './bench-broker.js'
import type { ConsumerClient, ConsumerResult, ConsumerRun } from './consumer-client.js'

interface Workload {
  messages: number
  valueSize: number
  compression: 'none' | 'lz4'
}

interface Row extends ConsumerResult {
  workload: string
  skipped?: string
}

const quick = process.argv.includes('--quick')
const roundsArg = process.argv.indexOf('--rounds')
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3
const PARTITIONS = 6
const WORKLOADS: Workload[] = [
  { messages: quick ? 100_000 : 1_000_000, valueSize: 100, compression: 'none' },
  { messages: quick ? 100_000 : 1_000_000, valueSize: 100, compression: 'lz4' },
  { messages: quick ? 20_000 : 200_000, valueSize: 1024, compression: 'none' },
  { messages: quick ? 20_000 : 200_000, valueSize: 1024, compression: 'lz4' },
]
const CLIENTS: { client: ConsumerClient; label: string }[] = [
  { client: 'kafkit-batch', label: 'kafkit (eachBatch)' },
  { client: 'kafkit-message', label: 'kafkit (eachMessage)' },
  { client: 'kafkit-iterator', label: 'kafkit (for await)' },
  { client: 'kafkajs-batch', label: 'kafkajs 2.2.4 (eachBatch)' },
  { client: 'kafkajs-message', label: 'kafkajs 2.2.4 (eachMessage)' },
  { client: 'platformatic', label: '@platformatic/kafka (stream)' },
]
const BASELINE = 'kafkit (eachBatch)'

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
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
  })
}

function label(w: Workload): string {
  return `${w.messages.toLocaleString('en-US')} x ${w.valueSize} B, ${w.compression}`
}

function topicOf(w: Workload, suffix: string): string {
  return `bench-consume-${w.valueSize}b-${w.compression}-${w.messages}-${suffix}`
}

/** Writes the workload's topic with kafkit's producer (values of repetitive bytes, so that LZ4 has work). */
async function fill(kafka: Kafka, topic: string, w: Workload): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
  })
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  const value = Buffer.from(Array.from({ length: w.valueSize }, (_, i) => 97 + ((i * 7) % 26)))
  const compression = w.compression === 'lz4' ? CompressionTypes.LZ4 : CompressionTypes.None
  const inFlight: Promise<unknown>[] = []
  for (let i = 0; i < w.messages; i += 1000) {
    const messages = Array.from({ length: Math.min(1000, w.messages - i) }, () => ({ value }))
    inFlight.push(producer.send({ topic, compression, messages }))
    if (inFlight.length >= 8) await inFlight.shift()
  }
  await Promise.all(inFlight)
  await producer.disconnect()
}

async function runClient(brokers: string[], topic: string, w: Workload, c: (typeof CLIENTS)[number]): Promise<Row> {
  const spec: ConsumerRun = { client: c.client, brokers, topic, messages: w.messages }
  const result = await run(process.execPath, [
    '-r',
    join(__dirname, 'register-swc.cjs'),
    join(__dirname, 'consumer-client.ts'),
    JSON.stringify(spec),
  ])
  const line = result.stdout.trim().split('\n').pop() ?? ''
  const empty = { workload: label(w), client: c.label, messages: 0, bytes: 0, seconds: 0, cpuSeconds: 0, peakRssMB: 0 }
  if (result.code !== 0 || !line.startsWith('{')) {
    return { ...empty, skipped: `failed: ${result.stderr.trim().split('\n').slice(-3).join(' ')}` }
  }
  const parsed = JSON.parse(line) as ConsumerResult & { skipped?: string }
  if (parsed.skipped !== undefined) return { ...empty, skipped: parsed.skipped }
  return { ...parsed, workload: label(w), client: c.label }
}

/** kcat -C from the beginning to the end of the topic, timed by /usr/bin/time (wall, CPU, peak RSS). */
async function runKcat(kcat: string, brokers: string[], topic: string, w: Workload): Promise<Row> {
  const time = findOnPath('time') ?? '/usr/bin/time'
  const args = [
    '-f',
    '%e %U %S %M',
    kcat,
    '-C',
    '-b',
    brokers.join(','),
    '-t',
    topic,
    '-o',
    'beginning',
    '-e',
    '-q',
    '-f',
    '%S\n',
  ]
  const result = await run(time, args)
  const stats = result.stderr.trim().split('\n').pop()!.split(' ').map(Number)
  const lines = result.stdout.split('\n').filter((l) => l !== '')
  const base = { workload: label(w), client: 'kcat (librdkafka)' }
  if (result.code !== 0 || stats.length !== 4 || lines.length !== w.messages) {
    return {
      ...base,
      messages: 0,
      bytes: 0,
      seconds: 0,
      cpuSeconds: 0,
      peakRssMB: 0,
      skipped: `failed: ${result.stderr.trim()}`,
    }
  }
  const [wall, user, system, rssKB] = stats as [number, number, number, number]
  return {
    ...base,
    messages: w.messages,
    bytes: lines.reduce((n, l) => n + Number(l), 0),
    seconds: wall,
    cpuSeconds: user + system,
    peakRssMB: rssKB / 1024,
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

function table(rows: Row[]): string {
  const out: string[] = []
  for (const workload of [...new Set(rows.map((r) => r.workload))]) {
    const group = rows.filter((r) => r.workload === workload)
    const kafkit = group.find((r) => r.client === BASELINE)
    const base = kafkit !== undefined && kafkit.seconds > 0 ? kafkit.messages / kafkit.seconds : undefined
    out.push(`\n### ${workload}\n`)
    out.push('| client | messages/s | MB/s | CPU s per 100k msgs | peak RSS MB | kafkit (eachBatch) is x faster |')
    out.push('| --- | ---: | ---: | ---: | ---: | ---: |')
    for (const r of group) {
      if (r.skipped !== undefined || r.seconds === 0) {
        out.push(`| ${r.client} | - | - | - | - | ${r.skipped ?? 'skipped'} |`)
        continue
      }
      const rate = r.messages / r.seconds
      out.push(
        `| ${r.client} | ${Math.round(rate).toLocaleString('en-US')} | ${(r.bytes / r.seconds / 1e6).toFixed(1)} | ` +
          `${((r.cpuSeconds / r.messages) * 100_000).toFixed(2)} | ${Math.round(r.peakRssMB)} | ` +
          `${base === undefined ? '-' : (base / rate).toFixed(2)} |`,
      )
    }
  }
  return out.join('\n')
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
    process.stdout.write(`${table(medians(runs))}\n`)
  } finally {
    await broker.stop()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
