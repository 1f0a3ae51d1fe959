// KafkaJS 2.2.4 src/consumer/__tests__/misconfiguration.spec.js: kafka.consumer() refuses a
// heartbeatInterval not below sessionTimeout, and a missing groupId, with KafkaJSNonRetriableError
// and KafkaJS's texts. (No broker is needed: both are checked at construction.)

import { KafkaJSNonRetriableError } from '../../../src/index.js'
import { createKafka } from '../helpers.js'

describe('Consumer misconfiguration (KafkaJS src/consumer/__tests__/misconfiguration.spec.js)', () => {
  test('throws when heartbeatInterval is lower or equal to sessionTimeout', () => {
    const create = () =>
      createKafka().consumer({ groupId: 'test-group-id', heartbeatInterval: 10000, sessionTimeout: 10000 })
    expect(create).toThrow(KafkaJSNonRetriableError)
    expect(create).toThrow(
      expect.objectContaining({
        name: 'KafkaJSNonRetriableError',
        message:
          'Consumer heartbeatInterval (10000) must be lower than sessionTimeout (10000). It is recommended to set heartbeatInterval to approximately a third of the sessionTimeout.',
      }),
    )
  })

  test('throws when groupId is missing', () => {
    const create = () => createKafka().consumer({} as never)
    expect(create).toThrow(KafkaJSNonRetriableError)
    expect(create).toThrow(
      expect.objectContaining({
        name: 'KafkaJSNonRetriableError',
        message: 'Consumer groupId must be a non-empty string.',
      }),
    )
  })
})
