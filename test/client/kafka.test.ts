import { Kafka, KafkaJSInvalidArgumentError, logLevel } from '../../src/index.js'

describe('Kafka constructor', () => {
  it('accepts KafkaJS options', () => {
    const kafka = new Kafka({
      clientId: 'app',
      brokers: ['127.0.0.1:9092'],
      logLevel: logLevel.ERROR,
      retry: { retries: 2 },
    })
    expect(kafka.config.clientId).toBe('app')
    expect(typeof kafka.logger().info).toBe('function')
  })

  it('takes any broker list, as KafkaJS: the list is checked by connect()', async () => {
    const producer = new Kafka({ brokers: [] }).producer()
    await expect(producer.connect()).rejects.toThrow('Failed to connect: brokers array is empty')
  })

  it.each([
    [{ brokers: ['h:1'], clientId: 5 }, /clientId/],
    [{ brokers: ['h:1'], logLevel: 3 }, /logLevel/],
    [{ brokers: ['h:1'], connectionTimeout: -1 }, /connectionTimeout/],
    [{ brokers: ['h:1'], metadataRecoveryStrategy: 'sometimes' }, /metadataRecoveryStrategy/],
    [{ brokers: ['h:1'], metadataRecoveryRebootstrapTrigger: '1000' }, /metadataRecoveryRebootstrapTrigger/],
  ])('rejects bad options with a typed error naming the option: %j', (config, message) => {
    expect(() => new Kafka(config as never)).toThrow(KafkaJSInvalidArgumentError)
    expect(() => new Kafka(config as never)).toThrow(message)
  })
})
