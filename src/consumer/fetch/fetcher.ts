// Fetches the owned partitions: one fetch pipeline per broker, each a loop that sends a Fetch for
// the partitions that broker leads (or, with rackId, serves as preferred read replica), decodes the
// response and buffers each partition's messages for the runner, then sends the next. A broker's
// loop never has more than one Fetch in flight, which keeps its fetch session (KIP-227) in step.
//
// A partition is fetched while it is owned, not paused, has a position, and has less than two
// responses' worth of data buffered; so fetching runs ahead of the application by a bounded amount
// and keeps a partition in the session (no churn of forgotten topics) while the application keeps up.
// Data fetched for a partition whose position moved meanwhile (seek, pause, revocation) is dropped.

import type { Cluster } from '../../cluster/cluster.js'
import type { ClusterMetadata, LeaderHint } from '../../cluster/metadata.js'
import { isStaleMetadataError } from '../../cluster/stale-metadata.js'
import { Backoff, type ResolvedRetryOptions, sleep } from '../../common/backoff.js'
import { errorMessage } from '../../common/error-message.js'
import type { Logger } from '../../common/logger.js'
import {
  KafkaJSCorruptRecordError,
  KafkaJSError,
  KafkaJSLogTruncationError,
  KafkaJSOffsetOutOfRange,
  KafkaJSProtocolError,
} from '../../errors.js'
import { ErrorCode, protocolError } from '../../protocol/generated/errors.js'
import { Fetch, type FetchResponse, type FetchResponsePartitionData } from '../../protocol/generated/fetch.js'
import { ZERO_UUID } from '../../protocol/primitives/uuid.js'
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from '../offsets/list-offsets.js'
import { Signal } from '../signal.js'
import type { PartitionState, ResetPolicy, SubscriptionState } from '../subscription-state.js'
import { PartitionMap, type TopicPartition } from '../topic-partition.js'
import { FetchSession, FIRST_SESSION_VERSION, type SessionPartition } from './fetch-session.js'
import { readPartitionRecords } from './partition-records.js'
import { epochEndOffsets, validationOutcome } from './position-validation.js'
import { isOnlineReplica, ReadReplicaSelector } from './read-replica.js'

/** The longest wait between two failed fetches from a node (Java's reconnect.backoff.max.ms and retry.backoff.max.ms, 1 s). */
export const FETCH_RETRY_BACKOFF_MAX_MS = 1000

/** Isolation levels of Fetch and ListOffsets. */
export const IsolationLevel = { READ_UNCOMMITTED: 0, READ_COMMITTED: 1 } as const

export interface FetcherOptions {
  readonly minBytes: number
  readonly maxBytes: number
  readonly maxBytesPerPartition: number
  readonly maxWaitTimeInMs: number
  readonly isolationLevel: number
  readonly rackId: string
  readonly retry: ResolvedRetryOptions
  /** How long a preferred read replica is used before asking the leader again. */
  readonly metadataMaxAge: number
  readonly logger: Logger
}

export interface FetcherHooks {
  onFetchStart?(nodeId: number): void
  onFetch?(info: { nodeId: number; duration: number; numberOfBatches: number; sessionId: number }): void
  /** An error the fetcher cannot recover from (corrupt data, authorization): the consumer crashes. */
  onFatalError(error: Error): void
}

/** Fetch versions from 13 name topics by id; older ones by name. */
const FIRST_TOPIC_ID_VERSION = 13
/** Fetch versions from 12 carry lastFetchedEpoch and answer with a diverging epoch (KIP-320). */
const FIRST_DIVERGING_EPOCH_VERSION = 12
/** The partition errors a Fetch v16+ answers with the new leader (KIP-951), as Java reads them. */
const LEADER_HINT_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.FENCED_LEADER_EPOCH,
])
/** While a partition's buffer is full, other partitions' long polls are kept this short. */
const SHORT_WAIT_MS = 100
/**
 * The longest a Fetch waits for data (Java's fetch.max.wait.ms default), even when maxWaitTimeInMs
 * allows more. A broker's loop cannot add a partition to a Fetch in flight, so a seek, a resume or a
 * new assignment waits for the long poll to end: this bounds that wait. Idle partitions cost one
 * small request per broker per half second.
 */
