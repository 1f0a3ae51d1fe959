import {
  Backoff,
  backoffDelay,
  DEFAULT_RETRY_OPTIONS,
  resolveRetryOptions,
  retry,
  sleep,
} from '../../src/common/backoff.js'
import {
  KafkaJSConnectionError,
  KafkaJSInvalidArgumentError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
} from '../../src/errors.js'

const fast = { initialRetryTime: 1, maxRetryTime: 2 }

test('defaults are KafkaJS retry defaults', () => {
  expect(resolveRetryOptions()).toEqual({
    initialRetryTime: 300,
    factor: 0.2,
    multiplier: 2,
    maxRetryTime: 30000,
    retries: 5,
  })
})

test('the nominal delay doubles and is capped, jitter stays within +/- factor', () => {
  const o = DEFAULT_RETRY_OPTIONS
  expect([0, 1, 2, 3].map((n) => backoffDelay(n, o, () => 0.5))).toEqual([300, 600, 1200, 2400])
  expect(backoffDelay(0, o, () => 0)).toBe(240)
  expect(backoffDelay(0, o, () => 0.999999)).toBe(360)
  expect(backoffDelay(20, o, () => 0.5)).toBe(30000)
  expect(backoffDelay(20, o, () => 0.999999)).toBe(30000)
})

test('Backoff grows with consecutive failures and starts over after a success', () => {
  const b = new Backoff(DEFAULT_RETRY_OPTIONS, () => 0.5)
  expect([b.fail(), b.fail(), b.fail()]).toEqual([300, 600, 1200])
  expect(b.failures).toBe(3)
  b.succeed()
  expect(b.fail()).toBe(300)
})

test('options are validated with the name of the offending field', () => {
  expect(() => resolveRetryOptions({ retries: -1 })).toThrow(KafkaJSInvalidArgumentError)
  expect(() => resolveRetryOptions({ retries: 1.5 })).toThrow('retry.retries must be an integer >= 0, got 1.5')
  expect(() => resolveRetryOptions({ factor: 2 })).toThrow('retry.factor must be a number between 0 and 1, got 2')
  expect(() => resolveRetryOptions({ multiplier: 0.5 })).toThrow('retry.multiplier must be a number >= 1')
  expect(resolveRetryOptions({ retries: undefined }).retries).toBe(5)
})

test('retry calls again after retriable errors and returns the first success', async () => {
  const retries: number[] = []
  const result = await retry(
    async (attempt) => {
      if (attempt < 2) throw new KafkaJSConnectionError('refused')
      return attempt
    },
    { ...fast, onRetry: (_e, n) => retries.push(n) },
  )
  expect(result).toBe(2)
  expect(retries).toEqual([0, 1])
})

test('retry throws a non-retriable error at once, and does not retry plain errors', async () => {
  let calls = 0
  const fatal = new KafkaJSNonRetriableError('fatal')
  const failWith = (error: Error) => async () => {
    calls++
    throw error
  }
  await expect(retry(failWith(fatal), fast)).rejects.toBe(fatal)
  const bug = new TypeError('bug')
  await expect(retry(failWith(bug), fast)).rejects.toBe(bug)
  expect(calls).toBe(2)
})

test('retry gives up after `retries` retries with KafkaJSNumberOfRetriesExceeded wrapping the last error', async () => {
  let calls = 0
  const last = new KafkaJSConnectionError('still refused')
  const error = await retry(
    async () => {
      calls++
      throw last
    },
    { ...fast, retries: 3 },
  ).catch((e: unknown) => e)
  expect(calls).toBe(4)
  expect(error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded)
  expect((error as KafkaJSNumberOfRetriesExceeded).cause).toBe(last)
  expect((error as KafkaJSNumberOfRetriesExceeded).retryCount).toBe(3)
  expect((error as KafkaJSNumberOfRetriesExceeded).retriable).toBe(false)
})

test('retryUntil keeps retrying past `retries` until the next wait would end after it', async () => {
  let calls = 0
  // succeeds on the 6th call: past retries: 1, well within the time given
  const value = await retry(
    async () => {
      if (++calls < 6) throw new KafkaJSConnectionError('not yet')
      return 'done'
    },
    { ...fast, retries: 1, retryUntil: Date.now() + 60_000 },
  )
  expect({ value, calls }).toEqual({ value: 'done', calls: 6 })

  // a time already past adds nothing to the count
  let failing = 0
  const error = await retry(
    async () => {
      failing++
      throw new KafkaJSConnectionError('refused')
    },
    { ...fast, retries: 2, retryUntil: Date.now() - 1 },
  ).catch((e: unknown) => e)
  expect(failing).toBe(3)
  expect(error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded)
})

test('an aborted signal stops the wait and the loop with its reason', async () => {
  const controller = new AbortController()
  const reason = new Error('shutting down')
  const pending = retry(
    async () => {
      throw new KafkaJSConnectionError('refused')
    },
    {
      initialRetryTime: 60_000,
      maxRetryTime: 60_000,
      signal: controller.signal,
      onRetry: () => controller.abort(reason),
    },
  )
  await expect(pending).rejects.toBe(reason)
  await expect(sleep(10, controller.signal)).rejects.toBe(reason)
})
