// The client's view of a Kafka cluster: bootstrap from seed brokers, the metadata cache and its
// refresh, and routing: which node leads a partition, which is the controller, which coordinates a
// group or transactional id, and a ready connection to any of them.

import { backoffDelay, isRetriable, retry } from '../common/backoff.js'
import { toError } from '../common/error-message.js'
import { inNamespace, type Logger } from '../common/logger.js'
import {
  KafkaJSAggregateError,
  KafkaJSBrokerNotFound,
  KafkaJSConnectionError,
  KafkaJSMetadataNotLoaded,
  KafkaJSNoBrokerAvailableError,
} from '../errors.js'
import { type BrokerAddress, BrokerPool } from '../network/broker-pool.js'
import type { Connection } from '../network/connection.js'
import { createMetadataRequestMetadataRequestTopic, Metadata } from '../protocol/generated/metadata.js'
import {
  type ClusterOptions,
  type ResolvedClusterOptions,
  resolveClusterOptions,
  type SeedBroker,
} from './cluster-options.js'
import { CoordinatorLookup, type CoordinatorResult, type CoordinatorType } from './coordinator-lookup.js'
import { type BrokerMetadata, ClusterMetadata, type LeaderHint } from './metadata.js'
import { isRebootstrapRequired, isStaleMetadataError, metadataResponseError } from './stale-metadata.js'

export class Cluster {
  readonly #options: ResolvedClusterOptions
  readonly #logger: Logger
  readonly #poolLogger: Logger
  readonly #coordinators: CoordinatorLookup
  #pool: BrokerPool
  #metadata: ClusterMetadata | undefined
  /** Set by an error that says the metadata is wrong; the next use refreshes it. */
  #stale = false
  /** Topics every refresh asks about: the ones this client has used. */
  readonly #targetTopics = new Set<string>()
  /** The refresh in progress and the topics it asks about; a request for fewer topics joins it. */
  #refresh: { topics: ReadonlySet<string>; promise: Promise<ClusterMetadata> } | undefined
  #connecting: Promise<void> | undefined
  /**
   * Date.now() of the first metadata attempt since metadata last came (Java's metadataAttemptStartMs,
   * KIP-1102); undefined while metadata comes. Attempts failing for longer than
   * metadataRecoveryRebootstrapTrigger lead to a rebootstrap.
   */
  #metadataAttemptStart: number | undefined
  /** Set when a broker answered REBOOTSTRAP_REQUIRED (Java then sets metadataAttemptStartMs to 0). */
  #rebootstrapRequired = false

