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

  it.each([
    [{ brokers: [] }, /brokers/],
    [{ brokers: ['nohostport'] }, /brokers\[0\]/],
    [{ brokers: ['h:1'], clientId: 5 }, /clientId/],
    [{ brokers: ['h:1'], logLevel: 3 }, /logLevel/],
    [{ brokers: ['h:1'], connectionTimeout: -1 }, /connectionTimeout/],
  ])('rejects bad options with a typed error naming the option: %j', (config, message) => {
    expect(() => new Kafka(config as never)).toThrow(KafkaJSInvalidArgumentError)
    expect(() => new Kafka(config as never)).toThrow(message)
  })
})
