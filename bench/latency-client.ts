// One process of the latency benchmark (bench/latency.bench.ts):
//
//   node -r ./bench/register-swc.cjs bench/latency-client.ts <json>
//
// - role 'produce': single send() calls of one 100-byte record at a fixed offered rate for N
//   seconds with kafkit, KafkaJS or @platformatic/kafka, or lines written at that rate to the stdin
//   of a `kcat -P` child (librdkafka). Each record's value starts with its send time: for the
//   JavaScript clients taken just before send(), for kcat when its line is handed to kcat's stdin.
//   Prints one JSON line: records offered and acknowledged, seconds, event-loop delay (and for
//   kafkit, with `detail`, the split of send() to acknowledged).
// - role 'read': reads the topic and computes receive time minus send time for each record, with
//   kafkit's consumer (eachMessage, a new group) or with a `kcat -C` child (librdkafka, the whole
//   topic without a group, receive time taken when its output line reaches this process). Prints
//   `ready` once it reads the topic, then, after the driver writes the number of records offered to
//   its stdin, one JSON line with the percentiles once it has them all or no record came for 3 s.
// - role 'roundtrip': 200 sequential awaited send() calls of one record each (acks=all), p50/p99.
//
// Every client sends with acks=all (KafkaJS's, kafkit's and librdkafka's default;
// @platformatic/kafka's default is acks=1 unless idempotent, so it is set). The send time is
// performance.timeOrigin + performance.now() (ms, sub-ms precision; the same clock in every process).

import { spawn } from 'node:child_process'
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { optionalPeer, platformaticProducer } from './client-common.js'

export type LatencyClient = 'kafkit' | 'kafkajs' | 'platformatic' | 'kcat'

export interface LatencyRun {
  role: 'produce' | 'read' | 'roundtrip'
  client: LatencyClient
  brokers: string[]
  topic: string
  rate: number
  seconds: number
  /** Producer linger in ms; undefined: the client's default (kafkit 5, librdkafka 5; KafkaJS and @platformatic/kafka have none). */
  linger?: number
  /** kafkit's producer: also report the split of send() to acknowledged. */
  detail?: boolean
  /** kcat's path, for client 'kcat'. */
  kcat?: string
}

export interface Percentiles {
  p50: number
  p99: number
  p999: number
  max: number
}

export const VALUE_SIZE = 100
/** Records sent in the first second are not counted. */
export const WARM_UP_MS = 1000
export const ROUND_TRIPS = 200

function now(): number {
  return performance.timeOrigin + performance.now()
}

export function percentiles(values: number[]): Percentiles {
  const sorted = Float64Array.from(values).sort()
  const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN
  return { p50: pct(0.5), p99: pct(0.99), p999: pct(0.999), max: sorted.at(-1) ?? Number.NaN }
}

export interface Pauses {
  count: number
  totalMs: number
  maxMs: number
}

/**
 * Watches this process from now to stop(): its event-loop delay (1 ms resolution) and its own
 * garbage collections (count, total and longest), so that a stall of the process shows beside the
 * latencies, and whether its GC caused it.
 */
function watchProcess(): () => { eventLoop: Percentiles; gc: Pauses } {
  const loop = monitorEventLoopDelay({ resolution: 1 })
  const gc: Pauses = { count: 0, totalMs: 0, maxMs: 0 }
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++
      gc.totalMs += entry.duration
      gc.maxMs = Math.max(gc.maxMs, entry.duration)
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  loop.enable()
  return () => {
    loop.disable()
    observer.disconnect()
    const ms = (ns: number): number => ns / 1e6
    const eventLoop = {
      p50: ms(loop.percentile(50)),
      p99: ms(loop.percentile(99)),
      p999: ms(loop.percentile(99.9)),
      max: ms(loop.max),
    }
    return { eventLoop, gc }
  }
}

/** A record's value: its send time and sequence number, padded to VALUE_SIZE bytes (one line for kcat). */
function stamp(seq: number): string {
  return `${now().toFixed(3)} ${seq}`.padEnd(VALUE_SIZE, ' ')
}

