// The producer in KafkaJS's shape (connect, send, sendBatch, transaction, on, events, logger,
// isIdempotent) over the Java client's machinery: send() validates and converts its messages, waits
// for the topics' metadata, picks each record's partition and appends it to the accumulator (waiting
// for buffer room if needed); the sender delivers the batches; the call resolves with KafkaJS's
// RecordMetadata once all of its records are acknowledged.

import type { KafkaLogger } from '../client/logger.js'
import type { Cluster } from '../cluster/cluster.js'
import type { TopicMetadata } from '../cluster/metadata.js'
import {
  KafkaJSError,
  KafkaJSInvalidArgumentError,
  KafkaJSNonRetriableError,
  KafkaJSRecordTooLargeError,
  KafkaJSTopicMetadataTimeoutError,
  KafkaJSTransactionStateError,
} from '../errors.js'
import { retry, sleep } from '../network/backoff.js'
import { type CompressionType, isCompressionType } from '../protocol/codecs/compression-types.js'
import { errorByCode, protocolError } from '../protocol/generated/errors.js'
import { InitProducerId } from '../protocol/generated/init-producer-id.js'
import { recordSizeUpperBound } from '../protocol/records/encode-record-batch.js'
import { RECORD_BATCH_OVERHEAD } from '../protocol/records/record-batch-format.js'
import { RecordAccumulator } from './accumulator.js'
import { BufferLimit } from './buffer-limit.js'
import { type InstrumentationEvent, ProducerEvents, ProducerInstrumentation } from './instrumentation.js'
import {
  type Message,
  type OutgoingRecord,
  type ProducerBatch,
  type ProducerRecord,
  type RecordMetadata,
  type TopicMessages,
  toOutgoingRecord,
} from './messages.js'
import type { BatchSettings } from './outgoing-batch.js'
import { DefaultPartitioner, isStickyPartitioner, STICKY_STATE } from './partitioners/default-partitioner.js'
import type { StickyPartition } from './partitioners/sticky-partition.js'
import type { Partitioner, PartitionMetadata } from './partitioners/types.js'
import type { Acks, ResolvedProducerOptions } from './producer-options.js'
import { SendResult } from './send-result.js'
import { Sender } from './sender.js'
import { type ProducerIdAndEpoch, SequenceTracker } from './sequences.js'
import { TransactionManager, type TransactionOffsets } from './transaction-manager.js'

/** KafkaJS's default `timeout` of send(): how long the broker may wait for the acks. */
const DEFAULT_ACK_TIMEOUT = 30000
/** The non-transactional InitProducerId's transaction timeout, as Java sends it (unused by the broker). */
const NO_TRANSACTION_TIMEOUT = 0x7fffffff
/** Metadata polls while send() waits for a topic to appear: Java's retry backoff, growing to 1 s. */
const METADATA_WAIT_START = 50
const METADATA_WAIT_MAX = 1000

type ProducerState = 'disconnected' | 'connecting' | 'connected' | 'disconnecting'

export interface ProducerDependencies {
  readonly cluster: Cluster
  readonly logger: KafkaLogger
  readonly clientId: string
  /** The client's request timeout (Kafka config `requestTimeout`). */
  readonly requestTimeout: number
  readonly options: ResolvedProducerOptions
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
  readonly #partitioner: Partitioner
  readonly #sticky: ((topic: string) => StickyPartition) | undefined
  /** One BatchSettings object per combination, so batches compare settings by identity. */
  readonly #settings = new Map<string, BatchSettings>()
  readonly #partitionMetadata = new WeakMap<TopicMetadata, PartitionMetadata[]>()
  readonly #clientId: string
  #state: ProducerState = 'disconnected'
  #connecting: Promise<void> | undefined
  /** send() calls still before or in their append phase: flush() and disconnect() wait for them too. */
  readonly #appending = new Set<Promise<unknown>>()

