// A test of your own against a real Apache Kafka broker, with kafkit/testing: startKafka() starts a
// broker (local JVM from the Kafka jars, which are fetched from Maven Central once and cached) before
// the tests and stop() removes it after them. Node's own test runner here; Jest or Vitest work the
// same way (beforeAll/afterAll).
//
//   node --test examples/testing.test.mjs      (needs Java 17+ and Maven on the PATH)

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel, Partitioners } from 'kafkit'
import { startKafka } from 'kafkit/testing'

let cluster
let kafka

before(
  async () => {
    cluster = await startKafka() // { nodes: 3 } for a cluster, { security } for TLS/SASL listeners
    kafka = new Kafka({ clientId: 'my-test', brokers: cluster.brokers, logLevel: logLevel.WARN })
  },
  { timeout: 180_000 },
)

after(async () => {
  // also runs when a test failed; a killed test process stops its brokers too
  await cluster?.stop()
})

test('an order sent is read back by a consumer group', { timeout: 120_000 }, async () => {
  const admin = kafka.admin()
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  const consumer = kafka.consumer({ groupId: 'orders-test' })
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'orders' }], waitForLeaders: true })
    await producer.connect()
    await producer.send({ topic: 'orders', messages: [{ key: 'order-1', value: 'book' }] })

    await consumer.connect()
    await consumer.subscribe({ topics: ['orders'], fromBeginning: true })
    const message = await new Promise((resolve) => {
      consumer.run({ eachMessage: async ({ message }) => resolve(message) })
    })
    assert.equal(message.key.toString(), 'order-1')
    assert.equal(message.value.toString(), 'book')
  } finally {
    await consumer.disconnect()
    await producer.disconnect()
    await admin.disconnect()
  }
})
