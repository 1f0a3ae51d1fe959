// The consumer's options: KafkaJS's names and defaults, plus the group protocol (KIP-848), static
// membership (KIP-345) and rebalance callbacks. Every option is checked at construction; a bad one
// fails with a KafkaJSInvalidArgumentError naming it.

import { type ResolvedRetryOptions, type RetryOptions, resolveRetryOptions } from '../common/backoff.js'
import { durationOption, invalidOption, MAX_TIMER_MS } from '../common/validate.js'
import { KafkaJSInvalidArgumentError, KafkaJSNonRetriableError } from '../errors.js'
import type { PartitionAssigner } from './group/assignors/assigner.js'
import type { TopicPartition } from './topic-partition.js'

/** Java's ConsumerRebalanceListener: told which partitions this consumer gains, gives up or lost. */
export interface ConsumerRebalanceListener {
  /** Partitions now owned, before their first message is delivered. */
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>
  /** Partitions given up cleanly: their handlers have finished and (autoCommit) offsets are committed. */
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>
  /** Partitions lost without a clean hand-over (the member was fenced or its session expired). */
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>
}

export type GroupProtocol = 'classic' | 'consumer'

/**
 * Where a partition's position comes from when there is none to use: no committed offset, an offset
 * out of range, or a log truncated under the position without a known divergence (kafkit; Java's
 * auto.offset.reset). 'fromBeginning' (the default, KafkaJS's behaviour): each subscription's
 * `fromBeginning` picks the earliest or the latest offset. 'none': the consumer crashes with a typed
 * error instead (KafkaJSNoOffsetForPartitionError, KafkaJSOffsetOutOfRange, KafkaJSLogTruncationError),
 * and the application decides where to go on.
 */
export type AutoOffsetReset = 'fromBeginning' | 'none'

export interface ConsumerConfig {
  groupId: string
  partitionAssigners?: PartitionAssigner[]
  metadataMaxAge?: number
  sessionTimeout?: number
  rebalanceTimeout?: number
  heartbeatInterval?: number
  maxBytesPerPartition?: number
  minBytes?: number
  maxBytes?: number
  maxWaitTimeInMs?: number
  /**
   * The most messages of one partition handed to the application in one turn (Java's
   * max.poll.records; default 500): eachMessage gets at most this many of a partition before the
   * next partition with data has its turn, and an eachBatch batch holds at most this many messages
   * (KafkaJS hands a whole fetch, up to maxBytesPerPartition). Partitions are served in turn, so
   * none waits behind another's large fetch, a partition taken over in a rebalance starts within a
   * turn, and with autoCommit the offsets are committed after every turn.
   */
  maxPollRecords?: number
  retry?: RetryOptions & { restartOnFailure?: (error: Error) => Promise<boolean> }
  allowAutoTopicCreation?: boolean
  maxInFlightRequests?: number | null
  readUncommitted?: boolean
  rackId?: string
  /** 'classic' (JoinGroup/SyncGroup, default) or 'consumer' (KIP-848, Kafka 4.x). */
  groupProtocol?: GroupProtocol
  /** Static membership (KIP-345): a restart within sessionTimeout keeps the assignment without a rebalance. */
  groupInstanceId?: string | null
  /** KIP-848: the broker-side assignor ('uniform' or 'range'); the broker's default when unset. */
  groupRemoteAssignor?: string | null
  rebalanceListener?: ConsumerRebalanceListener
  /** What happens when a partition has no usable position (kafkit; default 'fromBeginning', see AutoOffsetReset). */
  autoOffsetReset?: AutoOffsetReset
}

export interface ResolvedConsumerOptions {
  readonly groupId: string
  readonly partitionAssigners: readonly PartitionAssigner[] | undefined
  readonly metadataMaxAge: number | undefined
  readonly sessionTimeout: number
  readonly rebalanceTimeout: number
  readonly heartbeatInterval: number
  readonly maxBytesPerPartition: number
  readonly minBytes: number
  readonly maxBytes: number
  readonly maxWaitTimeInMs: number
  readonly maxPollRecords: number
  readonly retry: ResolvedRetryOptions
  readonly restartOnFailure: ((error: Error) => Promise<boolean>) | undefined
  readonly allowAutoTopicCreation: boolean
  readonly maxInFlightRequests: number | null | undefined
  readonly readUncommitted: boolean
  readonly rackId: string
  readonly groupProtocol: GroupProtocol
  readonly groupInstanceId: string | null
  readonly groupRemoteAssignor: string | null
  readonly rebalanceListener: ConsumerRebalanceListener
  readonly autoOffsetReset: AutoOffsetReset
}

export const CONSUMER_DEFAULTS = {
  sessionTimeout: 30000,
  rebalanceTimeout: 60000,
  heartbeatInterval: 3000,
  maxBytesPerPartition: 1048576,
  minBytes: 1,
  maxBytes: 10485760,
  maxWaitTimeInMs: 5000,
  maxPollRecords: 500,
} as const

