// KafkaJS 2.2.4 src/consumer/__tests__/pause.spec.js: consumer.pause / resume / paused, pausing from
// eachMessage and eachBatch (the payload's pause(), which returns a resume function), and that paused
// topics and partitions are neither fetched nor handed to the handlers until resumed.

import { type Consumer, type EachMessagePayload, KafkaJSNonRetriableError, type Producer } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitForConsumerToJoinGroup, waitForMessages } from '../helpers.js'

describe('Consumer pause/resume (KafkaJS src/consumer/__tests__/pause.spec.js)', () => {
  let consumer: Consumer
  let producer: Producer
  let groupId: string
  let topics: [string, string]

  beforeEach(async () => {
    topics = [`test-topic-${secureRandom()}`, `test-topic-${secureRandom()}`]
    groupId = `consumer-group-id-${secureRandom()}`
    for (const topic of topics) await createTopic({ topic, partitions: 2 })
    producer = createKafka().producer()
    consumer = createKafka().consumer({ groupId, maxWaitTimeInMs: 1, maxBytesPerPartition: 180 })
  })

  afterEach(async () => {
    await consumer?.disconnect()
    await producer?.disconnect()
  })

  const keyed = (partitions: number[]) =>
    partitions.map((partition) => {
      const key = secureRandom()
      return { key: `key-${key}`, value: `value-${key}`, partition }
    })

  test('paused() returns an empty array before consumer.run()', () => {
    expect(consumer.paused()).toEqual([])
  })

  for (const method of ['pause', 'resume'] as const) {
    // KafkaJS's spec passes a second argument to toThrow, which jest ignores; KafkaJS's text for an
    // entry whose topic is missing is "Invalid topic [object Object]" (it prints the entry)
    test(`${method}() throws KafkaJSNonRetriableError "Invalid topic ..." for an invalid topic`, () => {
      const entry = () => consumer[method]([{ topic: null as unknown as string, partitions: [0] }])
      expect(entry).toThrow(KafkaJSNonRetriableError)
      expect(entry).toThrow('Invalid topic [object Object]')
      const missing = () => consumer[method]([null as unknown as { topic: string }])
      expect(missing).toThrow(KafkaJSNonRetriableError)
      expect(missing).toThrow('Invalid topic null')
    })

    test(`${method}() before consumer.run() throws "Consumer group was not initialized, consumer#run must be called first"`, () => {
      const call = () => consumer[method]([{ topic: 'foo', partitions: [0] }])
      expect(call).toThrow(KafkaJSNonRetriableError)
      expect(call).toThrow('Consumer group was not initialized, consumer#run must be called first')
    })
  }

  /**
   * One message on each partition of the first topic consumed; then partition 0 paused and one more
   * message sent to each partition, of which only partition 1's arrives (3 consumed).
   */
  const consumeThenPausePartitionZero = async (): Promise<{ topic: string; consumed: EachMessagePayload[] }> => {
    await consumer.connect()
    await producer.connect()
    const [topic] = topics
    const value = secureRandom()
    const message = { key: `key-${value}`, value: `value-${value}` }
    for (const partition of [0, 1]) await producer.send({ acks: 1, topic, messages: [{ ...message, partition }] })
    await consumer.subscribe({ topic, fromBeginning: true })
    const consumed: EachMessagePayload[] = []
    void consumer.run({ eachMessage: async (event) => void consumed.push(event) })
    await waitForConsumerToJoinGroup(consumer)
    await waitForMessages(consumed, 2)
    expect(consumer.paused()).toEqual([])

    consumer.pause([{ topic, partitions: [0] }])
    for (const partition of [0, 1]) await producer.send({ acks: 1, topic, messages: [{ ...message, partition }] })
    await waitForMessages(consumed, 3)
    return { topic, consumed }
  }

  /**
   * KafkaJS's two eachMessage pause scenarios: partition 0 of the first topic is paused at one of its
   * first two messages (by `onMessage`), the other partitions go on, and only `resume` lets the
   * paused partition's remaining messages through.
   */
  const pausedFromEachMessage = async (
    onMessage: (event: EachMessagePayload, which: { topic: number; message: number }, shouldPause: boolean) => void,
    resume: () => void,
  ) => {
    await consumer.connect()
    await producer.connect()
    const messages = keyed([0, 0, 1, 0])
    for (const topic of topics) {
      await producer.send({ acks: 1, topic, messages: messages.slice(0, 2) })
      await consumer.subscribe({ topic, fromBeginning: true })
    }
    let shouldPause = true
    const consumed: { topic: number; message: number }[] = []
    void consumer.run({
      eachMessage: async (event) => {
        const which = {
          topic: topics.indexOf(event.topic),
          message: messages.findIndex((m) => m.key === String(event.message.key)),
        }
        onMessage(event, which, shouldPause)
        consumed.push(which)
      },
    })
    await waitForConsumerToJoinGroup(consumer)
    await waitForMessages(consumed, 3)
    expect(consumer.paused()).toEqual([{ topic: topics[0], partitions: [0] }])

    for (const topic of topics) await producer.send({ acks: 1, topic, messages: messages.slice(2) })
    await waitForMessages(consumed, 6)
    expect(consumed).toHaveLength(6)
    expect(consumed).toEqual(
      expect.arrayContaining([
        { topic: 0, message: 0 },
        { topic: 0, message: 2 },
        { topic: 1, message: 0 },
        { topic: 1, message: 1 },
        { topic: 1, message: 2 },
        { topic: 1, message: 3 },
      ]),
    )

    shouldPause = false
    resume()
    await waitForMessages(consumed, 8)
    expect(consumed).toHaveLength(8)
    expect(consumed).toEqual(
      expect.arrayContaining([
        { topic: 0, message: 1 },
        { topic: 0, message: 3 },
      ]),
    )
  }

  test("the eachMessage payload's pause() pauses that topic-partition until the function it returned is called", async () => {
    const resumeCallbacks: (() => void)[] = []
    await pausedFromEachMessage(
      ({ pause }, which, shouldPause) => {
        if (shouldPause && which.topic === 0 && which.message === 1) {
          resumeCallbacks.push(pause())
          throw new Error('bailing out')
        }
      },
      () => {
        for (const resume of resumeCallbacks) resume()
      },
    )
  })

  test('consumer.pause() inside eachMessage stops the batch: eachMessage is not called again for that partition', async () => {
    await pausedFromEachMessage(
      ({ topic, partition }, which, shouldPause) => {
        // no throw: the runner must notice the pause by itself
        if (shouldPause && which.topic === 0 && which.message === 0)
          consumer.pause([{ topic, partitions: [partition] }])
      },
      () => consumer.resume(consumer.paused()),
    )
  })

  test("the eachBatch payload's pause() pauses the batch's partition until resumed", async () => {
    await consumer.connect()
    await producer.connect()
    const original = keyed([0, 0, 0, 1])
    for (const topic of topics) {
      await producer.send({ acks: 1, topic, messages: original })
      await consumer.subscribe({ topic, fromBeginning: true })
    }
    let shouldPause = true
    const consumed: { topic: number; message: number }[] = []
    const resumeCallbacks: (() => void)[] = []
    void consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch: { topic, messages }, pause, resolveOffset, commitOffsetsIfNecessary }) => {
        for (const message of messages) {
          const whichTopic = topics.indexOf(topic)
          const whichMessage = original.findIndex((m) => m.key === String(message.key))
          if (shouldPause && ((whichTopic === 0 && whichMessage === 1) || (whichTopic === 1 && whichMessage === 3))) {
            resumeCallbacks.push(pause())
            break
          }
          consumed.push({ topic: whichTopic, message: whichMessage })
          resolveOffset(message.offset)
        }
        await commitOffsetsIfNecessary()
      },
    })
    await waitForConsumerToJoinGroup(consumer)
    await waitForMessages(consumed, 5)
    expect(consumer.paused()).toContainEqual({ topic: topics[0], partitions: [0] })
    expect(consumer.paused()).toContainEqual({ topic: topics[1], partitions: [1] })
    shouldPause = false
    for (const resume of resumeCallbacks) resume()
    await waitForMessages(consumed, 8)
    expect(consumer.paused()).toEqual([])
    expect(consumed).toContainEqual({ topic: 0, message: 1 })
    expect(consumed).toContainEqual({ topic: 1, message: 3 })
  })

  test('a topic paused without partitions is not fetched; paused() lists all its partitions', async () => {
    await consumer.connect()
    await producer.connect()
    const [message1] = keyed([0])
    const [message2] = keyed([1])
    for (const topic of topics) {
      await producer.send({ acks: 1, topic, messages: [message1!] })
      await consumer.subscribe({ topic, fromBeginning: true })
    }
    const consumed: EachMessagePayload[] = []
    void consumer.run({ eachMessage: async (event) => void consumed.push(event) })
    await waitForConsumerToJoinGroup(consumer)
    await waitForMessages(consumed, 2)
    expect(consumer.paused()).toEqual([])

    const [pausedTopic, activeTopic] = topics
    consumer.pause([{ topic: pausedTopic }])
    for (const topic of topics) await producer.send({ acks: 1, topic, messages: [message2!] })
    await waitForMessages(consumed, 3)

    expect(consumed.filter((e) => e.topic === pausedTopic)).toEqual([
      expect.objectContaining({
        topic: pausedTopic,
        partition: expect.any(Number),
        message: expect.objectContaining({ offset: '0' }),
      }),
    ])
    expect(consumed.filter((e) => e.topic === activeTopic).sort((a, b) => a.partition - b.partition)).toEqual([
      expect.objectContaining({ topic: activeTopic, partition: 0, message: expect.objectContaining({ offset: '0' }) }),
      expect.objectContaining({ topic: activeTopic, partition: 1, message: expect.objectContaining({ offset: '0' }) }),
    ])
    expect(consumer.paused()).toEqual([{ topic: pausedTopic, partitions: [0, 1] }])
  })

  test('paused partitions are not fetched; the others are', async () => {
    const { topic, consumed } = await consumeThenPausePartitionZero()

    expect(consumed.filter((e) => e.partition === 0)).toEqual([
      expect.objectContaining({ topic, partition: 0, message: expect.objectContaining({ offset: '0' }) }),
    ])
    expect(consumed.filter((e) => e.partition !== 0)).toEqual([
      expect.objectContaining({ topic, partition: 1, message: expect.objectContaining({ offset: '0' }) }),
      expect.objectContaining({ topic, partition: 1, message: expect.objectContaining({ offset: '1' }) }),
    ])
    expect(consumer.paused()).toEqual([{ topic, partitions: [0] }])
  })

  test('pausing a topic and throwing from eachMessage: the message is delivered again only after resume', async () => {
    const [topic] = topics
    const [message1] = keyed([0])
    const consumed: EachMessagePayload[] = []
    let shouldThrow = true
    await consumer.connect()
    await producer.connect()
    await producer.send({ acks: 1, topic, messages: [message1!] })
    await consumer.subscribe({ topic, fromBeginning: true })
    void consumer.run({
      eachMessage: async (event) => {
        consumed.push(event)
        if (shouldThrow) {
          consumer.pause([{ topic }])
          throw new Error('Should fail')
        }
      },
    })
    await waitForConsumerToJoinGroup(consumer)
    await waitForMessages(consumed, 1)
    // the paused topic stays paused across the handler's failure and retries
    await expect(waitForMessages(consumed, 2, 1000)).rejects.toThrow()
    const tillError = [...consumed]
    expect(consumer.paused()).toEqual([{ topic, partitions: [0, 1] }])

    shouldThrow = false
    consumer.resume([{ topic }])
    await waitForMessages(consumed, 2)
    expect(tillError).toEqual([
      expect.objectContaining({ topic, partition: 0, message: expect.objectContaining({ offset: '0' }) }),
    ])
    expect(consumed).toEqual([
      expect.objectContaining({ topic, partition: 0, message: expect.objectContaining({ offset: '0' }) }),
      expect.objectContaining({ topic, partition: 0, message: expect.objectContaining({ offset: '0' }) }),
    ])
  })

  test('pausing a partition and throwing from eachMessage: that message is delivered again after resume, the other partition is not held', async () => {
    const [topic] = topics
    const [message1, message2] = keyed([0, 1])
    const consumed: EachMessagePayload[] = []
    let shouldThrow = true
    await consumer.connect()
    await producer.connect()
    await producer.send({ acks: 1, topic, messages: [message1!, message2!] })
    await consumer.subscribe({ topic, fromBeginning: true })
    void consumer.run({
      eachMessage: async (event) => {
        consumed.push(event)
        if (shouldThrow && event.partition === 0) {
          consumer.pause([{ topic, partitions: [0] }])
          throw new Error('Should fail')
        }
      },
    })
    await waitForConsumerToJoinGroup(consumer)
    await waitForMessages(consumed, 2)
    const tillError = [...consumed]
    shouldThrow = false
    consumer.resume([{ topic, partitions: [0] }])
    await waitForMessages(consumed, 3)

    const at = (partition: number) =>
      expect.objectContaining({ topic, partition, message: expect.objectContaining({ offset: '0' }) })
    expect(tillError).toHaveLength(2)
    expect(tillError).toEqual(expect.arrayContaining([at(0), at(1)]))
    expect(consumed).toHaveLength(3)
    expect(consumed.filter((e) => e.partition === 0)).toEqual([at(0), at(0)])
    expect(consumed.filter((e) => e.partition === 1)).toEqual([at(1)])
  })

  test('with every topic paused, nothing reaches eachMessage', async () => {
    consumer = createKafka().consumer({ groupId, maxWaitTimeInMs: 100, maxBytesPerPartition: 180 })
    await producer.connect()
    await consumer.connect()
    const [topic1, topic2] = topics
    await consumer.subscribe({ topic: topic1, fromBeginning: true })
    await consumer.subscribe({ topic: topic2, fromBeginning: true })
    const eachMessage = jest.fn(async () => {})
    void consumer.run({ eachMessage })
    await waitForConsumerToJoinGroup(consumer)
    consumer.pause([{ topic: topic1 }, { topic: topic2 }])
    const [message1] = keyed([0])
    await producer.send({ acks: 1, topic: topic1, messages: [message1!] })
    await producer.send({ acks: 1, topic: topic2, messages: [message1!] })
    // a few fetch rounds pass (KafkaJS's spec checks right after sending)
    const fetches: unknown[] = []
    const remove = consumer.on(consumer.events.FETCH_START, (e) => void fetches.push(e))
    await waitForMessages(fetches, 3).catch(() => undefined)
    remove()
    expect(eachMessage).not.toHaveBeenCalled()
  })

  test('resume() of a topic paused before the group was joined starts fetching it; paused() is then empty', async () => {
    await consumer.connect()
    await producer.connect()
    const [message] = keyed([0])
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true })
    const consumed: EachMessagePayload[] = []
    void consumer.run({ eachMessage: async (event) => void consumed.push(event) })
    const [pausedTopic, activeTopic] = topics
    consumer.pause([{ topic: pausedTopic }])
    await waitForConsumerToJoinGroup(consumer)
    for (const topic of topics) await producer.send({ acks: 1, topic, messages: [message!] })
    await waitForMessages(consumed, 1)
    consumer.resume([{ topic: pausedTopic }])
    await expect(waitForMessages(consumed, 2)).resolves.toEqual([
      expect.objectContaining({ topic: activeTopic, partition: 0, message: expect.objectContaining({ offset: '0' }) }),
      expect.objectContaining({ topic: pausedTopic, partition: 0, message: expect.objectContaining({ offset: '0' }) }),
    ])
    expect(consumer.paused()).toEqual([])
  })

  test('resume() of paused partitions delivers what arrived meanwhile', async () => {
    const { topic, consumed } = await consumeThenPausePartitionZero()
    consumer.resume([{ topic, partitions: [0] }])
    await waitForMessages(consumed, 4)

    for (const partition of [0, 1]) {
      expect(consumed.filter((e) => e.partition === partition)).toEqual(
        ['0', '1'].map((offset) =>
          expect.objectContaining({ topic, partition, message: expect.objectContaining({ offset }) }),
        ),
      )
    }
    expect(consumer.paused()).toEqual([])
  })
})
