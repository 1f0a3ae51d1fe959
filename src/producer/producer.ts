// The producer in KafkaJS's shape (connect, send, sendBatch, transaction, on, events, logger,
// isIdempotent) over the Java client's machinery: send() validates and converts its messages, waits
// for the topics' metadata, picks each record's partition and appends it to the accumulator (waiting
// for buffer room if needed); the sender delivers the batches; the call resolves with KafkaJS's
// RecordMetadata once all of its records are acknowledged.

import type { ProducerEventMap } from '../client/event-types.js'
import type { KafkaLogger } from '../client/logger.js'
import type { Cluster } from '../cluster/cluster.js'
import {
  KafkaJSError,
  KafkaJSInvalidArgumentError,
  KafkaJSNonRetriableError,
  KafkaJSTransactionStateError,
} from '../errors.js'
import { retry } from '../network/backoff.js'
import { protocolError } from '../protocol/generated/errors.js'
import { InitProducerId } from '../protocol/generated/init-producer-id.js'
import {
  clusterTraceSource,
  type ProducerTraceSource,
  tracedTransaction,
  traceProduce,
  traceTransaction,
} from '../tracing/channels.js'
import { RecordAccumulator } from './accumulator.js'
import { BufferLimit } from './buffer-limit.js'
import { type InstrumentationEvent, ProducerEvents, ProducerInstrumentation } from './instrumentation.js'
import type { ProducerBatch, ProducerRecord, RecordMetadata } from './messages.js'
import { DefaultPartitioner, isStickyPartitioner, STICKY_STATE } from './partitioners/default-partitioner.js'
import type { Partitioner } from './partitioners/types.js'
import type { ResolvedProducerOptions } from './producer-options.js'
import { RecordAppender } from './record-appender.js'
import { Sender } from './sender.js'
import { type ProducerIdAndEpoch, SequenceTracker } from './sequences.js'
import { TransactionManager, type TransactionOffsets } from './transaction-manager.js'

/** The non-transactional InitProducerId's transaction timeout, as Java sends it (unused by the broker). */
const NO_TRANSACTION_TIMEOUT = 0x7fffffff

type ProducerState = 'disconnected' | 'connecting' | 'connected' | 'disconnecting'

export interface ProducerDependencies {
  readonly cluster: Cluster
  readonly logger: KafkaLogger
  readonly clientId: string
  /** The client's request timeout (Kafka config `requestTimeout`). */
  readonly requestTimeout: number
  readonly options: ResolvedProducerOptions
  /** The instrumentation the cluster's connections report to (its requestObserver); default: a new one. */
  readonly instrumentation?: ProducerInstrumentation
}

/** KafkaJS's transaction object: send and sendBatch within the transaction, then commit or abort. */
export interface Transaction {
  send(record: ProducerRecord): Promise<RecordMetadata[]>
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>
  /** Commits consumer offsets with the transaction (consume-transform-produce). */
  sendOffsets(offsets: TransactionOffsets): Promise<void>
  commit(): Promise<void>
  abort(): Promise<void>
  /** Whether the transaction can still be used (neither committed nor aborted). */
  isActive(): boolean
}

export class Producer {
  readonly #cluster: Cluster
  readonly #logger: KafkaLogger
  readonly #options: ResolvedProducerOptions
  readonly #instrumentation: ProducerInstrumentation
  readonly #accumulator: RecordAccumulator
  readonly #memory: BufferLimit
  readonly #sender: Sender
  readonly #sequences: SequenceTracker | undefined
  readonly #transactions: TransactionManager | undefined
  readonly #appender: RecordAppender
  readonly #clientId: string
  /** What the producer's diagnostics_channel traces say about it (src/tracing/channels.ts). */
  readonly #trace: ProducerTraceSource
  #state: ProducerState = 'disconnected'
  #connecting: Promise<void> | undefined