  constructor(options: ClusterOptions) {
    this.#options = resolveClusterOptions(options)
    // KafkaJS's namespaces: the cluster's entries under 'Cluster', seed and broker connections' under 'BrokerPool'
    this.#logger = inNamespace(this.#options.logger, 'Cluster')
    this.#poolLogger = inNamespace(this.#options.logger, 'BrokerPool')
    this.#pool = this.#newPool()
    this.#coordinators = new CoordinatorLookup({
      anyConnection: () => this.anyConnection(),
      onCoordinator: (address) => this.#pool.addBroker(address),
      retry: this.#options.retry,
      logger: this.#logger,
    })
  }

  get isConnected(): boolean {
    return this.#metadata !== undefined
  }

  /** The latest metadata; throws KafkaJSMetadataNotLoaded before connect(). */
  get metadata(): ClusterMetadata {
    if (this.#metadata === undefined) throw new KafkaJSMetadataNotLoaded('Topic metadata not loaded')
    return this.#metadata
  }

  /**
   * Bootstraps: tries the seed brokers in random order until one answers Metadata, retrying the
   * whole list with backoff. As in KafkaJS, the seed list is resolved before the retries (a bad list,
   * or a `brokers` function that throws, fails connect() as is), an error that is not retriable ends
   * them at once, and when they are used up the last seed's error is the cause of
   * KafkaJSNumberOfRetriesExceeded.
   */
  connect(): Promise<void> {
    this.#connecting ??= this.#connectOnce().catch((error: unknown) => {
      this.#connecting = undefined
      throw error
    })
    return this.#connecting
  }

  async #connectOnce(): Promise<void> {
    let seeds: SeedBroker[] | undefined = await this.#options.seeds()
    await retry(async (attempt) => {
      const list = seeds ?? (await this.#options.seeds())
      seeds = undefined
      await this.#bootstrap(list, attempt)
    }, this.#retryOptions('bootstrap'))
  }

  /** Closes every connection; connect() may be called again afterwards. */
  async disconnect(): Promise<void> {
    const pool = this.#pool
    this.#pool = this.#newPool()
    this.#metadata = undefined
    this.#connecting = undefined
    this.#refresh = undefined
    this.#metadataAttemptStart = undefined
    this.#rebootstrapRequired = false
    this.#coordinators.clear()
    await pool.close()
  }

  /** Adds topics to those every metadata refresh asks about. */
  addTargetTopics(topics: Iterable<string>): void {
    for (const topic of topics) this.#targetTopics.add(topic)
  }

  /** Marks the metadata out of date: the next refreshMetadataIfNecessary() refreshes it. */
  markMetadataStale(): void {
    this.#stale = true
  }

  /**
   * Feeds back an error a request got. A stale-metadata error (NOT_LEADER_OR_FOLLOWER,
   * UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, ...) or a lost connection marks the metadata
   * for refresh; REBOOTSTRAP_REQUIRED makes that refresh a rebootstrap (with the 'rebootstrap'
   * strategy). Returns whether it marked the metadata.
   */
  noteError(error: unknown): boolean {
    if (isRebootstrapRequired(error) && this.#options.metadataRecoveryStrategy === 'rebootstrap') {
      this.#rebootstrapRequired = true
    }
    const stale = isStaleMetadataError(error) || isRebootstrapRequired(error) || error instanceof KafkaJSConnectionError
    if (stale) this.markMetadataStale()
    return stale
  }

  /**
   * Routes partitions to the leaders a Produce or Fetch response named (KIP-951) at once, without a
   * Metadata request; `nodes` are the response's NodeEndpoints. Returns the hints applied (see
   * ClusterMetadata.withLeaders): for the others the caller marks the metadata stale as before.
   */
  applyLeaderHints(hints: readonly LeaderHint[], nodes: readonly BrokerMetadata[] = []): LeaderHint[] {
    if (this.#metadata === undefined || hints.length === 0) return []
    const { metadata, applied } = this.#metadata.withLeaders(hints, nodes)
    if (applied.length === 0) return applied
    this.#metadata = metadata
    for (const hint of applied) {
      const broker = metadata.brokers.get(hint.leaderId)
      if (broker !== undefined) this.#pool.addBroker(broker)
    }
    this.#logger.debug('Leaders updated from a response', {
      partitions: applied.map((h) => `${h.topic}-${h.partition}: node ${h.leaderId} epoch ${h.leaderEpoch}`),
    })
    return applied
  }

  /** Fetches metadata now for the target topics plus `topics` (which become targets). */
  refreshMetadata(topics: Iterable<string> = []): Promise<ClusterMetadata> {
    this.addTargetTopics(topics)
    const wanted: ReadonlySet<string> = new Set(this.#targetTopics)
    const current = this.#refresh
    if (current !== undefined && [...wanted].every((t) => current.topics.has(t))) return current.promise
    // one refresh at a time: a wider one waits for the one in progress
    const previous = current?.promise.catch(() => undefined) ?? Promise.resolve()
    const promise = previous.then(() =>
      retry(() => this.#refreshOnce([...wanted]), this.#retryOptions('metadata refresh')),
    )
    const done = (): void => {
      if (this.#refresh?.promise === promise) this.#refresh = undefined
    }
    promise.then(done, done)
    this.#refresh = { topics: wanted, promise }
    return promise
  }

  /** Whether `metadata` was fetched metadataMaxAge or longer ago (KafkaJS and Java then refresh it). */
  isOlderThanMaxAge(metadata: ClusterMetadata, now = Date.now()): boolean {
    return now - metadata.updatedAt >= this.#options.metadataMaxAge
  }

  /** The metadata, refreshed first if it is stale, older than metadataMaxAge, or lacks one of `topics`. */
  async refreshMetadataIfNecessary(topics: Iterable<string> = []): Promise<ClusterMetadata> {
    const wanted = [...topics]
    const m = this.#metadata
    if (m === undefined || this.#stale || this.isOlderThanMaxAge(m) || wanted.some((t) => !m.topics.has(t))) {
      return this.refreshMetadata(wanted)
    }
    return m
  }

  /**
   * The node id of the partition's leader, refreshing metadata as needed and retrying (with backoff)
   * while the topic is unknown or the partition has no leader, as right after the topic's creation.
   */
  leaderFor(topic: string, partition: number): Promise<number> {
    return retry(
      async () => {
        const metadata = await this.refreshMetadataIfNecessary([topic])
        try {
          return metadata.leaderFor(topic, partition)
        } catch (error) {
          this.noteError(error)
          throw error
        }
      },
      this.#retryOptions(`leader lookup for ${topic}-${partition}`),
    )
  }

  async connectionToLeader(topic: string, partition: number): Promise<Connection> {
    return this.connectionToNode(await this.leaderFor(topic, partition))
  }

  /** The node's connection, made (with the node's reconnect backoff) when there is none. */
  async connectionToNode(nodeId: number): Promise<Connection> {
    try {
      return await this.#pool.connection(nodeId)
    } catch (error) {
      this.noteError(error)
      throw error
    }
  }

  /** The controller's connection (in KRaft, the broker Metadata names as controller forwards to it). */
  async controllerConnection(): Promise<Connection> {
    let metadata = await this.refreshMetadataIfNecessary()
    if (metadata.controllerId < 0) metadata = await this.refreshMetadata()
    if (metadata.controllerId < 0) {
      throw new KafkaJSBrokerNotFound(
        `Controller broker with id ${metadata.controllerId} not found in the cached metadata`,
      )
    }
    return this.connectionToNode(metadata.controllerId)
  }

  /**
   * A ready connection to some broker, for requests any broker answers: the least busy ready one, or
   * else the first node (in random order) that accepts a connection. When none of the known brokers
   * does (or one asked for it), the 'rebootstrap' strategy refreshes the metadata from the seeds
   * first, so that a cluster that moved is found again.
   */
  async anyConnection(): Promise<Connection> {
    if (this.#options.connectOnDemand && this.#pool.nodeIds.length === 0) await this.connect()
    if (this.#rebootstrapRequired) await this.refreshMetadata()
    try {
      return await this.#anyKnownConnection()
    } catch (error) {
      const recover = this.#options.metadataRecoveryStrategy === 'rebootstrap' && this.#pool.nodeIds.length > 0
      if (!(error instanceof KafkaJSNoBrokerAvailableError) || !recover) throw error
      await this.refreshMetadata()
      return this.#anyKnownConnection()
    }
  }

  async #anyKnownConnection(): Promise<Connection> {
    const ids = this.#pool.nodeIds
    let best: Connection | undefined
    for (const id of ids) {
      const ready = this.#pool.readyConnection(id)
      if (ready !== undefined && (best === undefined || ready.pendingRequests < best.pendingRequests)) best = ready
    }
    if (best !== undefined) return best
    const failures: Error[] = []
    for (const id of shuffled(ids)) {
      try {
        return await this.#pool.connection(id)
      } catch (error) {
        failures.push(asError(error))
      }
    }
    throw new KafkaJSNoBrokerAvailableError(
      ids.length === 0
        ? 'No broker is known: call connect()'
        : `No broker is reachable: ${failures.map((e) => e.message).join('; ')}`,
      { cause: failures.length > 0 ? new KafkaJSAggregateError('every broker failed', failures) : undefined },
    )
  }

  /** The coordinator of a group (CoordinatorType.GROUP) or transactional id (TRANSACTION), cached. */
  findCoordinator(type: CoordinatorType, key: string): Promise<BrokerAddress> {
    return this.#coordinators.find(type, key)
  }

  /** The coordinators of many keys, batched in one request per round when the broker allows (v4+). */
  findCoordinators(type: CoordinatorType, keys: readonly string[]): Promise<Map<string, CoordinatorResult>> {
    return this.#coordinators.findAll(type, keys)
  }

  /** A connection to the coordinator of `key`; forgets the coordinator if it cannot be reached. */
  async coordinatorConnection(type: CoordinatorType, key: string): Promise<Connection> {
    const address = await this.#coordinators.find(type, key)
    this.#pool.addBroker(address)
    try {
      return await this.#pool.connection(address.nodeId)
    } catch (error) {
      this.#coordinators.invalidateOnError(type, key, error)
      throw error
    }
  }

  /**
   * Forgets the coordinator of `key` if `error` (from a request sent to it) says it moved:
   * NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE or a lost connection. Returns whether it did.
   */
  invalidateCoordinatorOn(type: CoordinatorType, key: string, error: unknown): boolean {
    return this.#coordinators.invalidateOnError(type, key, error)
  }

  /** One pass over the seeds (`list`, else the option's), in random order; the first that answers Metadata wins. */
  async #bootstrap(list?: readonly SeedBroker[], attempt = 0): Promise<ClusterMetadata> {
    const seeds = shuffled(list ?? (await this.#options.seeds()))
    let lastError: unknown
    for (const seed of seeds) {
      let connection: Connection | undefined
      try {
        connection = await this.#pool.connectTo(seed.host, seed.port)
        const metadata = await this.#fetchMetadata(connection, [...this.#targetTopics])
        this.#pool.adopt(connection)
        return metadata
      } catch (error) {
        void connection?.close()
        // wrong credentials, a mechanism the broker lacks: the client's fault, not the seed's (KafkaJS bails)
        if (!isRetriable(error)) throw error
        lastError = error
        // KafkaJS's entry (its broker pool's), which alerts on unreachable brokers look for
        this.#poolLogger.error(
          `Failed to connect to seed broker, trying another broker from the list: ${asError(error).message}`,
          { retryCount: attempt, retryTime: backoffDelay(attempt, this.#options.retry) },
        )
      }
    }
    // what KafkaJS reports: the error of the seed it tried last (each is logged above)
    throw lastError
  }

  /**
   * One refresh attempt, from any known broker; with none known yet, it bootstraps. With the
   * 'rebootstrap' strategy (Java's metadata.recovery.strategy, KIP-899 and KIP-1102) it goes back to
   * the seeds instead when every known broker is unreachable, when attempts have failed for longer
   * than metadataRecoveryRebootstrapTrigger, or when the broker answers REBOOTSTRAP_REQUIRED.
   */
  async #refreshOnce(topics: string[]): Promise<ClusterMetadata> {
    const rebootstrap = this.#options.metadataRecoveryStrategy === 'rebootstrap'
    const now = Date.now()
    this.#metadataAttemptStart ??= now
    if (rebootstrap && this.#rebootstrapRequired)
      return this.#rebootstrap('a broker answered REBOOTSTRAP_REQUIRED', true)
    if (rebootstrap && now - this.#metadataAttemptStart > this.#options.metadataRecoveryRebootstrapTrigger) {
      return this.#rebootstrap(
        `no metadata for ${now - this.#metadataAttemptStart} ms (metadataRecoveryRebootstrapTrigger)`,
        true,
      )
    }
    let connection: Connection
    try {
      connection = await this.#anyKnownConnection()
    } catch (error) {
      if (!(error instanceof KafkaJSNoBrokerAvailableError)) throw error
      if (this.#pool.nodeIds.length === 0) return this.#bootstrap()
      // every known broker is gone: Java rebootstraps at once (KIP-899), or keeps trying them
      if (!rebootstrap) throw error
      return this.#rebootstrap('no known broker is reachable', false)
    }
    try {
      return await this.#fetchMetadata(connection, topics)
    } catch (error) {
      if (!rebootstrap || !isRebootstrapRequired(error)) throw error
      return this.#rebootstrap(`${connection.broker} answered REBOOTSTRAP_REQUIRED`, true)
    }
  }

  /**
   * Forgets the cluster's addresses and bootstraps from the seeds again (calling a `brokers`
   * function again, resolving the names again). When the known brokers may still be connected
   * (the trigger, REBOOTSTRAP_REQUIRED) their connections are closed first, as Java's client does.
   */
  #rebootstrap(reason: string, closeConnections: boolean): Promise<ClusterMetadata> {
    this.#logger.warn(`Rebootstrapping from the seed brokers: ${reason}`)
    this.#metadataAttemptStart = Date.now()
    this.#rebootstrapRequired = false
    if (closeConnections) this.#pool.closeConnections('rebootstrap')
    this.#coordinators.clear()
    return this.#bootstrap()
  }

  async #fetchMetadata(connection: Connection, topics: string[]): Promise<ClusterMetadata> {
    const version = connection.versionFor(Metadata)
    const request = Metadata.createRequest({
      topics: topics.map((name) => createMetadataRequestMetadataRequestTopic({ name })),
      allowAutoTopicCreation: this.#options.allowAutoTopicCreation,
    })
    const response = await connection.send(Metadata, request, { version })
    if (response.errorCode !== 0) throw metadataResponseError(response.errorCode, `Metadata from ${connection.broker}`)
    // Metadata v0 reads an empty topic list as "every topic"
    const allTopics = version === 0 && topics.length === 0
    const metadata = (this.#metadata ?? ClusterMetadata.empty()).merge(response, Date.now(), allTopics)
    this.#metadata = metadata
    this.#stale = false
    this.#metadataAttemptStart = undefined
    this.#pool.setBrokers([...metadata.brokers.values()])
    return metadata
  }

  #retryOptions(what: string) {
    return {
      ...this.#options.retry,
      onRetry: (error: unknown, attempt: number, delay: number) =>
        this.#logger.debug(`Retrying ${what} (${attempt + 1}) in ${delay} ms`, { error: asError(error).message }),
    }
  }

  #newPool(): BrokerPool {
    return new BrokerPool({ connection: this.#options.connection, logger: this.#poolLogger })
  }
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

function asError(error: unknown): Error {
  return toError(error)
}
