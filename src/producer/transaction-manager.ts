// The transaction manager (Java's TransactionManager): the transactional producer's state machine
// and its requests to the transaction coordinator (InitProducerId, AddPartitionsToTxn,
// AddOffsetsToTxn, EndTxn) and to the group coordinator (TxnOffsetCommit).
//
// Two protocols, chosen per transaction from the broker's finalized `transaction.version`:
// - v1: partitions join the transaction through AddPartitionsToTxn before their batches may be
//   sent (Produce at most v11), offsets through AddOffsetsToTxn then TxnOffsetCommit (at most v4);
//   after an abort that followed an error the epoch is bumped with InitProducerId (KIP-360).
// - v2 (KIP-890, transaction.version >= 2): Produce v12+ and TxnOffsetCommit v5+ add partitions and
//   the group themselves, and every EndTxn (v5+) bumps the epoch and returns it.
//
// States and moves follow Java's; illegal calls throw KafkaJSTransactionStateError, fencing
// KafkaJSProducerFencedError (and the manager is done for), coordinator moves and
// CONCURRENT_TRANSACTIONS are retried until maxBlockMs.

import type { Cluster } from '../cluster/cluster.js'
import { CoordinatorType } from '../cluster/coordinator-lookup.js'
import { backoffDelay, isRetriable, type ResolvedRetryOptions, sleep } from '../common/backoff.js'
import type { ConsumerGroupMetadata } from '../common/kafkajs-shapes.js'
import type { Logger } from '../common/logger.js'
import { StateMachine, type TransitionTable } from '../common/state-machine.js'
import {
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSProducerFencedError,
  KafkaJSProtocolError,
  KafkaJSTimeout,
  KafkaJSTransactionStateError,
} from '../errors.js'
import type { Connection } from '../network/connection.js'
import { AddOffsetsToTxn } from '../protocol/generated/add-offsets-to-txn.js'
import {
  AddPartitionsToTxn,
  createAddPartitionsToTxnRequestAddPartitionsToTxnTopic,
} from '../protocol/generated/add-partitions-to-txn.js'
import { EndTxn } from '../protocol/generated/end-txn.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import { InitProducerId } from '../protocol/generated/init-producer-id.js'
import {
  createTxnOffsetCommitRequestTxnOffsetCommitRequestPartition,
  createTxnOffsetCommitRequestTxnOffsetCommitRequestTopic,
  TxnOffsetCommit,
} from '../protocol/generated/txn-offset-commit.js'
import type { SenderTransactionHooks } from './sender.js'
import type { SequenceTracker } from './sequences.js'

export const TRANSACTION_STATES = [
  'UNINITIALIZED',
  'INITIALIZING',
  'READY',
  'IN_TRANSACTION',
  'COMMITTING_TRANSACTION',
  'ABORTING_TRANSACTION',
  'ABORTABLE_ERROR',
  'FATAL_ERROR',
] as const
export type TransactionState = (typeof TRANSACTION_STATES)[number]

const TRANSITIONS: TransitionTable<TransactionState> = {
  UNINITIALIZED: ['INITIALIZING', 'FATAL_ERROR'],
  INITIALIZING: ['READY', 'UNINITIALIZED', 'FATAL_ERROR'],
  READY: ['IN_TRANSACTION', 'FATAL_ERROR'],
  IN_TRANSACTION: ['COMMITTING_TRANSACTION', 'ABORTING_TRANSACTION', 'ABORTABLE_ERROR', 'FATAL_ERROR'],
  COMMITTING_TRANSACTION: ['READY', 'ABORTABLE_ERROR', 'FATAL_ERROR'],
  ABORTING_TRANSACTION: ['READY', 'FATAL_ERROR'],
  ABORTABLE_ERROR: ['ABORTING_TRANSACTION', 'FATAL_ERROR'],
  FATAL_ERROR: [],
}

/** transaction.version from which the v2 protocol (KIP-890 part 2) is used. */
const TRANSACTION_V2 = 2
/** The newest versions a v1 transaction may use: higher ones mean v2 to the broker. */
const V1_MAX_PRODUCE = 11
const V1_MAX_TXN_OFFSET_COMMIT = 4
const V1_MAX_END_TXN = 4
/** AddPartitionsToTxn v4+ is for brokers only (it batches transactions); clients speak up to v3. */
const CLIENT_MAX_ADD_PARTITIONS = 3
/** Java's short backoff for CONCURRENT_TRANSACTIONS while the previous transaction's markers are written. */
const CONCURRENT_TRANSACTIONS_BACKOFF = 20

