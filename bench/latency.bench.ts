// End-to-end produce-to-consume latency of kafkit at fixed offered rates. Run on demand (never in
// the test suite):
//
//   npm run bench -- latency [--rates 1000,10000,50000] [--seconds N] [--lingers default,0]
//
// For each rate and linger setting: a consumer process (eachMessage) joins a new group on a new
// topic of 6 partitions; then a producer process makes single send() calls of one 100-byte record at
// the offered rate for N seconds (default 10), the send time (performance.timeOrigin + now(), in ms
// with sub-ms precision: the same clock in both processes) in the record's value. The consumer
// computes receive time minus send time for each record; the records sent in the first second are
// not counted. Reports p50, p99, p99.9 and max in ms, and how many records the producer actually
// sent (a rate the client cannot sustain shows as fewer records or more seconds). LATENCY_DETAIL=1
// adds rows that attribute the tail: send() to acknowledged, each Produce request's time queued in
// the connection and written-to-answered, and both processes' event-loop delay. Brokers: KAFKA_BROKERS, else one
// started for the run (bench-broker.ts).

import { spawn } from 'node:child_process'
import { type IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { Kafka, logLevel } from '../src/index.js'
import { benchBroker } from './bench-broker.js'
import { createTopic, deleteTopic } from './bench-common.js'

interface Role {
  role: 'producer' | 'consumer'
  brokers: string[]
  topic: string
  rate: number
  seconds: number
  /** undefined: the producer's default linger. */
  linger?: number
}

const VALUE_SIZE = 100

function now(): number {
  return performance.timeOrigin + performance.now()
}

function percentiles(values: number[]): Record<string, number> {
  const sorted = [...values].sort((a, b) => a - b)
  const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!
  return { p50: pct(0.5), p99: pct(0.99), p999: pct(0.999), max: sorted.at(-1)! }
}

function loopDelays(loop: IntervalHistogram): Record<string, number> {
  const ms = (ns: number): number => ns / 1e6
  return {
    p50: ms(loop.percentile(50)),
    p99: ms(loop.percentile(99)),
    p999: ms(loop.percentile(99.9)),
    max: ms(loop.max),
  }
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

async function runProducer(r: Role): Promise<void> {
  const kafka = new Kafka({ brokers: r.brokers, clientId: 'bench-latency-p', logLevel: logLevel.ERROR })
  const producer = kafka.producer(r.linger === undefined ? {} : { linger: r.linger })
  const requests: number[] = []
  const queued: number[] = []
  producer.on(producer.events.REQUEST, (e) => {
    const payload = e.payload as { apiName: string; duration: number; pendingDuration: number }
    if (payload.apiName !== 'Produce') return
    requests.push(payload.duration)
    queued.push(payload.pendingDuration)
  })
  const loop = monitorEventLoopDelay({ resolution: 1 })
  await producer.connect()
  loop.enable()
  const pad = Buffer.alloc(VALUE_SIZE, 97)
  const start = now()
  const total = r.rate * r.seconds
  let sent = 0
  const acks: number[] = []
  const pending = new Set<Promise<unknown>>()
  // a fixed offered rate: each tick sends the records due by now (a timer fires late under load:
  // the records it owes go out then, each with the real time of its send() call, as a user measures)
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((now() - start) / 1000) * r.rate))
      while (sent < due) {
        const value = Buffer.from(pad)
        value.write(`${now().toFixed(3)} ${sent}`.padEnd(VALUE_SIZE, ' '), 0, 'latin1')
        const t0 = now()
        const p = producer.send({ topic: r.topic, messages: [{ value }] })
        if (t0 - start >= 1000) p.then(() => acks.push(now() - t0))
        pending.add(p)
        p.finally(() => pending.delete(p))
        sent++
      }
      if (sent >= total) resolve()
      else setTimeout(tick, 1)
    }
    tick()
  })
  await Promise.all(pending)
  await producer.disconnect()
  const ack = percentiles(acks)
  const request = percentiles(requests)
  const queue = percentiles(queued)
  const ms = (ns: number): number => ns / 1e6
  const eventLoop = {
    p50: ms(loop.percentile(50)),
    p99: ms(loop.percentile(99)),
    p999: ms(loop.percentile(99.9)),
    max: ms(loop.max),
  }
  process.stdout.write(`${JSON.stringify({ sent, seconds: (now() - start) / 1000, ack, request, queue, eventLoop })}\n`)
}

