// Everything one run() of the consumer sets in motion: group membership, the fetcher, the runner
// that calls the handlers, offset commits, and a watcher that rejoins when the subscription's topics
// or partition counts change. The consumer makes a new ConsumerRun when it restarts after a crash.
//
// Rebalance callbacks arrive here (RebalanceListener): assigned partitions get their committed
// offsets (or a reset when there are none, or a seek made meanwhile); revoked ones stop being
// fetched, their handlers finish, their offsets are committed; lost ones are dropped.

import type { Cluster } from '../cluster/cluster.js'
import { errorMessage, toError } from '../common/error-message.js'
import type { KafkaLogger } from '../common/kafka-logger.js'
import { KafkaJSNoOffsetForPartitionError } from '../errors.js'
import type { ConsumerRebalanceListener, ResolvedConsumerOptions } from './consumer-options.js'
import { Fetcher, IsolationLevel } from './fetch/fetcher.js'
import type { Assigner } from './group/assignors/assigner.js'
import { assignerCluster, DEFAULT_PARTITION_ASSIGNERS } from './group/assignors/index.js'
import { ClassicGroupMember } from './group/classic-member.js'
import { ConsumerProtocolMember } from './group/consumer-protocol-member.js'
import type { GroupMembership, MembershipEvents, RebalanceListener } from './group/membership.js'
import type { BatchProcessPayload, EachBatchHandler, EachMessageHandler, OffsetsByTopicPartition } from './handlers.js'
import { ConsumerEvents, type ConsumerInstrumentation } from './instrumentation.js'
import { GroupOffsets, type OffsetToCommit } from './offsets/group-offsets.js'
import { OffsetCommitter } from './offsets/offset-committer.js'
import { Runner } from './runner.js'
import type { SubscriptionState } from './subscription-state.js'
import { listTopicNames } from './topic-names.js'
import type { PartitionMap, TopicPartition } from './topic-partition.js'

export interface Subscription {
  /** Topics named literally, with their fromBeginning. */
  readonly topics: ReadonlyMap<string, boolean>
  readonly patterns: readonly { regex: RegExp; fromBeginning: boolean }[]
}

export interface RunSettings {
  eachMessage: EachMessageHandler | undefined
  eachBatch: EachBatchHandler | undefined
  autoCommit: boolean
  autoCommitInterval: number | null
  autoCommitThreshold: number | null
  eachBatchAutoResolve: boolean
  partitionsConsumedConcurrently: number
}

/** A seek asked for a partition not owned yet: applied when it is assigned. */
export type PendingSeek = bigint | 'earliest' | 'latest'

export interface ConsumerRunDeps {
  /** Fetches and metadata. */
  cluster: Cluster
  /**
   * Group coordination (join, heartbeat, commits) on connections of their own, so that they never
   * wait behind a Fetch long poll: a broker answers one connection's requests in order.
   */
  groupCluster: Cluster
  options: ResolvedConsumerOptions
  settings: RunSettings
  subscription: Subscription
  subscriptions: SubscriptionState
  pendingSeeks: PartitionMap<PendingSeek>
  instrumentation: ConsumerInstrumentation
  logger: KafkaLogger
  metadataMaxAge: number
  onCrash(error: Error): void
}

export class ConsumerRun {
  readonly #d: ConsumerRunDeps
  readonly #offsets: GroupOffsets
  readonly #committer: OffsetCommitter
  readonly #fetcher: Fetcher
  readonly #runner: Runner
  readonly #membership: GroupMembership
  readonly #groupLogger: KafkaLogger
  #topics: string[] = []
  #partitionCounts = new Map<string, number>()
  #watchTimer: NodeJS.Timeout | undefined
  #starting: Promise<void> | undefined
  #stopped = false

