import { Kafka } from '../../../src/client/kafka.js'
import { checkShareRunConfig, resolveShareConsumerOptions } from '../../../src/consumer/share/share-consumer-options.js'
import { KafkaJSInvalidArgumentError, KafkaJSNonRetriableError } from '../../../src/errors.js'

describe('share consumer options', () => {
  test("defaults: implicit acknowledgement, Java's max.poll.records and fetch.max.wait.ms", () => {
    expect(resolveShareConsumerOptions({ groupId: 'g' })).toMatchObject({
      groupId: 'g',
      acknowledgementMode: 'implicit',
      maxPollRecords: 500,
      acquireMode: 'batch_optimized',
      maxWaitTimeInMs: 500,
      minBytes: 1,
      maxBytes: 52428800,
      rackId: null,
      allowAutoTopicCreation: true,
    })
  })

  test('kafka.shareConsumer() checks its options at construction', () => {
    const kafka = new Kafka({ brokers: ['localhost:9092'] })
    expect(() => kafka.shareConsumer({ groupId: '' })).toThrow(KafkaJSNonRetriableError)
    expect(() => kafka.shareConsumer({ groupId: 'g', maxPollRecords: 0 })).toThrow(
      'maxPollRecords must be an integer between 1 and 2147483647 (messages), got 0',
    )
    expect(kafka.shareConsumer({ groupId: 'g' }).events.GROUP_JOIN).toBe('consumer.group_join')
  })

  test.each<[string, object, string]>([
    [
      'acknowledgementMode',
      { acknowledgementMode: 'auto' },
      'acknowledgementMode must be "implicit" or "explicit", got "auto"',
    ],
    ['acquireMode', { acquireMode: 'strict' }, 'acquireMode must be "batch_optimized" or "record_limit", got "strict"'],
    ['maxPollRecords', { maxPollRecords: 1.5 }, 'maxPollRecords must be an integer between 1'],
    ['maxWaitTimeInMs', { maxWaitTimeInMs: -1 }, 'maxWaitTimeInMs must be an integer between 0'],
    ['minBytes', { minBytes: -1 }, 'minBytes must be an integer between 0'],
    ['maxBytes', { maxBytes: 0 }, 'maxBytes must be an integer between 1'],
    ['retry', { retry: 5 }, 'retry must be an object, got 5'],
    ['rackId', { rackId: 7 }, 'rackId must be a string, got 7'],
    ['allowAutoTopicCreation', { allowAutoTopicCreation: 'yes' }, 'allowAutoTopicCreation must be a boolean'],
  ])('a bad %s is a KafkaJSInvalidArgumentError naming it', (_name, options, message) => {
    const resolve = () => resolveShareConsumerOptions({ groupId: 'g', ...options })
    expect(resolve).toThrow(KafkaJSInvalidArgumentError)
    expect(resolve).toThrow(message)
  })

  test('run(): a handler is required, handlers are functions, concurrency is a positive integer', () => {
    const handler = async () => undefined
    expect(checkShareRunConfig({ eachMessage: handler })).toBe(1)
    expect(checkShareRunConfig({ eachBatch: handler, concurrency: 8 })).toBe(8)
    expect(() => checkShareRunConfig({})).toThrow('run options must be an eachMessage or an eachBatch handler')
    expect(() => checkShareRunConfig({ eachMessage: 'x' })).toThrow('eachMessage must be a function')
    expect(() => checkShareRunConfig({ eachMessage: handler, concurrency: 0 })).toThrow(
      'concurrency must be an integer >= 1, got 0',
    )
  })
})
