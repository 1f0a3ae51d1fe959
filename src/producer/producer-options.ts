// The producer's options: KafkaJS's names (createPartitioner, retry, idempotent, transactionalId,
// transactionTimeout, maxInFlightRequests, ...) plus the Java client's batching and delivery
// settings under camelCase names, with the Java client's defaults. Everything is checked here, at
// construction, and each failure names the option.

import { type ResolvedRetryOptions, type RetryOptions, resolveRetryOptions } from '../common/backoff.js'
import { invalidOption, MAX_TIMER_MS } from '../common/validate.js'
import { KafkaJSInvalidArgumentError, KafkaJSNonRetriableError } from '../errors.js'
import { type CompressionType, CompressionTypes, isCompressionType } from '../protocol/codecs/compression-types.js'
import type { ICustomPartitioner } from './partitioners/types.js'

export type Acks = -1 | 0 | 1

export interface ProducerConfig {
  /** KafkaJS: a factory of partition functions; default Partitioners.DefaultPartitioner (Java-compatible). */
  createPartitioner?: ICustomPartitioner
  /** Backoff between retries of a failed batch; `retries` also caps how often one batch is retried. */
  retry?: RetryOptions
  metadataMaxAge?: number
  /** KafkaJS: let the broker create topics on first use, if it is configured to; default true. */
  allowAutoTopicCreation?: boolean
  /** Default true (Java 3+), unless acks or maxInFlightRequests given here rule it out. */
  idempotent?: boolean
  transactionalId?: string
  /** How long the coordinator lets a transaction run before aborting it, in ms; default 60000. */
  transactionTimeout?: number
  /** Produce requests in flight per broker; default 5, at most 5 with idempotence. */
  maxInFlightRequests?: number
  /** Default acks of send() and sendBatch() (Java `acks`); default -1 (all in-sync replicas). */
  acks?: Acks
  /** Default compression of send() and sendBatch(); default none. */
  compression?: CompressionType
  /** A partition's batch is sent once it holds this many bytes (Java `batch.size`); default 16384. */
  batchSize?: number
  /** How long a batch that is not full waits for more records, in ms (Java `linger.ms`); default 5. */
  linger?: number
  /** Bytes of records waiting to be sent or acknowledged at most (Java `buffer.memory`); default 32 MiB. */
  maxBufferedBytes?: number
  /** How long send() may wait for buffer room or topic metadata, in ms (Java `max.block.ms`); default 60000. */
  maxBlockMs?: number
  /** Time from send() until a record must be acknowledged or fail, in ms (Java `delivery.timeout.ms`); default 120000. */
  deliveryTimeout?: number
  /** Largest Produce request, and so largest record, in bytes (Java `max.request.size`); default 1048576. */
  maxRequestSize?: number
  /** How long disconnect() waits for buffered records to be delivered, in ms; default 30000. */
  disconnectTimeout?: number
}

export interface ResolvedProducerOptions {
  readonly createPartitioner: ICustomPartitioner | undefined
  /** Backoff of batch retries (Java's retry.backoff.ms 100 growing to retry.backoff.max.ms 1000 unless `retry` is given). */
  readonly retry: ResolvedRetryOptions
  /** Retries of one batch; unlimited (bounded by deliveryTimeout) unless retry.retries is given. */
  readonly batchRetries: number
  readonly metadataMaxAge: number | undefined
  readonly allowAutoTopicCreation: boolean
  readonly idempotent: boolean
  /**
   * Whether `idempotent: true` was given: then a send outside a transaction with acks other than -1
   * is an error (KafkaJS); a transaction's sends always need acks -1.
   */
  readonly idempotenceExplicit: boolean
  readonly transactionalId: string | undefined
  readonly transactionTimeout: number
  readonly maxInFlightRequests: number
  readonly acks: Acks
  readonly compression: CompressionType
  readonly batchSize: number
  readonly linger: number
  readonly maxBufferedBytes: number
  readonly maxBlockMs: number
  readonly deliveryTimeout: number
  readonly maxRequestSize: number
  readonly disconnectTimeout: number
}

export const PRODUCER_DEFAULTS = Object.freeze({
  transactionTimeout: 60000,
  maxInFlightRequests: 5,
  acks: -1 as Acks,
  batchSize: 16384,
  linger: 5,
  maxBufferedBytes: 32 * 1024 * 1024,
  maxBlockMs: 60000,
  deliveryTimeout: 120000,
  maxRequestSize: 1048576,
  disconnectTimeout: 30000,
})

/** Java's retry.backoff.ms and retry.backoff.max.ms (KIP-580), with KafkaJS's jitter. */
const JAVA_BATCH_BACKOFF: RetryOptions = { initialRetryTime: 100, maxRetryTime: 1000, multiplier: 2, factor: 0.2 }

/** Idempotence keeps order only with at most this many requests in flight (the broker caches 5 batches). */
export const MAX_IN_FLIGHT_WITH_IDEMPOTENCE = 5

const KNOWN_OPTIONS = new Set<string>([
  'createPartitioner',
  'retry',
  'metadataMaxAge',
  'allowAutoTopicCreation',
  'idempotent',
  'transactionalId',
  'transactionTimeout',
  'maxInFlightRequests',
  'acks',
  'compression',
  'batchSize',
  'linger',
  'maxBufferedBytes',
  'maxBlockMs',
  'deliveryTimeout',
  'maxRequestSize',
  'disconnectTimeout',
])