interface Sender {
  /** Sends one record; resolves when acknowledged. */
  send(value: Buffer): Promise<unknown>
  close(): Promise<void>
  /** kafkit with `detail`: each Produce request's time queued in the connection and written to answered. */
  requests?: { queued: number[]; answered: number[] }
}

async function kafkitSender(r: LatencyRun): Promise<Sender> {
  const { Kafka, logLevel } = await import('../src/index.js')
  const kafka = new Kafka({ brokers: r.brokers, clientId: 'bench-latency-kafkit', logLevel: logLevel.ERROR })
  const producer = kafka.producer(r.linger === undefined ? {} : { linger: r.linger })
  const requests = { queued: [] as number[], answered: [] as number[] }
  if (r.detail) {
    producer.on(producer.events.REQUEST, (e) => {
      const payload = e.payload as { apiName: string; duration: number; pendingDuration: number }
      if (payload.apiName !== 'Produce') return
      requests.answered.push(payload.duration)
      requests.queued.push(payload.pendingDuration)
    })
  }
  await producer.connect()
  return {
    send: (value) => producer.send({ topic: r.topic, acks: -1, messages: [{ value }] }),
    close: () => producer.disconnect(),
    ...(r.detail ? { requests } : {}),
  }
}

interface KafkaJSModule {
  Kafka: new (
    config: object,
  ) => { producer(): { connect(): Promise<void>; disconnect(): Promise<void>; send(record: object): Promise<unknown> } }
  logLevel: { ERROR: number }
}

async function kafkajsSender(r: LatencyRun): Promise<Sender | undefined> {
  const kafkajs = optionalPeer<KafkaJSModule>('kafkajs')
  if (kafkajs === undefined) return undefined
  const kafka = new kafkajs.Kafka({
    brokers: r.brokers,
    clientId: 'bench-latency-kafkajs',
    logLevel: kafkajs.logLevel.ERROR,
  })
  const producer = kafka.producer()
  await producer.connect()
  return {
    send: (value) => producer.send({ topic: r.topic, acks: -1, messages: [{ value }] }),
    close: () => producer.disconnect(),
  }
}

async function platformaticSender(r: LatencyRun): Promise<Sender | undefined> {
  const producer = platformaticProducer(r.brokers, 'bench-latency-platformatic')
  if (producer === undefined) return undefined
  return {
    send: (value) => producer.send({ messages: [{ topic: r.topic, value }] }),
    close: () => producer.close(),
  }
}

function senderFor(r: LatencyRun): Promise<Sender | undefined> {
  switch (r.client) {
    case 'kafkit':
      return kafkitSender(r)
    case 'kafkajs':
      return kafkajsSender(r)
    case 'platformatic':
      return platformaticSender(r)
    case 'kcat':
      throw new Error('kcat has no per-record acknowledgement to wait for')
  }
}

/**
 * Calls `emit(seq)` for each record due at the offered rate: a 1 ms timer sends the records due by
 * now (a timer that fires late sends the records it owes then, each stamped with the real time).
 * Stops once rate * seconds records are offered or, for a client that cannot keep up, after twice
 * the seconds.
 */
function paced(
  r: LatencyRun,
  emit: (from: number, to: number, start: number) => void,
): Promise<{ offered: number; start: number }> {
  const start = now()
  const total = r.rate * r.seconds
  let offered = 0
  return new Promise((resolve) => {
    const tick = (): void => {
      const elapsed = now() - start
      const due = Math.min(total, Math.floor((elapsed / 1000) * r.rate))
      if (offered < due) {
        emit(offered, due, start)
        offered = due
      }
      if (offered >= total || elapsed > 2000 * r.seconds) resolve({ offered, start })
      else setTimeout(tick, 1)
    }
    tick()
  })
}

