// One producer benchmark run in its own process, so that CPU time and peak RSS are the client's
// alone: `node -r ./bench/register-swc.cjs bench/producer-client.ts <json>` where the JSON names the
// client, the brokers, the topic and the workload. Prints one JSON line with the measurements.
// Driven by bench/producer.bench.ts; peers (kafkajs, @platformatic/kafka) are loaded only if
// installed.

import { performance } from 'node:perf_hooks'
import { benchValue, type Measurement, optionalPeer, platformaticProducer } from './client-common.js'

export interface ClientRun {
  client: 'kafkit' | 'kafkit-single' | 'kafkajs' | 'kafkajs-single' | 'platformatic'
  brokers: string[]
  topic: string
  messages: number
  valueSize: number
  compression: 'none' | 'lz4'
  /** Messages per send()/sendBatch call, for the batching modes. */
  batch: number
  /** Calls in flight at once. */
  concurrency: number
}

type Send = (values: Buffer[]) => Promise<unknown>

interface Driver {
  send: Send
  close: () => Promise<void>
}

async function kafkitDriver(run: ClientRun): Promise<Driver> {
  const { Kafka, CompressionTypes, logLevel } = await import('../src/index.js')
  const kafka = new Kafka({ brokers: run.brokers, clientId: 'bench-kafkit', logLevel: logLevel.ERROR })
  const producer = kafka.producer()
  await producer.connect()
  const compression = run.compression === 'lz4' ? CompressionTypes.LZ4 : CompressionTypes.None
  return {
    send: (values) => producer.send({ topic: run.topic, compression, messages: values.map((value) => ({ value })) }),
    close: () => producer.disconnect(),
  }
}

interface KafkaJSModule {
  Kafka: new (
    config: object,
  ) => {
    producer(config?: object): {
      connect(): Promise<void>
      disconnect(): Promise<void>
      send(record: object): Promise<unknown>
    }
  }
  CompressionTypes: { None: number; LZ4: number }
  CompressionCodecs: Record<number, unknown>
  logLevel: { ERROR: number }
}

async function kafkajsDriver(run: ClientRun): Promise<Driver | undefined> {
  const kafkajs = optionalPeer<KafkaJSModule>('kafkajs')
  if (kafkajs === undefined) return undefined
  if (run.compression === 'lz4') {
    // KafkaJS ships GZIP only; its documentation registers LZ4 with the kafkajs-lz4 package
    const LZ4 = optionalPeer<new () => { codec: unknown }>('kafkajs-lz4')
    if (LZ4 === undefined) return undefined
    kafkajs.CompressionCodecs[kafkajs.CompressionTypes.LZ4] = new LZ4().codec
  }
  const kafka = new kafkajs.Kafka({ brokers: run.brokers, clientId: 'bench-kafkajs', logLevel: kafkajs.logLevel.ERROR })
  const producer = kafka.producer()
  await producer.connect()
  const compression = run.compression === 'lz4' ? kafkajs.CompressionTypes.LZ4 : kafkajs.CompressionTypes.None
  return {
    send: (values) =>
      producer.send({ topic: run.topic, acks: -1, compression, messages: values.map((value) => ({ value })) }),
    close: () => producer.disconnect(),
  }
}

async function platformaticDriver(run: ClientRun): Promise<Driver | undefined> {
  const producer = platformaticProducer(run.brokers, 'bench-platformatic', run.compression)
  if (producer === undefined) return undefined
  return {
    send: (values) => producer.send({ messages: values.map((value) => ({ topic: run.topic, value })) }),
    close: () => producer.close(),
  }
}

async function driverFor(run: ClientRun): Promise<Driver | undefined> {
  switch (run.client) {
    case 'kafkit':
    case 'kafkit-single':
      return kafkitDriver(run)
    case 'kafkajs':
    case 'kafkajs-single':
      return kafkajsDriver(run)
    case 'platformatic':
      return platformaticDriver(run)
  }
}

/** Sends `messages` values in calls of `batch`, keeping `concurrency` calls in flight. */
async function drive(driver: Driver, run: ClientRun): Promise<void> {
  const value = benchValue(run.valueSize)
  const batch = Array.from({ length: run.batch }, () => value)
  let sent = 0
  // a counter and one waiter for a free slot: Promise.race over up to 1,000 calls per call would
  // cost the driver itself O(concurrency) reactions and garbage per message
  let inFlight = 0
  let failure: unknown
  let slotFreed: (() => void) | undefined
  const settled = (): void => {
    inFlight--
    slotFreed?.()
  }
  while (sent < run.messages) {
    const count = Math.min(run.batch, run.messages - sent)
    const call = driver.send(count === run.batch ? batch : batch.slice(0, count))
    sent += count
    inFlight++
    call.then(settled, (error: unknown) => {
      failure ??= error
      settled()
    })
    while (inFlight >= run.concurrency) await new Promise<void>((resolve) => (slotFreed = resolve))
    if (failure !== undefined) throw failure
  }
  while (inFlight > 0) await new Promise<void>((resolve) => (slotFreed = resolve))
  if (failure !== undefined) throw failure
}

async function main(): Promise<void> {
  const run = JSON.parse(process.argv[2] ?? '{}') as ClientRun
  const driver = await driverFor(run)
  if (driver === undefined) {
    console.log(JSON.stringify({ client: run.client, skipped: 'not installed' }))
    return
  }
  // one warm-up call: connections, metadata and producer id are not part of the measure
  await driver.send([Buffer.alloc(run.valueSize)])
  const cpu = process.cpuUsage()
  const start = performance.now()
  await drive(driver, run)
  const seconds = (performance.now() - start) / 1000
  const used = process.cpuUsage(cpu)
  await driver.close()
  const result: Measurement = {
    client: run.client,
    messages: run.messages,
    bytes: run.messages * run.valueSize,
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  }
  console.log(JSON.stringify(result))
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
}
