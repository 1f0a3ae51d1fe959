// Memory of kafkit's clients over time, while data piles up that the client cannot hand on. Run on
// demand (never in the test suite):
//
//   npm run bench -- memory [--scenario producer|consumer|both] [--svg-dir docs] [--samples-dir <dir>]
//     producer: [--clients kafkit,kafkajs] [--rate 5000] [--fine 5] [--down 40] [--after 20] [--buffer-mib 16] [--max-block-ms 10000]
//     consumer: [--fill-mib 200] [--seconds 40] [--sleep-every 1]
//
// Each client runs in its own process (node --expose-gc), which samples itself every 250 ms after a
// full GC (what it holds, not garbage it has yet to collect): heap used, external memory (Buffers
// included), RSS, and the bytes kafkit holds for the workload:
// - producer: the bytes of records held against maxBufferedBytes (the producer's BufferLimit, read
//   by the bench through its prototype, no public API), and the app's send() calls not yet settled.
//   The app calls send() of one new 1 KiB record at a steady offered rate, never awaiting, with a
//   handler on each promise; after `--fine` s the bench SIGKILLs the broker it started, restarts it
//   (same ports and data) `--down` s later, and `--after` s later the app stops sending, waits for
//   every call to settle, and reads the topic back: every acknowledged record must be in the log.
// - consumer: a topic of 6 partitions filled with `--fill-mib` MiB of 1 KiB records; one consumer
//   (eachMessage, sleeping 1 ms every `--sleep-every` messages) reads it for `--seconds` s. Sampled:
//   the bytes fetched and not yet handled (the partitions' buffered chunks, and the chunk the
//   handler works through), read through PartitionState's prototype.
// --clients kafkit,kafkajs runs the producer scenario for KafkaJS 2.2.4 too (from node_modules or
// KAFKIT_BENCH_PEERS): it has no buffer bound, so nothing "held" is read; its calls get two more
// minutes to settle and its disconnect 10 s.
// Prints a table per scenario and writes an SVG plot per scenario (docs/memory-producer.svg,
// docs/memory-consumer.svg with --svg-dir docs). Needs its own broker (bench-broker.ts; not
// KAFKA_BROKERS: it stops and restarts it). --samples-dir writes every sample as JSON;
// MEMORY_BENCH_NODE_FLAGS adds Node flags to the client processes (e.g. --cpu-prof).

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { PartitionState } from '../src/consumer/subscription-state.js'
import { Kafka, logLevel } from '../src/index.js'
import { BufferLimit } from '../src/producer/buffer-limit.js'
import { benchBroker } from './bench-broker.js'
import {
  createTopic,
  deleteTopic,
  type LineChild,
  median,
  nextLine,
  PARTITIONS,
  produceValues,
  runBenchEntry,
  spawnLineChild,
} from './bench-common.js'
import { optionalPeer } from './client-common.js'
import { svgLineChart } from './svg-plot.js'

const MiB = 1024 * 1024
const VALUE_SIZE = 1024
const SAMPLE_MS = 250
/** The consumer's fetch options (kafkit's defaults, stated for the bound). */
const MAX_BYTES = 10 * MiB
const MAX_BYTES_PER_PARTITION = 1 * MiB

/** The producers the scenario can run: kafkit, or KafkaJS 2.2.4 (a peer; no buffer bound, nothing held to read). */
type ProducerClient = 'kafkit' | 'kafkajs'

/** What the producer scenario needs of a producer: kafkit's and KafkaJS's have it alike. */
interface SendingProducer {
  connect(): Promise<void>
  disconnect(): Promise<void>
  send(record: { topic: string; messages: { value: Buffer }[] }): Promise<unknown>
}

interface ProducerRole {
  role: 'producer'
  client: ProducerClient
  brokers: string[]
  topic: string
  rate: number
  maxBufferedBytes: number
  maxBlockMs: number
}

interface ConsumerRole {
  role: 'consumer'
  brokers: string[]
  topic: string
  seconds: number
  sleepEvery: number
}

