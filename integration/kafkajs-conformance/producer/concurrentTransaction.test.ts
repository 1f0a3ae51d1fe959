// KafkaJS 2.2.4 src/producer/__tests__/concurrentTransaction.spec.js: a producer that finds its
// transactional id in an ongoing transaction (a "crashed" producer that never ended it) gets its
// producer id once the coordinator has aborted that transaction, and its own transaction commits.
// Here a read_committed consumer also checks the outcome: the crashed producer's record never shows.

import { type KafkaConfig, logLevel, type Producer } from '../../../src/index.js'
import { createKafka, createTopic, LogCapture, secureRandom, waitForMessages } from '../helpers.js'

describe('Producer > Transactional producer (KafkaJS src/producer/__tests__/concurrentTransaction.spec.js)', () => {
  let producer1: Producer | undefined
  let producer2: Producer | undefined
  let topicName: string
  let transactionalId: string
  const closers: Array<() => Promise<void>> = []

  const newProducer = (config: Partial<KafkaConfig> = {}) =>
    createKafka(config).producer({ idempotent: true, transactionalId, transactionTimeout: 100 })

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    transactionalId = `transactional-id-${secureRandom()}`
    await createTopic({ topic: topicName })
  })

  afterEach(async () => {
    await producer1?.disconnect()
    await producer2?.disconnect()
    producer1 = undefined
    producer2 = undefined
    for (const close of closers.splice(0)) await close()
  })

  describe('when there is an ongoing transaction on connect', () => {
    test('retries initProducerId to cancel the ongoing transaction', async () => {
      // producer 1 begins a transaction and "crashes": it never commits or aborts
      producer1 = newProducer()
      await producer1.connect()
      const transaction1 = await producer1.transaction()
      await transaction1.send({ topic: topicName, messages: [{ key: 'k', value: 'from the crashed producer' }] })

      // producer 2 starts with the same transactional id while that transaction is open
      const logs = new LogCapture()
      producer2 = newProducer({ logLevel: logLevel.DEBUG, logCreator: logs.logCreator })
      await producer2.connect()
      // KafkaJS's log entry while the coordinator aborts the crashed producer's transaction
      expect(logs.inNamespace('Producer').map((e) => e.log.message)).toContain(
        'There is an ongoing transaction on this transactionId, retrying',
      )
      const transaction2 = await producer2.transaction()
      expect(transaction2).toBeTruthy()
      await transaction2.send({ topic: topicName, messages: [{ key: 'k', value: 'from the new producer' }] })
      await transaction2.commit()

      const values: string[] = []
      const consumer = createKafka().consumer({ groupId: `consumer-group-id-${secureRandom()}` })
      closers.push(() => consumer.disconnect())
      await consumer.connect()
      await consumer.subscribe({ topic: topicName, fromBeginning: true })
      await consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString() ?? '')
        },
      })
      // read_committed: the aborted record is skipped, so the committed one is the first delivered
      await waitForMessages(values, 1)
      expect(values[0]).toBe('from the new producer')
    })
  })
})