  constructor(dependencies: ProducerDependencies) {
    const { cluster, logger, options } = dependencies
    this.#cluster = cluster
    this.#logger = logger
    this.#options = options
    this.#clientId = dependencies.clientId
    this.#trace = clusterTraceSource(dependencies.clientId, cluster, { transactionalId: options.transactionalId })
    this.#instrumentation = dependencies.instrumentation ?? new ProducerInstrumentation(dependencies.clientId, logger)
    this.#accumulator = new RecordAccumulator({ batchSize: options.batchSize, linger: options.linger })
    this.#memory = new BufferLimit(options.maxBufferedBytes, () => this.#sender.wakeup())
    this.#sequences = options.idempotent
      ? new SequenceTracker({ bumpLocally: options.transactionalId === undefined })
      : undefined
    const createPartitioner = options.createPartitioner ?? DefaultPartitioner
    // KafkaJS calls createPartitioner() without arguments; the built-in one also takes the batch size
    const partitioner = (createPartitioner as (o: { batchSize: number }) => Partitioner)({
      batchSize: options.batchSize,
    })
    if (typeof partitioner !== 'function') {
      throw new KafkaJSInvalidArgumentError(
        'createPartitioner must return a function ({ topic, partitionMetadata, message }) => partition',
      )
    }
    this.#transactions =
      options.transactionalId !== undefined && this.#sequences !== undefined
        ? new TransactionManager({
            cluster,
            transactionalId: options.transactionalId,
            transactionTimeout: options.transactionTimeout,
            sequences: this.#sequences,
            instrumentation: this.#instrumentation,
            logger,
            retry: options.retry,
            maxBlockMs: options.maxBlockMs,
            wakeSender: () => this.#sender.wakeup(),
          })
        : undefined
    this.#sender = new Sender({
      cluster,
      accumulator: this.#accumulator,
      memory: this.#memory,
      options,
      sequences: this.#sequences,
      transaction: this.#transactions,
      instrumentation: this.#instrumentation,
      logger,
      requestTimeout: dependencies.requestTimeout,
      initProducerId: () => this.#initProducerId(),
    })
    this.#appender = new RecordAppender({
      cluster,
      accumulator: this.#accumulator,
      memory: this.#memory,
      options,
      partitioner,
      sticky: isStickyPartitioner(partitioner) ? partitioner[STICKY_STATE] : undefined,
      wakeSender: () => this.#sender.wakeup(),
      assertSendable: () => this.#assertSendable(),
    })
  }

  readonly events = ProducerEvents

  logger(): KafkaLogger {
    return this.#logger
  }

  isIdempotent(): boolean {
    return this.#options.idempotent
  }

  /** Typed as KafkaJS's overloads: the listener gets the event the name stands for. */
  on<E extends keyof ProducerEventMap>(eventName: E, listener: (event: ProducerEventMap[E]) => unknown): () => void {
    return this.#instrumentation.on(eventName, listener as (event: InstrumentationEvent<unknown>) => unknown)
  }

  /** Connects to the cluster and, with idempotence, gets a producer id. */
  connect(): Promise<void> {
    if (this.#state === 'connected') return Promise.resolve()
    if (this.#state === 'disconnecting') {
      return Promise.reject(
        new KafkaJSNonRetriableError('The producer is disconnecting; connect once disconnect() resolved'),
      )
    }
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined
    })
    return this.#connecting
  }

  async #connect(): Promise<void> {
    this.#state = 'connecting'
    try {
      await this.#cluster.connect()
      if (this.#transactions !== undefined) {
        await this.#transactions.initialize()
      } else if (this.#sequences !== undefined && !this.#sequences.hasProducerId) {
        this.#sequences.setProducerIdAndEpoch(await this.#initProducerId())
      }
    } catch (error) {
      this.#state = 'disconnected'
      throw error
    }
    this.#accumulator.setClosing(false)
    this.#sender.start()
    this.#state = 'connected'
    this.#instrumentation.emit(ProducerEvents.CONNECT)
  }

  /**
   * Delivers what is buffered (up to disconnectTimeout), fails what is left, and closes the
   * connections. Sends after this call are refused.
   */
  async disconnect(): Promise<void> {
    if (this.#state === 'disconnected') return
    await this.#connecting?.catch(() => undefined)
    this.#state = 'disconnecting'
    const closing = new KafkaJSError('The producer disconnected before these records were delivered', {
      retriable: true,
    })
    this.#accumulator.setClosing(true)
    this.#memory.failWaiters(closing)
    this.#sender.wakeup()
    if (!(await this.#flushWithin(this.#options.disconnectTimeout))) {
      this.#logger.warn(
        `Records still undelivered after disconnectTimeout (${this.#options.disconnectTimeout} ms) are failed`,
      )
      this.#sender.failQueued(closing)
    }
    this.#sender.stop(closing)
    await this.#cluster.disconnect()
    this.#state = 'disconnected'
    this.#instrumentation.emit(ProducerEvents.DISCONNECT)
  }

  /** Resolves once every record sent before the call is acknowledged or has failed (Java's flush). */
  async flush(): Promise<void> {
    // sends still waiting for metadata or buffer room append first
    await this.#appender.appended()
    this.#sender.wakeup()
    await this.#accumulator.flush()
  }

  /** flush(), giving up after `ms`; returns whether everything was delivered. */
  async #flushWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms)
    })
    try {
      return await Promise.race([this.flush().then(() => true), timedOut])
    } finally {
      clearTimeout(timer)
    }
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return traceProduce(this.#trace, 'send', record, undefined, () => {
      if (record === null || typeof record !== 'object') {
        return Promise.reject(
          new KafkaJSInvalidArgumentError('send() takes { topic, messages, acks?, timeout?, compression? }'),
        )
      }
      return this.sendBatch(toBatch(record))
    })
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return traceProduce(this.#trace, 'sendBatch', batch, undefined, () => this.#send(batch, undefined))
  }

  /**
   * Begins a transaction (KafkaJS): sends through the returned object belong to it until it is
   * committed or aborted. Needs `transactionalId`.
   */
  transaction(): Promise<Transaction> {
    return traceTransaction(this.#trace, 'begin', undefined, () => this.#beginTransaction())
  }

  async #beginTransaction(): Promise<Transaction> {
    const transactions = this.#transactions
    if (transactions === undefined) {
      throw new KafkaJSNonRetriableError('Must provide transactional id for transactional producer')
    }
    this.#assertSendable()
    await transactions.begin()
    let ended = false
    const isActive = (): boolean => !ended && transactions.inTransaction
    const guard = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => {
      return (...args: A): Promise<R> =>
        isActive()
          ? fn(...args)
          : Promise.reject(new KafkaJSNonRetriableError('Cannot continue to use transaction once ended'))
    }
    const flush = () => this.flush()
    return tracedTransaction(this.#trace, {
      send: guard((record: ProducerRecord) => this.#send(toBatch(record), transactions)),
      sendBatch: guard((batch: ProducerBatch) => this.#send(batch, transactions)),
      sendOffsets: guard((offsets: TransactionOffsets) => transactions.sendOffsets(offsets)),
      commit: guard(async () => {
        await transactions.commit(flush)
        ended = true
      }),
      abort: guard(async () => {
        await transactions.abort((error) => this.#sender.failQueued(error), flush)
        ended = true
      }),
      isActive,
    })
  }

  #send(batch: ProducerBatch, transaction: TransactionManager | undefined): Promise<RecordMetadata[]> {
    if (this.#transactions !== undefined && transaction === undefined) {
      return Promise.reject(
        new KafkaJSTransactionStateError(
          'A transactional producer sends within a transaction: use producer.transaction() and its send()',
          { state: this.#transactions.state },
        ),
      )
    }
    return this.#appender.send(batch, transaction)
  }

  #assertSendable(): void {
    const fatal = this.#sender.fatalError
    if (fatal !== undefined) throw fatal
    if (this.#state === 'disconnecting') {
      throw new KafkaJSNonRetriableError(
        "The producer is disconnecting; therefore, it can't safely accept messages anymore",
      )
    }
    if (this.#state !== 'connected')
      throw new KafkaJSError('The producer is disconnected', { retriable: true }, 'ERR_PRODUCER_DISCONNECTED')
  }

  /**
   * InitProducerId without a transactional id: any broker hands out a producer id (epoch 0).
   * Retriable errors are retried per `retry`, and past it until maxBlockMs.
   */
  #initProducerId(): Promise<ProducerIdAndEpoch> {
    return retry(
      async () => {
        const connection = await this.#cluster.anyConnection()
        const version = connection.versionFor(InitProducerId)
        const response = await this.#instrumentation.request(
          connection,
          InitProducerId,
          InitProducerId.createRequest({ transactionalId: null, transactionTimeoutMs: NO_TRANSACTION_TIMEOUT }),
          { version },
        )
        if (response.errorCode !== 0)
          throw protocolError(response.errorCode, `InitProducerId from ${connection.broker}`)
        this.#logger.debug('Got a producer id', {
          producerId: String(response.producerId),
          producerEpoch: response.producerEpoch,
          clientId: this.#clientId,
        })
        return { producerId: response.producerId, epoch: response.producerEpoch }
        // as Java, retried for maxBlockMs at least: a cluster whose controller is moving (a node just
        // died) answers COORDINATOR_LOAD_IN_PROGRESS until it can hand out producer id blocks again
      },
      { ...this.#options.retry, retryUntil: Date.now() + this.#options.maxBlockMs },
    )
  }
}

function toBatch(record: ProducerRecord): ProducerBatch {
  if (record === null || typeof record !== 'object') {
    throw new KafkaJSInvalidArgumentError('send() takes { topic, messages, acks?, timeout?, compression? }')
  }
  const { topic, messages, acks, timeout, compression } = record
  return { topicMessages: [{ topic, messages }], acks, timeout, compression }
}