/**
 * A client with two seconds of records unacknowledged (or, for kcat, not yet read from its stdin)
 * does not sustain the rate: the records that fall due meanwhile are not offered (reported as sent
 * of due), rather than piling up in memory without bound.
 */
function backlogLimit(r: LatencyRun): number {
  return Math.max(1000, 2 * r.rate)
}

/** Resolves when `pending` reaches 0, or after `ms`. */
function drained(pending: () => number, ms: number): Promise<void> {
  const until = now() + ms
  return new Promise((resolve) => {
    const check = (): void => {
      if (pending() === 0 || now() > until) resolve()
      else setTimeout(check, 5)
    }
    check()
  })
}

async function produce(r: LatencyRun): Promise<object> {
  if (r.client === 'kcat') return produceWithKcat(r)
  const sender = await senderFor(r)
  if (sender === undefined) return { skipped: 'not installed' }
  // a warm-up send: connections, metadata and producer id are not part of the measure
  await sender.send(Buffer.from(stamp(-1)))
  const watch = watchProcess()
  let pending = 0
  let acked = 0
  let failed = 0
  const acks: number[] = []
  const pad = Buffer.alloc(VALUE_SIZE)
  let notOffered = 0
  const { offered, start } = await paced(r, (from, to, t) => {
    for (let seq = from; seq < to; seq++) {
      if (pending >= backlogLimit(r)) {
        notOffered++
        continue
      }
      const value = Buffer.from(pad)
      const t0 = now()
      value.write(stamp(seq), 0, 'latin1')
      const counted = t0 - t >= WARM_UP_MS
      pending++
      sender.send(value).then(
        () => {
          pending--
          acked++
          if (counted) acks.push(now() - t0)
        },
        () => {
          pending--
          failed++
        },
      )
    }
  })
  await drained(() => pending, 15_000)
  const seconds = (now() - start) / 1000
  const watched = watch()
  const result = {
    offered: offered - notOffered,
    due: offered,
    acked,
    failed,
    unanswered: pending,
    seconds,
    ack: percentiles(acks),
    ...watched,
    ...(sender.requests
      ? { queued: percentiles(sender.requests.queued), answered: percentiles(sender.requests.answered) }
      : {}),
  }
  if (pending === 0) await sender.close()
  return result
}

function kcatArgs(r: LatencyRun, mode: '-P' | '-C'): string[] {
  const args = [mode, '-b', r.brokers.join(','), '-t', r.topic]
  if (mode === '-P') {
    args.push('-X', 'acks=all')
    if (r.linger !== undefined) args.push('-X', `linger.ms=${r.linger}`)
  } else {
    args.push('-o', 'beginning', '-u', '-f', '%s\\n')
  }
  return args
}

/** kcat -P fed one line per record at the offered rate; the send time is taken as the lines are written to its stdin. */
async function produceWithKcat(r: LatencyRun): Promise<object> {
  const kcat = spawn(r.kcat ?? 'kcat', kcatArgs(r, '-P'), { stdio: ['pipe', 'ignore', 'pipe'] })
  let stderr = ''
  kcat.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const exit = new Promise<number>((resolve) => kcat.on('close', (code) => resolve(code ?? -1)))
  kcat.stdin.write(`${stamp(-1)}\n`)
  let notOffered = 0
  // librdkafka connects in the background: give it the time the JS clients' warm-up send() takes
  await new Promise((resolve) => setTimeout(resolve, 500))
  const watch = watchProcess()
  const { offered, start } = await paced(r, (from, to) => {
    let lines = ''
    for (let seq = from; seq < to; seq++) {
      if (kcat.stdin.writableLength >= backlogLimit(r) * (VALUE_SIZE + 1)) notOffered++
      else lines += `${stamp(seq)}\n`
    }
    kcat.stdin.write(lines)
  })
  kcat.stdin.end()
  const code = await exit
  const watched = watch()
  // kcat -P exits 0 only once every line is delivered (acknowledged); it reports failures on stderr
  return {
    offered: offered - notOffered,
    due: offered,
    acked: code === 0 ? offered - notOffered : 0,
    failed: code === 0 ? 0 : offered - notOffered,
    unanswered: 0,
    seconds: (now() - start) / 1000,
    ...watched,
    ...(code === 0 ? {} : { error: stderr.trim().split('\n').slice(-3).join(' ') }),
  }
}

