// KafkaJS 2.2.4 src/consumer/__tests__/logger.spec.js (and its snapshot): consumer.logger() gives
// access to the consumer's logger, an object of exactly debug, error, info, namespace, setLogLevel
// and warn functions. Here the logger is also used, to check that it writes KafkaJS's entries under
// the consumer's namespace ('Consumer') with KafkaJS's `logger` field.

import { type LogEntry, logLevel } from '../../../src/index.js'
import { createKafka } from '../helpers.js'

describe('Consumer logger (KafkaJS src/consumer/__tests__/logger.spec.js)', () => {
  test('gives access to its logger', () => {
    const logger = createKafka().consumer({ groupId: 'test-consumer' }).logger()
    // the snapshot: these keys, each a function, and nothing else
    expect(Object.keys(logger).sort()).toEqual(['debug', 'error', 'info', 'namespace', 'setLogLevel', 'warn'])
    for (const value of Object.values(logger)) expect(value).toEqual(expect.any(Function))
  })

  test("the consumer's logger writes KafkaJS entries in the Consumer namespace", () => {
    const entries: LogEntry[] = []
    const kafka = createKafka({ logLevel: logLevel.INFO, logCreator: () => (entry) => entries.push(entry) })
    kafka.consumer({ groupId: 'test-consumer' }).logger().info('hello', { extra: 1 })
    expect(entries).toEqual([
      {
        namespace: 'Consumer',
        level: logLevel.INFO,
        label: 'INFO',
        log: { timestamp: expect.any(String), logger: 'kafkajs', message: 'hello', extra: 1 },
      },
    ])
  })
})
