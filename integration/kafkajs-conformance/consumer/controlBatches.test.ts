// KafkaJS 2.2.4 src/consumer/__tests__/controlBatches.spec.js: the commit marker that ends a
// transaction does not stop a consumer that resolves offsets itself (eachBatchAutoResolve false):
// messages after it are consumed; and a transaction aborted across fetches (each fetch holding one
// record batch, maxBytes 170) is processed batch by batch, consumer.end_batch_process reporting each,
// the last at the abort marker's offset.

import { randomBytes } from 'node:crypto'
import type { Consumer, InstrumentationEvent, KafkaMessage, Producer } from '../../../src/index.js'
import {
  createKafka,
  createTopic,
  generateMessages,
  secureRandom,
  waitFor,
  waitForConsumerToJoinGroup,
  waitForMessages,
} from '../helpers.js'

describe('Consumer control batches (KafkaJS src/consumer/__tests__/controlBatches.spec.js)', () => {
  const maxBytes = 170
  let topicName: string
  let groupId: string
  let producer: Producer
  let consumer: Consumer

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    groupId = `consumer-group-id-${secureRandom()}`
    await createTopic({ topic: topicName })
    const kafka = createKafka()
    producer = kafka.producer({
      transactionalId: `transaction-id-${secureRandom()}`,
      idempotent: true,
      maxInFlightRequests: 1,
    })
    consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, maxBytes, maxBytesPerPartition: maxBytes })
  })

  afterEach(async () => {
    await consumer?.disconnect()
    await producer?.disconnect()
  })

  test('consumes past the commit marker with eachBatchAutoResolve false', async () => {
    await consumer.connect()
    await producer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    const consumed: KafkaMessage[] = []
    void consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break
          consumed.push(message)
          resolveOffset(message.offset)
          await heartbeat()
        }
      },
    })
    await waitForConsumerToJoinGroup(consumer)

    const transaction = await producer.transaction()
    for (const message of generateMessages({ number: 20 })) {
      await transaction.send({ topic: topicName, messages: [message] })
    }
    await transaction.commit()
    await waitForMessages(consumed, 20)

    // outside a transaction, as KafkaJS's transactional producer allows
    await producer.send({ topic: topicName, messages: generateMessages({ number: 2 }) })
    await waitForMessages(consumed, 22)
    expect(consumed.map((m) => m.offset)).toEqual([
      ...Array.from({ length: 20 }, (_, i) => String(i)),
      // offset 20 is the commit marker
      '21',
      '22',
    ])
  })

  test('processes an aborted transaction batch by batch, the last end_batch_process at the abort marker', async () => {
    await consumer.connect()
    await producer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    const ends: InstrumentationEvent<{ lastOffset: string; batchSize: number }>[] = []
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) =>
      ends.push(event as InstrumentationEvent<{ lastOffset: string; batchSize: number }>),
    )
    const eachMessage = jest.fn(async () => {})
    void consumer.run({ eachMessage })

    const message = { key: 'test', value: randomBytes(maxBytes) }
    const transaction = await producer.transaction()
    await transaction.send({ topic: topicName, messages: [message, message] })
    await transaction.abort()

    await waitFor(() => ends.some((e) => e.payload.lastOffset === '2'), 'end_batch_process at the abort marker')
    // the aborted records' batch, then the marker's
    expect(ends.map((e) => e.payload)).toEqual([
      expect.objectContaining({ lastOffset: '1', batchSize: 0 }),
      expect.objectContaining({ lastOffset: '2', batchSize: 0 }),
    ])
    expect(eachMessage).not.toHaveBeenCalled()
  })
})
