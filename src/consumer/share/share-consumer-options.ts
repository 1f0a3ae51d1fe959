// The share consumer's options (kafka.shareConsumer(config)) and run() config, checked at
// construction and at run(): a bad value fails with a KafkaJSInvalidArgumentError naming it. Names
// follow the consumer's where the meaning is the same (maxWaitTimeInMs, minBytes, maxBytes, retry,
// rackId); the share-specific ones follow Java's share consumer (share.acknowledgement.mode,
// max.poll.records, share.acquire.mode).

import { type ResolvedRetryOptions, type RetryOptions, resolveRetryOptions } from '../../common/backoff.js'
import { invalidOption } from '../../common/validate.js'
import { KafkaJSNonRetriableError } from '../../errors.js'
import { booleanOption, fetchLimits, maxPollRecordsOption } from '../consumer-options.js'

/**
 * implicit (default): a handler that resolves accepts its records, one that throws releases them for
 * redelivery. explicit: the handler acknowledges each record with message.ack(); a record it leaves
 * unacknowledged is released and the run crashes with KafkaJSShareAcknowledgementError.
 */
export type ShareAcknowledgementMode = 'implicit' | 'explicit'

/**
 * batch_optimized (default): the broker may hand out whole record batches, so a fetch can acquire
 * more than maxPollRecords. record_limit (KIP-1206): never more than maxPollRecords per fetch.
 */
export type ShareAcquireMode = 'batch_optimized' | 'record_limit'

export interface ShareConsumerConfig {
  groupId: string
  acknowledgementMode?: ShareAcknowledgementMode
  /** The most records one ShareFetch asks for (Java's max.poll.records). Default 500. */
  maxPollRecords?: number
  acquireMode?: ShareAcquireMode
  /** How long the broker may hold a ShareFetch for records to arrive. Default 500 (Java's fetch.max.wait.ms). */
  maxWaitTimeInMs?: number
  minBytes?: number
  maxBytes?: number
  metadataMaxAge?: number
  retry?: RetryOptions
  allowAutoTopicCreation?: boolean
  maxInFlightRequests?: number | null
  rackId?: string
}

export interface ResolvedShareConsumerOptions {
  readonly groupId: string
  readonly acknowledgementMode: ShareAcknowledgementMode
  readonly maxPollRecords: number
  readonly acquireMode: ShareAcquireMode
  readonly maxWaitTimeInMs: number
  readonly minBytes: number
  readonly maxBytes: number
  readonly metadataMaxAge: number | undefined
  readonly retry: ResolvedRetryOptions
  readonly allowAutoTopicCreation: boolean
  readonly maxInFlightRequests: number | null | undefined
  readonly rackId: string | null
}

export const SHARE_CONSUMER_DEFAULTS = {
  acknowledgementMode: 'implicit',
  maxPollRecords: 500,
  acquireMode: 'batch_optimized',
  maxWaitTimeInMs: 500,
  minBytes: 1,
  maxBytes: 52428800,
} as const

export function resolveShareConsumerOptions(config: ShareConsumerConfig): ResolvedShareConsumerOptions {
  if (config === null || typeof config !== 'object') {
    invalidOption('share consumer config', 'an object with at least `groupId`', config)
  }
  const { groupId } = config
  if (typeof groupId !== 'string' || groupId.length === 0) {
    throw new KafkaJSNonRetriableError('Share consumer groupId must be a non-empty string.')
  }
  const acknowledgementMode = config.acknowledgementMode ?? SHARE_CONSUMER_DEFAULTS.acknowledgementMode
  if (acknowledgementMode !== 'implicit' && acknowledgementMode !== 'explicit') {
    invalidOption('acknowledgementMode', '"implicit" or "explicit"', acknowledgementMode)
  }
  const acquireMode = config.acquireMode ?? SHARE_CONSUMER_DEFAULTS.acquireMode
  if (acquireMode !== 'batch_optimized' && acquireMode !== 'record_limit') {
    invalidOption('acquireMode', '"batch_optimized" or "record_limit"', acquireMode)
  }
  const maxPollRecords = maxPollRecordsOption(config.maxPollRecords, SHARE_CONSUMER_DEFAULTS.maxPollRecords)
  const { minBytes, maxBytes, maxWaitTimeInMs } = fetchLimits(config, SHARE_CONSUMER_DEFAULTS)
  booleanOption('allowAutoTopicCreation', config.allowAutoTopicCreation)
  const rackId = config.rackId ?? null
  if (rackId !== null && typeof rackId !== 'string') invalidOption('rackId', 'a string', rackId)
  return {
    groupId,
    acknowledgementMode,
    maxPollRecords,
    acquireMode,
    maxWaitTimeInMs,
    minBytes,
    maxBytes,
    metadataMaxAge: config.metadataMaxAge,
    retry: resolveRetryOptions(config.retry ?? {}),
    allowAutoTopicCreation: config.allowAutoTopicCreation ?? true,
    maxInFlightRequests: config.maxInFlightRequests,
    rackId: rackId === '' ? null : rackId,
  }
}

export interface ShareRunConfig {
  eachMessage?: unknown
  eachBatch?: unknown
  /** How many records (eachMessage) or batches (eachBatch) are processed at once, of any partition. Default 1. */
  concurrency?: number
}

/** Checks run()'s config; returns the concurrency. */
export function checkShareRunConfig(config: ShareRunConfig): number {
  if (config === null || typeof config !== 'object') invalidOption('run options', 'an object', config)
  const { eachBatch, eachMessage } = config
  if (eachMessage === undefined && eachBatch === undefined) {
    invalidOption('run options', 'an eachMessage or an eachBatch handler', config)
  }
  if (eachBatch !== undefined && typeof eachBatch !== 'function') invalidOption('eachBatch', 'a function', eachBatch)
  if (eachMessage !== undefined && typeof eachMessage !== 'function') {
    invalidOption('eachMessage', 'a function', eachMessage)
  }
  const concurrency = config.concurrency ?? 1
  if (!Number.isInteger(concurrency) || concurrency < 1) invalidOption('concurrency', 'an integer >= 1', concurrency)
  return concurrency
}
