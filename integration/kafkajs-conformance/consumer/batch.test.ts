// KafkaJS 2.2.4 src/consumer/__tests__/batch.spec.js: the Batch that eachBatch receives. KafkaJS's
// spec builds Batch objects by hand; what of it the application sees is checked here on batches a
// real fetch produced: messages below the fetched offset (the head of a record batch after a seek)
// and control records are not in batch.messages; isEmpty(); firstOffset() is the first record fetched
// (filtered ones included), lastOffset() the last; offsetLag() is highWatermark - 1 - lastOffset and
// offsetLagLow() highWatermark - 1 - firstOffset. (An empty batch never reaches eachBatch in KafkaJS,
// so the empty-batch answers of the spec are not observable; nor is isEmptyControlRecord(), which
// KafkaJS's types do not declare.)

import type { Batch, Consumer, Producer } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitFor, waitForConsumerToJoinGroup } from '../helpers.js'

describe('Consumer Batch (KafkaJS src/consumer/__tests__/batch.spec.js)', () => {
  let topic: string
  let groupId: string
  let consumer: Consumer
  let producer: Producer | undefined

  beforeEach(async () => {
    topic = `test-topic-${secureRandom()}`
    groupId = `consumer-group-id-${secureRandom()}`
    await createTopic({ topic })
  })

  afterEach(async () => {
    await consumer?.disconnect()
    await producer?.disconnect()
    producer = undefined
  })

  const values = (n: number, prefix = 'value') => Array.from({ length: n }, (_, i) => ({ value: `${prefix}-${i}` }))

  /** What the batches looked like to eachBatch, once `count` messages have come. */
  const consumeBatches = async (count: number, seek?: string, config: { maxBytesPerPartition?: number } = {}) => {
    consumer = createKafka().consumer({ groupId, maxWaitTimeInMs: 100, ...config })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    const batches: Array<ReturnType<typeof observe>> = []
    const observe = (batch: Batch) => ({
      offsets: batch.messages.map((m) => m.offset),
      isEmpty: batch.isEmpty(),
      firstOffset: batch.firstOffset(),
      lastOffset: batch.lastOffset(),
      offsetLag: batch.offsetLag(),
      offsetLagLow: batch.offsetLagLow(),
      highWatermark: batch.highWatermark,
    })
    void consumer.run({ eachBatch: async ({ batch }) => void batches.push(observe(batch)) })
    if (seek !== undefined) consumer.seek({ topic, partition: 0, offset: seek })
    await waitForConsumerToJoinGroup(consumer)
    await waitFor(() => batches.flatMap((b) => b.offsets).length >= count, `${count} messages`)
    return batches
  }

  test('discards the messages of a fetched record batch below the fetched offset', async () => {
    producer = createKafka().producer()
    await producer.connect()
    // one send, one record batch: a fetch from offset 3 returns it whole
    await producer.send({ topic, messages: values(6) })
    const batches = await consumeBatches(3, '3')
    expect(batches[0]).toEqual({
      offsets: ['3', '4', '5'],
      isEmpty: false,
      firstOffset: '3',
      lastOffset: '5',
      offsetLag: '0',
      offsetLagLow: '2',
      highWatermark: '6',
    })
  })

  test('offsetLag and offsetLagLow count from the last and first offsets to the high watermark', async () => {
    producer = createKafka().producer()
    await producer.connect()
    // two record batches; a partition fetch size below one batch's returns only the first
    await producer.send({ topic, messages: values(2, 'first') })
    await producer.send({ topic, messages: values(3, 'second') })
    const batches = await consumeBatches(5, undefined, { maxBytesPerPartition: 1 })
    expect(batches[0]).toEqual({
      offsets: ['0', '1'],
      isEmpty: false,
      firstOffset: '0',
      lastOffset: '1',
      offsetLag: '3',
      offsetLagLow: '4',
      highWatermark: '5',
    })
  })

  test('discards control records; firstOffset() and lastOffset() count them', async () => {
    producer = createKafka().producer({
      transactionalId: `transaction-id-${secureRandom()}`,
      idempotent: true,
      maxInFlightRequests: 1,
    })
    await producer.connect()
    // an aborted transaction (offsets 0-1, its marker 2), then a committed one (3-4, marker 5)
    const aborted = await producer.transaction()
    await aborted.send({ topic, messages: values(2, 'aborted') })
    await aborted.abort()
    const committed = await producer.transaction()
    await committed.send({ topic, messages: values(2, 'committed') })
    await committed.commit()
    const batches = await consumeBatches(2)
    // written before the consumer started: one fetch returns them all, from the aborted records to
    // the commit marker
    expect(batches).toEqual([
      {
        offsets: ['3', '4'],
        isEmpty: false,
        firstOffset: '0',
        lastOffset: '5',
        offsetLag: '0',
        offsetLagLow: '5',
        highWatermark: '6',
      },
    ])
  })
})
