// Finds which broker coordinates a consumer group, a transactional id or a share group
// (FindCoordinator), and remembers it until told otherwise. From FindCoordinator v4 one request
// carries many keys (coordinatorKeys); before that, one request per key.

import { isRetriable, type ResolvedRetryOptions, retry } from '../common/backoff.js'
import type { Logger } from '../common/logger.js'
import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSProtocolError } from '../errors.js'
import type { BrokerAddress } from '../network/broker-pool.js'
import type { Connection } from '../network/connection.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import { FindCoordinator } from '../protocol/generated/find-coordinator.js'

/** FindCoordinator key types (KafkaJS calls these COORDINATOR_TYPES). */
export const CoordinatorType = { GROUP: 0, TRANSACTION: 1, SHARE: 2 } as const
export type CoordinatorType = (typeof CoordinatorType)[keyof typeof CoordinatorType]

/** The first FindCoordinator version that takes a list of keys. */
const FIRST_BATCHED_VERSION = 4

/** Errors after which the coordinator must be looked up again (it moved, or is not elected yet). */
const COORDINATOR_MOVED: ReadonlySet<number> = new Set([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE])

export type CoordinatorResult =
  | { coordinator: BrokerAddress; error?: undefined }
  | { coordinator?: undefined; error: Error }

export interface CoordinatorLookupDeps {
  /** A ready connection to any broker (FindCoordinator can go to any). */
  anyConnection: () => Promise<Connection>
  /** Told of every coordinator found, so the broker pool can reach it. */
  onCoordinator: (address: BrokerAddress) => void
  retry: ResolvedRetryOptions
  logger: Logger
}

export class CoordinatorLookup {
  readonly #deps: CoordinatorLookupDeps
  readonly #cache = new Map<string, BrokerAddress>()

  constructor(deps: CoordinatorLookupDeps) {
    this.#deps = deps
  }

  cached(type: CoordinatorType, key: string): BrokerAddress | undefined {
    return this.#cache.get(cacheKey(type, key))
  }

  invalidate(type: CoordinatorType, key: string): void {
    this.#cache.delete(cacheKey(type, key))
  }

  clear(): void {
    this.#cache.clear()
  }

  /**
   * Forgets the coordinator of `key` when `error` says it moved (NOT_COORDINATOR,
   * COORDINATOR_NOT_AVAILABLE) or it could not be reached; returns whether it did.
   */
  invalidateOnError(type: CoordinatorType, key: string, error: unknown): boolean {
    const moved =
      error instanceof KafkaJSProtocolError
        ? COORDINATOR_MOVED.has(error.errorCode)
        : error instanceof KafkaJSConnectionError
    if (moved) this.invalidate(type, key)
    return moved
  }

  /** The coordinator of one key; throws the key's error (after retries, for retriable ones). */
  async find(type: CoordinatorType, key: string): Promise<BrokerAddress> {
    const result = (await this.findAll(type, [key])).get(key)!
    if (result.error !== undefined) throw result.error
    return result.coordinator
  }

  /**
   * The coordinators of many keys, each found or failed on its own. Keys that fail retriably
   * (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, connection errors)
   * are asked again with backoff; the rest keep their first error.
   */
  async findAll(type: CoordinatorType, keys: readonly string[]): Promise<Map<string, CoordinatorResult>> {
    const results = new Map<string, CoordinatorResult>()
    let pending: string[] = []
    for (const key of new Set(keys)) {
      const known = this.cached(type, key)
      if (known === undefined) pending.push(key)
      else results.set(key, { coordinator: known })
    }
    if (pending.length === 0) return results
    try {
      await retry(
        async () => {
          const outcomes = await this.#lookup(type, pending)
          let retriable: Error | undefined
          for (const [key, outcome] of outcomes) {
            if (outcome.error !== undefined && isRetriable(outcome.error)) {
              retriable ??= outcome.error
              continue
            }
            results.set(key, outcome)
            if (outcome.coordinator !== undefined) {
              this.#cache.set(cacheKey(type, key), outcome.coordinator)
              this.#deps.onCoordinator(outcome.coordinator)
            }
          }
          pending = pending.filter((key) => !results.has(key))
          if (retriable !== undefined) throw retriable
        },
        {
          ...this.#deps.retry,
          onRetry: (error, attempt, delay) =>
            this.#deps.logger.debug(`FindCoordinator retry ${attempt + 1} in ${delay} ms`, { error: String(error) }),
        },
      )
    } catch (error) {
      // retries used up, or the lookup itself failed without retriable cause: every key left shares it
      const failure = error instanceof Error ? error : new KafkaJSNonRetriableError(String(error))
      for (const key of pending) results.set(key, { error: failure })
    }
    return results
  }

  /** One round: the keys in one batched request (v4+), or one request per key. */
  async #lookup(type: CoordinatorType, keys: readonly string[]): Promise<Map<string, CoordinatorResult>> {
    const connection = await this.#deps.anyConnection()
    const version = connection.versionFor(FindCoordinator)
    const outcomes = new Map<string, CoordinatorResult>()
    if (version >= FIRST_BATCHED_VERSION) {
      const request = FindCoordinator.createRequest({ keyType: type, coordinatorKeys: [...keys] })
      const response = await connection.send(FindCoordinator, request, { version })
      for (const c of response.coordinators) {
        outcomes.set(c.key, outcome(c, `${describe(type)} ${c.key}`))
      }
      for (const key of keys) {
        if (!outcomes.has(key)) {
          outcomes.set(key, { error: protocolError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `no answer for ${key}`) })
        }
      }
      return outcomes
    }
    await Promise.all(
      keys.map(async (key) => {
        const request = FindCoordinator.createRequest({ key, keyType: type })
        const response = await connection.send(FindCoordinator, request, { version })
        outcomes.set(key, outcome(response, `${describe(type)} ${key}`))
      }),
    )
    return outcomes
  }
}

function outcome(
  answer: { errorCode: number; errorMessage: string | null; nodeId: number; host: string; port: number },
  what: string,
): CoordinatorResult {
  if (answer.errorCode !== ErrorCode.NONE) {
    const detail = answer.errorMessage ? `${what}: ${answer.errorMessage}` : what
    return { error: protocolError(answer.errorCode, detail) }
  }
  return { coordinator: { nodeId: answer.nodeId, host: answer.host, port: answer.port } }
}

function cacheKey(type: CoordinatorType, key: string): string {
  return `${type}:${key}`
}

function describe(type: CoordinatorType): string {
  return type === CoordinatorType.GROUP
    ? 'group'
    : type === CoordinatorType.TRANSACTION
      ? 'transactional id'
      : 'share group'
}
