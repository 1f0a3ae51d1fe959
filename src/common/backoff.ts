// Exponential backoff with jitter, and the retry loop built on it. The options have KafkaJS's `retry`
// shape and defaults, so a KafkaJS `retry: {...}` block means the same here.

import {
  KafkaJSAggregateError,
  KafkaJSError,
  KafkaJSInvalidArgumentError,
  KafkaJSNumberOfRetriesExceeded,
} from '../errors.js'

/**
 * The `retry` option's backoff settings; the API reference shows them where `retry` is taken.
 * @inline
 */
export interface RetryOptions {
  /** Delay before the first retry, in ms. */
  initialRetryTime?: number
  /** Jitter: each delay is randomised within +/- this fraction of its nominal value. */
  factor?: number
  /** Growth of the nominal delay from one retry to the next. */
  multiplier?: number
  /** Upper bound of any single delay, in ms. */
  maxRetryTime?: number
  /** Retries after the first attempt; 5 means at most 6 calls. */
  retries?: number
}

export type ResolvedRetryOptions = Readonly<Required<RetryOptions>>

export const DEFAULT_RETRY_OPTIONS: ResolvedRetryOptions = Object.freeze({
  initialRetryTime: 300,
  factor: 0.2,
  multiplier: 2,
  maxRetryTime: 30000,
  retries: 5,
})

export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  const o = { ...DEFAULT_RETRY_OPTIONS, ...withoutUndefined(options) }
  const check = (ok: boolean, name: keyof RetryOptions, rule: string): void => {
    if (!ok) throw new KafkaJSInvalidArgumentError(`retry.${name} must be ${rule}, got ${String(o[name])}`)
  }
  check(Number.isFinite(o.initialRetryTime) && o.initialRetryTime >= 0, 'initialRetryTime', 'a number >= 0')
  check(Number.isFinite(o.factor) && o.factor >= 0 && o.factor <= 1, 'factor', 'a number between 0 and 1')
  check(Number.isFinite(o.multiplier) && o.multiplier >= 1, 'multiplier', 'a number >= 1')
  check(Number.isFinite(o.maxRetryTime) && o.maxRetryTime >= 0, 'maxRetryTime', 'a number >= 0')
  check(Number.isSafeInteger(o.retries) && o.retries >= 0, 'retries', 'an integer >= 0')
  return Object.freeze(o)
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

/**
 * Delay before retry number `retry` (0 for the first): initialRetryTime * multiplier^retry, capped at
 * maxRetryTime, then spread uniformly over +/- factor of itself (so that clients that failed together
 * do not retry together) and capped again.
 */
export function backoffDelay(retry: number, options: ResolvedRetryOptions, random: () => number = Math.random): number {
  const nominal = Math.min(options.maxRetryTime, options.initialRetryTime * options.multiplier ** retry)
  const jittered = nominal * (1 - options.factor + 2 * options.factor * random())
  return Math.min(options.maxRetryTime, Math.ceil(jittered))
}

/** Backoff state for one thing that fails repeatedly (a broker to reconnect to), reset on success. */
export class Backoff {
  readonly #options: ResolvedRetryOptions
  readonly #random: () => number
  #failures = 0

  constructor(options: ResolvedRetryOptions, random: () => number = Math.random) {
    this.#options = options
    this.#random = random
  }

  /** Consecutive failures since the last success. */
  get failures(): number {
    return this.#failures
  }

  /** Records a failure and returns how long to wait before the next attempt. */
  fail(): number {
    return backoffDelay(this.#failures++, this.#options, this.#random)
  }

  succeed(): void {
    this.#failures = 0
  }
}

/**
 * Whether retrying can help: only errors that say so (KafkaJSError with `retriable`), or an
 * aggregate (a plain Error, as in KafkaJS) of nothing but such errors.
 */
export function isRetriable(error: unknown): boolean {
  if (error instanceof KafkaJSAggregateError) return error.errors.every(isRetriable)
  return error instanceof KafkaJSError && error.retriable
}

export interface RetryCallOptions extends RetryOptions {
  /**
   * A time (Date.now() scale) up to which retriable errors are retried even after `retries` are used
   * up, as long as the next wait ends before it: for calls Java bounds by a time (max.block.ms), not a count.
   */
  retryUntil?: number
  signal?: AbortSignal
  /** Called before each wait, for logging. */
  onRetry?: (error: unknown, retry: number, delay: number) => void
  random?: () => number
}

/**
 * Calls `fn` until it resolves, waiting with backoff after each retriable error. A non-retriable error
 * is thrown as is; when the retries are used up the last error is thrown wrapped in
 * KafkaJSNumberOfRetriesExceeded (not retriable, so that nested retry loops do not multiply).
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryCallOptions = {}): Promise<T> {
  const resolved = resolveRetryOptions(options)
  // KafkaJS reports the last delay as `retryTime`
  let lastDelay = 0
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted()
    try {
      return await fn(attempt)
    } catch (error) {
      if (!isRetriable(error)) throw error
      const delay = backoffDelay(attempt, resolved, options.random)
      const withinTime = options.retryUntil !== undefined && Date.now() + delay < options.retryUntil
      if (attempt >= resolved.retries && !withinTime) {
        throw new KafkaJSNumberOfRetriesExceeded(error, { retryCount: attempt, retryTime: lastDelay })
      }
      lastDelay = delay
      options.onRetry?.(error, attempt, lastDelay)
      await sleep(lastDelay, options.signal)
    }
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
