// The producer in KafkaJS's shape (connect, send, sendBatch, transaction, on, events, logger,
// isIdempotent) over the Java client's machinery: send() validates and converts its messages, waits
// for the topics' metadata, picks each record's partition and appends it to the accumulator (waiting
// for buffer room if needed); the sender delivers the batches; the call resolves with KafkaJS's
// RecordMetadata once all of its records are acknowledged.

import type { ProducerEventMap } from '../cluster/client-event-types.js'
import type { Cluster } from '../cluster/cluster.js'
import { retry } from '../common/backoff.js'
import type { KafkaLogger } from '../common/kafka-logger.js'
import { KafkaJSError, KafkaJSInvalidArgumentError, KafkaJSNonRetriableError } from '../errors.js'
import { protocolError } from '../protocol/generated/errors.js'
import { InitProducerId } from '../protocol/generated/init-producer-id.js'
import {
  clusterTraceSource,
  type ProducerTraceSource,
  tracedTransaction,
  traceProduce,
  traceTransaction,
} from '../tracing/channels.js'
import { BufferLimit } from './buffer-limit.js'
import { type InstrumentationEvent, ProducerEvents, ProducerInstrumentation } from './instrumentation.js'
import type { ProducerBatch, ProducerRecord, RecordMetadata } from './messages.js'
import { DefaultPartitioner } from './partitioners/default-partitioner.js'
import type { Partitioner } from './partitioners/types.js'
import { type PipelineDependencies, ProducerPipeline } from './pipeline.js'
import type { ResolvedProducerOptions } from './producer-options.js'
import type { ProducerIdAndEpoch } from './sequences.js'
import { TransactionManager, type TransactionOffsets } from './transaction-manager.js'

/** The non-transactional InitProducerId's transaction timeout, as Java sends it (unused by the broker). */
const NO_TRANSACTION_TIMEOUT = 0x7fffffff

type ProducerState = 'disconnected' | 'connecting' | 'connected' | 'disconnecting'

export interface ProducerDependencies {
  readonly cluster: Cluster
  readonly logger: KafkaLogger
  readonly clientId: string
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
  readonly #memory: BufferLimit
  readonly #partitioner: Partitioner
  /** The producer's identity: transactional with a transactionalId, else idempotent or plain. */
  readonly #main: ProducerPipeline
  /** A transactional producer's non-transactional identity, made on its first send outside a transaction. */
  #outside: ProducerPipeline | undefined
  /** The outside identity's InitProducerId, while it runs. */
  #outsideInit: Promise<void> | undefined
  #transactions: TransactionManager | undefined
  /** What the producer's diagnostics_channel traces say about it (src/tracing/channels.ts). */
  readonly #trace: ProducerTraceSource
  #state: ProducerState = 'disconnected'
  #connecting: Promise<void> | undefined
  #disconnecting: Promise<void> | undefined