interface Sample {
  /** Date.now() in the client process (the same clock as the parent's). */
  at: number
  heap: number
  external: number
  rss: number
  /** Bytes kafkit holds for the workload (see the header). */
  held: number
  /** Producer: send() calls not yet settled. Consumer: messages handled so far. */
  count: number
  /** The longest event-loop delay since the previous sample, ms. */
  loopMaxMs: number
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Samples this process every SAMPLE_MS (after a full GC when --expose-gc), one JSON line each. */
function startSampling(held: () => number, count: () => number): () => void {
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  const take = (): void => {
    globalThis.gc?.()
    const m = process.memoryUsage()
    const sample: Sample = {
      at: Date.now(),
      heap: m.heapUsed,
      // external counts the array buffers (Buffers) too
      external: m.external,
      rss: m.rss,
      held: held(),
      count: count(),
      loopMaxMs: Math.round(loop.max / 1e6),
    }
    loop.reset()
    process.stdout.write(`${JSON.stringify({ sample })}\n`)
  }
  take()
  const timer = setInterval(take, SAMPLE_MS)
  return () => {
    clearInterval(timer)
    loop.disable()
  }
}

// --- the producer process ------------------------------------------------------------------------

async function runProducer(r: ProducerRole): Promise<void> {
  // every BufferLimit that reserves is the producer's: its `used` is what the bench reads
  const limits = new Set<BufferLimit>()
  const tryReserve = BufferLimit.prototype.tryReserve
  BufferLimit.prototype.tryReserve = function (this: BufferLimit, size: number): boolean {
    limits.add(this)
    return tryReserve.call(this, size)
  }
  const kafka = new Kafka({ brokers: r.brokers, clientId: 'bench-memory-p', logLevel: logLevel.NOTHING })
  let producer: SendingProducer
  if (r.client === 'kafkajs') {
    const kafkajs = optionalPeer<{ Kafka: new (config: object) => { producer(): SendingProducer } }>('kafkajs')
    if (kafkajs === undefined) throw new Error('kafkajs is not installed (node_modules or KAFKIT_BENCH_PEERS)')
    producer = new kafkajs.Kafka({ brokers: r.brokers, clientId: 'bench-memory-p', logLevel: 0 }).producer()
  } else {
    producer = kafka.producer({ maxBufferedBytes: r.maxBufferedBytes, maxBlockMs: r.maxBlockMs })
  }
  await producer.connect()
  let sent = 0
  let acked = 0
  const errors = new Map<string, number>()
  // one bit per record sent: acknowledged
  let ackedBits = new Uint8Array(1 << 16)
  const template = Buffer.alloc(VALUE_SIZE, 97)
  let stopping = false
  process.stdin.setEncoding('utf8')
  process.stdin.on('data', (d: string) => {
    if (d.includes('stop')) stopping = true
  })
  const stopSampling = startSampling(
    () => [...limits].reduce((n, l) => n + l.used, 0),
    () => sent - acked - [...errors.values()].reduce((a, b) => a + b, 0),
  )
  process.stdout.write('ready\n')
  const start = Date.now()
  // a steady offered rate: each tick sends the records due by now, one send() call each
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      if (stopping) {
        resolve()
        return
      }
      const due = Math.floor(((Date.now() - start) / 1000) * r.rate)
      while (sent < due) {
        const seq = sent++
        if (seq >> 3 >= ackedBits.length) {
          const grown = new Uint8Array(ackedBits.length * 2)
          grown.set(ackedBits)
          ackedBits = grown
        }
        // a new record per call, as an app's would be: its sequence number up front
        const value = Buffer.allocUnsafe(VALUE_SIZE)
        template.copy(value)
        value.write(`${seq} `, 0, 'latin1')
        producer.send({ topic: r.topic, messages: [{ value }] }).then(
          () => {
            acked++
            ackedBits[seq >> 3]! |= 1 << (seq & 7)
          },
          (error: Error) => {
            errors.set(error.name, (errors.get(error.name) ?? 0) + 1)
          },
        )
      }
      setTimeout(tick, 10)
    }
    tick()
  })
  const failed = (): number => [...errors.values()].reduce((a, b) => a + b, 0)
  // every call settles within maxBlockMs + deliveryTimeout with kafkit; KafkaJS gets two minutes
  const settleBy = Date.now() + 120_000 + (r.client === 'kafkit' ? 0 : 60_000)
  let told = 0
  while (acked + failed() < sent && Date.now() < settleBy) {
    if (Date.now() - told >= 5000) {
      told = Date.now()
      console.error(`[memory] ${r.client}: ${sent - acked - failed()} send() calls still unsettled`)
    }
    await sleep(100)
  }
  // two more samples once everything settled
  await sleep(2 * SAMPLE_MS)
  stopSampling()
  console.error(`[memory] ${r.client}: disconnecting, then reading the topic back`)
  // KafkaJS may hold calls that never settle: its disconnect gets 10 s
  await Promise.race([producer.disconnect(), sleep(10_000)])
  // every acknowledged record must be in the log
  const found = await readBack(kafka, r.topic, (seq) => (ackedBits[seq >> 3]! & (1 << (seq & 7))) !== 0)
  process.stdout.write(
    `${JSON.stringify({ result: { sent, acked, failed: Object.fromEntries(errors), unsettled: sent - acked - failed(), ackedInLog: found.acked, inLog: found.total } })}\n`,
  )
}

