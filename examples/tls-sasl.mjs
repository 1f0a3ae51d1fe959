// Connecting to a SASL_SSL listener: TLS with a private CA, SASL SCRAM (or PLAIN) credentials.
// It checks the connection (describeCluster), then writes a record and reads it back.
//
//   KAFKA_BROKERS=broker:9094 KAFKA_CA_FILE=ca.pem KAFKA_USERNAME=alice KAFKA_PASSWORD=secret \
//     KAFKA_SASL_MECHANISM=scram-sha-512 node examples/tls-sasl.mjs
//
// Without KAFKA_CA_FILE the CAs Node trusts are used (managed services with public certificates).

import { readFileSync } from 'node:fs'
import { Kafka, logLevel, Partitioners } from 'kafkit'

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback
  if (value === undefined) throw new Error(`set ${name}`)
  return value
}
const brokers = env('KAFKA_BROKERS', 'localhost:9094').split(',')
const caFile = process.env.KAFKA_CA_FILE
const mechanism = env('KAFKA_SASL_MECHANISM', 'scram-sha-512')
const topic = env('TOPIC', `example-secured-${process.pid}`)

const kafka = new Kafka({
  clientId: 'example-tls-sasl',
  brokers,
  // `ssl: true` trusts Node's CAs; an object takes every tls.connect option (ca, cert, key, servername...)
  ssl: caFile === undefined ? true : { ca: [readFileSync(caFile, 'utf8')] },
  sasl: { mechanism, username: env('KAFKA_USERNAME'), password: env('KAFKA_PASSWORD') },
  logLevel: logLevel.WARN,
})
const admin = kafka.admin()
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
const consumer = kafka.consumer({ groupId: `${topic}-reader` })
try {
  await admin.connect()
  const cluster = await admin.describeCluster()
  console.log(`authenticated with ${mechanism} over TLS; cluster ${cluster.clusterId}`)
  await admin.createTopics({ topics: [{ topic }], waitForLeaders: true })

  await producer.connect()
  const [sent] = await producer.send({ topic, messages: [{ value: 'hello over SASL_SSL' }] })
  console.log(`sent to ${topic}[${sent.partition}]@${sent.baseOffset}`)

  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const received = await new Promise((resolve) => {
    consumer.run({ eachMessage: async ({ message }) => resolve(message.value.toString()) })
  })
  console.log(`received "${received}"`)
  // deleted once nothing consumes it: a topic that goes away under a group member rebalances it
  await consumer.disconnect()
  await admin.deleteTopics({ topics: [topic] })
} finally {
  await Promise.allSettled([consumer.disconnect(), producer.disconnect()])
  await admin.disconnect()
}