/** `requestTimeout` is the client's (Kafka config) request timeout, which deliveryTimeout must cover. */
export function resolveProducerOptions(config: ProducerConfig = {}, requestTimeout = 30000): ResolvedProducerOptions {
  if (config === null || typeof config !== 'object') invalidOption('producer options', 'an object', config)
  for (const key of Object.keys(config)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new KafkaJSInvalidArgumentError(
        `Unknown producer option ${JSON.stringify(key)}; known options: ${[...KNOWN_OPTIONS].join(', ')}`,
      )
    }
  }
  const c = config
  if (c.createPartitioner !== undefined && typeof c.createPartitioner !== 'function') {
    invalidOption('createPartitioner', 'a function returning a partitioner', c.createPartitioner)
  }
  optionalBoolean('allowAutoTopicCreation', c.allowAutoTopicCreation)
  optionalBoolean('idempotent', c.idempotent)
  if (c.transactionalId !== undefined && (typeof c.transactionalId !== 'string' || c.transactionalId === '')) {
    invalidOption('transactionalId', 'a non-empty string', c.transactionalId)
  }
  if (c.acks !== undefined && c.acks !== -1 && c.acks !== 0 && c.acks !== 1) invalidOption('acks', '-1, 0 or 1', c.acks)
  if (c.compression !== undefined && !isCompressionType(c.compression)) {
    invalidOption('compression', 'one of CompressionTypes (0-4)', c.compression)
  }
  const maxInFlightRequests = integer(
    'maxInFlightRequests',
    c.maxInFlightRequests,
    PRODUCER_DEFAULTS.maxInFlightRequests,
    1,
  )
  const acks = c.acks ?? PRODUCER_DEFAULTS.acks
  const transactional = c.transactionalId !== undefined

  const retries = c.retry?.retries
  if ((c.idempotent === true || transactional) && retries !== undefined && retries < 1) {
    throw new KafkaJSNonRetriableError('Idempotent producer must allow retries to protect against transient errors')
  }
  // As Java 3.2+: explicit idempotence (and a transaction, always idempotent) must be satisfiable;
  // implicit idempotence quietly gives way to settings that rule it out. `idempotent` is that of
  // sends outside a transaction: with `idempotent: false` a transactional producer sends those
  // without it, as KafkaJS does.
  if (c.idempotent === true || transactional) {
    if (acks !== -1) invalidOption('acks', '-1 with idempotence or transactions', acks)
    if (maxInFlightRequests > MAX_IN_FLIGHT_WITH_IDEMPOTENCE) {
      invalidOption(
        'maxInFlightRequests',
        `at most ${MAX_IN_FLIGHT_WITH_IDEMPOTENCE} with idempotence or transactions`,
        maxInFlightRequests,
      )
    }
  }
  const idempotent =
    c.idempotent ??
    (acks === -1 && maxInFlightRequests <= MAX_IN_FLIGHT_WITH_IDEMPOTENCE && (retries === undefined || retries > 0))

  const retry = resolveRetryOptions({ ...JAVA_BATCH_BACKOFF, ...c.retry })
  const linger = integer('linger', c.linger, PRODUCER_DEFAULTS.linger, 0, MAX_TIMER_MS)
  const deliveryTimeout = integer(
    'deliveryTimeout',
    c.deliveryTimeout,
    PRODUCER_DEFAULTS.deliveryTimeout,
    1,
    MAX_TIMER_MS,
  )
  if (c.deliveryTimeout !== undefined && deliveryTimeout < linger + requestTimeout) {
    // as Java: a record must be allowed at least one full attempt
    invalidOption(
      'deliveryTimeout',
      `at least linger + requestTimeout (${linger + requestTimeout} ms)`,
      deliveryTimeout,
    )
  }
  const maxBufferedBytes = integer('maxBufferedBytes', c.maxBufferedBytes, PRODUCER_DEFAULTS.maxBufferedBytes, 1024)
  const maxRequestSize = integer('maxRequestSize', c.maxRequestSize, PRODUCER_DEFAULTS.maxRequestSize, 1024)
  return {
    createPartitioner: c.createPartitioner,
    retry,
    batchRetries: c.retry?.retries ?? Number.MAX_SAFE_INTEGER,
    metadataMaxAge: c.metadataMaxAge,
    allowAutoTopicCreation: c.allowAutoTopicCreation ?? true,
    idempotent,
    idempotenceExplicit: c.idempotent === true,
    transactionalId: c.transactionalId,
    transactionTimeout: integer(
      'transactionTimeout',
      c.transactionTimeout,
      PRODUCER_DEFAULTS.transactionTimeout,
      1,
      MAX_TIMER_MS,
    ),
    maxInFlightRequests,
    acks,
    compression: c.compression ?? CompressionTypes.None,
    batchSize: integer('batchSize', c.batchSize, PRODUCER_DEFAULTS.batchSize, 1, maxRequestSize),
    linger,
    maxBufferedBytes,
    maxBlockMs: integer('maxBlockMs', c.maxBlockMs, PRODUCER_DEFAULTS.maxBlockMs, 0, MAX_TIMER_MS),
    deliveryTimeout,
    maxRequestSize,
    disconnectTimeout: integer(
      'disconnectTimeout',
      c.disconnectTimeout,
      PRODUCER_DEFAULTS.disconnectTimeout,
      0,
      MAX_TIMER_MS,
    ),
  }
}

function integer(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = value ?? fallback
  if (!Number.isSafeInteger(v) || v < min || v > max) invalidOption(name, `an integer between ${min} and ${max}`, v)
  return v
}

function optionalBoolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') invalidOption(name, 'a boolean', value)
}