async function runConsumer(r: Role): Promise<void> {
  const kafka = new Kafka({ brokers: r.brokers, clientId: 'bench-latency-c', logLevel: logLevel.ERROR })
  const consumer = kafka.consumer({ groupId: `${r.topic}-g` })
  const loop = monitorEventLoopDelay({ resolution: 1 })
  await consumer.connect()
  await consumer.subscribe({ topic: r.topic, fromBeginning: true })
  const total = r.rate * r.seconds
  const latencies: number[] = []
  let firstSend: number | undefined
  let received = 0
  let finish: () => void = () => {}
  const done = new Promise<void>((resolve) => (finish = resolve))
  // run() resolves once the consumer has joined its group: the parent starts the producer then
  await consumer.run({
    eachMessage: async ({ message }) => {
      const at = now()
      const sentAt = Number.parseFloat(message.value!.toString('latin1', 0, 20).split(' ')[0]!)
      firstSend ??= sentAt
      if (sentAt - firstSend >= 1000) latencies.push(at - sentAt)
      if (++received >= total) finish()
    },
  })
  loop.enable()
  process.stdout.write('ready\n')
  await done
  await consumer.disconnect()
  latencies.sort((a, b) => a - b)
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!
  process.stdout.write(
    `${JSON.stringify({ counted: latencies.length, p50: pct(0.5), p99: pct(0.99), p999: pct(0.999), max: latencies.at(-1), eventLoop: loopDelays(loop) })}\n`,
  )
}

function child(r: Role): { lines: AsyncGenerator<string>; exit: Promise<number> } {
  const proc = spawn(process.execPath, [...process.execArgv, __filename, JSON.stringify(r)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const queue: string[] = []
  let wake: (() => void) | undefined
  let ended = false
  let buf = ''
  proc.stdout.on('data', (d: Buffer) => {
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
  return { lines: lines(), exit }
}

/** The next line (not `for await`, whose return would close the iterator for the next call). */
async function firstLine(it: AsyncGenerator<string>): Promise<string> {
  const next = await it.next()
  if (next.done) throw new Error('the client process ended without a result')
  return next.value
}

async function main(): Promise<void> {
  const rates = option('rates', '1000,10000,50000').split(',').map(Number)
  const seconds = Number(option('seconds', '10'))
  const lingers = option('lingers', 'default,0')
    .split(',')
    .map((l) => (l === 'default' ? undefined : Number(l)))
  const broker = await benchBroker()
  const kafka = new Kafka({ brokers: broker.brokers, clientId: 'bench-latency', logLevel: logLevel.ERROR })
  console.log(`Latency, kafkit, ${VALUE_SIZE} B records, single send() calls; broker: ${broker.description}`)
  console.log('| rate (msgs/s) | linger | sent | p50 ms | p99 ms | p99.9 ms | max ms |')
  console.log('| --- | --- | --- | --- | --- | --- | --- |')
  try {
    for (const rate of rates) {
      for (const linger of lingers) {
        const topic = `bench-latency-${rate}-${linger ?? 'd'}-${process.pid}-${Date.now()}`
        await createTopic(kafka, topic)
        const base = { brokers: broker.brokers, topic, rate, seconds, linger }
        const c = child({ ...base, role: 'consumer' })
        await firstLine(c.lines)
        const p = child({ ...base, role: 'producer' })
        const prod = JSON.parse(await firstLine(p.lines)) as {
          sent: number
          seconds: number
          ack: Record<string, number>
          request: Record<string, number>
          queue: Record<string, number>
          eventLoop: Record<string, number>
        }
        const res = JSON.parse(await firstLine(c.lines)) as Record<string, number> & {
          eventLoop: Record<string, number>
        }
        await Promise.all([p.exit, c.exit])
        const f = (n: number | undefined): string => (n === undefined ? '-' : n.toFixed(1))
        console.log(
          `| ${rate} | ${linger ?? 'default'} | ${prod.sent} in ${prod.seconds.toFixed(1)} s | ${f(res.p50)} | ${f(res.p99)} | ${f(res.p999)} | ${f(res.max)} |`,
        )
        if (process.env.LATENCY_DETAIL) {
          const row = (name: string, v: Record<string, number>): void =>
            console.log(`|   ${name} | | | ${f(v.p50)} | ${f(v.p99)} | ${f(v.p999)} | ${f(v.max)} |`)
          row('send() to acknowledged', prod.ack)
          row('Produce queued in the connection', prod.queue)
          row('Produce written to answered', prod.request)
          row('producer event-loop delay', prod.eventLoop)
          row('consumer event-loop delay', res.eventLoop as unknown as Record<string, number>)
        }
        await deleteTopic(kafka, topic)
      }
    }
  } finally {
    await broker.stop()
  }
}

const arg = process.argv[2]
if (arg?.startsWith('{')) {
  const r = JSON.parse(arg) as Role
  ;(r.role === 'producer' ? runProducer(r) : runConsumer(r)).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err)
      process.exit(1)
    },
  )
} else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err)
      process.exit(1)
    },
  )
}