  constructor(dependencies: ProducerDependencies) {
    const { cluster, logger, options } = dependencies
    this.#cluster = cluster
    this.#logger = logger
    this.#options = options
    this.#clientId = dependencies.clientId
    this.#instrumentation = new ProducerInstrumentation(dependencies.clientId, logger)
    this.#accumulator = new RecordAccumulator({ batchSize: options.batchSize, linger: options.linger })
    this.#memory = new BufferLimit(options.maxBufferedBytes, () => this.#sender.wakeup())
    this.#sequences = options.idempotent
      ? new SequenceTracker({ bumpLocally: options.transactionalId === undefined })
      : undefined
    const createPartitioner = options.createPartitioner ?? DefaultPartitioner
    // KafkaJS calls createPartitioner() without arguments; the built-in one also takes the batch size
    this.#partitioner = (createPartitioner as (o: { batchSize: number }) => Partitioner)({
      batchSize: options.batchSize,
    })
    if (typeof this.#partitioner !== 'function') {
      throw new KafkaJSInvalidArgumentError(
        'createPartitioner must return a function ({ topic, partitionMetadata, message }) => partition',
      )
    }
    this.#sticky = isStickyPartitioner(this.#partitioner) ? this.#partitioner[STICKY_STATE] : undefined
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
  }

  readonly events = ProducerEvents

  logger(): KafkaLogger {
    return this.#logger
  }

  isIdempotent(): boolean {
    return this.#options.idempotent
  }

  on(eventName: string, listener: (event: InstrumentationEvent<unknown>) => unknown): () => void {
    return this.#instrumentation.on(eventName, listener)
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
    await Promise.allSettled([...this.#appending])
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
    if (record === null || typeof record !== 'object') {
      return Promise.reject(
        new KafkaJSInvalidArgumentError('send() takes { topic, messages, acks?, timeout?, compression? }'),
      )
    }
    return this.sendBatch(toBatch(record))
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return this.#send(batch, undefined)
  }

  /**
   * Begins a transaction (KafkaJS): sends through the returned object belong to it until it is
   * committed or aborted. Needs `transactionalId`.
   */
  async transaction(): Promise<Transaction> {
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
    return {
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
    }
  }

  /** send() and sendBatch() of the producer (`transaction` undefined) and of its transactions. */
  #send(batch: ProducerBatch, transaction: TransactionManager | undefined): Promise<RecordMetadata[]> {
    const appended = this.#append(batch, transaction)
    this.#appending.add(appended)
    const forget = (): void => {
      this.#appending.delete(appended)
    }
    appended.then(forget, forget)
    return appended.then((result) => result.promise)
  }

  /** Validates, waits for metadata, and appends every record; the result settles once they are delivered. */
  async #append(batch: ProducerBatch, transaction: TransactionManager | undefined): Promise<SendResult> {
    this.#assertSendable()
    if (this.#transactions !== undefined && transaction === undefined) {
      throw new KafkaJSTransactionStateError(
        'A transactional producer sends within a transaction: use producer.transaction() and its send()',
        { state: this.#transactions.state },
      )
    }
    transaction?.assertSendable()
    if (batch === null || typeof batch !== 'object') {
      throw new KafkaJSInvalidArgumentError('sendBatch() takes { topicMessages, acks?, timeout?, compression? }')
    }
    const acks = this.#acks(batch.acks)
    const ackTimeout = batch.timeout ?? DEFAULT_ACK_TIMEOUT
    if (!Number.isInteger(ackTimeout) || ackTimeout < 0 || ackTimeout > 0x7fffffff) {
      throw new KafkaJSInvalidArgumentError(`timeout must be an integer number of ms, got ${String(batch.timeout)}`)
    }
    const compression = batch.compression ?? this.#options.compression
    if (!isCompressionType(compression)) {
      throw new KafkaJSInvalidArgumentError(
        `compression must be one of CompressionTypes (0-4), got ${String(compression)}`,
      )
    }
    const groups = this.#prepare(batch.topicMessages)
    const started = Date.now()
    const deadline = started + this.#options.maxBlockMs
    const metadata = await this.#waitOnMetadata(
      groups.map((g) => g.topic),
      deadline,
    )
    const settings = this.#settingsFor(compression, acks, ackTimeout)
    const result = new SendResult()
    try {
      for (const group of groups) {
        const topicMetadata = metadata.topics.get(group.topic)!
        const partitions = this.#partitionsOf(topicMetadata)
        const queueSizeOf = (p: number) => this.#accumulator.queueSize(group.topic, p)
        for (let i = 0; i < group.records.length; i++) {
          const record = group.records[i]!
          const size = group.sizes[i]!
          const message = group.messages[i]!
          const sticky =
            this.#sticky !== undefined &&
            record.key === null &&
            (message.partition === undefined || message.partition === null)
              ? this.#sticky(group.topic)
              : undefined
          const partition =
            sticky !== undefined
              ? sticky.partition(partitions, queueSizeOf)
              : this.#partitionOf(group.topic, partitions, message)
          if (!this.#memory.tryReserve(size)) {
            this.#sender.wakeup()
            await this.#memory.reserve(size, Math.max(0, deadline - Date.now()), this.#options.maxBlockMs)
            this.#assertSendable()
          }
          transaction?.onPartition(group.topic, partition)
          const entry = result.entry(group.topic, partition)
          const appended = this.#accumulator.append(
            group.topic,
            partition,
            record,
            size,
            settings,
            result,
            entry,
            Date.now(),
          )
          sticky?.appended(size, appended.lastBatchFull, partitions, queueSizeOf)
          if (appended.newBatch || appended.lastBatchFull) this.#sender.wakeup()
        }
      }
    } catch (error) {
      result.seal(error instanceof Error ? error : new KafkaJSError(String(error)))
      this.#sender.wakeup()
      return result
    }
    result.seal()
    return result
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

  #acks(value: number | undefined): Acks {
    const acks = value ?? this.#options.acks
    if (acks !== -1 && acks !== 0 && acks !== 1)
      throw new KafkaJSInvalidArgumentError(`acks must be -1, 0 or 1, got ${String(value)}`)
    if (acks !== -1 && this.#options.idempotenceExplicit) {
      throw new KafkaJSNonRetriableError(
        "Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees",
      )
    }
    return acks
  }

  /** Validates and converts every message before anything is appended, so a bad call appends nothing. */
  #prepare(topicMessages: TopicMessages[] | undefined): PreparedTopic[] {
    if (!Array.isArray(topicMessages)) throw new KafkaJSInvalidArgumentError('topicMessages must be an array')
    const now = Date.now()
    const byTopic = new Map<string, PreparedTopic>()
    for (const { topic, messages } of topicMessages) {
      if (typeof topic !== 'string' || topic === '') throw new KafkaJSNonRetriableError('Invalid topic')
      if (!Array.isArray(messages)) {
        throw new KafkaJSNonRetriableError(`Invalid messages array [${String(messages)}] for topic "${topic}"`)
      }
      let group = byTopic.get(topic)
      if (group === undefined) {
        group = { topic, messages: [], records: [], sizes: [] }
        byTopic.set(topic, group)
      }
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i]!
        const record = toOutgoingRecord(message, `messages[${i}] of topic "${topic}"`, now)
        if (message.partition !== undefined && message.partition !== null && !Number.isInteger(message.partition)) {
          throw new KafkaJSInvalidArgumentError(`messages[${i}].partition of topic "${topic}" must be an integer`)
        }
        const size = recordSizeUpperBound(record)
        this.#checkSize(topic, size)
        group.messages.push(message)
        group.records.push(record)
        group.sizes.push(size)
      }
    }
    return [...byTopic.values()]
  }

  #checkSize(topic: string, size: number): void {
    const { maxRequestSize, maxBufferedBytes } = this.#options
    const batchBytes = size + RECORD_BATCH_OVERHEAD
    if (batchBytes > maxRequestSize) {
      throw new KafkaJSRecordTooLargeError(
        `A message of topic ${topic} is ${batchBytes} bytes when serialized, larger than maxRequestSize (${maxRequestSize})`,
        { topic, size: batchBytes },
      )
    }
    if (size > maxBufferedBytes) {
      throw new KafkaJSRecordTooLargeError(
        `A message of topic ${topic} is ${size} bytes when serialized, larger than maxBufferedBytes (${maxBufferedBytes})`,
        { topic, size },
      )
    }
  }

  #partitionOf(topic: string, partitions: PartitionMetadata[], message: Message): number {
    const explicit = message.partition
    const partition =
      explicit !== undefined && explicit !== null
        ? explicit
        : this.#partitioner({ topic, partitionMetadata: partitions, message })
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitions.length) {
      throw new KafkaJSInvalidArgumentError(
        `Invalid partition ${String(partition)} for topic ${topic}: it has partitions 0-${partitions.length - 1}`,
      )
    }
    return partition
  }

  /** The topic's partitions in KafkaJS's shape, by partition id, built once per metadata snapshot. */
  #partitionsOf(topic: TopicMetadata): PartitionMetadata[] {
    let partitions = this.#partitionMetadata.get(topic)
    if (partitions === undefined) {
      partitions = [...topic.partitions.values()]
        .sort((a, b) => a.partition - b.partition)
        .map((p) => ({
          partitionErrorCode: p.errorCode,
          partitionId: p.partition,
          leader: p.leader,
          replicas: [...p.replicas],
          isr: [...p.isr],
          offlineReplicas: [...p.offlineReplicas],
        }))
      this.#partitionMetadata.set(topic, partitions)
    }
    return partitions
  }

  /**
   * Metadata naming every topic with its partitions, refreshed until they appear; fails after
   * maxBlockMs naming the topic that did not (Java's waitOnMetadata).
   */
  async #waitOnMetadata(topics: string[], deadline: number) {
    let metadata = await this.#cluster.refreshMetadataIfNecessary(topics)
    let delay = METADATA_WAIT_START
    for (;;) {
      const missing: string[] = []
      for (const topic of topics) {
        const t = metadata.topics.get(topic)
        if (t !== undefined && t.partitions.size > 0) continue
        if (t !== undefined && t.errorCode !== 0 && !errorByCode(t.errorCode).retriable) {
          throw protocolError(t.errorCode, `topic ${topic}`)
        }
        missing.push(topic)
      }
      if (missing.length === 0) return metadata
      const remaining = deadline - Date.now()
      if (remaining <= 0) {
        const topic = missing[0]!
        throw new KafkaJSTopicMetadataTimeoutError(
          `Topic ${topic} not present in metadata after ${this.#options.maxBlockMs} ms (maxBlockMs)`,
          { topic },
        )
      }
      await sleep(Math.min(delay, remaining))
      delay = Math.min(delay * 2, METADATA_WAIT_MAX)
      metadata = await this.#cluster.refreshMetadata(missing)
    }
  }

  #settingsFor(compression: CompressionType, acks: Acks, ackTimeout: number): BatchSettings {
    const transactional = this.#options.transactionalId !== undefined
    const key = `${compression}:${acks}:${ackTimeout}:${transactional}`
    let settings = this.#settings.get(key)
    if (settings === undefined) {
      settings = Object.freeze({ compression, acks, ackTimeout, transactional })
      this.#settings.set(key, settings)
    }
    return settings
  }

  /** InitProducerId without a transactional id: any broker hands out a producer id (epoch 0). */
  #initProducerId(): Promise<ProducerIdAndEpoch> {
    return retry(async () => {
      const connection = await this.#cluster.anyConnection()
      const version = connection.versionFor(InitProducerId)
      const response = await this.#instrumentation.request(
        connection,
        InitProducerId,
        InitProducerId.createRequest({ transactionalId: null, transactionTimeoutMs: NO_TRANSACTION_TIMEOUT }),
        { version },
      )
      if (response.errorCode !== 0) throw protocolError(response.errorCode, `InitProducerId from ${connection.broker}`)
      this.#logger.debug('Got a producer id', {
        producerId: String(response.producerId),
        producerEpoch: response.producerEpoch,
        clientId: this.#clientId,
      })
      return { producerId: response.producerId, epoch: response.producerEpoch }
    }, this.#options.retry)
  }
}

function toBatch(record: ProducerRecord): ProducerBatch {
  if (record === null || typeof record !== 'object') {
    throw new KafkaJSInvalidArgumentError('send() takes { topic, messages, acks?, timeout?, compression? }')
  }
  const { topic, messages, acks, timeout, compression } = record
  return { topicMessages: [{ topic, messages }], acks, timeout, compression }
}

interface PreparedTopic {
  readonly topic: string
  readonly messages: Message[]
  readonly records: OutgoingRecord[]
  readonly sizes: number[]
}
