// The main job: start an embedded Apache Kafka broker (unless KAFKA_BROKERS names a cluster), create a
// topic, produce and consume messages, print counts and rates, clean up.
// Usage (after `npm run build`): npm run demo -- [--messages N] [--partitions P] [--size BYTES] [--compression none|gzip|snappy|lz4|zstd]
//
// It produces with kafkit's public producer; it reads back with the foundation layers (cluster,
// connections, generated Fetch requests, record batches) until the public consumer lands.

import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { Cluster } from '../dist/esm/cluster/cluster.js'
import { Kafka, logLevel } from '../dist/esm/index.js'
import { CompressionTypes } from '../dist/esm/protocol/codecs/index.js'
import {
  CreateTopics,
  createCreateTopicsRequestCreatableTopic,
  createDeleteTopicsRequestDeleteTopicState,
  createFetchRequestFetchPartition,
  DeleteTopics,
  Fetch,
} from '../dist/esm/protocol/index.js'
import { decodeRecords } from '../dist/esm/protocol/records/index.js'
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
let producer
let topicId
const external = process.env.KAFKA_BROKERS
let cluster
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

  cluster = new Cluster({ brokers, clientId: 'kafkit-demo', allowAutoTopicCreation: false })
  await cluster.connect()
  const controller = await cluster.controllerConnection()
  const created = await controller.send(
    CreateTopics,
    CreateTopics.createRequest({
      topics: [
        createCreateTopicsRequestCreatableTopic({ name: topic, numPartitions: partitions, replicationFactor: 1 }),
      ],
      timeoutMs: 30000,
    }),
  )
  const createError = created.topics[0]?.errorCode
  if (createError !== 0) throw new Error(`CreateTopics failed with error code ${createError}`)
  const metadata = await cluster.refreshMetadata([topic])
  topicId = metadata.topics.get(topic).topicId
  console.log(`created topic ${topic} with ${partitions} partitions`)

  // produce with the public KafkaJS-compatible producer: idempotent, acks=all, Java-style batching
  const kafkaClient = new Kafka({ clientId: 'kafkit-demo', brokers, logLevel: logLevel.WARN })
  producer = kafkaClient.producer()
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

  // consume: fetch every partition from offset 0 until all messages are back, checking the values
  const offsets = new Map(Array.from({ length: partitions }, (_, p) => [p, 0n]))
  let consumed = 0
  const seen = new Set()
  const t2 = performance.now()
  while (consumed < total) {
    for (const [partition, offset] of offsets) {
      const leader = await cluster.connectionToLeader(topic, partition)
      const res = await leader.send(
        Fetch,
        Fetch.createRequest({
          maxWaitMs: 100,
          maxBytes: 8 << 20,
          isolationLevel: 1,
          topics: [
            {
              topic,
              topicId,
              partitions: [
                createFetchRequestFetchPartition({ partition, fetchOffset: offset, partitionMaxBytes: 4 << 20 }),
              ],
            },
          ],
        }),
        { timeout: 30000 },
      )
      const data = res.responses[0].partitions[0]
      if (data.errorCode !== 0)
        throw new Error(`Fetch of partition ${partition} failed with error code ${data.errorCode}`)
      if (!data.records) continue
      const { batches } = await decodeRecords(data.records)
      let next = offset
      for (const b of batches) {
        for (const r of b.records) {
          if (r.offset < offset) continue
          if (!r.value.equals(value)) throw new Error(`message at ${partition}/${r.offset} has a different value`)
          seen.add(r.key.toString())
          consumed++
          next = r.offset + 1n
        }
      }
      offsets.set(partition, next)
    }
  }
  const consumeMs = performance.now() - t2
  if (seen.size !== total) throw new Error(`consumed ${consumed} messages but only ${seen.size} distinct keys`)
  console.log(
    `consumed ${consumed} messages (all ${seen.size} keys, values checked) in ${Math.round(consumeMs)} ms: ${rate(consumed, consumeMs)}`,
  )

  if (external) {
    await controller.send(
      DeleteTopics,
      DeleteTopics.createRequest({
        topicNames: [topic],
        topics: [createDeleteTopicsRequestDeleteTopicState({ name: topic })],
        timeoutMs: 30000,
      }),
    )
  }
  console.log('demo OK')
} catch (error) {
  console.error('demo failed:', error)
  process.exitCode = 1
} finally {
  await producer?.disconnect()
  await cluster?.disconnect()
  await kafka?.stop()
}
