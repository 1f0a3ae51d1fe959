// A consumer worker with graceful shutdown: it processes messages in a consumer group and, on
// SIGTERM or SIGINT, calls consumer.disconnect(), which lets the message in progress finish,
// commits what was processed and leaves the group, so the next member starts where this one stopped.
//
//   KAFKA_BROKERS=localhost:9092 TOPIC=orders GROUP_ID=orders-worker node examples/worker.mjs

import { Kafka, logLevel } from 'kafkit'

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',')
const topic = process.env.TOPIC ?? 'orders'
const groupId = process.env.GROUP_ID ?? 'orders-worker'

const kafka = new Kafka({ clientId: 'orders-worker', brokers, logLevel: logLevel.WARN })
const consumer = kafka.consumer({ groupId })

let processed = 0
let stopping = false
async function stop(signal) {
  // disconnect() may be called again, but one shutdown is enough
  if (stopping) return
  stopping = true
  console.log(`${signal}: stopping after ${processed} messages`)
  try {
    await consumer.disconnect()
    console.log('disconnected: offsets committed, group left')
  } catch (error) {
    console.error(error)
    process.exitCode = 1
  }
}
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))

// a crash the consumer does not restart from (restartOnFailure said no) ends the worker
consumer.on(consumer.events.CRASH, ({ payload }) => {
  if (!payload.restart) {
    console.error(`consumer crashed: ${payload.error.message}`)
    process.exitCode = 1
  }
})

await consumer.connect()
await consumer.subscribe({ topics: [topic], fromBeginning: true })
await consumer.run({
  eachMessage: async ({ partition, message }) => {
    // the work: here, just a line per message
    processed++
    console.log(`processed ${topic}[${partition}]@${message.offset}: ${message.value}`)
  },
})
console.log(`consuming ${topic} in group ${groupId}`)
