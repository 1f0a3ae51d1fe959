// The sender (Java's Sender): whenever something changes (a batch filled, a linger or backoff
// ended, a response arrived) it asks the accumulator which leaders have batches ready, drains one
// Produce request per leader carrying every ready partition's head batch, keeps up to
// maxInFlightRequests of them in flight per broker, and handles each partition's answer: complete,
// retry (with backoff, after a metadata refresh when the leader moved), split (MESSAGE_TOO_LARGE),
// or fail. Under idempotence it numbers batches (SequenceTracker) and resolves sequence gaps.
//
// deliveryTimeout bounds a batch wherever it is, as in Java (Sender.getExpiredInflightBatches): a
// batch still in a Produce request when its time is up fails then, with the request left to finish.
// Its answer, when it comes, only informs the sequence bookkeeping: an acknowledgement tells that
// the broker wrote it (the partition goes on under its epoch), anything else that it may lack it
// (the epoch is bumped before the partition sends anything new).

import type { Cluster } from '../cluster/cluster.js'
import type { LeaderHint } from '../cluster/metadata.js'
import { backoffDelay, isRetriable } from '../common/backoff.js'
import type { Logger } from '../common/logger.js'
import {
  KafkaJSConnectionError,
  KafkaJSDeliveryTimeoutError,
  KafkaJSError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProducerFencedError,
  KafkaJSProtocolError,
  KafkaJSServerDoesNotSupportApiKey,
} from '../errors.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import {
  createProduceRequestPartitionProduceData,
  createProduceRequestTopicProduceData,
  Produce,
  type ProduceResponse,
  type ProduceResponsePartitionProduceResponse,
} from '../protocol/generated/produce.js'
import { ZERO_UUID } from '../protocol/primitives/uuid.js'
import { recordSizeUpperBound } from '../protocol/records/encode-record-batch.js'
import type { PartitionQueue, RecordAccumulator } from './accumulator.js'
import { BatchBufferPool } from './batch-buffer-pool.js'
import type { BufferLimit } from './buffer-limit.js'
import type { OutgoingBatch } from './outgoing-batch.js'
import type { ResolvedProducerOptions } from './producer-options.js'
import type { ProducerIdAndEpoch, SequenceTracker } from './sequences.js'

/** Produce v3 is the first to carry record batches (magic 2), which this producer writes. */
const MIN_PRODUCE_VERSION = 3
/** Produce v13 names topics by id; without a topic id in the metadata, v12 is the newest usable. */
const FIRST_TOPIC_ID_PRODUCE_VERSION = 13
/** Free batch buffers kept for reuse at most (and never more than maxBufferedBytes). */
const MAX_POOLED_BATCH_BYTES = 16 * 1024 * 1024

/** What the sender needs from the transaction manager. */
export interface SenderTransactionHooks {
  readonly transactionalId: string
  /** The highest Produce version allowed: 11 under transactions v1 (v12+ means v2, KIP-890). */
  maxProduceVersion(): number
  /** Under transactions v1, a partition's batches wait until AddPartitionsToTxn added it. */
  maySend(topic: string, partition: number): boolean
  /** A batch of the transaction failed: the transaction can only be aborted (or is fatally broken). */
  batchFailed(error: Error): void
  /** The error that left the transaction abortable or broken: its batches not sent yet fail with it. */
  failure(): Error | undefined
}

export interface SenderDependencies {
  readonly cluster: Cluster
  readonly accumulator: RecordAccumulator
  readonly memory: BufferLimit
  readonly options: ResolvedProducerOptions
  /** Present with idempotence. */
  readonly sequences: SequenceTracker | undefined
  readonly transaction: SenderTransactionHooks | undefined
  readonly logger: Logger
  /** Gets a new producer id (InitProducerId) when the epoch ran out. */
  readonly initProducerId: () => Promise<ProducerIdAndEpoch>
}

