import { Kafka } from '../../src/client/kafka.js'
import { checkRunConfig, resolveConsumerOptions } from '../../src/consumer/consumer-options.js'
import { KafkaJSInvalidArgumentError, KafkaJSNonRetriableError } from '../../src/errors.js'

describe('consumer options', () => {
  test("KafkaJS's defaults", () => {
    expect(resolveConsumerOptions({ groupId: 'g' })).toMatchObject({
      sessionTimeout: 30000,
      rebalanceTimeout: 60000,
      heartbeatInterval: 3000,
      maxBytesPerPartition: 1048576,
      minBytes: 1,
      maxBytes: 10485760,
      maxWaitTimeInMs: 5000,
      maxPollRecords: 500,
      readUncommitted: false,
      allowAutoTopicCreation: true,
      groupProtocol: 'classic',
      groupInstanceId: null,
      autoOffsetReset: 'fromBeginning',
    })
    expect(resolveConsumerOptions({ groupId: 'g', autoOffsetReset: 'none' }).autoOffsetReset).toBe('none')
  })

  test.each([
    [{}, 'Consumer groupId must be a non-empty string.'],
    [{ groupId: '' }, 'Consumer groupId must be a non-empty string.'],
    [
      { groupId: 'g', heartbeatInterval: 30000 },
      'Consumer heartbeatInterval (30000) must be lower than sessionTimeout (30000). It is recommended to set heartbeatInterval to approximately a third of the sessionTimeout.',
    ],
  ])("%j fails at construction with KafkaJS's KafkaJSNonRetriableError", (config, message) => {
    const kafka = new Kafka({ brokers: ['localhost:9092'] })
    const create = () => kafka.consumer(config as never)
    expect(create).toThrow(KafkaJSNonRetriableError)
    expect(create).toThrow(expect.objectContaining({ name: 'KafkaJSNonRetriableError', message }))
  })

  test('heartbeatInterval 0 is accepted, as in KafkaJS', () => {
    expect(resolveConsumerOptions({ groupId: 'g', heartbeatInterval: 0 }).heartbeatInterval).toBe(0)
    expect(() => resolveConsumerOptions({ groupId: 'g', heartbeatInterval: -1 })).toThrow(
      /heartbeatInterval must be an integer between 0/,
    )
  })

  test.each([
    [{ groupId: 'g', sessionTimeout: -1 }, /sessionTimeout must be an integer/],
    [{ groupId: 'g', maxBytes: 0 }, /maxBytes must be an integer between 1/],
    [{ groupId: 'g', maxWaitTimeInMs: 1.5 }, /maxWaitTimeInMs must be an integer/],
    [{ groupId: 'g', maxPollRecords: 0 }, /maxPollRecords must be an integer between 1 and 2147483647/],
    [{ groupId: 'g', maxPollRecords: 2.5 }, /maxPollRecords must be an integer between 1/],
    [{ groupId: 'g', partitionAssigners: [] }, /partitionAssigners must be a non-empty array/],
    [{ groupId: 'g', readUncommitted: 'yes' }, /readUncommitted must be a boolean/],
    [{ groupId: 'g', groupProtocol: 'other' }, /groupProtocol must be "classic" or "consumer"/],
    [{ groupId: 'g', groupInstanceId: '' }, /groupInstanceId must be a non-empty string or null/],
    [
      { groupId: 'g', groupRemoteAssignor: 'uniform' },
      /groupRemoteAssignor applies only with groupProtocol "consumer"/,
    ],
    [{ groupId: 'g', retry: { retries: -1 } }, /retry.retries must be an integer >= 0/],
    [
      { groupId: 'g', rebalanceListener: { onPartitionsLost: 1 } },
      /rebalanceListener.onPartitionsLost must be a function/,
    ],
  ])('%j fails at construction naming the option', (config, message) => {
    const kafka = new Kafka({ brokers: ['localhost:9092'] })
    const create = () => kafka.consumer(config as never)
    expect(create).toThrow(KafkaJSInvalidArgumentError)
    expect(create).toThrow(message)
  })

  test('run() options are checked', () => {
    // KafkaJS takes run() without a handler, and both handlers (eachMessage is used)
    expect(() => checkRunConfig({})).not.toThrow()
    expect(() => checkRunConfig({ eachMessage: async () => {}, eachBatch: async () => {} })).not.toThrow()
    expect(() => checkRunConfig({ eachMessage: 1 })).toThrow(/eachMessage must be a function/)
    expect(() => checkRunConfig({ eachMessage: async () => {}, partitionsConsumedConcurrently: 0 })).toThrow(
      /partitionsConsumedConcurrently must be an integer >= 1/,
    )
    expect(() => checkRunConfig({ eachBatch: async () => {}, autoCommitThreshold: 0 })).toThrow(
      KafkaJSNonRetriableError,
    )
  })

  test('subscribe, seek and pause validate their arguments as KafkaJS does', async () => {
    const consumer = new Kafka({ brokers: ['localhost:9092'] }).consumer({ groupId: 'g' })
    await expect(consumer.subscribe({ topics: [42 as never] })).rejects.toThrow(
      /the topic name has to be a String or a RegExp/,
    )
    await expect(consumer.subscribe({} as never)).rejects.toThrow(/Missing required argument "topics"/)
    expect(() => consumer.seek({ topic: 't', partition: 0, offset: 'x' })).toThrow(/Invalid offset/)
    expect(() => consumer.seek({ topic: 't', partition: 0, offset: '-5' })).toThrow(/must not be a negative number/)
    expect(() => consumer.seek({ topic: 't', partition: 0, offset: '1' })).toThrow(/consumer#run must be called first/)
    expect(() => consumer.pause([{ topic: 't', partitions: ['a' as never] }])).toThrow(/Array of valid partitions/)
    expect(consumer.paused()).toEqual([])
    expect(() => consumer.on('consumer.nope' as never, () => {})).toThrow(/Event name should be one of/)
  })

  // every other option of issue 4's list, each naming itself in a typed error
  test.each([
    [{ rebalanceTimeout: 'x' }, /rebalanceTimeout must be an integer/],
    [{ metadataMaxAge: -1 }, /metadataMaxAge must be an integer/],
    [{ allowAutoTopicCreation: 'no' }, /allowAutoTopicCreation must be a boolean/],
    [{ maxBytesPerPartition: 0 }, /maxBytesPerPartition must be an integer/],
    [{ minBytes: -1 }, /minBytes must be an integer/],
    [{ maxInFlightRequests: 0 }, /maxInFlightRequests must be a positive integer or null/],
    [{ rackId: 5 }, /rackId must be a string/],
    [{ groupProtocol: 'consumer', groupRemoteAssignor: '' }, /groupRemoteAssignor must be a non-empty string/],
    [{ partitionAssigners: [5] }, /partitionAssigners must be a non-empty array of assigner functions/],
    [{ retry: 'x' }, /retry must be an object/],
    [{ retry: { initialRetryTime: -1 } }, /retry.initialRetryTime must be a number >= 0/],
    [{ retry: { restartOnFailure: 5 } }, /retry.restartOnFailure must be a function/],
    [{ rebalanceListener: 5 }, /rebalanceListener must be an object/],
    [{ autoOffsetReset: 'earliest' }, /autoOffsetReset must be "fromBeginning" or "none"/],
  ])('%j fails at construction naming the option (the rest of the list)', (config, message) => {
    const kafka = new Kafka({ brokers: ['localhost:9092'] })
    const create = () => kafka.consumer({ groupId: 'g', ...config } as never)
    expect(create).toThrow(KafkaJSInvalidArgumentError)
    expect(create).toThrow(message)
  })
})
