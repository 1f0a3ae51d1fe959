// The consumer's workload of the consumer benchmark (bench/consumer-client.ts: a new group reads a
// pre-filled topic from the beginning, every message's value touched) run from a build of kafkit,
// so that a CPU profile names the real files (the benchmark runs the TypeScript sources). Prints
// the run's seconds and the process's CPU seconds (user + system) per 100,000 messages.
//
//   npm run build
//   KAFKA_BROKERS=host:port node --cpu-prof --cpu-prof-dir=/tmp/prof scripts/profile-consumer.mjs \
//     --topic <topic> --messages <count> [--each batch|message] [--build dist]
//   node scripts/flamegraph.mjs /tmp/prof/<file>.cpuprofile consumer.svg
//
// The topic must hold exactly --messages messages (bench/consumer.bench.ts fills such topics).

import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { performance } from 'node:perf_hooks'

const argv = process.argv.slice(2)
const option = (name, fallback) => {
  const at = argv.indexOf(name)
  return at >= 0 ? argv[at + 1] : fallback
}
const build = resolve(option('--build', 'dist'))
const topic = option('--topic')
const messages = Number(option('--messages', '0'))
const each = option('--each', 'batch')
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean)
if (brokers.length === 0) throw new Error('KAFKA_BROKERS names the broker to read from')
if (!topic || !(messages > 0)) throw new Error('--topic and --messages name a pre-filled topic')

const { Kafka, logLevel } = createRequire(import.meta.url)(`${build}/cjs/index.js`)
const kafka = new Kafka({ brokers, clientId: 'profile-consumer', logLevel: logLevel.ERROR })
const consumer = kafka.consumer({ groupId: `profile-consumer-${process.pid}-${Date.now()}` })

let count = 0
let bytes = 0
let finish
const finished = new Promise((resolve) => {
  finish = resolve
})
const add = (value) => {
  bytes += value?.length ?? 0
  if (++count === messages) finish()
}

const cpu = process.cpuUsage()
const started = performance.now()
await consumer.connect()
await consumer.subscribe({ topics: [topic], fromBeginning: true })
await consumer.run(
  each === 'message'
    ? { eachMessage: async ({ message }) => add(message.value) }
    : {
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) add(message.value)
        },
      },
)
await finished
const seconds = (performance.now() - started) / 1000
const used = process.cpuUsage(cpu)
const cpuPer100k = ((used.user + used.system) / 1e6) * (100_000 / messages)
console.log(JSON.stringify({ topic, each, messages, bytes, seconds, cpuPer100k }))
await consumer.disconnect()