const INT32_MAX = 2 ** 31 - 1

export function resolveConsumerOptions(config: ConsumerConfig): ResolvedConsumerOptions {
  if (config === null || typeof config !== 'object') {
    throw new KafkaJSInvalidArgumentError('Consumer config must be an object with at least `groupId`')
  }
  const { groupId } = config
  if (typeof groupId !== 'string' || groupId.length === 0) {
    throw new KafkaJSNonRetriableError('Consumer groupId must be a non-empty string.')
  }
  const sessionTimeout = durationOption('sessionTimeout', config.sessionTimeout, CONSUMER_DEFAULTS.sessionTimeout)
  const rebalanceTimeout = durationOption(
    'rebalanceTimeout',
    config.rebalanceTimeout,
    CONSUMER_DEFAULTS.rebalanceTimeout,
  )
  // 0 is allowed, as in KafkaJS: each heartbeat is sent as soon as the previous one is answered
  const heartbeatInterval = config.heartbeatInterval ?? CONSUMER_DEFAULTS.heartbeatInterval
  if (!Number.isInteger(heartbeatInterval) || heartbeatInterval < 0 || heartbeatInterval > MAX_TIMER_MS) {
    invalidOption('heartbeatInterval', `an integer between 0 and ${MAX_TIMER_MS} (ms)`, heartbeatInterval)
  }
  if (heartbeatInterval >= sessionTimeout) {
    throw new KafkaJSNonRetriableError(
      `Consumer heartbeatInterval (${heartbeatInterval}) must be lower than sessionTimeout (${sessionTimeout}). It is recommended to set heartbeatInterval to approximately a third of the sessionTimeout.`,
    )
  }
  const maxBytesPerPartition = byteOption(
    'maxBytesPerPartition',
    config.maxBytesPerPartition,
    CONSUMER_DEFAULTS.maxBytesPerPartition,
    1,
  )
  const { minBytes, maxBytes, maxWaitTimeInMs } = fetchLimits(config, CONSUMER_DEFAULTS)
  const maxPollRecords = maxPollRecordsOption(config.maxPollRecords, CONSUMER_DEFAULTS.maxPollRecords)
  const assigners = config.partitionAssigners
  if (assigners !== undefined) {
    if (!Array.isArray(assigners) || assigners.length === 0 || assigners.some((a) => typeof a !== 'function')) {
      invalidOption(
        'partitionAssigners',
        'a non-empty array of assigner functions (e.g. PartitionAssigners.roundRobin)',
        assigners,
      )
    }
  }
  const { restartOnFailure, ...retry } = config.retry ?? {}
  if (restartOnFailure !== undefined && typeof restartOnFailure !== 'function') {
    invalidOption('retry.restartOnFailure', 'a function returning Promise<boolean>', restartOnFailure)
  }
  booleanOption('allowAutoTopicCreation', config.allowAutoTopicCreation)
  booleanOption('readUncommitted', config.readUncommitted)
  const rackId = config.rackId ?? ''
  if (typeof rackId !== 'string') invalidOption('rackId', 'a string', rackId)
  const groupProtocol = config.groupProtocol ?? 'classic'
  if (groupProtocol !== 'classic' && groupProtocol !== 'consumer') {
    invalidOption('groupProtocol', '"classic" or "consumer"', groupProtocol)
  }
  const groupInstanceId = config.groupInstanceId ?? null
  if (groupInstanceId !== null && (typeof groupInstanceId !== 'string' || groupInstanceId.length === 0)) {
    invalidOption('groupInstanceId', 'a non-empty string or null', groupInstanceId)
  }
  const groupRemoteAssignor = config.groupRemoteAssignor ?? null
  if (groupRemoteAssignor !== null && (typeof groupRemoteAssignor !== 'string' || groupRemoteAssignor.length === 0)) {
    invalidOption('groupRemoteAssignor', 'a non-empty string (e.g. "uniform" or "range") or null', groupRemoteAssignor)
  }
  if (groupRemoteAssignor !== null && groupProtocol !== 'consumer') {
    throw new KafkaJSInvalidArgumentError('groupRemoteAssignor applies only with groupProtocol "consumer"')
  }
  if (assigners !== undefined && groupProtocol === 'consumer') {
    throw new KafkaJSInvalidArgumentError(
      'partitionAssigners applies only with groupProtocol "classic"; with "consumer" the broker assigns (groupRemoteAssignor)',
    )
  }
  const listener = config.rebalanceListener ?? {}
  if (typeof listener !== 'object' || listener === null) invalidOption('rebalanceListener', 'an object', listener)
  for (const name of ['onPartitionsAssigned', 'onPartitionsRevoked', 'onPartitionsLost'] as const) {
    const fn = listener[name]
    if (fn !== undefined && typeof fn !== 'function') invalidOption(`rebalanceListener.${name}`, 'a function', fn)
  }
  const autoOffsetReset = config.autoOffsetReset ?? 'fromBeginning'
  if (autoOffsetReset !== 'fromBeginning' && autoOffsetReset !== 'none') {
    invalidOption('autoOffsetReset', '"fromBeginning" or "none"', autoOffsetReset)
  }
  return {
    groupId,
    partitionAssigners: assigners,
    metadataMaxAge: config.metadataMaxAge,
    sessionTimeout,
    rebalanceTimeout,
    heartbeatInterval,
    maxBytesPerPartition,
    minBytes,
    maxBytes,
    maxWaitTimeInMs,
    maxPollRecords,
    retry: resolveRetryOptions(retry),
    restartOnFailure,
    allowAutoTopicCreation: config.allowAutoTopicCreation ?? true,
    maxInFlightRequests: config.maxInFlightRequests,
    readUncommitted: config.readUncommitted ?? false,
    rackId,
    groupProtocol,
    groupInstanceId,
    groupRemoteAssignor,
    rebalanceListener: listener,
    autoOffsetReset,
  }
}