  constructor(deps: ConsumerRunDeps) {
    this.#d = deps
    const { cluster, options, settings, subscriptions, instrumentation } = deps
    // KafkaJS's namespaces: the runner's entries under 'Runner', the group's and fetches' under 'ConsumerGroup'
    const runnerLogger = deps.logger.namespace('Runner')
    this.#groupLogger = deps.logger.namespace('ConsumerGroup')
    this.#offsets = new GroupOffsets(deps.groupCluster, options.groupId, options.retry, cluster)
    this.#committer = new OffsetCommitter({
      groupId: options.groupId,
      offsets: this.#offsets,
      subscriptions,
      membership: () => this.#membership,
      autoCommit: settings.autoCommit,
      autoCommitInterval: settings.autoCommitInterval,
      autoCommitThreshold: settings.autoCommitThreshold,
      onCommit: (payload) => instrumentation.emit(ConsumerEvents.COMMIT_OFFSETS, payload),
      logger: runnerLogger,
    })
    this.#fetcher = new Fetcher(
      cluster,
      subscriptions,
      {
        minBytes: options.minBytes,
        maxBytes: options.maxBytes,
        maxBytesPerPartition: options.maxBytesPerPartition,
        maxWaitTimeInMs: options.maxWaitTimeInMs,
        isolationLevel: options.readUncommitted ? IsolationLevel.READ_UNCOMMITTED : IsolationLevel.READ_COMMITTED,
        rackId: options.rackId,
        retry: options.retry,
        metadataMaxAge: deps.metadataMaxAge,
        logger: this.#groupLogger,
      },
      {
        // KafkaJS's node ids in these events are strings (its broker pool's keys)
        onFetchStart: (nodeId) => instrumentation.emit(ConsumerEvents.FETCH_START, { nodeId: String(nodeId) }),
        // numberOfBatches is always 0, as KafkaJS 2.2.4 reports it (kept 0 there for compatibility)
        onFetch: ({ nodeId, duration }) =>
          instrumentation.emit(ConsumerEvents.FETCH, { numberOfBatches: 0, duration, nodeId: String(nodeId) }),
        onFatalError: (error) => deps.onCrash(error),
      },
      (topic) => {
        if (options.autoOffsetReset === 'none') return 'none'
        return this.#fromBeginning(topic) ? 'earliest' : 'latest'
      },
    )
    this.#runner = new Runner({
      subscriptions,
      committer: this.#committer,
      eachMessage: settings.eachMessage,
      eachBatch: settings.eachBatch,
      eachBatchAutoResolve: settings.eachBatchAutoResolve,
      concurrency: settings.partitionsConsumedConcurrently,
      maxPollRecords: options.maxPollRecords,
      retry: options.retry,
      logger: runnerLogger,
      onStartBatch: (payload: BatchProcessPayload) => instrumentation.emit(ConsumerEvents.START_BATCH_PROCESS, payload),
      onEndBatch: (payload) => instrumentation.emit(ConsumerEvents.END_BATCH_PROCESS, payload),
      commitOffsets: (offsets) => this.commitOffsets(toCommits(offsets), offsets.topics),
      onCrash: (error) => deps.onCrash(error),
    })
    this.#membership = this.#createMembership()
  }

  get membership(): GroupMembership {
    return this.#membership
  }

  get committer(): OffsetCommitter {
    return this.#committer
  }

  get topics(): readonly string[] {
    return this.#topics
  }

  /** Connects, resolves the subscription, starts fetching and processing, and joins the group. */
  start(): Promise<void> {
    this.#starting ??= this.#start()
    return this.#starting
  }

  async #start(): Promise<void> {
    const { cluster, groupCluster } = this.#d
    await Promise.all([cluster.connect(), groupCluster.connect()])
    // KafkaJS's consumer group connects, and emits consumer.connect, each time a run starts
    this.#d.instrumentation.emit(ConsumerEvents.CONNECT)
    if (this.#stopped) return
    this.#topics = await this.#resolveTopics()
    if (this.#topics.length > 0) await cluster.refreshMetadata(this.#topics)
    if (this.#stopped) return
    this.#partitionCounts = this.#countPartitions()
    this.#runner.start()
    this.#fetcher.start()
    await this.#membership.start()
    this.#fetcher.reportIdleFetches()
    this.#scheduleWatch()
  }

  /**
   * Handlers finish, offsets are committed, the group is left. Safe to call more than once, and
   * while start() is still joining: that start settles first, so no connection opens afterwards.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    if (this.#watchTimer !== undefined) clearTimeout(this.#watchTimer)
    // an in-flight long poll is not waited for: its data is dropped when it arrives
    void this.#fetcher.stop()
    await this.#runner.stop()
    const leaving = this.#membership.leave()
    await Promise.allSettled([this.#starting])
    await leaving
    await this.#committer.flush()
  }

  /** The application's commitOffsets(); `reported` is what consumer.commit_offsets carries (KafkaJS: the caller's offsets). */
  commitOffsets(offsets: readonly OffsetToCommit[], reported: readonly unknown[]): Promise<void> {
    return this.#committer.commitExplicit(offsets, reported)
  }

  /** Moves a partition's position; one not owned yet gets it when assigned. */
  seek(topic: string, partition: number, offset: PendingSeek): void {
    const state = this.#d.subscriptions.get(topic, partition)
    if (state === undefined || state.revoking) {
      this.#d.pendingSeeks.set(topic, partition, offset)
      return
    }
    if (typeof offset === 'bigint') {
      state.seek(offset)
      if (this.#committer.autoCommit) {
        // KafkaJS commits a seek right away when autoCommit is on
        this.#committer.resolve(state, offset)
        void this.#committer.commit([state])
      }
    } else {
      state.requestReset(offset)
    }
  }

  #createMembership(): GroupMembership {
    const { cluster, options, instrumentation } = this.#d
    const listener: RebalanceListener = {
      assigned: (partitions) => this.#onAssigned(partitions),
      revoked: (partitions) => this.#onRevoked(partitions),
      lost: (partitions) => this.#onLost(partitions),
    }
    const events: MembershipEvents = {
      heartbeat: (payload) => instrumentation.emit(ConsumerEvents.HEARTBEAT, payload),
      groupJoin: (payload) => instrumentation.emit(ConsumerEvents.GROUP_JOIN, payload),
      rebalancing: (payload) => instrumentation.emit(ConsumerEvents.REBALANCING, payload),
      receivedUnsubscribedTopics: (payload) => {
        instrumentation.emit(ConsumerEvents.RECEIVED_UNSUBSCRIBED_TOPICS, payload)
        this.#groupLogger.warn('Consumer group received unsubscribed topics', {
          ...payload,
          helpUrl: UNSUBSCRIBED_TOPICS_HELP,
        })
      },
      fatal: (error) => this.#d.onCrash(error),
    }
    if (options.groupProtocol === 'consumer') {
      return new ConsumerProtocolMember({
        cluster: this.#d.groupCluster,
        metadata: cluster,
        groupId: options.groupId,
        groupInstanceId: options.groupInstanceId,
        rebalanceTimeout: options.rebalanceTimeout,
        rackId: options.rackId === '' ? null : options.rackId,
        serverAssignor: options.groupRemoteAssignor,
        retry: options.retry,
        logger: this.#groupLogger,
        subscription: () => ({
          topics: this.#topics,
          regex:
            this.#d.subscription.patterns.length === 0
              ? null
              : this.#d.subscription.patterns.map((p) => `(?:${p.regex.source})`).join('|'),
        }),
        listener,
        events,
      })
    }
    const view = assignerCluster(cluster)
    const assigners: Assigner[] = (options.partitionAssigners ?? DEFAULT_PARTITION_ASSIGNERS).map((create) =>
      create({ cluster: view, groupId: options.groupId, logger: this.#d.logger }),
    )
    return new ClassicGroupMember({
      cluster: this.#d.groupCluster,
      groupId: options.groupId,
      groupInstanceId: options.groupInstanceId,
      sessionTimeout: options.sessionTimeout,
      rebalanceTimeout: options.rebalanceTimeout,
      heartbeatInterval: options.heartbeatInterval,
      rackId: options.rackId === '' ? null : options.rackId,
      assigners,
      retry: options.retry,
      logger: this.#groupLogger,
      subscription: () => this.#topics,
      loadTopics: async (topics) => {
        await cluster.refreshMetadata(topics)
      },
      listener,
      events,
    })
  }

  async #onAssigned(partitions: TopicPartition[]): Promise<void> {
    const { subscriptions, pendingSeeks } = this.#d
    const states = subscriptions.assign(partitions)
    try {
      const identity = this.#membership.commitIdentity()
      const committed = await this.#offsets.fetch(
        states,
        identity === undefined
          ? undefined
          : { memberId: identity.memberId, memberEpoch: identity.generationIdOrMemberEpoch },
      )
      for (const state of states) {
        const seek = pendingSeeks.get(state.topic, state.partition)
        const c = committed.get(state.topic, state.partition)
        if (c !== undefined && c.offset >= 0n) state.restoreCommitted(c.offset, c.leaderEpoch)
        if (seek !== undefined) {
          pendingSeeks.delete(state.topic, state.partition)
          if (typeof seek === 'bigint') state.seek(seek)
          else state.requestReset(seek)
        } else if (c !== undefined && c.offset >= 0n) {
          // the committed offset wins over fromBeginning; its epoch lets a later leader change
          // validate it (KIP-320), as Java's seekUnvalidated
          state.seek(c.offset, { fetchedEpoch: c.leaderEpoch, leaderEpoch: c.leaderEpoch })
        } else if (this.#d.options.autoOffsetReset === 'none') {
          throw new KafkaJSNoOffsetForPartitionError(state)
        } else {
          state.requestReset(this.#fromBeginning(state.topic) ? 'earliest' : 'latest')
        }
      }
    } catch (error) {
      this.#d.onCrash(toError(error))
      return
    }
    await this.#callUser('onPartitionsAssigned', partitions)
  }

  async #onRevoked(partitions: TopicPartition[]): Promise<void> {
    this.#stopDelivering(partitions)
    await this.#runner.waitIdle(partitions)
    if (this.#committer.autoCommit) await this.#committer.commit(partitions)
    await this.#callUser('onPartitionsRevoked', partitions)
    this.#d.subscriptions.unassign(partitions)
  }

  async #onLost(partitions: TopicPartition[]): Promise<void> {
    this.#stopDelivering(partitions)
    this.#d.subscriptions.unassign(partitions)
    await this.#callUser('onPartitionsLost', partitions)
  }

  #stopDelivering(partitions: readonly TopicPartition[]): void {
    this.#d.subscriptions.revoke(partitions)
  }

  async #callUser(name: keyof ConsumerRebalanceListener, partitions: TopicPartition[]): Promise<void> {
    const fn = this.#d.options.rebalanceListener[name]
    if (fn === undefined) return
    try {
      await fn.call(
        this.#d.options.rebalanceListener,
        partitions.map(({ topic, partition }) => ({ topic, partition })),
      )
    } catch (error) {
      this.#groupLogger.error(`${name} failed`, {
        groupId: this.#d.options.groupId,
        error: errorMessage(error),
      })
    }
  }

  #fromBeginning(topic: string): boolean {
    const { topics, patterns } = this.#d.subscription
    const literal = topics.get(topic)
    if (literal !== undefined) return literal
    return patterns.find((p) => testRegex(p.regex, topic))?.fromBeginning ?? false
  }

  async #resolveTopics(): Promise<string[]> {
    const { topics, patterns } = this.#d.subscription
    // in subscription order, as KafkaJS reports them (received_unsubscribed_topics), then the
    // topics the patterns match, sorted
    const out = new Set(topics.keys())
    if (patterns.length > 0) {
      const names = await listTopicNames(this.#d.cluster, this.#d.options.retry)
      for (const name of [...names].sort()) {
        if (patterns.some((p) => testRegex(p.regex, name))) out.add(name)
      }
    }
    return [...out]
  }

  #countPartitions(): Map<string, number> {
    const counts = new Map<string, number>()
    const metadata = this.#d.cluster.metadata
    for (const t of this.#topics) counts.set(t, metadata.topics.get(t)?.partitions.size ?? 0)
    return counts
  }

  /**
   * Every metadataMaxAge: a regex matching new topics, or a topic gaining partitions, triggers a rejoin.
   * While a subscribed topic has no partitions yet (not created, or auto-creation under way when the
   * group was joined) it is looked for every second, as Java keeps asking for missing topics;
   * otherwise the member would own nothing of it for metadataMaxAge (5 minutes by default).
   */
  #scheduleWatch(): void {
    if (this.#stopped) return
    const missing = [...this.#partitionCounts.values()].some((n) => n === 0)
    const delay = missing ? Math.min(MISSING_TOPIC_RECHECK_MS, this.#d.metadataMaxAge) : this.#d.metadataMaxAge
    this.#watchTimer = setTimeout(() => {
      this.#watch()
        .catch((error: unknown) =>
          this.#groupLogger.warn('Subscription check failed', {
            error: errorMessage(error),
          }),
        )
        .finally(() => this.#scheduleWatch())
    }, delay)
  }

  async #watch(): Promise<void> {
    const topics = await this.#resolveTopics()
    if (this.#stopped) return
    const changed = topics.length !== this.#topics.length || topics.some((t, i) => t !== this.#topics[i])
    if (changed) {
      this.#groupLogger.info('Subscribed topics changed; rejoining', { topics })
      this.#topics = topics
    }
    if (topics.length > 0) await this.#d.cluster.refreshMetadata(topics)
    const counts = this.#countPartitions()
    const grew = [...counts].some(([t, n]) => this.#partitionCounts.get(t) !== n)
    this.#partitionCounts = counts
    if (changed || grew)
      this.#membership.requestRejoin(changed ? 'subscribed topics changed' : 'partition count changed')
  }
}

/** The FAQ entry KafkaJS's 'received unsubscribed topics' warning points to. */
const UNSUBSCRIBED_TOPICS_HELP =
  'https://kafka.js.org/docs/faq#why-am-i-receiving-messages-for-topics-i-m-not-subscribed-to'

/** How often a subscribed topic without partitions is looked for (Java's retry.backoff.max.ms). */
const MISSING_TOPIC_RECHECK_MS = 1000

/** RegExp.test with the lastIndex of global/sticky expressions reset, so results do not alternate. */
function testRegex(regex: RegExp, value: string): boolean {
  regex.lastIndex = 0
  return regex.test(value)
}

function toCommits(offsets: OffsetsByTopicPartition): OffsetToCommit[] {
  return offsets.topics.flatMap(({ topic, partitions }) =>
    partitions.map(({ partition, offset }) => ({ topic, partition, offset: BigInt(offset) })),
  )
}
