// End-to-end produce-to-consume latency of kafkit and its peers at fixed offered rates, in one run
// on one broker. Run on demand (never in the test suite):
//
//   npm run bench -- latency [--rates 1000,10000,50000] [--seconds N] [--lingers default,0]
//                            [--rounds N] [--clients kafkit,kafkajs,platformatic,platformatic2,kcat,kcat-e2e]
//                            [--max-runnable 3] [--max-wait 30]
//
// Design: only the producer varies; the reader is the same for every producer row, kafkit's
// consumer (eachMessage, a new group per run) in its own process. For each rate and producer, a new
// 6-partition topic; the reader joins first, then the producer process (bench/latency-client.ts)
// makes single send() calls of one 100-byte record at the offered rate for N seconds (default 6),
// the send time in the record; the reader computes receive time minus send time. Records offered in
// the first second are not counted. Producers: kafkit (default linger 5 ms, and linger 0), KafkaJS
// 2.2.4 and @platformatic/kafka 1.x and 2.x (no linger: one Produce request per send() call; 2.x on
// Node 24, see node24Runtime), and kcat -P (librdkafka; its default linger.ms 5, and 0), fed one
// line per record at the offered rate by a Node process that takes the send time as it writes the
// line to kcat's stdin. One more row ("kcat -> kcat") is librdkafka end to end: kcat -P producing
// and `kcat -C` reading (receive time taken when kcat's output line reaches the reading process).
// Every producer sends with acks=all. A producer that falls two seconds behind (that many records
// unacknowledged) is not offered the records that fall due meanwhile: the table shows records
// acknowledged out of those due, and a client that does not sustain a rate shows fewer.
//
// Rounds (default 3): the rows take turns, each round starting with the next one; each figure is
// the median over the rounds of that figure. Also per round, for each JavaScript producer, 200
// sequential awaited single-record send() calls at low rate (acks=all): the send() round trip.
// LATENCY_DETAIL=1 adds, for kafkit's rows, send() to acknowledged, each Produce request's time
// queued in kafkit's connection and from written to answered, and both processes' event-loop delay.
// The machine is shared: before each run the benchmark waits (up to --max-wait seconds) until
// fewer than --max-runnable tasks are runnable (the running count of /proc/loadavg, averaged over a
// second; the 1-minute load average at each run's start is reported with LATENCY_DETAIL). Each row also shows the GC pauses that fell in
// its run: the broker's (from its GC log, when the benchmark started it) and, with LATENCY_DETAIL,
// the producer's and reader's Node processes'.
// Brokers: KAFKA_BROKERS, else one started for the run (bench-broker.ts, with Kafka's own G1 settings).

import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Kafka, logLevel } from '../src/index.js'
import { findOnPath } from '../src/testing/executables.js'
import { benchBroker } from './bench-broker.js'
import {
  type ClientRuntime,
  clientCommand,
  createTopic,
  deleteTopic,
  inTurn,
  median,
  node24Runtime,
  PARTITIONS,
  produceValues,
  run,
} from './bench-common.js'
import {
  type LatencyClient,
  type LatencyRun,
  type Pauses,
  type Percentiles,
  ROUND_TRIPS,
  VALUE_SIZE,
} from './latency-client.js'

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

/** One producer row: who produces, with which linger, and who reads. */
interface Entry {
  key: string
  label: string
  linger: string
  client: LatencyClient
  lingerMs?: number
  reader: 'kafkit' | 'kcat'
  runtime?: ClientRuntime | string
}

