import { AdminEvents, Kafka, KafkaJSInvalidArgumentError } from '../../src/index.js'

describe('kafka.admin()', () => {
  const kafka = new Kafka({ brokers: ['127.0.0.1:9'], retry: { retries: 1 } })

  it('makes an admin client with KafkaJS events and logger, without connecting', () => {
    const admin = kafka.admin({ retry: { retries: 0 } })
    expect(admin.events).toBe(AdminEvents)
    expect(admin.events.CONNECT).toBe('admin.connect')
    expect(typeof admin.logger().info).toBe('function')
  })

  it.each([
    [null, /admin config must be an object/],
    [{ retires: 3 }, /no option "retires"/],
    [{ retry: { retries: -1 } }, /retry.retries/],
  ])('refuses the config %j with a typed error', (config, message) => {
    expect(() => kafka.admin(config as never)).toThrow(KafkaJSInvalidArgumentError)
    expect(() => kafka.admin(config as never)).toThrow(message)
  })
})