export type { ConsumerGroupMetadata }

export interface TransactionOffsets {
  /** KafkaJS: the group whose offsets to commit with the transaction. */
  consumerGroupId?: string
  /** The consumer's group metadata (generation and member id): the coordinator refuses a zombie's commit. */
  consumerGroupMetadata?: ConsumerGroupMetadata
  topics: { topic: string; partitions: { partition: number; offset: string }[] }[]
}

export interface TransactionManagerDependencies {
  readonly cluster: Cluster
  readonly transactionalId: string
  readonly transactionTimeout: number
  readonly sequences: SequenceTracker
  readonly logger: Logger
  /** Backoff between coordinator retries (the producer's). */
  readonly retry: ResolvedRetryOptions
  /** How long one call may keep retrying (maxBlockMs). */
  readonly maxBlockMs: number
  /** Tells the sender that partitions were added (their batches may go). */
  readonly wakeSender: () => void
}

type CoordinatorKind = 'transaction' | 'group'

export class TransactionManager implements SenderTransactionHooks {
  readonly transactionalId: string
  readonly #d: TransactionManagerDependencies
  readonly #state: StateMachine<TransactionState>
  #lastError: Error | undefined
  /** Whether this transaction speaks transactions v2 (decided when it begins). */
  #v2 = false
  /** Partitions the coordinator has in the transaction (v1), or that the transaction wrote to (v2). */
  readonly #partitions = new Set<string>()
  /** v1: partitions waiting for AddPartitionsToTxn. */
  readonly #newPartitions = new Map<string, { topic: string; partition: number }>()
  #adding: Promise<void> | undefined
  #offsetsAdded = false
  /** v1: an error happened in the transaction, so its abort bumps the epoch (KIP-360). */
  #epochBumpRequired = false

