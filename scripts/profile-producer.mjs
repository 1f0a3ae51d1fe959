// The producer's workload of the producer benchmark (bench/producer-client.ts: 100-byte values in
// send() calls of 1,000 with 8 in flight, or 1,000 single-message calls in flight) run from a build
// of kafkit, so that a CPU profile names the real files (the benchmark runs the TypeScript sources).
// Prints messages/s and the process's CPU seconds per 100,000 messages during the sends.
//
//   node scripts/build.mjs /tmp/kafkit-build
//   KAFKA_BROKERS=host:port node --cpu-prof --cpu-prof-dir=/tmp/prof scripts/profile-producer.mjs \
//     --build /tmp/kafkit-build [--compression none|lz4] [--single] [--messages 3000000]
//   node scripts/flamegraph.mjs /tmp/prof/<file>.cpuprofile producer.svg
//
// It creates a topic of 6 partitions for the run and deletes it afterwards.

import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { performance } from 'node:perf_hooks'

const argv = process.argv.slice(2)
const option = (name, fallback) => {
  const at = argv.indexOf(name)
  return at >= 0 ? argv[at + 1] : fallback
}
const build = resolve(option('--build', 'dist'))
const compressionName = option('--compression', 'none')
const messages = Number(option('--messages', '1000000'))
const single = argv.includes('--single')
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean)
if (brokers.length === 0) throw new Error('KAFKA_BROKERS names the broker to send to')

const { Kafka, CompressionTypes, logLevel } = createRequire(import.meta.url)(`${build}/cjs/index.js`)
const [perCall, inFlight] = single ? [1, 1000] : [1000, 8]

/** bench/client-common.ts's benchValue: repetitive bytes, so that LZ4 has something to do. */
const value = Buffer.alloc(100)
for (let i = 0; i < value.length; i++) value[i] = 97 + ((i * 7) % 26)

const kafka = new Kafka({ brokers, clientId: 'profile-producer', logLevel: logLevel.ERROR })
const admin = kafka.admin()
await admin.connect()
const topic = `profile-producer-${Date.now()}`
await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true })
const producer = kafka.producer()
await producer.connect()
const compression = compressionName === 'lz4' ? CompressionTypes.LZ4 : CompressionTypes.None
const send = (values) => producer.send({ topic, compression, messages: values.map((v) => ({ value: v })) })
// connections, metadata and the producer id are not part of the measure
await send([value])

const call = Array.from({ length: perCall }, () => value)
const cpu = process.cpuUsage()
const start = performance.now()
let sent = 0
let pending = 0
let failure
let slotFreed
const settled = () => {
  pending--
  slotFreed?.()
}
while (sent < messages) {
  send(call).then(settled, (error) => {
    failure ??= error
    settled()
  })
  sent += perCall
  pending++
  while (pending >= inFlight) await new Promise((r) => (slotFreed = r))
  if (failure !== undefined) throw failure
}
while (pending > 0) await new Promise((r) => (slotFreed = r))
const seconds = (performance.now() - start) / 1000
const used = process.cpuUsage(cpu)
await producer.disconnect()
await admin.deleteTopics({ topics: [topic] })
await admin.disconnect()
const cpuPer100k = (((used.user + used.system) / 1e6) * 1e5) / messages
console.log(`${Math.round(messages / seconds)} msgs/s, ${cpuPer100k.toFixed(4)} CPU s per 100k messages`)