function entries(clients: string[], lingers: (number | undefined)[], kcat: string | undefined): Entry[] {
  const lingerLabel = (l: number | undefined): string => (l === undefined ? 'default (5 ms)' : `${l} ms`)
  const none = 'none (a request per call)'
  const noKcat = kcat === undefined ? 'kcat not on the PATH' : undefined
  // [--clients name, row]: kafkit and kcat once per linger
  const all: [string, Entry][] = [
    ...lingers.map((l): [string, Entry] => [
      'kafkit',
      { key: `kafkit-${l}`, label: 'kafkit', linger: lingerLabel(l), client: 'kafkit', lingerMs: l, reader: 'kafkit' },
    ]),
    ['kafkajs', { key: 'kafkajs', label: 'kafkajs 2.2.4', linger: none, client: 'kafkajs', reader: 'kafkit' }],
    [
      'platformatic',
      { key: 'plat1', label: '@platformatic/kafka 1.x', linger: none, client: 'platformatic', reader: 'kafkit' },
    ],
    [
      'platformatic2',
      {
        key: 'plat2',
        label: '@platformatic/kafka 2.x (Node 24)',
        linger: none,
        client: 'platformatic',
        reader: 'kafkit',
        runtime: node24Runtime(),
      },
    ],
    ...lingers.map((l): [string, Entry] => [
      'kcat',
      {
        key: `kcat-${l}`,
        label: 'kcat (librdkafka)',
        linger: lingerLabel(l),
        client: 'kcat',
        lingerMs: l,
        reader: 'kafkit',
        runtime: noKcat,
      },
    ]),
    [
      'kcat-e2e',
      {
        key: 'kcat-e2e',
        label: 'kcat -> kcat (read by kcat -C)',
        linger: '0 ms',
        client: 'kcat',
        lingerMs: 0,
        reader: 'kcat',
        runtime: noKcat,
      },
    ],
  ]
  return all.filter(([name]) => clients.includes(name)).map(([, e]) => e)
}

/** A client process whose stdout lines can be awaited one by one, and whose stdin the driver can write. */
function clientProcess(spec: LatencyRun, runtime?: ClientRuntime) {
  const { command, args, env } = clientCommand('latency-client.ts', spec, runtime)
  const proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'], env })
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]()
  const exit = new Promise<number>((resolve) => proc.on('close', (code) => resolve(code ?? 1)))
  return {
    proc,
    exit,
    /** The next line, or undefined if the process ended or `ms` passed first. */
    async next(ms: number): Promise<string | undefined> {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms)
      })
      const line = await Promise.race([lines.next().then((n) => (n.done ? undefined : n.value)), timeout])
      clearTimeout(timer)
      return line
    },
  }
}

/** What one producer row measured in one round, or why it did not run. */
interface Measured {
  skipped?: string
  offered: number
  /** Records due at the offered rate (more than offered when the client fell two seconds behind). */
  due: number
  acked: number
  received: number
  seconds: number
  /** GC pauses while the producer ran: the broker's (when the benchmark started it), the producer process's and the reader's. */
  pauses: { broker?: Pauses; producer?: Pauses; reader?: Pauses }
  /** The 1-minute load average when the run started. */
  load: number
  /** Named percentile sets: e2e, and with LATENCY_DETAIL ack, queued, answered, producerLoop, readerLoop. */
  sets: Record<string, Percentiles>
}

const skip = (why: string): Measured => ({
  skipped: why,
  offered: 0,
  due: 0,
  acked: 0,
  received: 0,
  seconds: 0,
  sets: {},
  pauses: {},
  load: loadavg()[0]!,
})

async function measure(
  e: Entry,
  base: Omit<LatencyRun, 'role' | 'client'>,
  kcat: string | undefined,
  gcLog: string | undefined,
): Promise<Measured> {
  if (typeof e.runtime === 'string') return skip(e.runtime)
  const spec = { ...base, kcat, linger: e.lingerMs }
  const reader = clientProcess({ ...spec, role: 'read', client: e.reader })
  try {
    if ((await reader.next(60_000)) !== 'ready') return skip('the reader did not start')
    const load = loadavg()[0]!
    const from = Date.now()
    const producer = clientProcess({ ...spec, role: 'produce', client: e.client, detail: true }, e.runtime)
    const line = await producer.next(base.seconds * 2000 + 60_000)
    await producer.exit
    const to = Date.now()
    const prod = line?.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : undefined
    reader.proc.stdin.end(`${prod?.offered ?? 0}\n`)
    const readLine = await reader.next(60_000)
    if (prod === undefined) return skip('the producer failed')
    if (prod.skipped !== undefined) return skip(String(prod.skipped))
    if (prod.error !== undefined) return skip(`kcat: ${String(prod.error)}`)
    if (readLine === undefined) return skip('the reader failed')
    const res = JSON.parse(readLine) as Percentiles & { received: number; eventLoop: Percentiles; gc: Pauses }
    const sets: Record<string, Percentiles> = {
      e2e: res,
      producerLoop: prod.eventLoop as Percentiles,
      readerLoop: res.eventLoop,
    }
    for (const k of ['ack', 'queued', 'answered']) if (prod[k] !== undefined) sets[k] = prod[k] as Percentiles
    return {
      offered: prod.offered as number,
      due: prod.due as number,
      acked: prod.acked as number,
      received: res.received,
      seconds: prod.seconds as number,
      sets,
      load,
      pauses: {
        producer: prod.gc as Pauses,
        reader: res.gc,
        ...(gcLog !== undefined && existsSync(gcLog)
          ? { broker: gcPauses(readFileSync(gcLog, 'latin1'), from, to) }
          : {}),
      },
    }
  } finally {
    reader.proc.kill()
    await reader.exit
  }
}

