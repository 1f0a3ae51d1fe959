// One consumer benchmark run in its own process, so that CPU time and peak RSS are the client's
// alone: `node -r ./bench/register-swc.cjs bench/consumer-client.ts <json>` where the JSON names the
// client, the brokers, the pre-filled topic and how many messages it holds. The clock runs from
// before connect() to the last message; each message's value is read (its length summed), as an
// application would touch it. Prints one JSON line. Driven by bench/consumer.bench.ts; peers
// (kafkajs, @platformatic/kafka) are loaded only if installed.

import { performance } from 'node:perf_hooks'
import { type Measurement, optionalPeer } from './client-common.js'

export type ConsumerClient =
  | 'kafkit-batch'
  | 'kafkit-message'
  | 'kafkit-iterator'
  | 'kafkajs-batch'
  | 'kafkajs-message'
  | 'platformatic'

export interface ConsumerRun {
  client: ConsumerClient
  brokers: string[]
  topic: string
  messages: number
}

interface Counter {
  messages: number
  bytes: number
  done: Promise<void>
  add(value: { length: number } | null | undefined): void
}

function counter(target: number): Counter {
  let finish!: () => void
  const c: Counter = {
    messages: 0,
    bytes: 0,
    done: new Promise((resolve) => {
      finish = resolve
    }),
    add(value) {
      c.messages++
      c.bytes += value?.length ?? 0
      if (c.messages === target) finish()
    },
  }
  return c
}

const groupId = (client: string): string => `bench-${client}-${process.pid}-${Date.now()}`

type KafkitModule = typeof import('../src/index.js')

async function kafkit(mod: KafkitModule, run: ConsumerRun, count: Counter): Promise<() => Promise<void>> {
  const { Kafka, logLevel } = mod
  const kafka = new Kafka({ brokers: run.brokers, clientId: 'bench-kafkit', logLevel: logLevel.ERROR })
  const consumer = kafka.consumer({ groupId: groupId(run.client) })
  await consumer.connect()
  await consumer.subscribe({ topics: [run.topic], fromBeginning: true })
  if (run.client === 'kafkit-batch') {
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) count.add(m.value)
      },
    })
  } else if (run.client === 'kafkit-message') {
    await consumer.run({ eachMessage: async ({ message }) => count.add(message.value) })
  } else {
    void (async () => {
      for await (const { message } of consumer) {
        count.add(message.value)
        if (count.messages >= run.messages) break
      }
    })()
  }
  return () => consumer.disconnect()
}

interface KafkaJSModule {
  Kafka: new (
    config: object,
  ) => {
    consumer(config: object): {
      connect(): Promise<void>
      subscribe(s: object): Promise<void>
      run(r: object): Promise<void>
      disconnect(): Promise<void>
    }
  }
  logLevel: { ERROR: number }
  CompressionCodecs: Record<number, unknown>
  CompressionTypes: { LZ4: number }
}

async function kafkajs(mod: KafkaJSModule, run: ConsumerRun, count: Counter): Promise<() => Promise<void>> {
  // KafkaJS ships GZIP only; its documentation registers LZ4 with the kafkajs-lz4 package
  const LZ4 = optionalPeer<new () => { codec: unknown }>('kafkajs-lz4')
  if (LZ4 !== undefined) mod.CompressionCodecs[mod.CompressionTypes.LZ4] = new LZ4().codec
  const kafka = new mod.Kafka({ brokers: run.brokers, clientId: 'bench-kafkajs', logLevel: mod.logLevel.ERROR })
  const consumer = kafka.consumer({ groupId: groupId(run.client) })
  await consumer.connect()
  await consumer.subscribe({ topics: [run.topic], fromBeginning: true })
  type Msg = { value: Buffer | null }
  if (run.client === 'kafkajs-batch') {
    await consumer.run({
      eachBatch: async ({ batch }: { batch: { messages: Msg[] } }) => {
        for (const m of batch.messages) count.add(m.value)
      },
    })
  } else {
    await consumer.run({ eachMessage: async ({ message }: { message: Msg }) => count.add(message.value) })
  }
  return () => consumer.disconnect()
}

interface PlatformaticModule {
  Consumer: new (
    config: object,
  ) => {
    consume(options: object): Promise<AsyncIterable<{ value: Buffer | null }> & { close(): Promise<void> }>
    close(force?: boolean): Promise<void>
  }
}

async function platformatic(mod: PlatformaticModule, run: ConsumerRun, count: Counter): Promise<() => Promise<void>> {
  const consumer = new mod.Consumer({
    groupId: groupId(run.client),
    clientId: 'bench-platformatic',
    bootstrapBrokers: run.brokers,
  })
  const stream = await consumer.consume({ topics: [run.topic], mode: 'earliest', autocommit: true })
  void (async () => {
    try {
      // no break: leaving the loop destroys the stream, which then throws; close() ends it instead
      for await (const message of stream) count.add(message.value)
    } catch {
      // closing the stream aborts the iteration
    }
  })()
  return async () => {
    await stream.close()
    await consumer.close(true)
  }
}

/** Loads the client's module (before the clock starts: compiling kafkit's TypeScript sources is not its run). */
async function load(run: ConsumerRun, count: Counter): Promise<(() => Promise<() => Promise<void>>) | undefined> {
  if (run.client.startsWith('kafkit')) {
    const mod = await import('../src/index.js')
    return () => kafkit(mod, run, count)
  }
  if (run.client === 'platformatic') {
    const mod = optionalPeer<PlatformaticModule>('@platformatic/kafka')
    return mod === undefined ? undefined : () => platformatic(mod, run, count)
  }
  const mod = optionalPeer<KafkaJSModule>('kafkajs')
  return mod === undefined ? undefined : () => kafkajs(mod, run, count)
}

async function main(): Promise<void> {
  const run = JSON.parse(process.argv[2] ?? '{}') as ConsumerRun
  const count = counter(run.messages)
  const start = await load(run, count)
  if (start === undefined) {
    process.stdout.write(`${JSON.stringify({ client: run.client, skipped: 'not installed' })}\n`)
    return
  }
  const cpu = process.cpuUsage()
  const started = performance.now()
  const close = await start()
  await count.done
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  const result: Measurement = {
    client: run.client,
    messages: count.messages,
    bytes: count.bytes,
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
  await Promise.race([close(), new Promise((resolve) => setTimeout(resolve, 5000))])
  process.exit(0)
}

// a peer's teardown after the measurement (a stream aborted on close) is not the run's failure
process.on('unhandledRejection', () => {})

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
