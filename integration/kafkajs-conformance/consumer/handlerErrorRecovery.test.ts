// KafkaJS 2.2.4 src/consumer/__tests__/handlerErrorRecovery.spec.js: a handler that throws gets the
// same message (eachMessage) or the same batch (eachBatch) again; the offsets processed before the
// failure are committed (autoCommit), and nothing is committed with autoCommit false. KafkaJS's spec
// read the committed offsets with OffsetFetch on the coordinator; here admin.fetchOffsets reads them.

import type { Batch, Consumer, KafkaMessage, Producer } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitFor, waitForConsumerToJoinGroup } from '../helpers.js'

describe('Consumer handler error recovery (KafkaJS src/consumer/__tests__/handlerErrorRecovery.spec.js)', () => {
  let topicName: string
  let groupId: string
  let producer: Producer
  let consumer: Consumer
  let keys: [string, string, string]

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    groupId = `consumer-group-id-${secureRandom()}`
    await createTopic({ topic: topicName })
    const kafka = createKafka()
    producer = kafka.producer()
    consumer = kafka.consumer({ groupId })
    await producer.connect()
    await consumer.connect()
    keys = [`key-${secureRandom()}`, `key-${secureRandom()}`, `key-${secureRandom()}`]
    await producer.send({ acks: 1, topic: topicName, messages: keys.map((key) => ({ key, value: `value-${key}` })) })
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
  })

  afterEach(async () => {
    await consumer?.disconnect()
    await producer?.disconnect()
  })

  const committed = async () => {
    const admin = createKafka().admin()
    await admin.connect()
    try {
      return await admin.fetchOffsets({ groupId, topics: [topicName] })
    } finally {
      await admin.disconnect()
    }
  }

  /** The committed offsets once partition 0's is `offset` (the commit follows the failure; KafkaJS's spec raced it). */
  const committedOnce = async (offset: string) => {
    let last: Awaited<ReturnType<typeof committed>> = []
    await waitFor(async () => {
      last = await committed()
      return last[0]?.partitions[0]?.offset === offset
    }, `offset ${offset} committed`).catch(() => undefined)
    return last
  }

  /** A handler that records its first two arguments, throws the first time and succeeds the second. */
  const failOnce = <T>(record: (arg: T) => void) => {
    let calls = 0
    return {
      fn: async (arg: T) => {
        if (++calls > 2) return
        record(arg)
        if (calls === 1) throw new Error('Fail once')
      },
      succeeded: () => calls >= 2,
    }
  }

  describe('when eachMessage throws', () => {
    test('the same message is delivered again', async () => {
      const messages: KafkaMessage[] = []
      const handler = failOnce(({ message }: { message: KafkaMessage }) => messages.push(message))
      void consumer.run({ eachMessage: handler.fn })
      await waitForConsumerToJoinGroup(consumer)
      await waitFor(handler.succeeded, 'the retried message')
      expect(messages.map((m) => m.offset)).toEqual(['0', '0'])
      expect(messages.map((m) => String(m.key))).toEqual([keys[0], keys[0]])
    })

    test('the offsets before the failing message are committed', async () => {
      let raisedError = false
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (String(message.key) === keys[2]) {
            raisedError = true
            throw new Error('some error')
          }
        },
      })
      await waitForConsumerToJoinGroup(consumer)
      await waitFor(() => raisedError, 'the failing message')
      await expect(committedOnce('2')).resolves.toEqual([
        { topic: topicName, partitions: [{ partition: 0, offset: '2', metadata: null }] },
      ])
    })

    test('with autoCommit false nothing is committed', async () => {
      let raisedError = false
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          if (String(message.key) === keys[2]) {
            raisedError = true
            throw new Error('some error')
          }
        },
      })
      await waitForConsumerToJoinGroup(consumer)
      await waitFor(() => raisedError, 'the failing message')
      await expect(committed()).resolves.toEqual([
        { topic: topicName, partitions: [{ partition: 0, offset: '-1', metadata: null }] },
      ])
    })
  })

  describe('when eachBatch throws', () => {
    test('the same batch is delivered again', async () => {
      const batches: Batch[] = []
      const handler = failOnce(({ batch }: { batch: Batch }) => batches.push(batch))
      void consumer.run({ eachBatch: handler.fn })
      await waitForConsumerToJoinGroup(consumer)
      await waitFor(handler.succeeded, 'the retried batch')
      expect(batches.map((b) => b.messages.map((m) => m.offset).join(','))).toEqual(['0,1,2', '0,1,2'])
      expect(batches.map((b) => b.messages.map((m) => String(m.key)).join('-'))).toEqual([
        keys.join('-'),
        keys.join('-'),
      ])
    })

    test('the offsets resolved before the failure are committed', async () => {
      let raisedError = false
      void consumer.run({
        eachBatch: async ({ batch, resolveOffset }) => {
          for (const message of batch.messages) {
            if (String(message.key) === keys[2]) {
              raisedError = true
              throw new Error('some error')
            }
            resolveOffset(message.offset)
          }
        },
      })
      await waitForConsumerToJoinGroup(consumer)
      await waitFor(() => raisedError, 'the failing message')
      await expect(committedOnce('2')).resolves.toEqual([
        { topic: topicName, partitions: [{ partition: 0, offset: '2', metadata: null }] },
      ])
    })
  })
})