  constructor(dependencies: TransactionManagerDependencies) {
    this.#d = dependencies
    this.transactionalId = dependencies.transactionalId
    this.#state = new StateMachine(
      `transaction ${this.transactionalId}`,
      'UNINITIALIZED',
      TRANSITIONS,
      dependencies.logger,
    )
  }

  get state(): TransactionState {
    return this.#state.state
  }

  /** A transaction is open: begun and neither committed nor aborted. */
  get inTransaction(): boolean {
    const s = this.state
    return (
      s === 'IN_TRANSACTION' ||
      s === 'COMMITTING_TRANSACTION' ||
      s === 'ABORTING_TRANSACTION' ||
      s === 'ABORTABLE_ERROR'
    )
  }

  get isTransactionV2(): boolean {
    return this.#v2
  }

  // --- SenderTransactionHooks

  maxProduceVersion(): number {
    return this.#v2 ? Number.MAX_SAFE_INTEGER : V1_MAX_PRODUCE
  }

  maySend(topic: string, partition: number): boolean {
    if (this.state === 'FATAL_ERROR') return false
    return this.#v2 || this.#partitions.has(key(topic, partition))
  }

  batchFailed(error: Error): void {
    if (error instanceof KafkaJSProducerFencedError || isFatalCode(codeOf(error))) {
      this.#fatal(error)
      return
    }
    this.#epochBumpRequired = true
    this.#abortable(error)
  }

  failure(): Error | undefined {
    return this.#failed() ? this.#lastError : undefined
  }

  // --- lifecycle

  /** InitProducerId with the transactional id: fences older producers with the same id, gets the epoch. */
  async initialize(): Promise<void> {
    if (this.state === 'READY' || this.inTransaction) return
    this.#assertNotFatal('initialize')
    this.#state.transition('INITIALIZING', 'connect()')
    try {
      await this.#initProducerId(false)
    } catch (error) {
      if (this.state === 'INITIALIZING') this.#state.transition('UNINITIALIZED', 'InitProducerId failed')
      throw error
    }
    this.#state.transition('READY', 'InitProducerId done')
  }

  /** Begins a transaction; decides between the v1 and v2 protocols from the coordinator's features. */
  async begin(): Promise<void> {
    this.#assertNotFatal('begin a transaction')
    if (this.inTransaction) {
      // KafkaJS's class and text for this misuse
      throw new KafkaJSNonRetriableError(
        'There is already an ongoing transaction for this producer. Please end the transaction before beginning another.',
      )
    }
    if (this.state !== 'READY') await this.initialize()
    const connection = await this.#coordinator('transaction', this.transactionalId)
    this.#v2 = transactionVersion(connection) >= TRANSACTION_V2 && connection.versionFor(EndTxn) > V1_MAX_END_TXN
    this.#partitions.clear()
    this.#newPartitions.clear()
    this.#offsetsAdded = false
    this.#lastError = undefined
    this.#state.transition('IN_TRANSACTION', `begin (transactions v${this.#v2 ? 2 : 1})`)
  }

  /** Refuses sends into a transaction that can only be aborted (or is broken). */
  assertSendable(): void {
    if (this.state === 'IN_TRANSACTION') return
    throw new KafkaJSTransactionStateError(
      `Cannot send in transaction state ${this.state}` +
        (this.#lastError === undefined
          ? ''
          : `: an earlier send failed (${this.#lastError.message}); abort the transaction`),
      { state: this.state, cause: this.#lastError },
    )
  }

  /** A send of the transaction writes to this partition. */
  onPartition(topic: string, partition: number): void {
    const k = key(topic, partition)
    if (this.#partitions.has(k)) return
    if (this.#v2) {
      this.#partitions.add(k)
      return
    }
    if (this.#newPartitions.has(k)) return
    this.#newPartitions.set(k, { topic, partition })
    // a send() registers all its partitions in one synchronous pass: start after it, so that one
    // AddPartitionsToTxn carries them all (as Java's sender), not the first partition alone
    this.#adding ??= Promise.resolve()
      .then(() => this.#addPartitions())
      .finally(() => {
        this.#adding = undefined
      })
  }

  async sendOffsets(offsets: TransactionOffsets): Promise<void> {
    this.assertSendable()
    const group = groupOf(offsets)
    const { sequences, transactionalId } = this.#d
    if (!this.#v2) {
      await this.#call(
        'transaction',
        transactionalId,
        `AddOffsetsToTxn for group ${group.groupId}`,
        async (connection) => {
          const { producerId, epoch } = sequences.producerIdAndEpoch
          const response = await connection.send(
            AddOffsetsToTxn,
            AddOffsetsToTxn.createRequest({
              transactionalId,
              producerId,
              producerEpoch: epoch,
              groupId: group.groupId,
            }),
            { version: connection.versionFor(AddOffsetsToTxn) },
          )
          return response.errorCode
        },
      )
      this.#offsetsAdded = true
    }
    await this.#txnOffsetCommit(group, offsets.topics)
    this.#offsetsAdded = true
  }

  /**
   * Commits: waits for every batch of the transaction (`flush`), then EndTxn. A transaction whose
   * batches failed cannot commit (abort it). After a failed EndTxn, commit() may be called again.
   */
  async commit(flush: () => Promise<void>): Promise<void> {
    this.#assertNotFatal('commit')
    if (this.state === 'ABORTABLE_ERROR') throw this.#mustAbort('commit')
    if (this.state !== 'COMMITTING_TRANSACTION') {
      if (this.state !== 'IN_TRANSACTION') {
        throw new KafkaJSTransactionStateError(`Cannot commit in transaction state ${this.state}`, {
          state: this.state,
        })
      }
      this.#state.transition('COMMITTING_TRANSACTION', 'commit()')
    }
    await flush()
    await this.#adding
    // a batch or AddPartitionsToTxn may have failed meanwhile
    if (this.#failed()) throw this.#mustAbort('commit')
    await this.#endTransaction(true)
  }

  /**
   * Aborts: fails the batches not sent yet (`failQueued`), waits for those in flight, then EndTxn,
   * and (v1, after an error) bumps the epoch.
   */
  async abort(failQueued: (error: Error) => void, flush: () => Promise<void>): Promise<void> {
    this.#assertNotFatal('abort')
    const s = this.state
    if (s !== 'ABORTING_TRANSACTION') {
      if (s !== 'IN_TRANSACTION' && s !== 'ABORTABLE_ERROR' && s !== 'COMMITTING_TRANSACTION') {
        throw new KafkaJSTransactionStateError(`Cannot abort in transaction state ${s}`, { state: s })
      }
      if (s === 'COMMITTING_TRANSACTION') this.#state.transition('ABORTABLE_ERROR', 'abort() during a commit')
      this.#state.transition('ABORTING_TRANSACTION', 'abort()')
    }
    this.#newPartitions.clear()
    failQueued(new KafkaJSError('The transaction was aborted before these records were sent', { retriable: false }))
    await flush()
    await this.#adding
    await this.#endTransaction(false)
  }

  async #endTransaction(commit: boolean): Promise<void> {
    const { sequences, transactionalId } = this.#d
    const started = this.#partitions.size > 0 || this.#offsetsAdded
    const unknownMapping = codeOf(this.#lastError) === ErrorCode.INVALID_PRODUCER_ID_MAPPING
    // as Java: a transaction that enrolled nothing is not ended at the coordinator; one whose
    // producer id the coordinator no longer knows cannot be ended (InitProducerId starts afresh)
    if (!started) this.#d.logger.debug('No partitions or offsets registered, not sending EndTxn')
    if (started && !unknownMapping) {
      const what = `EndTxn(${commit ? 'commit' : 'abort'})`
      const response = await this.#call('transaction', transactionalId, what, async (connection) => {
        const version = Math.min(connection.versionFor(EndTxn), this.#v2 ? EndTxn.maxVersion : V1_MAX_END_TXN)
        const { producerId, epoch } = sequences.producerIdAndEpoch
        const r = await connection.send(
          EndTxn,
          EndTxn.createRequest({ transactionalId, producerId, producerEpoch: epoch, committed: commit }),
          { version },
        )
        return { code: r.errorCode, value: { response: r, version } }
      })
      if (this.#v2 && response.version > V1_MAX_END_TXN) {
        // v2: every end bumps the epoch; sequences restart from 0 under it
        sequences.setProducerIdAndEpoch(
          { producerId: response.response.producerId, epoch: response.response.producerEpoch },
          true,
        )
      }
    }
    if (!commit && (unknownMapping || (!this.#v2 && this.#epochBumpRequired))) await this.#initProducerId(true)
    this.#epochBumpRequired = false
    this.#partitions.clear()
    this.#state.transition('READY', commit ? 'committed' : 'aborted')
  }

  /** v1: sends AddPartitionsToTxn for the partitions waiting, until none waits. */
  async #addPartitions(): Promise<void> {
    const { sequences, transactionalId, wakeSender } = this.#d
    while (this.#newPartitions.size > 0 && this.inTransaction && this.state !== 'ABORTING_TRANSACTION') {
      const adding = [...this.#newPartitions.values()]
      const byTopic = new Map<string, number[]>()
      for (const { topic, partition } of adding) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition])
      try {
        await this.#call('transaction', transactionalId, 'AddPartitionsToTxn', async (connection) => {
          const version = Math.min(connection.versionFor(AddPartitionsToTxn), CLIENT_MAX_ADD_PARTITIONS)
          const { producerId, epoch } = sequences.producerIdAndEpoch
          const response = await connection.send(
            AddPartitionsToTxn,
            AddPartitionsToTxn.createRequest({
              v3AndBelowTransactionalId: transactionalId,
              v3AndBelowProducerId: producerId,
              v3AndBelowProducerEpoch: epoch,
              v3AndBelowTopics: [...byTopic].map(([name, partitions]) =>
                createAddPartitionsToTxnRequestAddPartitionsToTxnTopic({ name, partitions }),
              ),
            }),
            { version },
          )
          if (response.errorCode !== ErrorCode.NONE) return response.errorCode
          // OPERATION_NOT_ATTEMPTED marks partitions held back by another partition's error
          const codes = response.resultsByTopicV3AndBelow.flatMap((t) =>
            t.resultsByPartition.map((p) => p.partitionErrorCode),
          )
          return (
            codes.find((c) => c !== ErrorCode.NONE && c !== ErrorCode.OPERATION_NOT_ATTEMPTED) ??
            codes.find((c) => c !== ErrorCode.NONE) ??
            0
          )
        })
      } catch (error) {
        this.#d.logger.error('AddPartitionsToTxn failed', { error: asError(error).message })
        if (this.state === 'IN_TRANSACTION' || this.state === 'COMMITTING_TRANSACTION') this.#abortable(asError(error))
        // the batches that waited for these partitions fail now, with this error (see failure())
        wakeSender()
        return
      }
      for (const { topic, partition } of adding) {
        const k = key(topic, partition)
        this.#newPartitions.delete(k)
        this.#partitions.add(k)
      }
      wakeSender()
    }
  }

  async #txnOffsetCommit(group: ConsumerGroupMetadata, topics: TransactionOffsets['topics']): Promise<void> {
    const { sequences, transactionalId } = this.#d
    await this.#call('group', group.groupId, `TxnOffsetCommit for group ${group.groupId}`, async (connection) => {
      const version = Math.min(
        connection.versionFor(TxnOffsetCommit),
        this.#v2 ? TxnOffsetCommit.maxVersion : V1_MAX_TXN_OFFSET_COMMIT,
      )
      const { producerId, epoch } = sequences.producerIdAndEpoch
      const response = await connection.send(
        TxnOffsetCommit,
        TxnOffsetCommit.createRequest({
          transactionalId,
          groupId: group.groupId,
          producerId,
          producerEpoch: epoch,
          generationId: group.generationId,
          memberId: group.memberId,
          groupInstanceId: group.groupInstanceId ?? null,
          topics: topics.map(({ topic, partitions }) =>
            createTxnOffsetCommitRequestTxnOffsetCommitRequestTopic({
              name: topic,
              partitions: partitions.map(({ partition, offset }) =>
                createTxnOffsetCommitRequestTxnOffsetCommitRequestPartition({
                  partitionIndex: partition,
                  committedOffset: BigInt(offset),
                  committedLeaderEpoch: -1,
                  committedMetadata: null,
                }),
              ),
            }),
          ),
        }),
        { version },
      )
      const codes = response.topics.flatMap((t) => t.partitions.map((p) => p.errorCode))
      return codes.find((c) => c !== ErrorCode.NONE) ?? 0
    })
  }

  /** InitProducerId with the transactional id; `bump` passes the current id and epoch (KIP-360). */
  async #initProducerId(bump: boolean): Promise<void> {
    const { sequences, transactionalId, transactionTimeout } = this.#d
    const current = sequences.producerIdAndEpoch
    const next = await this.#call('transaction', transactionalId, 'InitProducerId', async (connection) => {
      const r = await connection.send(
        InitProducerId,
        InitProducerId.createRequest({
          transactionalId,
          transactionTimeoutMs: transactionTimeout,
          producerId: bump ? current.producerId : -1n,
          producerEpoch: bump ? current.epoch : -1,
        }),
        { version: connection.versionFor(InitProducerId) },
      )
      return { code: r.errorCode, value: { producerId: r.producerId, epoch: r.producerEpoch } }
    })
    this.#d.logger.debug('Initialized producer id & epoch', {
      producerId: String(next.producerId),
      producerEpoch: next.epoch,
    })
    sequences.setProducerIdAndEpoch(next, true)
  }

  /**
   * One coordinator request with retries until maxBlockMs: coordinator moves (looked up again),
   * CONCURRENT_TRANSACTIONS and other retriable errors are retried; fencing is fatal; the errors
   * that only doom the current transaction make it abortable. `perform` returns the response's
   * error code (0 for none), alone or with the value to return.
   */
  async #call<T = undefined>(
    kind: CoordinatorKind,
    coordinatorKey: string,
    what: string,
    perform: (connection: Connection) => Promise<number | { code: number; value: T }>,
  ): Promise<T> {
    const type = kind === 'transaction' ? CoordinatorType.TRANSACTION : CoordinatorType.GROUP
    const deadline = Date.now() + this.#d.maxBlockMs
    for (let attempt = 0; ; attempt++) {
      let error: Error
      try {
        const connection = await this.#coordinator(kind, coordinatorKey)
        const outcome = await perform(connection)
        const { code, value } = typeof outcome === 'number' ? { code: outcome, value: undefined as T } : outcome
        if (code === ErrorCode.NONE) return value
        error = protocolError(code, `${what} (transactional id ${this.transactionalId})`)
      } catch (e) {
        error = asError(e)
      }
      const code = codeOf(error)
      if (isFatalCode(code)) {
        throw this.#fatal(
          code === ErrorCode.PRODUCER_FENCED || code === ErrorCode.INVALID_PRODUCER_EPOCH
            ? new KafkaJSProducerFencedError(
                `Producer with transactional id ${this.transactionalId} was fenced by a newer one (${error.message})`,
                { cause: error },
              )
            : error,
        )
      }
      if (isAbortableCode(code)) {
        this.#epochBumpRequired = true
        throw this.#abortable(error)
      }
      this.#d.cluster.invalidateCoordinatorOn(type, coordinatorKey, error)
      if (!isRetriable(error)) throw error
      const delay =
        code === ErrorCode.CONCURRENT_TRANSACTIONS
          ? Math.min(CONCURRENT_TRANSACTIONS_BACKOFF * 2 ** attempt, this.#d.retry.maxRetryTime)
          : backoffDelay(attempt, this.#d.retry)
      if (Date.now() + delay > deadline) {
        throw new KafkaJSTimeout(
          `${what} did not succeed within maxBlockMs (${this.#d.maxBlockMs} ms): ${error.message}`,
          {
            cause: error,
            retriable: true,
          },
        )
      }
      if (what === 'InitProducerId' && code === ErrorCode.CONCURRENT_TRANSACTIONS) {
        // KafkaJS's entry: the coordinator is still ending this id's earlier transaction
        this.#d.logger.debug('There is an ongoing transaction on this transactionId, retrying', {
          error: error.message,
          stack: error.stack,
          transactionalId: this.transactionalId,
          retryCount: attempt,
          retryTime: delay,
        })
      } else {
        this.#d.logger.debug(`Retrying ${what} in ${delay} ms`, { error: error.message })
      }
      await sleep(delay)
    }
  }

  #coordinator(kind: CoordinatorKind, coordinatorKey: string): Promise<Connection> {
    return this.#d.cluster.coordinatorConnection(
      kind === 'transaction' ? CoordinatorType.TRANSACTION : CoordinatorType.GROUP,
      coordinatorKey,
    )
  }

  #abortable(error: Error): Error {
    this.#lastError ??= error
    const s = this.state
    if (s === 'IN_TRANSACTION' || s === 'COMMITTING_TRANSACTION')
      this.#state.transition('ABORTABLE_ERROR', error.message)
    return error
  }

  #fatal(error: Error): Error {
    this.#lastError = error
    if (this.state !== 'FATAL_ERROR') this.#state.transition('FATAL_ERROR', error.message)
    return error
  }

  /** Re-reads the state after an await (a failed batch or request may have moved it). */
  #failed(): boolean {
    const state: TransactionState = this.#state.state
    return state === 'ABORTABLE_ERROR' || state === 'FATAL_ERROR'
  }

  #assertNotFatal(what: string): void {
    if (this.state === 'FATAL_ERROR') {
      throw new KafkaJSTransactionStateError(
        `Cannot ${what}: the transactional producer hit a fatal error (${this.#lastError?.message}); make a new producer`,
        { state: this.state, cause: this.#lastError },
      )
    }
  }

  #mustAbort(what: string): KafkaJSTransactionStateError {
    return new KafkaJSTransactionStateError(
      `Cannot ${what}: the transaction failed (${this.#lastError?.message ?? 'unknown error'}); abort it`,
      { state: this.state, cause: this.#lastError },
    )
  }
}

