// A small HTTP service that produces: POST /orders sends the request body to a Kafka topic and
// answers with where it landed. The producer connects once at start-up and disconnects on
// SIGTERM/SIGINT after the HTTP server has stopped taking requests, so nothing accepted is lost.
//
//   KAFKA_BROKERS=localhost:9092 PORT=3000 node examples/producer-service.mjs
//   curl -X POST --data '{"item":"book"}' localhost:3000/orders

import { createServer } from 'node:http'
import { Kafka, logLevel, Partitioners } from 'kafkit'

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',')
const topic = process.env.TOPIC ?? 'orders'
const port = Number(process.env.PORT ?? 3000)

const kafka = new Kafka({ clientId: 'orders-service', brokers, logLevel: logLevel.WARN })
// naming the partitioner keeps KafkaJS code's habit and its default-partitioner warning away
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
await producer.connect()

let sent = 0
const server = createServer(async (request, response) => {
  if (request.method !== 'POST' || request.url !== '/orders') {
    response.writeHead(404).end()
    return
  }
  try {
    const chunks = []
    for await (const chunk of request) chunks.push(chunk)
    const [result] = await producer.send({
      topic,
      messages: [{ key: request.headers['x-order-id'] ?? null, value: Buffer.concat(chunks) }],
    })
    sent++
    response.writeHead(202, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ partition: result.partition, offset: result.baseOffset }))
  } catch (error) {
    console.error(`send failed: ${error.message}`)
    response.writeHead(503).end()
  }
})
server.listen(port, () => console.log(`listening on http://localhost:${server.address().port}, producing to ${topic}`))

async function shutdown(signal) {
  console.log(`${signal}: closing the HTTP server, then the producer`)
  // stop accepting requests and wait for the ones in progress, whose sends are then done
  await new Promise((resolve) => server.close(resolve))
  await producer.disconnect()
  console.log(`stopped after sending ${sent} messages`)
}
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () =>
    shutdown(signal).catch((error) => {
      console.error(error)
      process.exitCode = 1
    }),
  )
}