/**
 * Reads every partition of `topic` up to its end offset as it is now (a producer whose calls never
 * settled may still be writing: records past that end are counted too): the records read, and how
 * many distinct ones `isAcked` says were acknowledged.
 */
async function readBack(
  kafka: Kafka,
  topic: string,
  isAcked: (seq: number) => boolean,
): Promise<{ total: number; acked: number }> {
  const admin = kafka.admin()
  await admin.connect()
  const ends = await admin.fetchTopicOffsets(topic)
  await admin.disconnect()
  const lastOffset = new Map(ends.map((o) => [o.partition, BigInt(o.high) - 1n]))
  const unread = new Set(ends.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => o.partition))
  let total = 0
  let acked = 0
  const seen = new Set<number>()
  const consumer = kafka.consumer({ groupId: `${topic}-readback` })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  let done: () => void = () => {}
  const finished = new Promise<void>((resolve) => (done = resolve))
  if (unread.size === 0) done()
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const seq = Number(m.value!.toString('latin1', 0, 12).split(' ')[0])
        total++
        if (isAcked(seq) && !seen.has(seq)) {
          seen.add(seq)
          acked++
        }
      }
      const last = batch.messages.at(-1)
      if (last !== undefined && BigInt(last.offset) >= lastOffset.get(batch.partition)!) unread.delete(batch.partition)
      if (unread.size === 0) done()
    },
  })
  await finished
  await consumer.disconnect()
  return { total, acked }
}

// --- the consumer process ------------------------------------------------------------------------

async function runConsumer(r: ConsumerRole): Promise<void> {
  // the partitions that buffered anything, and the bytes of the chunk each one's handler works through
  const states = new Set<PartitionState>()
  const processing = new Map<PartitionState, number>()
  const proto = PartitionState.prototype
  const buffer = proto.buffer
  const startProcessing = proto.startProcessing
  const release = proto.release
  proto.buffer = function (this: PartitionState, chunk) {
    states.add(this)
    return buffer.call(this, chunk)
  }
  proto.startProcessing = function (this: PartitionState, maxRecords?: number) {
    const chunk = startProcessing.call(this, maxRecords)
    processing.set(this, chunk.bytes)
    return chunk
  }
  proto.release = function (this: PartitionState) {
    processing.delete(this)
    release.call(this)
  }
  const kafka = new Kafka({ brokers: r.brokers, clientId: 'bench-memory-c', logLevel: logLevel.NOTHING })
  const consumer = kafka.consumer({
    groupId: `${r.topic}-slow`,
    maxBytes: MAX_BYTES,
    maxBytesPerPartition: MAX_BYTES_PER_PARTITION,
  })
  let handled = 0
  let bytes = 0
  const stopSampling = startSampling(
    () => [...states].reduce((n, s) => n + s.bufferedBytes, 0) + [...processing.values()].reduce((a, b) => a + b, 0),
    () => handled,
  )
  await consumer.connect()
  await consumer.subscribe({ topic: r.topic, fromBeginning: true })
  process.stdout.write('ready\n')
  const start = Date.now()
  await consumer.run({
    eachMessage: async ({ message }) => {
      bytes += message.value?.length ?? 0
      if (++handled % r.sleepEvery === 0) await sleep(1)
    },
  })
  await sleep(r.seconds * 1000)
  stopSampling()
  const seconds = (Date.now() - start) / 1000
  await consumer.disconnect()
  process.stdout.write(`${JSON.stringify({ result: { handled, bytes, seconds } })}\n`)
}

// --- the parent: broker, scenarios, table and plots ---------------------------------------------

interface Collected {
  samples: Sample[]
  result: Promise<Record<string, unknown>>
}

