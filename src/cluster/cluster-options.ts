// Options of the cluster view, with KafkaJS's names and defaults where KafkaJS has them.

import { type ResolvedRetryOptions, type RetryOptions, resolveRetryOptions } from '../common/backoff.js'
import { errorMessage } from '../common/error-message.js'
import { type Logger, silentLogger } from '../common/logger.js'
import { durationOption, invalidOption, MAX_TIMER_MS, parseHostPort } from '../common/validate.js'
import { KafkaJSConnectionError, KafkaJSNonRetriableError } from '../errors.js'
import type { PoolConnectionOptions } from '../network/broker-pool.js'
import { resolveConnectionOptions } from '../network/connection-options.js'

export interface SeedBroker {
  readonly host: string
  readonly port: number
}

export interface ClusterOptions extends PoolConnectionOptions {
  /** Seed brokers as "host:port", or a function returning them (called at each bootstrap), as KafkaJS. */
  brokers: readonly string[] | (() => readonly string[] | Promise<readonly string[]>)
  /** Retry options for bootstrap, metadata and coordinator lookups (KafkaJS `retry`). */
  retry?: RetryOptions
  /** Metadata older than this (ms) is refreshed before use; default 300000 as KafkaJS and Java. */
  metadataMaxAge?: number
  /** Lets the broker create topics named in Metadata requests, if it is configured to; default true as KafkaJS. */
  allowAutoTopicCreation?: boolean
  /**
   * Bootstraps on the first request when connect() was not called (KafkaJS's admin works without
   * it); default false: clients with background work must not reconnect after disconnect().
   */
  connectOnDemand?: boolean
  /**
   * What the client does when it cannot get metadata from the brokers it knows (Java's
   * `metadata.recovery.strategy`, KIP-899): 'rebootstrap' (default, as Java since Kafka 4.0) goes back
   * to `brokers` (calling the function again, resolving the names again) when every known broker is
   * unreachable, when no metadata came for `metadataRecoveryRebootstrapTrigger` ms, or when a broker
   * answers REBOOTSTRAP_REQUIRED; 'none' keeps retrying the known brokers.
   */
  metadataRecoveryStrategy?: MetadataRecoveryStrategy
  /**
   * How long (ms) metadata attempts may fail before the client bootstraps again from `brokers`
   * (Java's `metadata.recovery.rebootstrap.trigger.ms`, KIP-1102); default 300000, 0 allowed.
   */
  metadataRecoveryRebootstrapTrigger?: number
}

export type MetadataRecoveryStrategy = 'rebootstrap' | 'none'

export interface ResolvedClusterOptions {
  readonly seeds: () => Promise<SeedBroker[]>
  readonly connection: PoolConnectionOptions
  readonly retry: ResolvedRetryOptions
  readonly metadataMaxAge: number
  readonly allowAutoTopicCreation: boolean
  readonly connectOnDemand: boolean
  readonly metadataRecoveryStrategy: MetadataRecoveryStrategy
  readonly metadataRecoveryRebootstrapTrigger: number
  readonly logger: Logger
}

export const DEFAULT_METADATA_MAX_AGE = 300000
/** Java's metadata.recovery.rebootstrap.trigger.ms default (KIP-1102). */
export const DEFAULT_REBOOTSTRAP_TRIGGER = 300000

export function resolveClusterOptions(options: ClusterOptions): ResolvedClusterOptions {
  const {
    brokers,
    retry,
    metadataMaxAge,
    allowAutoTopicCreation,
    connectOnDemand,
    metadataRecoveryStrategy,
    metadataRecoveryRebootstrapTrigger,
    ...connection
  } = options
  // the connection options are checked here, once, with a placeholder address
  resolveConnectionOptions({ ...connection, host: 'seed', port: 1 })
  if (allowAutoTopicCreation !== undefined && typeof allowAutoTopicCreation !== 'boolean') {
    invalidOption('allowAutoTopicCreation', 'a boolean', allowAutoTopicCreation)
  }
  return {
    seeds: async () => parseSeeds(typeof brokers === 'function' ? await callBrokers(brokers) : brokers),
    connection,
    retry: resolveRetryOptions(retry),
    metadataMaxAge: durationOption('metadataMaxAge', metadataMaxAge, DEFAULT_METADATA_MAX_AGE),
    allowAutoTopicCreation: allowAutoTopicCreation ?? true,
    connectOnDemand: connectOnDemand === true,
    metadataRecoveryStrategy: recoveryStrategy(metadataRecoveryStrategy),
    metadataRecoveryRebootstrapTrigger: rebootstrapTrigger(metadataRecoveryRebootstrapTrigger),
    logger: connection.logger ?? silentLogger,
  }
}

function recoveryStrategy(value: unknown): MetadataRecoveryStrategy {
  if (value === undefined) return 'rebootstrap'
  if (value !== 'rebootstrap' && value !== 'none')
    invalidOption('metadataRecoveryStrategy', '"rebootstrap" or "none"', value)
  return value
}

/** Java's range: any duration from 0 (rebootstrap at the first failed attempt after one). */
function rebootstrapTrigger(value: unknown): number {
  if (value === undefined) return DEFAULT_REBOOTSTRAP_TRIGGER
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TIMER_MS) {
    invalidOption('metadataRecoveryRebootstrapTrigger', `an integer between 0 and ${MAX_TIMER_MS} (ms)`, value)
  }
  return value
}

/** The list a `brokers` function returns; what it throws becomes KafkaJS's connection error. */
async function callBrokers(brokers: () => readonly string[] | Promise<readonly string[]>): Promise<unknown> {
  try {
    return await brokers()
  } catch (error) {
    const message = errorMessage(error)
    throw new KafkaJSConnectionError(`Failed to connect: "config.brokers" threw: ${message}`, { cause: error })
  }
}

/**
 * The seed list, checked when connecting (KafkaJS accepts any list at construction) with KafkaJS's
 * texts; an entry that is a string but no "host:port" fails with kafkit's, where KafkaJS would
 * connect to port NaN.
 */
function parseSeeds(brokers: unknown): SeedBroker[] {
  if (!brokers) throw new KafkaJSNonRetriableError('Failed to connect: brokers should not be null')
  if (!Array.isArray(brokers)) invalidOption('brokers', 'an array of "host:port" strings or a function', brokers)
  if (brokers.length === 0) throw new KafkaJSNonRetriableError('Failed to connect: brokers array is empty')
  brokers.forEach((broker: unknown, index) => {
    if (typeof broker !== 'string' || broker.length === 0) {
      throw new KafkaJSNonRetriableError(`Failed to connect: broker at index ${index} is invalid "${typeof broker}"`)
    }
  })
  return brokers.map((b: string, i) => parseHostPort(b, `brokers[${i}]`))
}