/**
 * Kafka's own G1 settings for a broker (kafka-run-class.sh's default KAFKA_JVM_PERFORMANCE_OPTS),
 * which bench-broker.ts's JVM lacks: G1's default 200 ms pause goal let young collections of the
 * broker take 20-45 ms here, with 20 they took 11-21 ms. Each pause holds every Produce and Fetch
 * answer, so it is a latency benchmark's business; the throughput benchmarks keep their JVM.
 */
const KAFKA_G1_FLAGS = '-XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35'

/** The broker's GC pauses (stop-the-world, from its -Xlog:gc log with wall-clock times) between `from` and `to`. */
function gcPauses(log: string, from: number, to: number): Pauses {
  let count = 0
  let totalMs = 0
  let maxMs = 0
  for (const line of log.split('\n')) {
    const m = /^\[([^\]]+)\].* Pause .* ([\d.]+)ms$/.exec(line)
    if (m === null) continue
    const ms = Number(m[2])
    const end = Date.parse(m[1]!.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) + ms
    if (end < from || end - ms > to) continue
    count++
    totalMs += ms
    maxMs = Math.max(maxMs, ms)
  }
  return { count, totalMs, maxMs }
}

/** Per figure, its median over the runs (runs that did not run are left out). */
function medianOf(runs: Percentiles[]): Percentiles {
  return {
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    p999: median(runs.map((r) => r.p999)),
    max: median(runs.map((r) => r.max)),
  }
}

/** Median count, longest and total pause over the runs that have them. */
function pausesText(runs: (Pauses | undefined)[]): string {
  const ps = runs.filter((p) => p !== undefined)
  if (ps.length === 0) return '-'
  return `${median(ps.map((p) => p.count))}, max ${f(median(ps.map((p) => p.maxMs)))} ms, total ${f(median(ps.map((p) => p.totalMs)))} ms`
}

const f = (n: number | null | undefined): string =>
  n === undefined || n === null || Number.isNaN(n) ? '-' : n.toFixed(1)