  /**
   * Made by kafka.producer().
   * @internal
   */
  constructor(dependencies: ProducerDependencies) {
    const { cluster, logger, options } = dependencies
    this.#cluster = cluster
    this.#logger = logger
    this.#options = options
    this.#trace = clusterTraceSource(dependencies.clientId, cluster, { transactionalId: options.transactionalId })
    this.#instrumentation = dependencies.instrumentation ?? new ProducerInstrumentation(dependencies.clientId, logger)
    this.#memory = new BufferLimit(options.maxBufferedBytes, () => {
      for (const pipeline of this.#pipelines()) pipeline.sender.wakeup()
    })
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
    this.#partitioner = partitioner
    const transactionalId = options.transactionalId
    this.#main = this.#pipeline(
      options.idempotent,
      transactionalId === undefined
        ? undefined
        : (sequences, wakeSender) => {
            this.#transactions = new TransactionManager({
              cluster,
              transactionalId,
              transactionTimeout: options.transactionTimeout,
              sequences,
              logger,
              retry: options.retry,
              maxBlockMs: options.maxBlockMs,
              wakeSender,
            })
            return this.#transactions
          },
    )
  }

  #pipeline(idempotent: boolean, transaction: PipelineDependencies['transaction']): ProducerPipeline {
    return new ProducerPipeline({
      cluster: this.#cluster,
      logger: this.#logger,
      options: this.#options,
      memory: this.#memory,
      partitioner: this.#partitioner,
      idempotent,
      transaction,
      initProducerId: () => this.#initProducerId(),
      assertSendable: () => this.#assertConnected(),
    })
  }

  #pipelines(): ProducerPipeline[] {
    // the constructor's first pipeline wakes the buffer's waiters before #main is assigned
    const pipelines: ProducerPipeline[] = []
    if (this.#main !== undefined) pipelines.push(this.#main)
    if (this.#outside !== undefined) pipelines.push(this.#outside)
    return pipelines
  }

  /**
   * The pipeline of sends outside a transaction: a transactional producer's own non-transactional
   * identity, with its own producer id (KafkaJS sends them as an ordinary send, never in the
   * transaction). Its InitProducerId runs on first use; its batches wait for it.
   */
  #outsidePipeline(): ProducerPipeline {
    if (this.#transactions === undefined) return this.#main
    this.#outside ??= this.#pipeline(this.#options.idempotent, undefined)
    if (this.#state === 'connected') this.#initOutside(this.#outside)
    return this.#outside
  }

  #initOutside(pipeline: ProducerPipeline): void {
    const sequences = pipeline.sequences
    if (sequences === undefined || sequences.hasProducerId || this.#outsideInit !== undefined) return
    this.#outsideInit = this.#initProducerId()
      .then(
        (id) => {
          sequences.setProducerIdAndEpoch(id)
          pipeline.sender.wakeup()
        },
        (error: unknown) => {
          // the records waiting for the id fail with the reason, also those of sends still on their
          // way to the accumulator (waiting for metadata) unless a newer send asked again meanwhile
          const failure = error instanceof Error ? error : new KafkaJSError(String(error))
          pipeline.sender.failQueued(failure)
          void pipeline.appended().then(() => {
            if (!sequences.hasProducerId && this.#outsideInit === undefined) pipeline.sender.failQueued(failure)
          })
        },
      )
      .finally(() => {
        this.#outsideInit = undefined
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

  /**
   * Connects to the cluster and, with idempotence, gets a producer id. Every call emits
   * producer.connect once the cluster is connected, as KafkaJS's does, also on a connected producer.
   */
  connect(): Promise<void> {
    if (this.#state === 'connected') {
      this.#instrumentation.emit(ProducerEvents.CONNECT)
      return Promise.resolve()
    }
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
      // KafkaJS reports the connection before it asks for a producer id; a disconnect() called
      // meanwhile has taken over, and this connection is not reported
      if (this.#state === 'connecting') this.#instrumentation.emit(ProducerEvents.CONNECT)
      const sequences = this.#main.sequences
      if (this.#transactions !== undefined) {
        await this.#transactions.initialize()
      } else if (sequences !== undefined && !sequences.hasProducerId) {
        sequences.setProducerIdAndEpoch(await this.#initProducerId())
      }
    } catch (error) {
      if (this.#state === 'connecting') this.#state = 'disconnected'
      throw error
    }
    for (const pipeline of this.#pipelines()) pipeline.start()
    if (this.#outside !== undefined) this.#initOutside(this.#outside)
    // a disconnect() called meanwhile has taken over: it closes what this opened
    if (this.#state !== 'connecting') return
    this.#state = 'connected'
  }

  /**
   * Delivers what is buffered (up to disconnectTimeout), fails what is left, and closes the
   * connections. Sends from the moment of this call on are refused (KafkaJS), even in the same tick.
   * Every call that finds the producer disconnected still emits producer.disconnect, as KafkaJS's
   * does (also for a producer that was never connected).
   */
  disconnect(): Promise<void> {
    if (this.#state === 'disconnected') {
      this.#instrumentation.emit(ProducerEvents.DISCONNECT)
      return Promise.resolve()
    }
    this.#state = 'disconnecting'
    this.#disconnecting ??= this.#disconnect().finally(() => {
      this.#disconnecting = undefined
    })
    return this.#disconnecting
  }

  async #disconnect(): Promise<void> {
    await this.#connecting?.catch(() => undefined)
    const closing = new KafkaJSError('The producer disconnected before these records were delivered', {
      retriable: true,
    })
    for (const pipeline of this.#pipelines()) pipeline.close()
    this.#memory.failWaiters(closing)
    if (!(await this.#flushWithin(this.#options.disconnectTimeout))) {
      this.#logger.warn(
        `Records still undelivered after disconnectTimeout (${this.#options.disconnectTimeout} ms) are failed`,
      )
      for (const pipeline of this.#pipelines()) pipeline.sender.failQueued(closing)
    }
    for (const pipeline of this.#pipelines()) pipeline.sender.stop(closing)
    await this.#cluster.disconnect()
    this.#state = 'disconnected'
    this.#instrumentation.emit(ProducerEvents.DISCONNECT)
  }

  /** Resolves once every record sent before the call is acknowledged or has failed (Java's flush). */
  async flush(): Promise<void> {
    await Promise.all(this.#pipelines().map((pipeline) => pipeline.flush()))
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
      // the internal path: a wrapper of the public sendBatch() (an APM agent, a spy) sees send() once
      return this.#sendRecord(record, undefined)
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
    this.#main.assertNotFatal()
    this.#assertConnected()
    await transactions.begin()
    let ended = false
    const isActive = (): boolean => !ended && transactions.inTransaction
    const guard = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => {
      return (...args: A): Promise<R> =>
        isActive()
          ? fn(...args)
          : Promise.reject(new KafkaJSNonRetriableError('Cannot continue to use transaction once ended'))
    }
    // the transaction waits for its own records only, not for sends outside it, and for the
    // requests of batches that expired in flight: EndTxn must not overtake a Produce the broker may
    // still write into the transaction
    const flush = async (): Promise<void> => {
      await this.#main.flush()
      await this.#main.sender.whenIdle()
    }
    return tracedTransaction(this.#trace, {
      send: guard((record: ProducerRecord) => this.#sendRecord(record, transactions)),
      sendBatch: guard((batch: ProducerBatch) => this.#send(batch, transactions)),
      sendOffsets: guard((offsets: TransactionOffsets) => transactions.sendOffsets(offsets)),
      commit: guard(async () => {
        await transactions.commit(flush)
        ended = true
      }),
      abort: guard(async () => {
        await transactions.abort((error) => this.#main.sender.failQueued(error), flush)
        ended = true
      }),
      isActive,
    })
  }

  #sendRecord(record: ProducerRecord, transaction: TransactionManager | undefined): Promise<RecordMetadata[]> {
    let batch: ProducerBatch
    try {
      batch = toBatch(record)
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#send(batch, transaction)
  }

  /** Sends outside a transaction go to the producer's non-transactional identity. */
  #send(batch: ProducerBatch, transaction: TransactionManager | undefined): Promise<RecordMetadata[]> {
    const pipeline = transaction === undefined ? this.#outsidePipeline() : this.#main
    return pipeline.send(batch, transaction)
  }

  #assertConnected(): void {
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
        const response = await connection.send(
          InitProducerId,
          InitProducerId.createRequest({ transactionalId: null, transactionTimeoutMs: NO_TRANSACTION_TIMEOUT }),
          { version },
        )
        if (response.errorCode !== 0)
          throw protocolError(response.errorCode, `InitProducerId from ${connection.broker}`)
        this.#logger.debug('Initialized producer id & epoch', {
          producerId: String(response.producerId),
          producerEpoch: response.producerEpoch,
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
