// Exactly-once consume-transform-produce: a consumer reads orders, a transactional producer writes
// one enriched record per order and commits the consumer's offsets in the same transaction, so an
// order's output and its "done" mark become visible together or not at all. A first transaction is
// aborted on purpose: read_committed readers never see its record.
//
//   KAFKA_BROKERS=localhost:9092 COUNT=10 node examples/transactions.mjs
//
// It creates its two topics, seeds COUNT orders, transforms them, reads the output back with a
// read_committed consumer and checks the group's committed offset.

import { Kafka, logLevel, Partitioners } from 'kafkit'

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',')
const count = Number(process.env.COUNT ?? 10)
const run = process.env.RUN_ID ?? `${process.pid}`
const input = `example-orders-${run}`
const output = `example-orders-enriched-${run}`
const groupId = `example-enricher-${run}`

const kafka = new Kafka({ clientId: 'example-transactions', brokers, logLevel: logLevel.WARN })
const createPartitioner = Partitioners.DefaultPartitioner
const admin = kafka.admin()
const seeder = kafka.producer({ createPartitioner })
// one transactional id per instance of the processor: a restarted instance fences its predecessor
const producer = kafka.producer({ transactionalId: `${groupId}-0`, createPartitioner })
// offsets are committed by the transactions, never by the consumer itself
const consumer = kafka.consumer({ groupId })
const reader = kafka.consumer({ groupId: `${groupId}-reader`, readUncommitted: false })

try {
  await Promise.all([admin.connect(), seeder.connect(), producer.connect()])
  await admin.createTopics({ topics: [{ topic: input }, { topic: output }], waitForLeaders: true })
  await seeder.send({
    topic: input,
    messages: Array.from({ length: count }, (_, i) => ({ key: `order-${i}`, value: JSON.stringify({ amount: i }) })),
  })
  console.log(`seeded ${count} orders into ${input}`)

  const aborted = await producer.transaction()
  await aborted.send({ topic: output, messages: [{ value: 'never visible' }] })
  await aborted.abort()
  console.log('aborted a first transaction')

  let transformed = 0
  let transactions = 0
  let done
  const allTransformed = new Promise((resolve) => {
    done = resolve
  })
  await consumer.connect()
  await consumer.subscribe({ topics: [input], fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset }) => {
      const transaction = await producer.transaction()
      try {
        await transaction.send({
          topic: output,
          messages: batch.messages.map((m) => {
            const order = JSON.parse(m.value.toString())
            return { key: m.key, value: JSON.stringify({ ...order, vat: order.amount * 0.2 }) }
          }),
        })
        const next = (BigInt(batch.lastOffset()) + 1n).toString()
        await transaction.sendOffsets({
          // the member's identity: the coordinator refuses offsets from a member that left (KIP-447)
          consumerGroupMetadata: consumer.groupMetadata(),
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
        })
        await transaction.commit()
      } catch (error) {
        await transaction.abort()
        throw error
      }
      for (const message of batch.messages) resolveOffset(message.offset)
      transformed += batch.messages.length
      transactions++
      if (transformed >= count) done()
    },
  })
  await allTransformed
  await consumer.disconnect()
  console.log(`transformed ${transformed} orders in ${transactions} transaction(s)`)

  // a read_committed reader sees the committed records only
  const values = []
  let allRead
  const read = new Promise((resolve) => {
    allRead = resolve
  })
  await reader.connect()
  await reader.subscribe({ topics: [output], fromBeginning: true })
  await reader.run({
    eachMessage: async ({ message }) => {
      values.push(message.value.toString())
      if (values.length >= count) allRead()
    },
  })
  await read
  await reader.disconnect()
  if (values.includes('never visible')) throw new Error('a read_committed reader saw an aborted record')
  console.log(`read ${values.length} committed records from ${output}, none of the aborted one`)

  // a transaction's offsets become the group's once its commit marker is written, just after commit()
  let committed = 0
  for (let attempt = 1; committed !== count && attempt <= 100; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 100))
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [input] })
    committed = offsets.partitions.reduce((sum, p) => sum + Number(p.offset), 0)
  }
  if (committed !== count) throw new Error(`the group committed ${committed}, expected ${count}`)
  console.log(`group ${groupId} committed offset ${committed} on ${input} through the transactions`)

  // deleted once nothing consumes them: a member of a group reading a topic that goes away is
  // in for a rebalance, and a disconnect in the middle of one waits for it to end
  await admin.deleteTopics({ topics: [input, output] })
} finally {
  await Promise.allSettled([reader.disconnect(), consumer.disconnect()])
  await Promise.allSettled([producer.disconnect(), seeder.disconnect(), admin.disconnect()])
}