/** Collects the child's samples as they come, and its one result line. */
function collect(child: LineChild): Collected {
  const samples: Sample[] = []
  const result = (async () => {
    for (;;) {
      const line = await nextLine(child.lines)
      if (!line.startsWith('{')) continue
      const parsed = JSON.parse(line) as { sample?: Sample; result?: Record<string, unknown> }
      if (parsed.sample) samples.push(parsed.sample)
      else if (parsed.result) return parsed.result
    }
  })()
  return { samples, result }
}

/** The client process's Node flags: --expose-gc, and MEMORY_BENCH_NODE_FLAGS (e.g. --cpu-prof). */
function childFlags(): string[] {
  return ['--expose-gc', ...(process.env.MEMORY_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)]
}

/** --samples-dir: each scenario's samples and events as JSON (memory-<scenario>.json) there. */
let samplesDir: string | undefined

function saveSamples(name: string, samples: Sample[], marks: { at: number; label: string }[]): void {
  if (samplesDir === undefined) return
  const t0 = samples[0]!.at
  writeFileSync(
    join(samplesDir, `memory-${name}.json`),
    JSON.stringify({
      marks: marks.map((m) => ({ ...m, s: (m.at - t0) / 1000 })),
      samples: samples.map((s) => ({ ...s, s: (s.at - t0) / 1000 })),
    }),
  )
}

const mib = (n: number): number => Math.round((n / MiB) * 10) / 10

interface Summary {
  scenario: string
  bound: string
  baseline: Sample
  peak: { held: number; heap: number; external: number; rss: number }
  plateau: { held: number; heap: number; external: number; rss: number }
  end: Sample
}

function summarize(
  scenario: string,
  bound: string,
  samples: Sample[],
  from: number,
  to: number,
  baseline: Sample,
): Summary {
  const window = samples.filter((s) => s.at >= from && s.at <= to)
  const peakOf = (key: keyof Sample): number => Math.max(...samples.map((s) => s[key]))
  // no samples in the window (a client that blocked its event loop): NaN, not a figure
  const plateauOf = (key: keyof Sample): number => median(window.map((s) => s[key]))
  return {
    scenario,
    bound,
    baseline,
    peak: { held: peakOf('held'), heap: peakOf('heap'), external: peakOf('external'), rss: peakOf('rss') },
    plateau: {
      held: plateauOf('held'),
      heap: plateauOf('heap'),
      external: plateauOf('external'),
      rss: plateauOf('rss'),
    },
    end: samples.at(-1)!,
  }
}