function latencyTable(rates: number[], rows: Entry[], results: Map<string, Measured[]>, detail: boolean): string {
  const out = [
    '| rate (msgs/s) | producer | linger | sent (acked) / due, s | received | p50 ms | p99 ms | p99.9 ms | max ms | p99 per round | GC pauses in the run: count, longest, total |',
    '| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ]
  for (const rate of rates) {
    for (const e of rows) {
      const all = results.get(`${rate}-${e.key}`) ?? []
      const ok = all.filter((m) => m.skipped === undefined)
      if (ok.length === 0) {
        out.push(`| ${rate} | ${e.label} | ${e.linger} | ${all[0]?.skipped ?? 'not run'} | | | | | | | |`)
        continue
      }
      const e2e = medianOf(ok.map((m) => m.sets.e2e!))
      const sent = `${median(ok.map((m) => m.acked))} / ${median(ok.map((m) => m.due))}, ${median(ok.map((m) => m.seconds)).toFixed(1)} s`
      const perRound = all.map((m) => (m.skipped === undefined ? f(m.sets.e2e!.p99) : 'failed')).join(', ')
      const gc = pausesText(ok.map((m) => m.pauses.broker))
      out.push(
        `| ${rate} | ${e.label} | ${e.linger} | ${sent} | ${median(ok.map((m) => m.received))} | ${f(e2e.p50)} | ${f(e2e.p99)} | ${f(e2e.p999)} | ${f(e2e.max)} | ${perRound} | ${gc} |`,
      )
      if (!detail) continue
      const names: Record<string, string> = {
        ack: 'send() to acknowledged',
        queued: 'Produce queued in the connection',
        answered: 'Produce written to answered',
        producerLoop: 'producer event-loop delay',
        readerLoop: 'reader event-loop delay',
      }
      for (const [k, name] of Object.entries(names)) {
        const sets = ok.map((m) => m.sets[k]).filter((s) => s !== undefined)
        if (sets.length === 0) continue
        const v = medianOf(sets)
        out.push(`| | ${name} | | | | ${f(v.p50)} | ${f(v.p99)} | ${f(v.p999)} | ${f(v.max)} | | |`)
      }
      out.push(`| | producer process GC (Node) | | | | | | | | | ${pausesText(ok.map((m) => m.pauses.producer))} |`)
      out.push(`| | reader process GC (Node) | | | | | | | | | ${pausesText(ok.map((m) => m.pauses.reader))} |`)
      out.push(
        `| | 1-minute load average at the start | | | | | | | | ${ok.map((m) => m.load.toFixed(1)).join(', ')} | |`,
      )
    }
  }
  return out.join('\n')
}

/** Runnable tasks on the machine now, averaged over a second (/proc/loadavg's running count, sampled). */
async function runnable(): Promise<number> {
  let sum = 0
  for (let i = 0; i < 10; i++) {
    sum += Number(readFileSync('/proc/loadavg', 'latin1').split(' ')[3]!.split('/')[0])
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return sum / 10
}

/**
 * The machine is shared: before a run, waits (up to `maxWaitS` seconds) until fewer than
 * `maxRunnable` tasks are runnable on average over a second (this process's sampling counts one).
 */
async function quiet(maxRunnable: number, maxWaitS: number): Promise<void> {
  if (!existsSync('/proc/loadavg')) return
  const until = Date.now() + maxWaitS * 1000
  while ((await runnable()) >= maxRunnable && Date.now() < until)
    await new Promise((resolve) => setTimeout(resolve, 1000))
}

/** 200 sequential awaited sends in the client's own process (bench/latency-client.ts, role roundtrip). */
async function roundTrip(e: Entry, brokers: string[], topic: string): Promise<Percentiles | string> {
  if (typeof e.runtime === 'string') return e.runtime
  const spec: LatencyRun = {
    role: 'roundtrip',
    client: e.client,
    brokers,
    topic,
    rate: 0,
    seconds: 0,
    linger: e.lingerMs,
  }
  const { command, args, env } = clientCommand('latency-client.ts', spec, e.runtime)
  const result = await run(command, args, env)
  const line = result.stdout.trim().split('\n').pop() ?? ''
  if (result.code !== 0 || !line.startsWith('{'))
    return `failed: ${result.stderr.trim().split('\n').slice(-2).join(' ')}`
  const parsed = JSON.parse(line) as Percentiles & { skipped?: string }
  return parsed.skipped ?? parsed
}

async function main(): Promise<void> {
  const rates = option('rates', '1000,10000,50000').split(',').map(Number)
  const seconds = Number(option('seconds', '6'))
  const rounds = Number(option('rounds', '3'))
  const maxRunnable = Number(option('max-runnable', '3'))
  const maxWait = Number(option('max-wait', '30'))
  const clients = option('clients', 'kafkit,kafkajs,platformatic,platformatic2,kcat,kcat-e2e').split(',')
  const lingers = option('lingers', 'default,0')
    .split(',')
    .map((l) => (l === 'default' ? undefined : Number(l)))
  const detail = process.env.LATENCY_DETAIL !== undefined && process.env.LATENCY_DETAIL !== ''
  const kcat = findOnPath('kcat') ?? findOnPath('kafkacat')
  const rows = entries(clients, lingers, kcat)
  const gcDir = mkdtempSync(join(tmpdir(), 'kafkit-bench-latency-'))
  const gcLog = process.env.KAFKA_BROKERS ? undefined : join(gcDir, 'gc.log')
  const userFlags = process.env.KAFKIT_KAFKA_JVM_OPTS
  // the broker's GC log (wall-clock times): the pauses that fall in each run are reported beside it
  if (gcLog !== undefined) process.env.KAFKIT_KAFKA_JVM_OPTS = `-Xlog:gc:file=${gcLog}:time ${userFlags ?? ''}`
  const broker = await benchBroker(KAFKA_G1_FLAGS).finally(() => {
    if (userFlags === undefined) delete process.env.KAFKIT_KAFKA_JVM_OPTS
    else process.env.KAFKIT_KAFKA_JVM_OPTS = userFlags
  })
  const kafka = new Kafka({ brokers: broker.brokers, clientId: 'bench-latency', logLevel: logLevel.ERROR })
  const results = new Map<string, Measured[]>()
  const trips = new Map<string, (Percentiles | string)[]>()
  const stamp = Date.now()
  const load = (): string =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')
  console.error(`load average at start: ${load()}`)
  try {
    // the full-JIT broker compiles its produce and fetch paths first
    const warm = `bench-latency-${stamp}-warm-up`
    await createTopic(kafka, warm)
    await produceValues(kafka, warm, { messages: 200_000, valueSize: VALUE_SIZE, compression: 'none' })
    await deleteTopic(kafka, warm)
    const tripRows = rows.filter((e) => e.client !== 'kcat')
    const tripTopic = `bench-latency-${stamp}-round-trip`
    await createTopic(kafka, tripTopic)
    for (let round = 0; round < rounds; round++) {
      for (const e of inTurn(tripRows, round)) {
        const r = await roundTrip(e, broker.brokers, tripTopic)
        trips.set(e.key, [...(trips.get(e.key) ?? []), r])
        console.error(
          `round ${round + 1} | round trip | ${e.label} ${e.linger}: ${typeof r === 'string' ? r : `p50 ${f(r.p50)} p99 ${f(r.p99)}`}`,
        )
      }
      for (const rate of rates) {
        for (const e of inTurn(rows, round)) {
          const topic = `bench-latency-${stamp}-${round}-${rate}-${e.key}`
          await quiet(maxRunnable, maxWait)
          await createTopic(kafka, topic)
          const m = await measure(e, { brokers: broker.brokers, topic, rate, seconds }, kcat, gcLog)
          await deleteTopic(kafka, topic)
          const key = `${rate}-${e.key}`
          results.set(key, [...(results.get(key) ?? []), m])
          const e2e = m.sets.e2e
          const gc = m.pauses.broker === undefined ? '' : `, broker GC ${pausesText([m.pauses.broker])}`
          console.error(
            `round ${round + 1} | ${rate}/s | ${e.label} ${e.linger}: ${m.skipped ?? `${m.acked}/${m.due} in ${m.seconds.toFixed(1)} s, p50 ${f(e2e?.p50)} p99 ${f(e2e?.p99)} p99.9 ${f(e2e?.p999)} max ${f(e2e?.max)}`}${gc} (load ${load()})`,
          )
        }
      }
    }
  } finally {
    await broker.stop()
    rmSync(gcDir, { recursive: true, force: true })
  }
  console.log(
    `Latency, ${VALUE_SIZE} B records, single send() calls, acks=all, ${PARTITIONS} partitions, ${seconds} s per run (first second not counted), median of ${rounds} rounds; reader: kafkit eachMessage unless named; Node ${process.version}; broker: ${broker.description}; load average at end ${load()}\n`,
  )
  console.log(latencyTable(rates, rows, results, detail))
  console.log(
    `\nsend() round trip: ${ROUND_TRIPS} sequential awaited single-record sends, acks=all, median of ${rounds} rounds\n`,
  )
  console.log('| producer | linger | p50 ms | p99 ms | max ms |')
  console.log('| --- | --- | ---: | ---: | ---: |')
  for (const e of rows.filter((r) => r.client !== 'kcat')) {
    const all = trips.get(e.key) ?? []
    const ok = all.filter((t): t is Percentiles => typeof t !== 'string')
    if (ok.length === 0) {
      console.log(`| ${e.label} | ${e.linger} | ${String(all[0] ?? 'not run')} | | |`)
      continue
    }
    const v = medianOf(ok)
    console.log(`| ${e.label} | ${e.linger} | ${f(v.p50)} | ${f(v.p99)} | ${f(v.max)} |`)
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
