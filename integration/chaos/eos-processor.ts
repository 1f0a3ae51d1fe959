// A consume-transform-produce processor in its own process, for the exactly-once chaos scenario:
// each fetched batch of the input topic is copied to the output topic in a transaction that also
// commits the input offsets (sendOffsets). KAFKIT_EOS_CONFIG holds a JSON EosProcessorConfig. It
// prints JSON lines on stdout ({ type: 'ready' | 'committed' | 'error', ... }); a fatal error ends
// the process with code 1 (the scenario, as a supervisor would, starts another).

import type * as kafkit from '../../src/index.js'

export interface EosProcessorConfig {
  brokers: string[]
  client: 'kafkit' | 'kafkajs'
  input: string
  output: string
  groupId: string
  transactionalId: string
  sessionTimeout: number
}

function send(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.KAFKIT_EOS_CONFIG ?? '{}') as EosProcessorConfig
  const { Kafka, logLevel } = (
    config.client === 'kafkajs' ? require('kafkajs') : require('../../src/index.js')
  ) as typeof kafkit
  const kafka = new Kafka({ brokers: config.brokers, clientId: 'chaos-eos-processor', logLevel: logLevel.WARN })
  const producer = kafka.producer({ transactionalId: config.transactionalId, idempotent: true, maxInFlightRequests: 1 })
  const consumer = kafka.consumer({
    groupId: config.groupId,
    sessionTimeout: config.sessionTimeout,
    heartbeatInterval: 1000,
    readUncommitted: false,
  })
  await producer.connect()
  await consumer.connect()
  await consumer.subscribe({ topics: [config.input], fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      if (batch.messages.length === 0) return
      const transaction = await producer.transaction()
      try {
        await transaction.send({
          topic: config.output,
          messages: batch.messages.map((m) => ({ key: m.key, value: m.value })),
        })
        const next = (BigInt(batch.lastOffset()) + 1n).toString()
        await transaction.sendOffsets({
          consumerGroupId: config.groupId,
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
        })
        await transaction.commit()
      } catch (error) {
        await transaction.abort().catch(() => undefined)
        throw error
      }
      resolveOffset(batch.lastOffset())
      await heartbeat()
      send({ type: 'committed', count: batch.messages.length })
    },
  })
  send({ type: 'ready' })
  consumer.on(consumer.events.CRASH, (event) => {
    const { error, restart } = event.payload as { error: Error; restart: boolean }
    send({ type: 'error', message: `consumer crashed (restart: ${restart}): ${error.name}: ${error.message}` })
    if (!restart) process.exit(1)
  })
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) })
  process.exit(1)
})
