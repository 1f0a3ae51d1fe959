// Per-item admin calls: many topics, partitions, groups or resources go out in few requests, and
// each comes back on its own. Items that fail retriably (leader moved, coordinator loading,
// broker unreachable) are asked again with backoff; the rest keep their result. At the end the
// successes are returned and the failures, if any, thrown together in one KafkaJSAggregateError
// that names each failed item, while the successful items stay applied.

import { backoffDelay, isRetriable, type ResolvedRetryOptions, sleep } from '../common/backoff.js'
import type { Logger } from '../common/logger.js'
import {
  KafkaJSAdminItemError,
  KafkaJSAggregateError,
  KafkaJSError,
  KafkaJSInvariantViolation,
  KafkaJSNumberOfRetriesExceeded,
} from '../errors.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'

/** KafkaJS's log message when an admin call is retried, so log-based alerts written for it keep matching. */
const KAFKAJS_RETRY_MESSAGES: Readonly<Record<string, string>> = {
  createTopics: 'Could not create topics',
  // sic: KafkaJS logs createPartitions' retries under createTopics' text
  createPartitions: 'Could not create topics',
  deleteTopics: 'Could not delete topics',
  describeConfigs: 'Could not describe configs',
  alterConfigs: 'Could not alter configs',
  deleteGroups: 'Could not delete groups',
  createAcls: 'Could not create ACL',
  describeAcls: 'Could not describe ACL',
  deleteAcls: 'Could not delete ACL',
  alterPartitionReassignments: 'Could not reassign partitions',
  listPartitionReassignments: 'Could not reassign partitions',
}

/** The message a retry of `operation` is logged with: KafkaJS's where it has one. */
export function retryLogMessage(operation: string, what: string): string {
  return KAFKAJS_RETRY_MESSAGES[operation] ?? `${operation}: ${what}`
}

export type Outcome<V> = { value: V; error?: undefined } | { value?: undefined; error: Error }

export function succeeded<V>(value: V): Outcome<V> {
  return { value }
}

export function failed(error: unknown): Outcome<never> {
  return { error: asError(error) }
}

export interface SettleOptions<K> {
  /** The operation's name, for logs and errors (e.g. "deleteTopics"). */
  operation: string
  retry: ResolvedRetryOptions
  logger: Logger
  /** Whether an item that failed with `error` is asked again. Default: the error says it is retriable. */
  retriable?: (error: Error, item: K) => boolean
  /** Told of each error an item will be retried after: mark metadata stale, forget a coordinator. */
  beforeRetry?: (error: Error, item: K) => void
}

/**
 * Runs `round` on the pending items until each has a final outcome: success, a non-retriable
 * error, or a retriable error once the retries are used up. `round` returns an outcome per item
 * (a missing one is an invariant violation); if it throws, a retriable error fails every pending
 * item for this round and anything else is thrown as is (a bad request, an unsupported API).
 */
export async function settle<K, V>(
  items: readonly K[],
  round: (pending: readonly K[]) => Promise<ReadonlyMap<K, Outcome<V>>>,
  options: SettleOptions<K>,
): Promise<Map<K, Outcome<V>>> {
  const results = new Map<K, Outcome<V>>()
  const retriable = options.retriable ?? ((error: Error) => isRetriable(error))
  let pending: readonly K[] = [...new Set(items)]
  for (let attempt = 0; pending.length > 0; attempt++) {
    let outcomes: ReadonlyMap<K, Outcome<V>>
    try {
      outcomes = await round(pending)
    } catch (error) {
      if (!isRetriable(error)) throw error
      const outcome = failed(error)
      outcomes = new Map(pending.map((item) => [item, outcome]))
    }
    const again: K[] = []
    let reason: Error | undefined
    for (const item of pending) {
      const outcome =
        outcomes.get(item) ?? failed(new KafkaJSInvariantViolation(`${options.operation}: no result for an item`))
      if (outcome.error !== undefined && attempt < options.retry.retries && retriable(outcome.error, item)) {
        options.beforeRetry?.(outcome.error, item)
        reason ??= outcome.error
        again.push(item)
      } else {
        results.set(item, outcome)
      }
    }
    if (again.length > 0) {
      const delay = backoffDelay(attempt, options.retry)
      options.logger.warn(retryLogMessage(options.operation, `retrying ${again.length} item(s)`), {
        error: reason?.message,
        retryCount: attempt,
        retryTime: delay,
      })
      await sleep(delay)
    }
    pending = again
  }
  return results
}

/**
 * The values of the items that succeeded, in the order of `items`; throws a KafkaJSAggregateError
 * of KafkaJSAdminItemError (one per failed item, named by `describe`) if any failed.
 */