function transactionVersion(connection: Connection): number {
  const feature = connection.apiVersionsResponse.finalizedFeatures.find((f) => f.name === 'transaction.version')
  return feature?.maxVersionLevel ?? 0
}

function groupOf(offsets: TransactionOffsets): ConsumerGroupMetadata {
  const metadata = offsets.consumerGroupMetadata
  if (metadata !== undefined) return metadata
  if (typeof offsets.consumerGroupId !== 'string' || offsets.consumerGroupId === '') {
    throw new KafkaJSTransactionStateError('sendOffsets needs consumerGroupId or consumerGroupMetadata', {
      state: 'IN_TRANSACTION',
    })
  }
  return { groupId: offsets.consumerGroupId, generationId: -1, memberId: '', groupInstanceId: null }
}

function isFatalCode(code: number | undefined): boolean {
  return (
    code === ErrorCode.PRODUCER_FENCED ||
    code === ErrorCode.INVALID_PRODUCER_EPOCH ||
    code === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED ||
    code === ErrorCode.CLUSTER_AUTHORIZATION_FAILED ||
    code === ErrorCode.INVALID_TXN_STATE ||
    code === ErrorCode.UNSUPPORTED_VERSION ||
    code === ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT
  )
}

/** Errors that end only the current transaction (Java: abortable), including the group's refusals. */
function isAbortableCode(code: number | undefined): boolean {
  return (
    code === ErrorCode.TRANSACTION_ABORTABLE ||
    code === ErrorCode.UNKNOWN_PRODUCER_ID ||
    code === ErrorCode.INVALID_PRODUCER_ID_MAPPING ||
    code === ErrorCode.GROUP_AUTHORIZATION_FAILED ||
    code === ErrorCode.TOPIC_AUTHORIZATION_FAILED ||
    code === ErrorCode.UNKNOWN_MEMBER_ID ||
    code === ErrorCode.ILLEGAL_GENERATION ||
    code === ErrorCode.FENCED_INSTANCE_ID
  )
}

function codeOf(error: unknown): number | undefined {
  return error instanceof KafkaJSProtocolError ? error.errorCode : undefined
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new KafkaJSError(String(error))
}