export class Sender {
  readonly #d: SenderDependencies
  readonly #inFlightByNode = new Map<number, number>()
  /** Batches in Produce requests not answered yet (they may expire there). */
  readonly #inFlightBatches = new Set<OutgoingBatch>()
  /** At most the createdAt of the oldest of them: the set is looked through only once that may expire. */
  #inFlightOldest = Number.POSITIVE_INFINITY
  #inFlightRequests = 0
  #scheduled = false
  #timer: NodeJS.Timeout | undefined
  #refreshing: Promise<void> | undefined
  #refreshWanted = false
  #reinitializing = false
  #fatalError: Error | undefined
  /** Set by stop(): the sender sends nothing more, and batches that come back fail with it. */
  #stopError: Error | undefined
  readonly #idle = new Set<() => void>()
  /** Buffers of acknowledged batches, reused for the next ones (see BatchBufferPool's invariant). */
  readonly #batchBuffers: BatchBufferPool

  constructor(dependencies: SenderDependencies) {
    this.#d = dependencies
    this.#batchBuffers = new BatchBufferPool(Math.min(MAX_POOLED_BATCH_BYTES, dependencies.options.maxBufferedBytes))
  }

  /** The error that stopped the producer for good (fencing, authorization), if any. */
  get fatalError(): Error | undefined {
    return this.#fatalError
  }

  get inFlightRequests(): number {
    return this.#inFlightRequests
  }