/** The number of records offered, once the driver writes it to stdin. */
function offeredFromDriver(): Promise<number> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin })
    lines.once('line', (line) => {
      lines.close()
      resolve(Number(line))
    })
  })
}

/**
 * Collects the latencies of the records offered after the first second (sequence numbers from
 * `rate` on: the producer offers record n at n / rate seconds); `finished` once `expected` records
 * arrived or 3 s passed without one.
 */
function latencyCollector(rate: number): {
  add(value: string): void
  finished(expected: number): Promise<{ received: number; latencies: number[] }>
} {
  const latencies: number[] = []
  let received = 0
  let lastAt = now()
  return {
    add(value) {
      const at = now()
      lastAt = at
      const [time, seq] = value.split(' ', 2)
      // the warm-up record (seq -1) is not counted
      if (seq === '-1') return
      received++
      if (Number(seq) >= (rate * WARM_UP_MS) / 1000) latencies.push(at - Number.parseFloat(time!))
    },
    finished: (expected) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (received >= expected || now() - lastAt > 3000) resolve({ received, latencies })
          else setTimeout(check, 20)
        }
        check()
      }),
  }
}

async function read(r: LatencyRun): Promise<object> {
  const collector = latencyCollector(r.rate)
  let stop: () => Promise<void>
  if (r.client === 'kcat') {
    const kcat = spawn(r.kcat ?? 'kcat', kcatArgs(r, '-C'), { stdio: ['ignore', 'pipe', 'pipe'] })
    createInterface({ input: kcat.stdout }).on('line', (line) => collector.add(line))
    // kcat says "Reached end of topic ..." for each partition it has caught up with
    await new Promise<void>((resolve) => {
      let buf = ''
      kcat.stderr.on('data', (d: Buffer) => {
        buf += d.toString()
        if (buf.includes('Reached end')) resolve()
      })
    })
    stop = async () => {
      kcat.kill()
    }
  } else {
    const { Kafka, logLevel } = await import('../src/index.js')
    const kafka = new Kafka({ brokers: r.brokers, clientId: 'bench-latency-reader', logLevel: logLevel.ERROR })
    const consumer = kafka.consumer({ groupId: `${r.topic}-g` })
    await consumer.connect()
    await consumer.subscribe({ topic: r.topic, fromBeginning: true })
    // run() resolves once the consumer has joined its group
    await consumer.run({
      eachMessage: async ({ message }) => collector.add(message.value!.toString('latin1', 0, 32)),
    })
    stop = () => consumer.disconnect()
  }
  const watch = watchProcess()
  process.stdout.write('ready\n')
  const { received, latencies } = await collector.finished(await offeredFromDriver())
  const watched = watch()
  await stop()
  return { received, counted: latencies.length, ...percentiles(latencies), ...watched }
}

async function roundTrip(r: LatencyRun): Promise<object> {
  const sender = await senderFor(r)
  if (sender === undefined) return { skipped: 'not installed' }
  const pad = Buffer.alloc(VALUE_SIZE, 32)
  for (let i = 0; i < 20; i++) await sender.send(pad)
  const times: number[] = []
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const t0 = now()
    await sender.send(pad)
    times.push(now() - t0)
  }
  await sender.close()
  return { count: times.length, ...percentiles(times) }
}

if (require.main === module) {
  const r = JSON.parse(process.argv[2] ?? '{}') as LatencyRun
  const role = r.role === 'produce' ? produce : r.role === 'read' ? read : roundTrip
  role(r).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`)
      process.exit(0)
    },
    (err: unknown) => {
      console.error(err)
      process.exit(1)
    },
  )
}
