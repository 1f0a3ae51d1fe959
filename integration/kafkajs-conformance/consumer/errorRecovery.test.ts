// KafkaJS 2.2.4 src/consumer/__tests__/errorRecovery.spec.js: a committed offset past the end of the
// log falls back to the reset policy; an error while joining the group crashes the consumer with a
// consumer.crash event carrying that very error, the group id and whether it restarts (retriable
// errors, at the bottom of their cause chain, restart; others do not); retry.restartOnFailure decides
// for retriable errors, and a handler failing past its retries crashes with
// KafkaJSNumberOfRetriesExceeded.
//
// KafkaJS's spec made joining fail by replacing the coordinator's joinGroup; through the public API
// the same failure comes from a partition assigner whose assign() throws once (KafkaJS's join calls
// it between JoinGroup and SyncGroup and treats its error as it treats JoinGroup's). Its first test
// committed offset 11 through a hand-made group member; here admin.setOffsets commits it.

import {
  type Consumer,
  type EachMessagePayload,
  type InstrumentationEvent,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  type PartitionAssigner,
  PartitionAssigners,
  type Producer,
} from '../../../src/index.js'
import {
  createKafka,
  createTopic,
  secureRandom,
  waitFor,
  waitForConsumerToJoinGroup,
  waitForMessages,
  waitForNextEvent,
} from '../helpers.js'