  /** Runs the send loop soon (once per turn of the event loop, however often it is called). */
  wakeup(): void {
    if (this.#scheduled || this.#stopError !== undefined) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      this.#run()
    })
  }

  /**
   * Stops sending: requests in flight still complete, but what they fail to deliver is failed with
   * `error` instead of being retried.
   */
  stop(error: Error): void {
    this.#stopError = error
    clearTimeout(this.#timer)
  }

  /** Sends again after stop() (the producer connected again). */
  start(): void {
    this.#stopError = undefined
    this.wakeup()
  }

  /** Resolves once no Produce request is in flight. */
  whenIdle(): Promise<void> {
    if (this.#inFlightRequests === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.add(resolve))
  }

  /** Fails every queued batch and everything sent later with `error` (fencing, authorization). */
  fatal(error: Error): void {
    this.#fatalError ??= error
    this.failQueued(this.#fatalError)
  }

  /** Fails the batches waiting in the accumulator (not those in flight). */
  failQueued(error: Error): void {
    for (const batch of this.#d.accumulator.removeQueued()) this.#failBatch(batch, error)
  }

  #run(): void {
    if (this.#stopError !== undefined) return
    clearTimeout(this.#timer)
    this.#timer = undefined
    const { accumulator, cluster, options, sequences } = this.#d
    const now = Date.now()
    if (this.#fatalError !== undefined) {
      this.failQueued(this.#fatalError)
      return
    }
    // as Java's sender aborts undrained batches: a failed transaction sends nothing more (it can
    // only be aborted), and sends waiting for AddPartitionsToTxn would otherwise wait out deliveryTimeout
    const transactionFailure = this.#d.transaction?.failure()
    if (transactionFailure !== undefined) this.failQueued(transactionFailure)
    for (const batch of accumulator.expire(now, options.deliveryTimeout)) {
      this.#failBatch(batch, this.#expiredError(batch, now, undefined))
    }
    const oldestInFlight = this.#expireInFlight(now)
    if (sequences !== undefined && sequences.maybeBump() === 'new-producer-id') this.#reinitialize()
    let metadata: ReturnType<() => Cluster['metadata']>
    try {
      metadata = cluster.metadata
    } catch {
      return
    }
    const ready = accumulator.ready(
      (topic, partition) => metadata.topics.get(topic)?.partitions.get(partition)?.leader ?? -1,
      now,
      this.#d.memory.hasWaiters,
    )
    // send() does not wait for a refresh once it knows a topic's partitions: the sender keeps the
    // metadata fresh (leaders moved, or older than metadataMaxAge)
    const stale = cluster.isOlderThanMaxAge(metadata, now)
    if (ready.unknownLeaderTopics.size > 0 || this.#refreshWanted || stale) this.#refreshMetadata()
    for (const [node, queues] of ready.nodes) {
      while ((this.#inFlightByNode.get(node) ?? 0) < options.maxInFlightRequests) {
        const batches = accumulator.drain(node, queues, options.maxRequestSize, now, (queue, batch) =>
          this.#mayDrain(queue, batch),
        )
        if (batches.length === 0) break
        this.#produce(node, batches)
      }
    }
    const expiresIn = Math.min(ready.oldestQueued, oldestInFlight) + options.deliveryTimeout - now
    const delay = Math.min(ready.nextCheckDelay, expiresIn)
    if (Number.isFinite(delay)) this.#timer = setTimeout(() => this.#run(), Math.max(1, delay))
  }

  /**
   * Fails the batches in requests whose delivery time is up (the requests go on; see the top of
   * this file). Returns the createdAt of the oldest one left, Infinity if none.
   */
  #expireInFlight(now: number): number {
    const { deliveryTimeout } = this.#d.options
    if (now - this.#inFlightOldest < deliveryTimeout) return this.#inFlightOldest
    let oldest = Number.POSITIVE_INFINITY
    for (const batch of this.#inFlightBatches) {
      if (batch.done) continue
      if (now - batch.createdAt >= deliveryTimeout) {
        this.#failBatch(batch, this.#expiredError(batch, now, undefined, batch.sentTo))
      } else if (batch.createdAt < oldest) {
        oldest = batch.createdAt
      }
    }
    this.#inFlightOldest = oldest
    return oldest
  }

  #isIdempotent(batch: OutgoingBatch): boolean {
    return this.#d.sequences !== undefined && batch.settings.acks === -1
  }

  #mayDrain(queue: PartitionQueue, batch: OutgoingBatch): boolean {
    const { transaction, sequences } = this.#d
    if (transaction !== undefined && !transaction.maySend(queue.topic, queue.partition)) return false
    if (sequences !== undefined && this.#isIdempotent(batch) && !sequences.mayDrain(queue, batch)) return false
    return true
  }

  #produce(node: number, batches: OutgoingBatch[]): void {
    const { accumulator, sequences } = this.#d
    this.#inFlightByNode.set(node, (this.#inFlightByNode.get(node) ?? 0) + 1)
    this.#inFlightRequests++
    const queues = batches.map((batch) => accumulator.queue(batch.topic, batch.partition))
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i]!
      const queue = queues[i]!
      if (sequences !== undefined && this.#isIdempotent(batch) && !batch.hasSequence) sequences.assign(queue, batch)
      batch.attempts++
      batch.sentTo = node
      queue.inFlight++
      this.#inFlightBatches.add(batch)
      if (batch.createdAt < this.#inFlightOldest) this.#inFlightOldest = batch.createdAt
    }
    this.#sendProduce(node, batches, queues)
      .catch((error: unknown) => {
        // #sendProduce settles its batches itself; anything reaching here is a bug, not a broker answer
        this.#d.logger.error('Produce request handling failed', { error: String(error) })
      })
      .finally(() => {
        for (const batch of batches) this.#inFlightBatches.delete(batch)
        this.#inFlightByNode.set(node, (this.#inFlightByNode.get(node) ?? 1) - 1)
        this.#inFlightRequests--
        if (this.#inFlightRequests === 0) {
          for (const resolve of this.#idle) resolve()
          this.#idle.clear()
        }
        this.wakeup()
      })
  }

  async #sendProduce(node: number, batches: OutgoingBatch[], queues: PartitionQueue[]): Promise<void> {
    const { cluster, transaction, accumulator } = this.#d
    let response: ProduceResponse | undefined
    let version = 0
    const acks = batches[0]!.settings.acks
    try {
      const records = await Promise.all(batches.map((b) => b.encode(this.#batchBuffers)))
      for (const batch of batches) if (batch.attempts === 1) accumulator.observeCompression(batch)
      const connection = await cluster.connectionToNode(node)
      version = this.#produceVersion(connection.versionFor(Produce), batches)
      const ackTimeout = Math.max(...batches.map((b) => b.settings.ackTimeout))
      const request = Produce.createRequest({
        transactionalId: transaction?.transactionalId ?? null,
        acks,
        timeoutMs: ackTimeout,
        topicData: this.#topicData(batches, records),
      })
      // the connection adds the ack timeout (timeoutMs, when acks is not 0) to the network timeout
      if (acks === 0) await connection.send(Produce, request, { version, expectResponse: false })
      else response = await connection.send(Produce, request, { version })
    } catch (error) {
      for (const queue of queues) queue.inFlight--
      if (cluster.noteError(error)) this.#refreshWanted = true
      for (const batch of batches) {
        if (batch.done) this.#lateAnswer(batch, undefined)
        else this.#onError(batch, asError(error), undefined)
      }
      return
    }
    for (const queue of queues) queue.inFlight--
    if (response === undefined) {
      for (const batch of batches) if (!batch.done) this.#completeBatch(batch, -1n, -1n, -1n)
      return
    }
    const byPartition = this.#answersByPartition(response)
    const answers = batches.map(
      (batch) =>
        byPartition.get(batch.topic)?.get(batch.partition) ??
        byPartition.get(topicIdOf(cluster, batch.topic))?.get(batch.partition),
    )
    const moved = this.#takeLeaderHints(batches, answers, response)
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i]!
      const answer = answers[i]
      if (batch.done) {
        this.#lateAnswer(batch, answer)
        continue
      }
      if (answer === undefined) {
        this.#onError(
          batch,
          protocolError(
            ErrorCode.NETWORK_EXCEPTION,
            `no answer for ${batch.topic}-${batch.partition} in Produce v${version}`,
          ),
          undefined,
        )
        continue
      }
      this.#onAnswer(batch, answer, moved.has(batch))
    }
  }

  /**
   * KIP-951: a partition refused with NOT_LEADER_OR_FOLLOWER (or FENCED_LEADER_EPOCH) names its
   * current leader, and the response the endpoints of those leaders; the metadata cache takes them
   * at once (when newer than what it knows). Returns the batches whose partition now routes to
   * another node than the one that refused them: they go there without a metadata refresh, and
   * without waiting out their backoff (OutgoingBatch.backingOff).
   */
  #takeLeaderHints(
    batches: readonly OutgoingBatch[],
    answers: readonly (ProduceResponsePartitionProduceResponse | undefined)[],
    response: ProduceResponse,
  ): Set<OutgoingBatch> {
    const { cluster } = this.#d
    const hinted: OutgoingBatch[] = []
    const hints: LeaderHint[] = []
    for (let i = 0; i < batches.length; i++) {
      const answer = answers[i]
      if (answer === undefined || !LEADER_HINT_ERRORS.has(answer.errorCode)) continue
      const { leaderId, leaderEpoch } = answer.currentLeader
      if (leaderId < 0 || leaderEpoch < 0) continue
      const batch = batches[i]!
      hinted.push(batch)
      hints.push({ topic: batch.topic, partition: batch.partition, leaderId, leaderEpoch })
    }
    const moved = new Set<OutgoingBatch>()
    if (hints.length === 0) return moved
    cluster.applyLeaderHints(
      hints,
      response.nodeEndpoints.map(({ nodeId, host, port, rack }) => ({ nodeId, host, port, rack })),
    )
    // a hint another response already gave counts as well: what matters is where the cache routes now
    let metadata: ReturnType<() => Cluster['metadata']>
    try {
      metadata = cluster.metadata
    } catch {
      return moved // disconnected meanwhile
    }
    for (let i = 0; i < hinted.length; i++) {
      const batch = hinted[i]!
      const leader = metadata.topics.get(batch.topic)?.partitions.get(batch.partition)?.leader
      if (leader === hints[i]!.leaderId && leader !== batch.sentTo) moved.add(batch)
    }
    return moved
  }

  #produceVersion(brokerBest: number, batches: readonly OutgoingBatch[]): number {
    let version = Math.min(brokerBest, this.#d.transaction?.maxProduceVersion() ?? brokerBest)
    if (version >= FIRST_TOPIC_ID_PRODUCE_VERSION) {
      const metadata = this.#d.cluster.metadata
      const unknownId = batches.some((b) => (metadata.topics.get(b.topic)?.topicId ?? ZERO_UUID) === ZERO_UUID)
      if (unknownId) version = FIRST_TOPIC_ID_PRODUCE_VERSION - 1
    }
    if (version < MIN_PRODUCE_VERSION) {
      throw new KafkaJSServerDoesNotSupportApiKey(
        `The broker offers Produce up to v${brokerBest}; this producer needs v${MIN_PRODUCE_VERSION}+ (record batches, Kafka 0.11+)`,
        { apiKey: Produce.apiKey, apiName: Produce.name },
      )
    }
    return version
  }

  #topicData(batches: readonly OutgoingBatch[], records: readonly Buffer[]) {
    const metadata = this.#d.cluster.metadata
    const byTopic = new Map<string, ReturnType<typeof createProduceRequestTopicProduceData>>()
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i]!
      let topic = byTopic.get(batch.topic)
      if (topic === undefined) {
        topic = createProduceRequestTopicProduceData({
          name: batch.topic,
          topicId: metadata.topics.get(batch.topic)?.topicId ?? ZERO_UUID,
        })
        byTopic.set(batch.topic, topic)
      }
      topic.partitionData.push(
        createProduceRequestPartitionProduceData({ index: batch.partition, records: records[i]! }),
      )
    }
    return [...byTopic.values()]
  }

  /** Topic (name, or id for v13) -> partition -> answer. */
  #answersByPartition(response: ProduceResponse): Map<string, Map<number, ProduceResponsePartitionProduceResponse>> {
    const answers = new Map<string, Map<number, ProduceResponsePartitionProduceResponse>>()
    for (const topic of response.responses) {
      const partitions = new Map<number, ProduceResponsePartitionProduceResponse>()
      for (const p of topic.partitionResponses) partitions.set(p.index, p)
      answers.set(topic.name !== '' ? topic.name : topic.topicId, partitions)
    }
    return answers
  }

  /**
   * The answer for a batch that expired while its request was out (`undefined`: the request
   * failed). The user was told of the expiry; an acknowledgement still counts for the sequences.
   */
  #lateAnswer(batch: OutgoingBatch, answer: ProduceResponsePartitionProduceResponse | undefined): void {
    const { sequences, accumulator, logger } = this.#d
    const written =
      answer !== undefined &&
      (answer.errorCode === ErrorCode.NONE || answer.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER)
    if (written && sequences !== undefined && this.#isIdempotent(batch)) {
      sequences.acknowledged(accumulator.queue(batch.topic, batch.partition), batch, answer.baseOffset)
    }
    const encoded = batch.takeEncoded()
    if (encoded !== undefined) this.#batchBuffers.release(encoded)
    logger.debug(`A batch for ${batch.topic}-${batch.partition} that expired in flight was answered`, {
      written,
      errorCode: answer?.errorCode,
      baseOffset: written ? String(answer.baseOffset) : undefined,
    })
  }

  /** `moved`: the answer named a new leader the metadata cache took (no refresh needed). */
  #onAnswer(batch: OutgoingBatch, answer: ProduceResponsePartitionProduceResponse, moved: boolean): void {
    const code = answer.errorCode
    // a duplicate is a batch the broker already has: a retry of one that was written (idempotence)
    if (code === ErrorCode.NONE || code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
      this.#completeBatch(batch, answer.baseOffset, answer.logAppendTimeMs, answer.logStartOffset)
      return
    }
    const detail = [
      `${batch.topic}-${batch.partition}`,
      answer.errorMessage,
      ...answer.recordErrors.map((e) => `record ${e.batchIndex}: ${e.batchIndexErrorMessage ?? ''}`),
    ]
      .filter((s) => s)
      .join('; ')
    const error = protocolError(code, detail)
    if (code === ErrorCode.MESSAGE_TOO_LARGE && batch.recordCount > 1) {
      this.#split(batch)
      return
    }
    if (!moved && this.#d.cluster.noteError(error)) this.#refreshWanted = true
    this.#onError(batch, error, answer)
  }

  /** Decides between retry and failure for a batch whose request or partition failed. */
  #onError(batch: OutgoingBatch, error: Error, answer: ProduceResponsePartitionProduceResponse | undefined): void {
    const { sequences, accumulator, transaction } = this.#d
    const code = error instanceof KafkaJSProtocolError ? error.errorCode : undefined
    if (isFatal(code, transaction !== undefined)) {
      const fatal =
        code === ErrorCode.PRODUCER_FENCED || code === ErrorCode.INVALID_PRODUCER_EPOCH
          ? new KafkaJSProducerFencedError(
              `Producer fenced: another producer with transactional id ${transaction?.transactionalId} took over (${error.message})`,
              { cause: error },
            )
          : error
      this.#failBatch(batch, fatal)
      this.fatal(fatal)
      return
    }
    if (sequences !== undefined && this.#isIdempotent(batch) && batch.hasSequence) {
      const queue = accumulator.queue(batch.topic, batch.partition)
      const transactional = transaction !== undefined
      if (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER) {
        // out of order behind an earlier batch that is still unresolved: it goes again after that
        // one. Out of order as the batch the broker should take next: the broker lacks what came
        // before (this batch was refused, so it cannot be written twice); an idempotent producer
        // bumps its epoch and retries it from sequence 0 (KIP-360), a transaction can only abort
        const gap = sequences.outOfOrder(queue, batch) === 'gap'
        if (gap && !transactional) sequences.requestBump(queue)
        this.#retryOrFail(batch, error, !gap || !transactional)
        return
      }
      if (code === ErrorCode.UNKNOWN_PRODUCER_ID) {
        // the broker has no state for this producer on the partition, so it refused the batch and
        // will take sequence 0: as Java, retry (until the answer says where the log starts), and
        // restart the sequences of an idempotent producer, or of a transaction whose acknowledged
        // records all went with retention (otherwise a transaction can only abort)
        const logStart = answer?.logStartOffset ?? -1n
        const truncated = logStart >= 0n && logStart > sequences.lastAckedOffset(queue)
        const restart = logStart >= 0n && (truncated || !transactional)
        if (restart) sequences.requestBump(queue)
        this.#retryOrFail(batch, error, logStart < 0n || restart)
        return
      }
    }
    this.#retryOrFail(batch, error, isRetriable(error))
  }

  #retryOrFail(batch: OutgoingBatch, error: Error, retriable: boolean): void {
    const now = Date.now()
    const stopped = this.#stopError ?? this.#fatalError
    if (stopped === undefined) this.#logAttemptFailed(batch, error)
    if (stopped !== undefined) {
      this.#failBatch(batch, stopped)
    } else if (!retriable) {
      this.#failBatch(batch, error)
    } else if (now - batch.createdAt >= this.#d.options.deliveryTimeout) {
      this.#failBatch(batch, this.#expiredError(batch, now, error))
    } else if (batch.attempts > this.#d.options.batchRetries) {
      const retryTime = backoffDelay(batch.attempts - 1, this.#d.options.retry)
      this.#failBatch(batch, new KafkaJSNumberOfRetriesExceeded(error, { retryCount: batch.attempts - 1, retryTime }))
    } else {
      this.#retry(batch, error, now)
    }
  }

  /**
   * KafkaJS's log entry for a failed produce attempt, which log-based alerts match: 'Failed to send
   * messages: ...' for errors that send it to refresh the metadata (lost connections, retriable
   * broker errors), the error's message alone for the others.
   */
  #logAttemptFailed(batch: OutgoingBatch, error: Error): void {
    const retryCount = batch.attempts - 1
    const retryTime = backoffDelay(retryCount, this.#d.options.retry)
    const refreshes =
      error instanceof KafkaJSConnectionError || (error instanceof KafkaJSProtocolError && error.retriable)
    this.#d.logger.error(refreshes ? `Failed to send messages: ${error.message}` : error.message, {
      retryCount,
      retryTime,
    })
  }

  #retry(batch: OutgoingBatch, error: Error, now: number): void {
    const delay = backoffDelay(batch.attempts - 1, this.#d.options.retry)
    batch.retryAt = now + delay
    this.#d.logger.debug(`Retrying a batch for ${batch.topic}-${batch.partition} in ${delay} ms`, {
      error: error.message,
      attempt: batch.attempts,
    })
    this.#d.accumulator.reenqueue(batch)
  }

  #split(batch: OutgoingBatch): void {
    const { accumulator, sequences } = this.#d
    const parts = accumulator.splitAndReenqueue(batch, recordSizeUpperBound)
    if (sequences !== undefined && this.#isIdempotent(batch) && batch.hasSequence) {
      sequences.replace(accumulator.queue(batch.topic, batch.partition), batch, parts)
    }
    this.#d.logger.debug(`Split a batch for ${batch.topic}-${batch.partition} the broker found too large`, {
      records: batch.recordCount,
      parts: parts.length,
    })
  }

  #completeBatch(batch: OutgoingBatch, baseOffset: bigint, logAppendTime: bigint, logStartOffset: bigint): void {
    const { sequences, accumulator, memory } = this.#d
    if (sequences !== undefined && this.#isIdempotent(batch)) {
      sequences.acknowledged(accumulator.queue(batch.topic, batch.partition), batch, baseOffset)
    }
    accumulator.batchDone(batch)
    memory.release(batch.recordBytes)
    batch.complete(baseOffset, logAppendTime, logStartOffset)
    // acknowledged, or written without acks: the socket is done with its bytes
    const encoded = batch.takeEncoded()
    if (encoded !== undefined) this.#batchBuffers.release(encoded)
  }

  #failBatch(batch: OutgoingBatch, error: Error): void {
    const { sequences, accumulator, memory, transaction } = this.#d
    if (batch.done) return
    if (sequences !== undefined && this.#isIdempotent(batch)) {
      sequences.failed(accumulator.queue(batch.topic, batch.partition), batch)
    }
    transaction?.batchFailed(error)
    accumulator.batchDone(batch)
    memory.release(batch.recordBytes)
    batch.fail(error)
  }

  /** `inFlightTo`: the node whose answer the batch was waiting for (it may have written the records). */
  #expiredError(
    batch: OutgoingBatch,
    now: number,
    cause: Error | undefined,
    inFlightTo?: number,
  ): KafkaJSDeliveryTimeoutError {
    return new KafkaJSDeliveryTimeoutError(
      `Expiring ${batch.recordCount} record(s) for ${batch.topic}-${batch.partition}: ${now - batch.createdAt} ms ` +
        `have passed since the batch was created (deliveryTimeout ${this.#d.options.deliveryTimeout} ms)` +
        (inFlightTo === undefined ? '' : `; node ${inFlightTo} had not answered its Produce request`) +
        (cause === undefined ? '' : `; last error: ${cause.message}`),
      { topic: batch.topic, partition: batch.partition, cause },
    )
  }

  #refreshMetadata(): void {
    this.#refreshWanted = false
    if (this.#refreshing !== undefined) return
    const { cluster, logger } = this.#d
    cluster.markMetadataStale()
    this.#refreshing = cluster
      .refreshMetadata()
      .then(
        () => undefined,
        (error: unknown) => {
          logger.warn('Metadata refresh for the producer failed', { error: asError(error).message })
        },
      )
      .finally(() => {
        this.#refreshing = undefined
        this.wakeup()
      })
  }

  /** The epoch ran out (32767 bumps): get a new producer id; batches wait meanwhile. */
  #reinitialize(): void {
    if (this.#reinitializing) return
    this.#reinitializing = true
    const { sequences, initProducerId, logger } = this.#d
    initProducerId()
      .then((next) => sequences?.setProducerIdAndEpoch(next))
      .catch((error: unknown) => {
        logger.error('Could not get a new producer id', { error: asError(error).message })
        this.fatal(asError(error))
      })
      .finally(() => {
        this.#reinitializing = false
        this.wakeup()
      })
  }
}

/** The partition errors whose answer names the partition's current leader (KIP-951). */
const LEADER_HINT_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.FENCED_LEADER_EPOCH,
])

/**
 * Errors after which the producer cannot go on: it was fenced (transactional), or is not allowed
 * to write with a producer id or transactional id at all.
 */
function isFatal(code: number | undefined, transactional: boolean): boolean {
  switch (code) {
    case ErrorCode.PRODUCER_FENCED:
    case ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case ErrorCode.CLUSTER_AUTHORIZATION_FAILED:
      return true
    case ErrorCode.INVALID_PRODUCER_EPOCH:
      return transactional
    default:
      return false
  }
}

function topicIdOf(cluster: Cluster, topic: string): string {
  return cluster.metadata.topics.get(topic)?.topicId ?? ZERO_UUID
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new KafkaJSError(String(error))
}