export function valuesOrThrow<K, V>(
  operation: string,
  items: readonly K[],
  results: ReadonlyMap<K, Outcome<V>>,
  describe: (item: K) => Readonly<Record<string, unknown>>,
): V[] {
  const errors: Error[] = []
  const values: V[] = []
  for (const item of new Set(items)) {
    const outcome = results.get(item)
    if (outcome === undefined) continue
    if (outcome.error !== undefined) errors.push(new KafkaJSAdminItemError(operation, describe(item), outcome.error))
    else values.push(outcome.value)
  }
  if (errors.length > 0) throw aggregate(operation, errors, results.size)
  return values
}

/**
 * The values of the items that succeeded, in the order of `items`; if any failed, throws the error
 * of the first one as KafkaJS does (it reads only the first failure of a response): a broker's
 * KafkaJSProtocolError as it is, or, when `retried` says settle() retried it until the retries ran
 * out, KafkaJSNumberOfRetriesExceeded around it (KafkaJS's retrier's end). The items that succeeded
 * stay applied.
 */
export function valuesOrFirstError<K, V>(
  items: readonly K[],
  results: ReadonlyMap<K, Outcome<V>>,
  retried?: { retries: number; retriable: (error: Error) => boolean },
): V[] {
  const values: V[] = []
  for (const item of new Set(items)) {
    const outcome = results.get(item)
    if (outcome === undefined) continue
    if (outcome.error === undefined) values.push(outcome.value)
    else if (retried?.retriable(outcome.error))
      throw new KafkaJSNumberOfRetriesExceeded(outcome.error, { retryCount: retried.retries, retryTime: 0 })
    else throw outcome.error
  }
  return values
}

/** One error for the failed items of an operation, its message listing the first few. */
export function aggregate(operation: string, errors: readonly Error[], total: number): KafkaJSAggregateError {
  const shown = errors
    .slice(0, 3)
    .map((e) => e.message)
    .join('; ')
  const more = errors.length > 3 ? `; and ${errors.length - 3} more` : ''
  return new KafkaJSAggregateError(
    `${operation} failed for ${errors.length} of ${total} item(s): ${shown}${more}`,
    errors,
  )
}

export function asError(error: unknown): Error {
  if (error instanceof Error) return error
  return new KafkaJSError(String(error), { retriable: false })
}

/** What most per-item results of an admin response carry. */
export interface ItemResult {
  readonly errorCode: number
  readonly errorMessage?: string | null
}

export interface MatchOptions<K, R, V> {
  /** The key of a pending item and of a result: how they are matched. */
  keyOfItem: (item: K) => string
  keyOfResult: (result: R) => string
  /** The success value of an item whose result has no error. */
  value: (result: R, item: K) => V
  /** Names the item in error messages, e.g. "topic orders". */
  describe: (item: K) => string
  /** Errors that mean the work is done after all (e.g. TOPIC_ALREADY_EXISTS after a timed-out attempt). */
  doneAnyway?: (errorCode: number, item: K) => boolean
}

/**
 * An outcome per pending item from the per-item results of a response. An item the response does
 * not mention fails with UNKNOWN_SERVER_ERROR, as Java's admin client does.
 */
export function matchResults<K, R extends ItemResult, V>(
  pending: readonly K[],
  results: Iterable<R>,
  options: MatchOptions<K, R, V>,
): Map<K, Outcome<V>> {
  const byKey = new Map<string, R>()
  for (const result of results) byKey.set(options.keyOfResult(result), result)
  const outcomes = new Map<K, Outcome<V>>()
  for (const item of pending) {
    const result = byKey.get(options.keyOfItem(item))
    const what = options.describe(item)
    if (result === undefined) {
      outcomes.set(item, failed(protocolError(ErrorCode.UNKNOWN_SERVER_ERROR, `the broker did not answer for ${what}`)))
    } else if (result.errorCode === ErrorCode.NONE || options.doneAnyway?.(result.errorCode, item)) {
      outcomes.set(item, succeeded(options.value(result, item)))
    } else {
      // `detail` names the item (and carries the broker's own message): KafkaJS's text stays the message
      const detail = result.errorMessage ? `${what}: ${result.errorMessage}` : what
      outcomes.set(item, failed(protocolError(result.errorCode, detail)))
    }
  }
  return outcomes
}

/**
 * An outcome per pending item from results that come back in request order, without keys (as
 * CreateAcls and DeleteAcls answer). A missing result fails its item with UNKNOWN_SERVER_ERROR.
 */
export function matchByPosition<K, R extends ItemResult, V>(
  pending: readonly K[],
  results: readonly R[],
  options: Pick<MatchOptions<K, R, V>, 'value' | 'describe'>,
): Map<K, Outcome<V>> {
  return matchResults(
    pending,
    results.map((result, index) => ({ ...result, index })),
    {
      keyOfItem: (item) => String(pending.indexOf(item)),
      keyOfResult: (result) => String(result.index),
      value: (result, item) => options.value(result, item),
      describe: options.describe,
    },
  )
}