/**
 * The options every fetching client shares (the consumer's and the share consumer's): minBytes,
 * maxBytes and maxWaitTimeInMs with the client's defaults, and checks of metadataMaxAge and retry.
 */
export function fetchLimits(
  config: { minBytes?: number; maxBytes?: number; maxWaitTimeInMs?: number; metadataMaxAge?: number; retry?: unknown },
  defaults: { minBytes: number; maxBytes: number; maxWaitTimeInMs: number },
): { minBytes: number; maxBytes: number; maxWaitTimeInMs: number } {
  const minBytes = byteOption('minBytes', config.minBytes, defaults.minBytes, 0)
  const maxBytes = byteOption('maxBytes', config.maxBytes, defaults.maxBytes, 1)
  const maxWaitTimeInMs = config.maxWaitTimeInMs ?? defaults.maxWaitTimeInMs
  if (!Number.isInteger(maxWaitTimeInMs) || maxWaitTimeInMs < 0 || maxWaitTimeInMs > MAX_TIMER_MS) {
    invalidOption('maxWaitTimeInMs', `an integer between 0 and ${MAX_TIMER_MS} (ms)`, maxWaitTimeInMs)
  }
  if (config.metadataMaxAge !== undefined) durationOption('metadataMaxAge', config.metadataMaxAge, 1)
  // spreading a string or number would silently yield the defaults
  if (config.retry !== undefined && (config.retry === null || typeof config.retry !== 'object')) {
    invalidOption('retry', 'an object', config.retry)
  }
  return { minBytes, maxBytes, maxWaitTimeInMs }
}

/** Java's max.poll.records: the consumer's per-partition turn, the share consumer's records per fetch. */
export function maxPollRecordsOption(value: number | undefined, fallback: number): number {
  const v = value ?? fallback
  if (!Number.isInteger(v) || v < 1 || v > INT32_MAX) {
    invalidOption('maxPollRecords', `an integer between 1 and ${INT32_MAX} (messages)`, v)
  }
  return v
}

export function byteOption(name: string, value: number | undefined, fallback: number, min: number): number {
  const v = value ?? fallback
  if (!Number.isInteger(v) || v < min || v > INT32_MAX)
    invalidOption(name, `an integer between ${min} and ${INT32_MAX} (bytes)`, v)
  return v
}

export function booleanOption(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') invalidOption(name, 'a boolean', value)
}

export interface RunConfig {
  autoCommit?: boolean
  autoCommitInterval?: number | null
  autoCommitThreshold?: number | null
  eachBatchAutoResolve?: boolean
  partitionsConsumedConcurrently?: number
  eachBatch?: unknown
  eachMessage?: unknown
}

export function checkRunConfig(config: RunConfig): void {
  if (config === null || typeof config !== 'object') invalidOption('run options', 'an object', config)
  // As in KafkaJS, both handlers may be given (eachMessage is used) or neither (nothing is processed)
  const { eachBatch, eachMessage } = config
  if (eachBatch !== undefined && typeof eachBatch !== 'function') invalidOption('eachBatch', 'a function', eachBatch)
  if (eachMessage !== undefined && typeof eachMessage !== 'function')
    invalidOption('eachMessage', 'a function', eachMessage)
  booleanOption('autoCommit', config.autoCommit)
  booleanOption('eachBatchAutoResolve', config.eachBatchAutoResolve)
  const interval = config.autoCommitInterval ?? null
  if (interval !== null && (!Number.isInteger(interval) || interval < 0)) {
    invalidOption('autoCommitInterval', 'an integer >= 0 (ms) or null', interval)
  }
  const threshold = config.autoCommitThreshold ?? null
  if (threshold !== null && (!Number.isInteger(threshold) || threshold < 1)) {
    invalidOption('autoCommitThreshold', 'an integer >= 1 or null', threshold)
  }
  const concurrency = config.partitionsConsumedConcurrently ?? 1
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    invalidOption('partitionsConsumedConcurrently', 'an integer >= 1', concurrency)
  }
}
