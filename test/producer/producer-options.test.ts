import { KafkaJSInvalidArgumentError, KafkaJSNonRetriableError } from '../../src/errors.js'
import { PRODUCER_DEFAULTS, resolveProducerOptions } from '../../src/producer/producer-options.js'

describe('resolveProducerOptions', () => {
  test("defaults are Java's: idempotent, acks -1, 16 KiB batches, 5 ms linger, 32 MiB buffer, 60 s block, 120 s delivery", () => {
    const o = resolveProducerOptions()
    expect(o).toMatchObject({
      idempotent: true,
      idempotenceExplicit: false,
      acks: -1,
      batchSize: 16384,
      linger: 5,
      maxBufferedBytes: 33554432,
      maxBlockMs: 60000,
      deliveryTimeout: 120000,
      maxRequestSize: 1048576,
      maxInFlightRequests: 5,
      transactionTimeout: 60000,
      allowAutoTopicCreation: true,
      compression: 0,
    })
    expect(o.batchRetries).toBe(Number.MAX_SAFE_INTEGER)
    expect(o.retry).toMatchObject({ initialRetryTime: 100, maxRetryTime: 1000 })
    expect(PRODUCER_DEFAULTS.batchSize).toBe(16384)
  })

  test.each([
    [{ batchSize: 0 }, /batchSize must be an integer between 1 and 1048576, got 0/],
    [{ linger: -1 }, /linger must be an integer between 0 and/],
    [{ linger: 1.5 }, /linger must be/],
    [{ maxBufferedBytes: 10 }, /maxBufferedBytes must be an integer between 1024/],
    [{ maxBlockMs: 'x' }, /maxBlockMs must be an integer/],
    [{ deliveryTimeout: 1000 }, /deliveryTimeout must be at least linger \+ requestTimeout \(30005 ms\)/],
    [{ maxInFlightRequests: 0 }, /maxInFlightRequests must be an integer between 1/],
    [{ acks: 2 }, /acks must be -1, 0 or 1, got 2/],
    [{ compression: 9 }, /compression must be one of CompressionTypes/],
    [{ transactionalId: '' }, /transactionalId must be a non-empty string/],
    [{ idempotent: 'yes' }, /idempotent must be a boolean/],
    [{ createPartitioner: 5 }, /createPartitioner must be a function/],
    [{ lingerMs: 5 }, /Unknown producer option "lingerMs"/],
    [{ transactionTimeout: 0 }, /transactionTimeout must be an integer between 1/],
  ])('%j is refused naming the option', (config, message) => {
    expect(() => resolveProducerOptions(config as never)).toThrow(KafkaJSInvalidArgumentError)
    expect(() => resolveProducerOptions(config as never)).toThrow(message)
  })

  test('implicit idempotence gives way to acks 0/1 or more than 5 requests in flight, as Java', () => {
    expect(resolveProducerOptions({ acks: 1 }).idempotent).toBe(false)
    expect(resolveProducerOptions({ maxInFlightRequests: 10 }).idempotent).toBe(false)
  })

  test('explicit idempotence or a transactional id must be satisfiable', () => {
    expect(() => resolveProducerOptions({ idempotent: true, acks: 1 })).toThrow(/acks must be -1 with idempotence/)
    expect(() => resolveProducerOptions({ idempotent: true, maxInFlightRequests: 6 })).toThrow(
      /maxInFlightRequests must be at most 5 with idempotence/,
    )
    expect(() => resolveProducerOptions({ transactionalId: 't', acks: 1 })).toThrow(
      /acks must be -1 with idempotence or transactions/,
    )
    expect(() => resolveProducerOptions({ idempotent: true, retry: { retries: 0 } })).toThrow(
      new KafkaJSNonRetriableError('Idempotent producer must allow retries to protect against transient errors'),
    )
    expect(() => resolveProducerOptions({ transactionalId: 't', retry: { retries: 0 } })).toThrow(
      'Idempotent producer must allow retries to protect against transient errors',
    )
    // sends outside a transaction are idempotent unless told otherwise; idempotent: true makes their acks strict
    const t = resolveProducerOptions({ transactionalId: 't' })
    expect([t.idempotent, t.idempotenceExplicit]).toEqual([true, false])
  })

  test('a transactional producer with idempotent: false sends outside its transactions without idempotence (KafkaJS)', () => {
    const t = resolveProducerOptions({ transactionalId: 't', idempotent: false })
    expect([t.idempotent, t.transactionalId]).toEqual([false, 't'])
  })

  test('retries: 0 without idempotent: true turns implicit idempotence off (as Java)', () => {
    expect(resolveProducerOptions({ retry: { retries: 0 } }).idempotent).toBe(false)
  })

  test('idempotent: false turns idempotence off', () => {
    expect(resolveProducerOptions({ idempotent: false }).idempotent).toBe(false)
  })

  test('retry.retries caps the retries of a batch; the backoff is the given one', () => {
    const o = resolveProducerOptions({ retry: { retries: 3, initialRetryTime: 50 } })
    expect(o.batchRetries).toBe(3)
    expect(o.retry.initialRetryTime).toBe(50)
  })
})