const LONG_POLL_CAP_MS = 500
/** The shortest interval between the empty fetches a broker without fetchable partitions reports. */
const MIN_IDLE_FETCH_MS = 10

interface RequestedPartition {
  readonly state: PartitionState
  readonly generation: number
  readonly fetchOffset: bigint
  readonly replica: boolean
  /** The leader epoch from metadata sent as currentLeaderEpoch (-1 when unknown). */
  readonly leaderEpoch: number
  /** Leader epoch of the batch before fetchOffset (-1 when unknown). */
  readonly fetchedEpoch: number
}

export class Fetcher {
  readonly #cluster: Cluster
  readonly #subscriptions: SubscriptionState
  readonly #options: FetcherOptions
  readonly #hooks: FetcherHooks
  readonly #logger: Logger
  readonly #loops = new Map<number, Promise<void>>()
  /** Brokers whose loop runs but has nothing to fetch now (paused, or buffers full). */
  readonly #waitingLoops = new Set<number>()
  /** Wakes the idle reporter at stop(). */
  readonly #stopped = new Signal()
  #idleReporter: Promise<void> | undefined
  /** Reset policy for OFFSET_OUT_OF_RANGE and truncations without a known divergence ('none': fail). */
  readonly #resetPolicy: (topic: string) => ResetPolicy
  #running = false
  #supervisor: Promise<void> | undefined
  #resetting: Promise<void> | undefined
  #validating: Promise<void> | undefined
  readonly #replicas: ReadReplicaSelector

  constructor(
    cluster: Cluster,
    subscriptions: SubscriptionState,
    options: FetcherOptions,
    hooks: FetcherHooks,
    resetPolicy: (topic: string) => ResetPolicy,
  ) {
    this.#cluster = cluster
    this.#subscriptions = subscriptions
    this.#options = options
    this.#hooks = hooks
    this.#logger = options.logger
    this.#resetPolicy = resetPolicy
    this.#replicas = new ReadReplicaSelector(options.metadataMaxAge)
  }

  get running(): boolean {
    return this.#running
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    this.#supervisor = this.#supervise()
  }

