// KafkaJS 2.2.4's documented client defaults (src/index.js, src/network/connection.js,
// src/broker/index.js, src/retry/defaults.js): what a `new Kafka({ brokers })` without those
// options uses. Timeouts cannot be observed without measuring time, so their resolved values are
// pinned here where kafkit resolves them.

import { DEFAULT_RETRY_OPTIONS, resolveRetryOptions } from '../../../src/common/backoff.js'
import { resolveConnectionOptions } from '../../../src/network/connection-options.js'
import { DEFAULT_AUTHENTICATION_TIMEOUT } from '../../../src/network/sasl/sasl-authenticator.js'

describe("KafkaJS's client defaults", () => {
  test('connectionTimeout 1000, requestTimeout 30000, enforceRequestTimeout true, maxInFlightRequests null (no limit)', () => {
    expect(resolveConnectionOptions({ host: 'h', port: 1 })).toMatchObject({
      connectionTimeout: 1000,
      requestTimeout: 30000,
      enforceRequestTimeout: true,
      maxInFlightRequests: Number.POSITIVE_INFINITY,
    })
  })

  test('authenticationTimeout 10000', () => {
    expect(DEFAULT_AUTHENTICATION_TIMEOUT).toBe(10000)
  })

  test('retry: maxRetryTime 30000, initialRetryTime 300, factor 0.2, multiplier 2, retries 5', () => {
    const expected = { maxRetryTime: 30000, initialRetryTime: 300, factor: 0.2, multiplier: 2, retries: 5 }
    expect(DEFAULT_RETRY_OPTIONS).toEqual(expected)
    expect(resolveRetryOptions({})).toEqual(expected)
    // a partial retry block keeps the other defaults, as KafkaJS's does
    expect(resolveRetryOptions({ retries: 1 })).toEqual({ ...expected, retries: 1 })
  })
})
