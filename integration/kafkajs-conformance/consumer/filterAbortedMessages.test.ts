// KafkaJS 2.2.4 src/consumer/__tests__/filterAbortedMessages.spec.js: the messages of aborted
// transactions are dropped (and the abort marker with them, being a control record), while committed
// transactional messages and non-transactional ones are all delivered, in order. KafkaJS's spec ran
// its filter over recorded fetch responses; here the records come from a real transactional producer
// and a plain one writing to one partition, read by a consumer (read_committed, KafkaJS's default).
// Its "malformed keys" case (a control record whose key is null) is internal to the filter: a broker
// never writes such a record.

import type { Consumer, KafkaMessage, Producer } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitForConsumerToJoinGroup, waitForMessages } from '../helpers.js'

describe('Consumer aborted messages (KafkaJS src/consumer/__tests__/filterAbortedMessages.spec.js)', () => {
  let topic: string
  let transactional: Producer
  let plain: Producer
  let consumer: Consumer

  beforeEach(async () => {
    topic = `test-topic-${secureRandom()}`
    await createTopic({ topic })
    const kafka = createKafka()
    transactional = kafka.producer({ transactionalId: `transaction-id-${secureRandom()}`, maxInFlightRequests: 1 })
    plain = kafka.producer()
    consumer = kafka.consumer({ groupId: `consumer-group-id-${secureRandom()}`, maxWaitTimeInMs: 100 })
    await Promise.all([transactional.connect(), plain.connect(), consumer.connect()])
  })

  afterEach(async () => {
    await consumer?.disconnect()
    await transactional?.disconnect()
    await plain?.disconnect()
  })

  const consumeValues = async (count: number, last: string) => {
    const consumed: KafkaMessage[] = []
    await consumer.subscribe({ topic, fromBeginning: true })
    void consumer.run({ eachMessage: async ({ message }) => void consumed.push(message) })
    await waitForConsumerToJoinGroup(consumer)
    await waitForMessages(consumed, count)
    // nothing more than `count`: the last message written is among them
    expect(consumed.map((m) => String(m.value))).toContain(last)
    return consumed.map((m) => String(m.value))
  }

  const inTransaction = async (values: string[], outcome: 'commit' | 'abort') => {
    const transaction = await transactional.transaction()
    await transaction.send({ topic, messages: values.map((value) => ({ value })) })
    await transaction[outcome]()
  }

  test('filters out every aborted message, keeping the non-transactional ones around them', async () => {
    await plain.send({ topic, messages: [{ value: 'plain-1' }] })
    await inTransaction(['aborted-1', 'aborted-2', 'aborted-3'], 'abort')
    await plain.send({ topic, messages: [{ value: 'plain-2' }, { value: 'plain-3' }] })
    await expect(consumeValues(3, 'plain-3')).resolves.toEqual(['plain-1', 'plain-2', 'plain-3'])
  })

  test('returns all committed transactional messages', async () => {
    await inTransaction(['committed-1', 'committed-2', 'committed-3', 'committed-4'], 'commit')
    await expect(consumeValues(4, 'committed-4')).resolves.toEqual([
      'committed-1',
      'committed-2',
      'committed-3',
      'committed-4',
    ])
  })

  test('returns all non-transactional messages', async () => {
    await plain.send({ topic, messages: [{ value: 'plain-1' }, { value: 'plain-2' }, { value: 'plain-3' }] })
    await expect(consumeValues(3, 'plain-3')).resolves.toEqual(['plain-1', 'plain-2', 'plain-3'])
  })

  test('an aborted transaction between committed ones drops only its own messages', async () => {
    await inTransaction(['committed-1'], 'commit')
    await inTransaction(['aborted-1', 'aborted-2'], 'abort')
    await plain.send({ topic, messages: [{ value: 'plain-1' }] })
    await inTransaction(['committed-2'], 'commit')
    await expect(consumeValues(3, 'committed-2')).resolves.toEqual(['committed-1', 'plain-1', 'committed-2'])
  })
})