  /**
   * Starts reporting the empty fetches of brokers without a Fetch to send (see #reportIdleFetches);
   * called once the member has joined its group, as KafkaJS's fetch loops start after the join.
   */
  reportIdleFetches(): void {
    if (!this.#running || this.#idleReporter !== undefined) return
    this.#idleReporter = this.#reportIdleFetches()
  }

  /** Stops fetching at once; a Fetch in flight is left to finish and its data is dropped. */
  async stop(): Promise<void> {
    if (!this.#running) return
    this.#running = false
    this.#subscriptions.wakeFetchers()
    this.#stopped.notify()
    await Promise.all([this.#supervisor, this.#idleReporter])
    this.#supervisor = undefined
    this.#idleReporter = undefined
  }

  /**
   * KafkaJS runs a fetch loop for every broker, also one it has nothing to fetch from: that loop
   * waits maxWaitTimeInMs and reports an empty fetch (consumer.fetch_start, then consumer.fetch),
   * also while the member owns no partition at all. Applications watch these events to see that a
   * consumer is alive, so a broker without a Fetch to send reports the same here, without a request.
   */
  async #reportIdleFetches(): Promise<void> {
    const interval = Math.max(this.#options.maxWaitTimeInMs, MIN_IDLE_FETCH_MS)
    while (this.#running) {
      const nodes = this.#idleNodes()
      const started = Date.now()
      for (const nodeId of nodes) this.#hooks.onFetchStart?.(nodeId)
      await this.#stopped.wait(interval)
      if (!this.#running) return
      const duration = Date.now() - started
      for (const nodeId of nodes) this.#hooks.onFetch?.({ nodeId, duration, numberOfBatches: 0, sessionId: 0 })
    }
  }

  /** Known brokers this fetcher sends no Fetch to now. */
  #idleNodes(): number[] {
    let metadata: ClusterMetadata
    try {
      metadata = this.#cluster.metadata
    } catch {
      return []
    }
    return [...metadata.brokers.keys()].filter((id) => !this.#loops.has(id) || this.#waitingLoops.has(id))
  }

  /** The per-partition buffer bound: twice the per-partition fetch size, so one response can wait while another is read. */
  #bufferLimit(state: PartitionState): number {
    return 2 * (state.fetchSizeOverride ?? this.#options.maxBytesPerPartition)
  }

  /**
   * Starts a loop for each broker that serves an owned partition, resolves positions that need a
   * reset, and asks for metadata when a partition's leader is unknown; then waits for a change.
   */
  async #supervise(): Promise<void> {
    while (this.#running) {
      try {
        const metadata = await this.#cluster.refreshMetadataIfNecessary(this.#ownedTopics())
        let leaderMissing = false
        const needsReset: PartitionState[] = []
        const needsValidation: PartitionState[] = []
        for (const state of this.#subscriptions.partitions()) {
          if (state.revoking) continue
          if (state.fetchState === 'AWAIT_RESET') needsReset.push(state)
          if (!state.hasPosition) continue
          const leaderEpoch = leaderEpochOf(state, metadata)
          if (state.needsValidation(leaderEpoch)) state.awaitValidation(leaderEpoch)
          if (state.fetchState === 'AWAIT_VALIDATION') needsValidation.push(state)
          const node = this.#nodeFor(state, metadata)
          if (node === undefined) {
            leaderMissing = true
            continue
          }
          if (!this.#loops.has(node)) this.#startLoop(node)
        }
        if (needsReset.length > 0) this.#resetPositions(needsReset)
        if (needsValidation.length > 0) this.#validatePositions(needsValidation)
        if (leaderMissing) {
          this.#cluster.markMetadataStale()
          await sleep(this.#options.retry.initialRetryTime)
          continue
        }
      } catch (error) {
        this.#logger.warn('Fetcher could not route partitions; retrying', { error: errorMessage(error) })
        await sleep(this.#options.retry.initialRetryTime)
        continue
      }
      // checked in the same tick as the wait begins, so a stop() cannot slip in between
      if (!this.#running) break
      await this.#subscriptions.waitForFetchable(this.#options.metadataMaxAge)
    }
    this.#subscriptions.wakeFetchers()
    await Promise.allSettled([...this.#loops.values()])
  }

  #ownedTopics(): Set<string> {
    const topics = new Set<string>()
    for (const state of this.#subscriptions.partitions()) topics.add(state.topic)
    return topics
  }

  #nodeFor(state: PartitionState, metadata: ClusterMetadata): number | undefined {
    return this.#replicas.nodeFor(state, metadata)
  }

  #resetPositions(states: PartitionState[]): void {
    if (this.#resetting !== undefined) return
    this.#resetting = (async () => {
      try {
        const queries = states.map((s) => ({
          topic: s.topic,
          partition: s.partition,
          timestamp: s.resetStrategy === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP,
          generation: s.generation,
        }))
        const offsets = await listOffsets(this.#cluster, queries, {
          isolationLevel: this.#options.isolationLevel,
          retry: this.#options.retry,
        })
        for (const q of queries) {
          const state = this.#subscriptions.get(q.topic, q.partition)
          const offset = offsets.get(q.topic, q.partition)
          // a seek (or a new reset) while the lookup ran wins over its result
          if (state === undefined || offset === undefined || !state.completeReset(offset, q.generation)) continue
          this.#logger.debug('Position reset', { topic: q.topic, partition: q.partition, offset: offset.toString() })
        }
      } catch (error) {
        this.#logger.warn('Offset reset failed; retrying', { error: errorMessage(error) })
        if (error instanceof KafkaJSError && !error.retriable) this.#hooks.onFatalError(error)
        else await sleep(this.#options.retry.initialRetryTime)
      } finally {
        this.#resetting = undefined
        // the supervisor looks again: partitions still awaiting a reset get another attempt
        this.#subscriptions.wakeFetchers()
      }
    })()
  }

  /**
   * Validates positions whose leader epoch moved (KIP-320): the new leader confirms each fetch
   * position, or names where its log diverges below it (fetching goes on from there, logged as a
   * truncation), or knows no epoch for it (the reset policy finds a position). A stale answer
   * leaves the partition awaiting validation; the supervisor asks again after a backoff.
   */
  #validatePositions(states: PartitionState[]): void {
    if (this.#validating !== undefined) return
    this.#validating = (async () => {
      let again = false
      try {
        const queries = states.map((s) => ({
          state: s,
          topic: s.topic,
          partition: s.partition,
          currentLeaderEpoch: s.validationLeaderEpoch,
          leaderEpoch: s.fetchedEpoch,
          generation: s.generation,
          fetchPosition: s.fetchPosition,
        }))
        const { answers, unsupported } = await epochEndOffsets(this.#cluster, queries)
        const trusted = new PartitionMap<true>()
        // a leader without OffsetForLeaderEpoch cannot validate: the position is trusted, as in Java
        for (const { topic, partition } of unsupported) trusted.set(topic, partition, true)
        for (const q of queries) {
          const { state } = q
          if (trusted.has(q.topic, q.partition)) {
            state.completeValidation(q.generation, q.currentLeaderEpoch)
            continue
          }
          const answer = answers.get(q.topic, q.partition)
          // moved (seek, reset, revocation, another leader change) while the request ran: not this answer's
          const current =
            this.#subscriptions.get(q.topic, q.partition) === state &&
            state.generation === q.generation &&
            state.fetchState === 'AWAIT_VALIDATION' &&
            state.validationLeaderEpoch === q.currentLeaderEpoch
          if (q.fetchPosition === undefined || !current) continue
          if (answer === undefined) {
            // the leader left the partition out of its answer: asked again after a backoff
            again = true
            continue
          }
          const outcome = validationOutcome(state, q.fetchPosition, answer)
          if (outcome.kind === 'valid') state.completeValidation(q.generation, q.currentLeaderEpoch)
          else if (outcome.kind === 'truncated') {
            const divergence = { offset: outcome.offset, epoch: answer.leaderEpoch }
            this.#onTruncation(state, q.fetchPosition, q.currentLeaderEpoch, divergence)
          } else if (outcome.kind === 'reset') {
            this.#onTruncation(state, q.fetchPosition, q.currentLeaderEpoch, undefined)
          } else if (outcome.kind === 'retry') {
            this.#cluster.noteError(outcome.error)
            this.#cluster.markMetadataStale()
            again = true
          } else this.#hooks.onFatalError(outcome.error)
        }
      } catch (error) {
        this.#logger.warn('Position validation failed; retrying', { error: errorMessage(error) })
        this.#cluster.noteError(error)
        again = true
      } finally {
        if (again) await sleep(this.#options.retry.initialRetryTime)
        this.#validating = undefined
        // the supervisor looks again: partitions still awaiting validation get another attempt
        this.#subscriptions.wakeFetchers()
      }
    })()
  }

  /**
   * The leader's log was truncated under `fetchOffset` (KIP-320), found by OffsetForLeaderEpoch or a
   * Fetch's diverging epoch. As Java's SubscriptionState.maybeCompleteValidation: with a reset policy,
   * fetching goes on from where the logs diverge when the leader says (neither skipping what the new
   * leader wrote there nor re-reading what matches), and the policy resets the position when it
   * cannot say; with autoOffsetReset 'none' the consumer fails with KafkaJSLogTruncationError.
   */
  #onTruncation(
    state: PartitionState,
    fetchOffset: bigint,
    leaderEpoch: number,
    divergence: { offset: bigint; epoch: number } | undefined,
  ): void {
    const where = { topic: state.topic, partition: state.partition, fetchOffset: fetchOffset.toString() }
    const policy = this.#resetPolicy(state.topic)
    if (policy === 'none') {
      const error = new KafkaJSLogTruncationError({ ...state, fetchOffset, divergentOffset: divergence?.offset })
      this.#logger.error('Log truncation detected; autoOffsetReset is none', {
        ...where,
        divergentOffset: divergence?.offset.toString(),
        leaderEpoch,
      })
      this.#hooks.onFatalError(error)
      return
    }
    if (divergence !== undefined) {
      this.#logger.warn('Log truncation detected; fetching from where the logs diverge', {
        ...where,
        divergentOffset: divergence.offset.toString(),
        leaderEpoch,
      })
      state.seek(divergence.offset, { fetchedEpoch: divergence.epoch, leaderEpoch })
      return
    }
    this.#logger.warn('The leader knows no epoch for the position; resetting to default offset', {
      ...where,
      resetTo: policy,
    })
    state.requestReset(policy)
  }