describe('Consumer error recovery (KafkaJS src/consumer/__tests__/errorRecovery.spec.js)', () => {
  let topicName: string
  let groupId: string
  let producer: Producer
  let consumer: Consumer | undefined

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    groupId = `consumer-group-id-${secureRandom()}`
    await createTopic({ topic: topicName })
    producer = createKafka().producer()
    await producer.connect()
  })

  afterEach(async () => {
    await consumer?.disconnect()
    consumer = undefined
    await producer?.disconnect()
  })

  const sendOne = () => {
    const key = secureRandom()
    return producer.send({ acks: 1, topic: topicName, messages: [{ key: `key-${key}`, value: `value-${key}` }] })
  }

  /** KafkaJS's round robin, whose first assign() throws `error`. */
  const failingOnce = (error: Error): PartitionAssigner => {
    let failed = false
    return (config) => {
      const assigner = PartitionAssigners.roundRobin(config)
      return {
        ...assigner,
        async assign(group) {
          if (!failed) {
            failed = true
            throw error
          }
          return assigner.assign(group)
        },
      }
    }
  }

  /**
   * A consumer whose assigner throws `error` once while joining, run with an eachMessage mock on the
   * topic after one message is sent; resolves at its first consumer.crash event.
   */
  const crashOnJoin = async (
    error: Error,
    restartOnFailure?: (e: Error) => Promise<boolean>,
  ): Promise<{ consumer: Consumer; crashes: InstrumentationEvent<unknown>[]; eachMessage: jest.Mock }> => {
    const c = createKafka().consumer({
      groupId,
      heartbeatInterval: 100,
      maxWaitTimeInMs: 1,
      maxBytesPerPartition: 180,
      partitionAssigners: [failingOnce(error)],
      retry: { retries: 0, initialRetryTime: 10, ...(restartOnFailure && { restartOnFailure }) },
    })
    consumer = c
    const crashes: InstrumentationEvent<unknown>[] = []
    c.on(c.events.CRASH, (event) => void crashes.push(event))
    await c.connect()
    await c.subscribe({ topic: topicName, fromBeginning: true })
    const eachMessage = jest.fn(async () => {})
    await c.run({ eachMessage })
    await sendOne()
    await waitFor(() => crashes.length > 0, 'consumer.crash')
    return { consumer: c, crashes, eachMessage }
  }

  const crashEvent = (payload: unknown) => ({
    id: expect.any(Number),
    timestamp: expect.any(Number),
    type: 'consumer.crash',
    payload,
  })

  test('recovers from a committed offset out of range: the reset policy (fromBeginning) applies', async () => {
    const admin = createKafka().admin()
    await admin.connect()
    try {
      await admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: '11' }] })
    } finally {
      await admin.disconnect()
    }
    const key = secureRandom()
    const message = { key: `key-${key}`, value: `value-${key}` }
    await producer.send({ acks: 1, topic: topicName, messages: [message] })
    consumer = createKafka().consumer({ groupId })
    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    const consumed: EachMessagePayload[] = []
    void consumer.run({ eachMessage: async (event) => void consumed.push(event) })
    await waitForConsumerToJoinGroup(consumer)
    await expect(waitForMessages(consumed)).resolves.toEqual([
      expect.objectContaining({
        topic: topicName,
        partition: 0,
        message: expect.objectContaining({
          key: Buffer.from(message.key),
          value: Buffer.from(message.value),
          offset: '0',
        }),
      }),
    ])
  })

  test('a retriable error while joining crashes with { error, groupId, restart: true }, and the consumer restarts', async () => {
    const error = new KafkaJSError(new Error('💣'), { retriable: true })
    const { crashes, eachMessage } = await crashOnJoin(error)
    expect(crashes[0]).toEqual(crashEvent({ error, groupId, restart: true }))
    expect((crashes[0]!.payload as { error: Error }).error).toBe(error)
    await waitFor(() => eachMessage.mock.calls.length > 0, 'eachMessage after the restart', 60000)
    expect(eachMessage).toHaveBeenCalledTimes(1)
  })

  test('a non-retriable error while joining crashes with restart: false', async () => {
    const error = new KafkaJSError(new Error('💣'), { retriable: false })
    const { crashes } = await crashOnJoin(error)
    expect(crashes[0]).toEqual(crashEvent({ error, groupId, restart: false }))
    expect((crashes[0]!.payload as { error: Error }).error).toBe(error)
  })

  test('a non-retriable error whose cause chain ends in a retriable one restarts (retries exhausted)', async () => {
    const cause = new KafkaJSError(new Error('💣'), { retriable: true })
    const retryError = new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 10000 })
    const error = new KafkaJSNonRetriableError(retryError, { cause })
    const { crashes, eachMessage } = await crashOnJoin(error)
    expect(crashes[0]).toEqual(crashEvent({ error, groupId, restart: true }))
    await waitFor(() => eachMessage.mock.calls.length > 0, 'eachMessage after the restart', 60000)
    expect(eachMessage).toHaveBeenCalledTimes(1)
  })

  test('a handler failing past its retries crashes with KafkaJSNumberOfRetriesExceeded; restartOnFailure(error) true restarts', async () => {
    let receivedErrorMessage: string | undefined
    const restartOnFailure = jest
      .fn<Promise<boolean>, [Error]>()
      .mockImplementationOnce(async (e) => {
        receivedErrorMessage = e.message
        return true
      })
      .mockImplementationOnce(async () => false)
    const c = createKafka().consumer({
      groupId,
      heartbeatInterval: 100,
      maxWaitTimeInMs: 1,
      maxBytesPerPartition: 180,
      retry: { retries: 0, initialRetryTime: 10, restartOnFailure },
    })
    consumer = c
    const crashes: InstrumentationEvent<unknown>[] = []
    c.on(c.events.CRASH, (event) => void crashes.push(event))
    await c.connect()
    await c.subscribe({ topic: topicName, fromBeginning: true })
    const eachMessage = jest.fn(async () => {
      throw new Error('💣')
    })
    await c.run({ eachMessage })
    await sendOne()
    await waitFor(() => crashes.length > 0, 'consumer.crash')
    expect(crashes[0]).toEqual(crashEvent({ groupId, error: expect.any(KafkaJSError), restart: true }))
    expect(restartOnFailure).toHaveBeenCalledWith(expect.any(KafkaJSNumberOfRetriesExceeded))
    expect(receivedErrorMessage).toBe('💣')
    // restarted: the message is handed over again (and fails again; the second answer stops it)
    await waitFor(() => eachMessage.mock.calls.length >= 2, 'eachMessage after the restart', 60000)
    await waitFor(() => crashes.length >= 2, 'the second consumer.crash')
    expect(crashes[1]).toEqual(crashEvent({ groupId, error: expect.any(KafkaJSError), restart: false }))
  })

  test('restartOnFailure returning false keeps a retriable crash from restarting', async () => {
    const error = new KafkaJSError(new Error('💣'), { retriable: true })
    const restartOnFailure = jest.fn(async () => false)
    const { consumer: c, crashes, eachMessage } = await crashOnJoin(error, restartOnFailure)
    await waitFor(() => restartOnFailure.mock.calls.length > 0, 'restartOnFailure')
    expect(restartOnFailure).toHaveBeenCalledWith(error)
    await waitFor(() => crashes.length > 0, 'consumer.crash')
    expect(crashes[0]).toEqual(crashEvent({ error, groupId, restart: false }))
    // a restart would join within a few seconds (initialRetryTime is 10 ms)
    await expect(waitForNextEvent(c, c.events.GROUP_JOIN, 3000)).rejects.toThrow('no consumer.group_join event')
    expect(eachMessage).not.toHaveBeenCalled()
  })
})