function summaryTable(rows: Summary[]): string {
  const f = (n: number): string => (Number.isFinite(n) ? String(mib(n)) : '-')
  const out = [
    '| scenario | bound | held: peak (plateau) MiB | heap used: before, peak (plateau), end MiB | external (Buffers): before, peak (plateau) MiB | RSS: before, peak (plateau), end MiB |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ]
  for (const r of rows) {
    out.push(
      `| ${r.scenario} | ${r.bound} | ${f(r.peak.held)} (${f(r.plateau.held)}) | ` +
        `${f(r.baseline.heap)}, ${f(r.peak.heap)} (${f(r.plateau.heap)}), ${f(r.end.heap)} | ` +
        `${f(r.baseline.external)}, ${f(r.peak.external)} (${f(r.plateau.external)}) | ` +
        `${f(r.baseline.rss)}, ${f(r.peak.rss)} (${f(r.plateau.rss)}), ${f(r.end.rss)} |`,
    )
  }
  return out.join('\n')
}

function plot(
  title: string,
  samples: Sample[],
  marks: { at: number; label: string }[],
  bound: { bytes: number; label: string },
  heldLabel: string,
): string {
  const t0 = samples[0]!.at
  const series = (label: string, color: string, value: (s: Sample) => number) => ({
    label,
    color,
    points: samples.map((s) => [(s.at - t0) / 1000, mib(value(s))] as const),
  })
  return svgLineChart({
    title,
    xLabel: 'seconds (dashed: events)',
    yLabel: 'MiB',
    series: [
      series('RSS', '#d62728', (s) => s.rss),
      series('heap used', '#1f77b4', (s) => s.heap),
      series('external', '#2ca02c', (s) => s.external),
      series(heldLabel, '#9467bd', (s) => s.held),
    ],
    marks: marks.map((m) => ({ x: (m.at - t0) / 1000, label: m.label })),
    levels: [{ y: mib(bound.bytes), label: bound.label, color: '#9467bd' }],
  })
}

async function producerScenario(
  client: ProducerClient,
  brokers: string[],
  cluster: NonNullable<Awaited<ReturnType<typeof benchBroker>>['cluster']>,
  svgDir: string | undefined,
): Promise<Summary> {
  const rate = Number(option('rate', '5000'))
  const fine = Number(option('fine', '5'))
  const down = Number(option('down', '40'))
  const after = Number(option('after', '20'))
  const maxBufferedBytes = Number(option('buffer-mib', '16')) * MiB
  const maxBlockMs = Number(option('max-block-ms', '10000'))
  const kafka = new Kafka({ brokers, clientId: 'bench-memory', logLevel: logLevel.ERROR })
  const topic = `bench-memory-p-${process.pid}-${Date.now()}`
  await createTopic(kafka, topic)
  const role: ProducerRole = { role: 'producer', client, brokers, topic, rate, maxBufferedBytes, maxBlockMs }
  const name = client === 'kafkit' ? 'kafkit' : 'KafkaJS 2.2.4'
  const child = spawnLineChild(__filename, role, childFlags())
  try {
    await nextLine(child.lines)
    const collected = collect(child)
    await sleep(fine * 1000)
    const stopped = Date.now()
    await cluster.killNode(1)
    console.error(`[memory] broker stopped; restarting in ${down} s`)
    await sleep(down * 1000)
    const restarted = Date.now()
    await cluster.restartNode(1)
    const up = Date.now()
    console.error(`[memory] broker up again after ${((up - restarted) / 1000).toFixed(1)} s`)
    await sleep(after * 1000)
    const stop = Date.now()
    child.process.stdin!.write('stop\n')
    const result = await collected.result
    await child.exit
    const samples = collected.samples
    const baseline = samples.filter((s) => s.at < stopped).at(-1) ?? samples[0]!
    // the plateau: the second half of the outage
    const summary = summarize(
      `${name} producer, broker stopped`,
      client === 'kafkit' ? `maxBufferedBytes ${mib(maxBufferedBytes)} MiB, maxBlockMs ${maxBlockMs}` : 'none',
      samples,
      stopped + (restarted - stopped) / 2,
      restarted,
      baseline,
    )
    const marks = [
      { at: stopped, label: 'broker stopped' },
      { at: restarted, label: 'restarted' },
      { at: up, label: 'up' },
      { at: stop, label: 'sends stop' },
    ]
    saveSamples(client === 'kafkit' ? 'producer' : `producer-${client}`, samples, marks)
    const pendingPeak = Math.max(...samples.map((s) => s.count))
    const pendingPlateau = median(
      samples.filter((s) => s.at >= stopped + (restarted - stopped) / 2 && s.at <= restarted).map((s) => s.count),
    )
    console.log(
      `\n${name} producer: ${rate} send() calls/s of one ${VALUE_SIZE} B record, maxBufferedBytes ${mib(maxBufferedBytes)} MiB, ` +
        `maxBlockMs ${maxBlockMs}; broker stopped at ${fine} s for ${down} s (up again ${((up - restarted) / 1000).toFixed(1)} s after its restart), ` +
        `sending stopped ${after} s later`,
    )
    console.log(`result: ${JSON.stringify(result)}`)
    console.log(`unsettled send() calls: peak ${pendingPeak}, plateau ${pendingPlateau}`)
    if (svgDir !== undefined) {
      // the documented run's plot is memory-producer.svg; other maxBlockMs values and KafkaJS get their own file
      const file = join(
        svgDir,
        client !== 'kafkit'
          ? `memory-producer-${client}.svg`
          : maxBlockMs === 10000
            ? 'memory-producer.svg'
            : `memory-producer-maxblock${maxBlockMs}.svg`,
      )
      writeFileSync(
        file,
        plot(
          client === 'kafkit'
            ? `kafkit producer, broker stopped: ${rate} sends/s of 1 KiB, maxBufferedBytes ${mib(maxBufferedBytes)} MiB, maxBlockMs ${maxBlockMs}`
            : `${name} producer, broker stopped: ${rate} sends/s of 1 KiB (no buffer bound)`,
          samples,
          marks,
          { bytes: maxBufferedBytes, label: 'maxBufferedBytes' },
          'buffered',
        ),
      )
      console.log(`plot: ${file}`)
    }
    if (result.ackedInLog !== result.acked) {
      process.exitCode = 1
      console.log(`MISSING: ${Number(result.acked) - Number(result.ackedInLog)} acknowledged records not in the log`)
    }
    await deleteTopic(kafka, topic)
    return summary
  } finally {
    child.process.kill()
  }
}

async function consumerScenario(brokers: string[], svgDir: string | undefined): Promise<Summary> {
  const fillMiB = Number(option('fill-mib', '200'))
  const seconds = Number(option('seconds', '40'))
  const sleepEvery = Number(option('sleep-every', '1'))
  const kafka = new Kafka({ brokers, clientId: 'bench-memory', logLevel: logLevel.ERROR })
  const topic = `bench-memory-c-${process.pid}-${Date.now()}`
  await createTopic(kafka, topic)
  const messages = Math.round((fillMiB * MiB) / VALUE_SIZE)
  console.error(`[memory] filling ${topic} with ${messages} records of ${VALUE_SIZE} B`)
  await produceValues(kafka, topic, { messages, valueSize: VALUE_SIZE, compression: 'none' })
  const role: ConsumerRole = { role: 'consumer', brokers, topic, seconds, sleepEvery }
  const child = spawnLineChild(__filename, role, childFlags())
  try {
    await nextLine(child.lines)
    const collected = collect(child)
    const result = await collected.result
    await child.exit
    const samples = collected.samples
    saveSamples('consumer', samples, [])
    const start = samples[0]!.at
    const end = samples.at(-1)!.at
    // a partition is fetched while it holds less than 2 x maxBytesPerPartition, and a response adds
    // at most maxBytesPerPartition to it; the handler's chunk is at most one response's
    const bound = PARTITIONS * 3 * MAX_BYTES_PER_PARTITION + MAX_BYTES_PER_PARTITION
    const summary = summarize(
      'consumer, slow handler',
      `${PARTITIONS} partitions x 3 x maxBytesPerPartition + 1 chunk = ${mib(bound)} MiB (maxBytes ${mib(MAX_BYTES)} MiB per response)`,
      samples,
      start + (end - start) / 2,
      end,
      samples[0]!,
    )
    console.log(
      `\nConsumer: ${messages} records of ${VALUE_SIZE} B in ${PARTITIONS} partitions; eachMessage sleeps 1 ms every ${sleepEvery} message(s); ${seconds} s`,
    )
    console.log(`result: ${JSON.stringify(result)}`)
    if (svgDir !== undefined) {
      const file = join(svgDir, 'memory-consumer.svg')
      writeFileSync(
        file,
        plot(
          `kafkit consumer, slow eachMessage (1 ms every ${sleepEvery}): ${PARTITIONS} partitions, maxBytesPerPartition 1 MiB`,
          samples,
          [],
          { bytes: bound, label: 'fetch bound' },
          'fetched, not handled',
        ),
      )
      console.log(`plot: ${file}`)
    }
    await deleteTopic(kafka, topic)
    return summary
  } finally {
    child.process.kill()
  }
}

async function main(): Promise<void> {
  const scenario = option('scenario', 'both')
  const clients = option('clients', 'kafkit').split(',') as ProducerClient[]
  if (clients.some((c) => c !== 'kafkit' && c !== 'kafkajs')) throw new Error('--clients takes kafkit and/or kafkajs')
  const svgDir = process.argv.includes('--svg-dir') ? option('svg-dir', 'docs') : undefined
  samplesDir = process.argv.includes('--samples-dir') ? option('samples-dir', '.') : undefined
  if (!['producer', 'consumer', 'both'].includes(scenario))
    throw new Error('--scenario takes producer, consumer or both')
  if (process.env.KAFKA_BROKERS)
    throw new Error('the memory bench stops and restarts its own broker: unset KAFKA_BROKERS')
  const broker = await benchBroker()
  console.log(`Memory, kafkit, Node ${process.version}; broker: ${broker.description}`)
  const rows: Summary[] = []
  try {
    if (scenario !== 'consumer') {
      for (const client of clients) rows.push(await producerScenario(client, broker.brokers, broker.cluster!, svgDir))
    }
    if (scenario !== 'producer') rows.push(await consumerScenario(broker.brokers, svgDir))
  } finally {
    await broker.stop()
  }
  console.log(`\n${summaryTable(rows)}`)
}

runBenchEntry<ProducerRole | ConsumerRole>(main, (r) => (r.role === 'producer' ? runProducer(r) : runConsumer(r)))