  #startLoop(nodeId: number): void {
    const loop = this.#runLoop(nodeId).finally(() => {
      this.#loops.delete(nodeId)
    })
    this.#loops.set(nodeId, loop)
  }

  async #runLoop(nodeId: number): Promise<void> {
    const session = new FetchSession()
    const backoff = new Backoff(this.#options.retry)
    while (this.#running) {
      let metadata: ClusterMetadata
      try {
        metadata = this.#cluster.metadata
      } catch {
        return
      }
      const { wanted, throttled } = this.#fetchablePartitions(nodeId, metadata)
      if (wanted.length === 0) {
        // nothing to fetch from this node: the loop ends, the supervisor restarts it when needed
        if (!this.#servesAnyPartition(nodeId, metadata) || !this.#running) return
        this.#waitingLoops.add(nodeId)
        await this.#subscriptions.waitForFetchable(this.#options.maxWaitTimeInMs)
        this.#waitingLoops.delete(nodeId)
        continue
      }
      try {
        await this.#fetchOnce(nodeId, session, wanted, throttled, metadata)
        backoff.succeed()
      } catch (error) {
        session.reset()
        if (!this.#running) return
        if (isFatal(error)) {
          this.#hooks.onFatalError(error as Error)
          return
        }
        // a lost connection or a stale-metadata error: the supervisor refreshes the metadata now (as
        // Java requests an update), so partitions whose leader moved follow it instead of this loop
        // retrying the old node until metadataMaxAge
        if (this.#cluster.noteError(error)) this.#subscriptions.wakeFetchers()
        // as Java does: a replica that cannot be fetched from sends its partitions back to their leaders
        if (this.#replicas.clearServedBy(nodeId, this.#subscriptions.partitions()) > 0) {
          this.#logger.info(`Fetching from node ${nodeId} failed; its partitions go back to their leaders`, {
            error: errorMessage(error),
          })
          continue
        }
        // KafkaJS's retry growth, capped as Java caps its reconnect and retry backoffs: a node that was
        // down for minutes is fetched from again within a second of coming back
        const delay = Math.min(backoff.fail(), FETCH_RETRY_BACKOFF_MAX_MS)
        this.#logger.warn(`Fetch from node ${nodeId} failed; retrying in ${delay} ms`, { error: errorMessage(error) })
        await sleep(delay)
      }
    }
  }

  #servesAnyPartition(nodeId: number, metadata: ClusterMetadata): boolean {
    for (const state of this.#subscriptions.partitions()) {
      if (!state.revoking && this.#nodeFor(state, metadata) === nodeId) return true
    }
    return false
  }

  #fetchablePartitions(
    nodeId: number,
    metadata: ClusterMetadata,
  ): { wanted: RequestedPartition[]; throttled: boolean } {
    const wanted: RequestedPartition[] = []
    let throttled = false
    for (const state of this.#subscriptions.partitions()) {
      if (!state.isFetchable || state.fetchPosition === undefined) continue
      if (this.#nodeFor(state, metadata) !== nodeId) continue
      if (state.bufferedBytes >= this.#bufferLimit(state)) {
        throttled = true
        continue
      }
      wanted.push({
        state,
        generation: state.generation,
        fetchOffset: state.fetchPosition,
        replica: state.preferredReadReplica === nodeId,
        leaderEpoch: leaderEpochOf(state, metadata),
        fetchedEpoch: state.fetchedEpoch,
      })
    }
    return { wanted, throttled }
  }

  async #fetchOnce(
    nodeId: number,
    session: FetchSession,
    wanted: RequestedPartition[],
    throttled: boolean,
    metadata: ClusterMetadata,
  ): Promise<void> {
    const connection = await this.#cluster.connectionToNode(nodeId)
    let version = connection.versionFor(Fetch)
    // lowering the version for topic names below keeps it at 12 or above when it was
    const sendsEpochs = version >= FIRST_DIVERGING_EPOCH_VERSION
    const sessionPartitions: SessionPartition[] = []
    const byTopicId = new Map<string, string>()
    let allHaveIds = true
    for (const w of wanted) {
      const topic = metadata.topics.get(w.state.topic)
      const topicId = topic?.topicId ?? ZERO_UUID
      if (topicId === ZERO_UUID) allHaveIds = false
      byTopicId.set(topicId, w.state.topic)
      sessionPartitions.push({
        topic: w.state.topic,
        topicId,
        partition: w.state.partition,
        fetchOffset: w.fetchOffset,
        partitionMaxBytes: w.state.fetchSizeOverride ?? this.#options.maxBytesPerPartition,
        currentLeaderEpoch: w.leaderEpoch,
        lastFetchedEpoch: sendsEpochs ? lastFetchedEpoch(w) : -1,
      })
    }
    if (!allHaveIds) version = Math.min(version, FIRST_TOPIC_ID_VERSION - 1)
    const request = session.build(sessionPartitions, version >= FIRST_SESSION_VERSION)
    const maxWaitMs = Math.min(throttled ? SHORT_WAIT_MS : LONG_POLL_CAP_MS, this.#options.maxWaitTimeInMs)
    const started = Date.now()
    this.#hooks.onFetchStart?.(nodeId)
    this.#logger.debug(`Fetching from node ${nodeId}`, { nodeId, partitions: wanted.length })
    // the connection adds maxWaitMs, the long poll the broker may hold the Fetch for, to its timeout
    const response = await connection.send(
      Fetch,
      Fetch.createRequest({
        maxWaitMs,
        minBytes: this.#options.minBytes,
        maxBytes: this.#options.maxBytes,
        isolationLevel: this.#options.isolationLevel,
        sessionId: request.sessionId,
        sessionEpoch: request.sessionEpoch,
        topics: request.topics,
        forgottenTopicsData: request.forgottenTopicsData,
        rackId: this.#options.rackId,
      }),
      { version },
    )
    if (!session.handleResponse(response.errorCode, response.sessionId)) {
      this.#logger.debug(`Fetch session with node ${nodeId} lost; next fetch is full`, {
        error: protocolError(response.errorCode).type,
      })
      return
    }
    if (response.errorCode !== ErrorCode.NONE) throw protocolError(response.errorCode, `Fetch from node ${nodeId}`)
    if (!this.#running) return
    const requested = new PartitionMap<RequestedPartition>()
    for (const w of wanted) requested.set(w.state.topic, w.state.partition, w)
    const answered: { w: RequestedPartition; data: FetchResponsePartitionData }[] = []
    for (const topicResponse of response.responses) {
      const topic = version >= FIRST_TOPIC_ID_VERSION ? byTopicId.get(topicResponse.topicId) : topicResponse.topic
      if (topic === undefined) continue
      for (const data of topicResponse.partitions) {
        const w = requested.get(topic, data.partitionIndex)
        if (w !== undefined) answered.push({ w, data })
      }
    }
    const rerouted = this.#applyLeaderHints(answered, response)
    let numberOfBatches = 0
    for (const { w, data } of answered) {
      if (await this.#handlePartition(nodeId, session, w, data, rerouted)) numberOfBatches++
    }
    this.#hooks.onFetch?.({ nodeId, duration: Date.now() - started, numberOfBatches, sessionId: session.sessionId })
  }

  /**
   * Routes the partitions whose Fetch answer named their new leader (KIP-951: CurrentLeader with
   * NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH, the leaders' NodeEndpoints) to it at once, without
   * a Metadata request; the supervisor then validates their positions with the new leader. Returns
   * the partitions so rerouted: the others' errors mark the metadata stale as before.
   */
  #applyLeaderHints(
    answered: readonly { w: RequestedPartition; data: FetchResponsePartitionData }[],
    response: FetchResponse,
  ): PartitionMap<true> {
    const rerouted = new PartitionMap<true>()
    const hints: LeaderHint[] = []
    for (const { w, data } of answered) {
      if (!LEADER_HINT_ERRORS.has(data.errorCode)) continue
      const { leaderId, leaderEpoch } = data.currentLeader
      hints.push({ topic: w.state.topic, partition: w.state.partition, leaderId, leaderEpoch })
    }
    if (hints.length === 0) return rerouted
    for (const hint of this.#cluster.applyLeaderHints(hints, response.nodeEndpoints)) {
      rerouted.set(hint.topic, hint.partition, true)
      this.#logger.debug('Partition leader moved; fetching from the new leader', { ...hint })
    }
    return rerouted
  }

  /** Buffers one partition's data or handles its error; returns whether messages were buffered. */
  async #handlePartition(
    nodeId: number,
    session: FetchSession,
    w: RequestedPartition,
    data: FetchResponsePartitionData,
    rerouted: PartitionMap<true>,
  ): Promise<boolean> {
    const { state } = w
    // moved, paused or revoked since the request went out: the data is stale
    if (this.#subscriptions.get(state.topic, state.partition) !== state || state.revoking) return false
    if (state.generation !== w.generation || state.paused) return false
    if (data.errorCode !== ErrorCode.NONE) {
      this.#handlePartitionError(nodeId, session, w, data.errorCode, rerouted.has(state.topic, state.partition))
      return false
    }
    const diverging = data.divergingEpoch
    if (diverging.epoch >= 0 || diverging.endOffset >= 0n) {
      // the leader's log diverges from what was fetched before fetchOffset (KIP-320): it returns no
      // records; where its epoch ends before the offset, that is where the logs diverge
      session.invalidate(state.topic, state.partition)
      const known = diverging.epoch >= 0 && diverging.endOffset >= 0n && diverging.endOffset < w.fetchOffset
      const divergence = known ? { offset: diverging.endOffset, epoch: diverging.epoch } : undefined
      this.#onTruncation(state, w.fetchOffset, w.leaderEpoch, divergence)
      return false
    }
    state.noteFetchedOffsets(data.highWatermark, data.lastStableOffset, data.logStartOffset)
    if (this.#replicas.update(state, data.preferredReadReplica)) {
      // KafkaJS's entry (kafkit adds the leader that named the replica)
      this.#logger.info(`Preferred read replica is now ${data.preferredReadReplica}`, {
        topic: state.topic,
        partition: state.partition,
        leader: nodeId,
      })
      // a replica our metadata does not know yet is used once a refresh shows it
      if (!isOnlineReplica(this.#cluster.metadata, state, data.preferredReadReplica)) this.#cluster.markMetadataStale()
    }
    const read = await readPartitionRecords({
      topic: state.topic,
      partition: state.partition,
      fetchOffset: w.fetchOffset,
      records: data.records,
      abortedTransactions: data.abortedTransactions,
      readCommitted: this.#options.isolationLevel === IsolationLevel.READ_COMMITTED,
    })
    // decoding is asynchronous (decompression): check again that nothing moved meanwhile
    if (state.generation !== w.generation || state.paused || state.revoking) return false
    if (read.truncatedBatchSize !== undefined) {
      state.growFetchSize(read.truncatedBatchSize)
      this.#logger.info('A record batch is larger than maxBytesPerPartition; fetching it whole', {
        topic: state.topic,
        partition: state.partition,
        offset: w.fetchOffset.toString(),
        size: read.truncatedBatchSize,
      })
      return false
    }
    if (read.nextOffset === w.fetchOffset) return false
    const buffered = state.buffer({
      topic: state.topic,
      partition: state.partition,
      generation: w.generation,
      fetchOffset: w.fetchOffset,
      messages: read.messages,
      nextOffset: read.nextOffset,
      firstOffset: read.firstOffset,
      highWatermark: data.highWatermark,
      lastLeaderEpoch: read.lastLeaderEpoch,
      lastBatchEpoch: read.lastBatchEpoch,
      fetchLeaderEpoch: w.leaderEpoch,
      bytes: data.records?.length ?? 0,
    })
    return buffered && read.messages.length > 0
  }

  /** `rerouted`: the answer named the partition's new leader, which the metadata now has (KIP-951). */
  #handlePartitionError(
    nodeId: number,
    session: FetchSession,
    w: RequestedPartition,
    errorCode: number,
    rerouted: boolean,
  ): void {
    const { state } = w
    const error = protocolError(errorCode, `Fetch ${state.topic}-${state.partition} from node ${nodeId}`)
    session.invalidate(state.topic, state.partition)
    if (errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      if (w.replica) {
        // a follower may lag the leader: ask the leader before resetting (KafkaJS's entry)
        this.#logger.info('Offset out of range while fetching from follower, retrying with leader', {
          topic: state.topic,
          partition: state.partition,
        })
        this.#replicas.clear(state)
      } else {
        const strategy = this.#resetPolicy(state.topic)
        if (strategy === 'none') {
          // Java's OffsetOutOfRangeException without a reset policy
          this.#logger.error('Offset out of range; autoOffsetReset is none', {
            topic: state.topic,
            partition: state.partition,
            offset: w.fetchOffset.toString(),
          })
          this.#hooks.onFatalError(new KafkaJSOffsetOutOfRange(error, state))
          return
        }
        // KafkaJS's entry (kafkit adds the offset and where it resets to)
        this.#logger.error('Offset out of range, resetting to default offset', {
          topic: state.topic,
          partition: state.partition,
          offset: w.fetchOffset.toString(),
          resetTo: strategy,
        })
        state.requestReset(strategy)
      }
      return
    }
    if (
      isStaleMetadataError(error) ||
      errorCode === ErrorCode.OFFSET_NOT_AVAILABLE ||
      errorCode === ErrorCode.UNKNOWN_LEADER_EPOCH
    ) {
      this.#replicas.clear(state)
      // the supervisor refreshes metadata (unless the answer named the new leader), which may move
      // the partition to another node
      if (!rerouted) this.#cluster.markMetadataStale()
      this.#subscriptions.wakeFetchers()
      return
    }
    if (error.retriable) {
      if (w.replica) this.#replicas.clear(state)
      this.#logger.warn('Fetch partition error; retrying', {
        topic: state.topic,
        partition: state.partition,
        error: error.type,
      })
      return
    }
    this.#hooks.onFatalError(error)
  }
}

/**
 * The lastFetchedEpoch a Fetch sends (KIP-320): the epoch of the batch before the fetch offset, so
 * that the leader checks its log still holds it there and otherwise answers with the epoch where
 * they diverge. Only to the leader under a known leader epoch (the broker then fences a request
 * that reaches another node): a follower serving as read replica may lag, and the end of its
 * latest epoch would look like a truncation. Java's consumer sends none and finds a truncation
 * only by validating after a leader change it sees in metadata.
 */
function lastFetchedEpoch(w: RequestedPartition): number {
  return w.replica || w.leaderEpoch < 0 ? -1 : w.fetchedEpoch
}

function leaderEpochOf(tp: TopicPartition, metadata: ClusterMetadata): number {
  return metadata.topics.get(tp.topic)?.partitions.get(tp.partition)?.leaderEpoch ?? -1
}

function isFatal(error: unknown): boolean {
  if (error instanceof KafkaJSCorruptRecordError) return true
  if (error instanceof KafkaJSProtocolError) return !error.retriable && !isStaleMetadataError(error)
  return error instanceof KafkaJSError ? !error.retriable : true
}
