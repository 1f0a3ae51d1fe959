// The main job: start an embedded Apache Kafka broker (unless KAFKA_BROKERS names a cluster), create a
// topic, produce and consume messages, print counts and rates, clean up.
// Usage (after `npm run build`): npm run demo -- [--messages N] [--partitions P] [--size BYTES] [--compression none|gzip|snappy|lz4|zstd]
//
// Everything goes through kafkit's public API: the admin client creates (and, on an external
// cluster, deletes) the topic and reads its offsets, the producer writes, a consumer in a fresh
// group reads back. CI runs it on every supported Node as the produce/consume/admin smoke.

import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { CompressionTypes, Kafka, logLevel, Partitioners } from '../dist/esm/index.js'
import { startKafka } from '../dist/esm/testing/index.js'

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    partitions: { type: 'string', default: '3' },
    size: { type: 'string', default: '100' },
    compression: { type: 'string', default: 'none' },
    batch: { type: 'string', default: '1000' },
  },
})
const total = positive('messages')
const partitions = positive('partitions')
const valueSize = positive('size')
const perBatch = positive('batch')
const codecs = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
}
const compression = codecs[args.compression]
if (compression === undefined) fail(`--compression must be one of ${Object.keys(codecs).join(', ')}`)

function positive(name) {
  const n = Number(args[name])
  if (!Number.isInteger(n) || n <= 0) fail(`--${name} must be a positive integer, got ${args[name]}`)
  return n
}
function fail(message) {
  console.error(`demo: ${message}`)
  process.exit(2)
}
const rate = (n, ms) => `${Math.round((n * 1000) / ms).toLocaleString('en-US')}/s`

let kafka
let admin
let producer
let consumer
const external = process.env.KAFKA_BROKERS
const topic = `kafkit-demo-${Date.now()}`
try {
  let brokers
  if (external) {
    brokers = external.split(',').map((b) => b.trim())
    console.log(`using the cluster at ${brokers.join(',')} (KAFKA_BROKERS)`)
  } else {
    const t0 = performance.now()
    kafka = await startKafka()
    brokers = kafka.brokers
    console.log(
      `started Apache Kafka ${kafka.version ?? ''} at ${brokers.join(',')} in ${Math.round(performance.now() - t0)} ms`,
    )
  }

  const client = new Kafka({ clientId: 'kafkit-demo', brokers, logLevel: logLevel.WARN })
  admin = client.admin()
  await admin.connect()
  await admin.createTopics({
    topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    waitForLeaders: true,
  })
  console.log(`created topic ${topic} with ${partitions} partitions`)

  // produce with the KafkaJS-compatible producer: idempotent, acks=all, Java-style batching
  // naming the partitioner, as KafkaJS 2 code does, also keeps KafkaJS's default-partitioner warning away
  producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  const value = randomBytes(valueSize)
  let produced = 0
  const t1 = performance.now()
  const inFlight = []
  for (let sent = 0; sent < total; ) {
    const count = Math.min(perBatch, total - sent)
    const messages = Array.from({ length: count }, (_, i) => ({ key: String(sent + i), value }))
    sent += count
    const send = producer.send({ topic, messages, compression }).then((results) => {
      if (results.some((r) => r.errorCode !== 0)) throw new Error(`send failed: ${JSON.stringify(results)}`)
      produced += count
    })
    // handled here, reported once when awaited below
    send.catch(() => {})
    inFlight.push(send)
    if (inFlight.length >= 8) await inFlight.shift()
  }
  await Promise.all(inFlight)
  await producer.flush()
  const produceMs = performance.now() - t1
  console.log(
    `produced ${produced} messages of ${valueSize} bytes (${args.compression}) in ${Math.round(produceMs)} ms: ${rate(produced, produceMs)}`,
  )
  // the broker's side of it, through the admin client: the partitions' offsets add up to what was sent
  const offsets = await admin.fetchTopicOffsets(topic)
  const stored = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)
  if (offsets.length !== partitions || stored !== total) {
    throw new Error(
      `the broker holds ${stored} messages in ${offsets.length} partitions, expected ${total} in ${partitions}`,
    )
  }
  console.log(`the broker holds all ${stored} messages across ${offsets.length} partitions (admin.fetchTopicOffsets)`)

  // consume with the KafkaJS-compatible consumer, in a fresh group, from the beginning, checking the values
  consumer = client.consumer({ groupId: `${topic}-group` })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  let consumed = 0
  const seen = new Set()
  const t2 = performance.now()
  await new Promise((resolve, reject) => {
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            if (!m.value.equals(value))
              throw new Error(`message at ${batch.partition}/${m.offset} has a different value`)
            seen.add(m.key.toString())
            consumed++
          }
          if (seen.size >= total) resolve()
        },
      })
      .catch(reject)
    consumer.on(consumer.events.CRASH, (event) => reject(event.payload.error))
  })
  const consumeMs = performance.now() - t2
  await consumer.stop()
  if (seen.size !== total) throw new Error(`consumed ${consumed} messages but only ${seen.size} distinct keys`)
  console.log(
    `consumed ${consumed} messages (all ${seen.size} keys, values checked) in ${Math.round(consumeMs)} ms: ${rate(consumed, consumeMs)}`,
  )

  if (external) await admin.deleteTopics({ topics: [topic] })
  console.log('demo OK')
} catch (error) {
  console.error('demo failed:', error)
  process.exitCode = 1
} finally {
  await consumer?.disconnect()
  await producer?.disconnect()
  await admin?.disconnect()
  await kafka?.stop()
}
