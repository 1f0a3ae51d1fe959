// The consumer, with KafkaJS's API: connect, subscribe, run (eachMessage / eachBatch), commitOffsets,
// seek, pause / resume / paused, describeGroup, stop, disconnect, on / events, logger. Beyond
// KafkaJS: `for await (const { topic, partition, message } of consumer)`, rebalance callbacks
// (options.rebalanceListener) and lag().
//
// Lifecycle: run() makes a ConsumerRun and resolves once the consumer has joined its group. A crash
// (handler retries used up, a fatal group or fetch error) stops the run cleanly, emits
// consumer.crash, and restarts after a delay when the error is retriable and
// retry.restartOnFailure agrees, as KafkaJS does. stop() and disconnect() may be called at any
// time, any number of times, concurrently; they share one shutdown.

import type { Cluster } from '../cluster/cluster.js'
import { CoordinatorType } from '../cluster/coordinator-lookup.js'
import {
  describeGroupsOfEitherProtocol,
  type GroupDescription,
  toGroupDescription,
} from '../cluster/describe-groups.js'
import { backoffDelay, isRetriable, retry } from '../common/backoff.js'
import { errorMessage, toError } from '../common/error-message.js'
import type { KafkaLogger } from '../common/kafka-logger.js'
import type { ConsumerGroupMetadata } from '../common/kafkajs-shapes.js'
import { KafkaJSAggregateError, KafkaJSNonRetriableError } from '../errors.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import { type ConsumerTraceSource, clusterTraceSource, tracedHandlers } from '../tracing/channels.js'
import { checkRunConfig, type ResolvedConsumerOptions, type RunConfig } from './consumer-options.js'
import { ConsumerRun, type PendingSeek, type RunSettings, type Subscription } from './consumer-run.js'
import type { ConsumerEventMap } from './event-types.js'
import type { EachBatchHandler, EachMessageHandler, EachMessagePayload } from './handlers.js'
import {
  ConsumerEvents,
  ConsumerInstrumentation,
  type InstrumentationEvent,
  type RemoveInstrumentationEventListener,
} from './instrumentation.js'
import { MessageIterator } from './message-iterator.js'
import { LATEST_TIMESTAMP, listOffsets } from './offsets/list-offsets.js'
import { SubscriptionState } from './subscription-state.js'
import { groupByTopic, PartitionMap, type TopicPartition, type TopicPartitions } from './topic-partition.js'

export interface ConsumerDeps {
  cluster: Cluster
  /** Connections for group coordination, apart from the fetch connections. */
  groupCluster: Cluster
  clientId: string
  logger: KafkaLogger
  options: ResolvedConsumerOptions
  /** The instrumentation both clusters' connections report to (their requestObserver); default: a new one. */
  instrumentation?: ConsumerInstrumentation
}

export interface ConsumerSubscribeTopics {
  topics?: (string | RegExp)[]
  /** KafkaJS 1.x form, still accepted by KafkaJS 2. */
  topic?: string | RegExp
  fromBeginning?: boolean
}

export interface ConsumerRunConfig extends RunConfig {
  eachBatch?: EachBatchHandler
  eachMessage?: EachMessageHandler
}

export interface PartitionLag extends TopicPartition {
  /** The next offset this consumer will process ('-1' before its position is known). */
  offset: string
  /** The partition's high watermark (last stable offset under read_committed). */
  high: string
  /** Messages not yet processed: high - offset. */
  lag: string
}

/** KafkaJS's special seek offsets. */
const SEEK_LATEST = '-1'
const SEEK_EARLIEST = '-2'
/** How long KafkaJS waits before restarting when the error names no retry time. */
const DEFAULT_RESTART_DELAY = 300

export class Consumer {
  readonly events = ConsumerEvents
  readonly #cluster: Cluster
  readonly #groupCluster: Cluster
  readonly #logger: KafkaLogger
  readonly #options: ResolvedConsumerOptions
  readonly #instrumentation: ConsumerInstrumentation
  /** What the consumer's diagnostics_channel traces say about it (src/tracing/channels.ts). */
  readonly #trace: ConsumerTraceSource
  readonly #subscriptions = new SubscriptionState()
  readonly #pendingSeeks = new PartitionMap<PendingSeek>()
  readonly #topics = new Map<string, boolean>()
  readonly #patterns: { regex: RegExp; fromBeginning: boolean }[] = []
  #run: ConsumerRun | undefined
  #settings: RunSettings | undefined
  #restartTimer: NodeJS.Timeout | undefined
  #stopping: Promise<void> | undefined

  /**
   * Made by kafka.consumer().
   * @internal
   */
  constructor(deps: ConsumerDeps) {
    this.#cluster = deps.cluster
    this.#groupCluster = deps.groupCluster
    this.#logger = deps.logger
    this.#options = deps.options
    this.#instrumentation = deps.instrumentation ?? new ConsumerInstrumentation(deps.clientId, deps.logger)
    this.#trace = clusterTraceSource(deps.clientId, deps.cluster, { groupId: deps.options.groupId })
  }

  logger(): KafkaLogger {
    return this.#logger
  }

  /** Typed as KafkaJS's overloads: the listener gets the event the name stands for. */
  on<E extends keyof ConsumerEventMap>(
    eventName: E,
    listener: (event: ConsumerEventMap[E]) => unknown,
  ): RemoveInstrumentationEventListener<E> {
    return this.#instrumentation.on(eventName, listener as (event: InstrumentationEvent<unknown>) => unknown)
  }

  async connect(): Promise<void> {
    await Promise.all([this.#cluster.connect(), this.#groupCluster.connect()])
    this.#instrumentation.emit(ConsumerEvents.CONNECT)
  }

  async disconnect(): Promise<void> {
    try {
      await this.stop()
      this.#logger.debug('consumer has stopped, disconnecting', { groupId: this.#options.groupId })
      await Promise.all([this.#cluster.disconnect(), this.#groupCluster.disconnect()])
      this.#instrumentation.emit(ConsumerEvents.DISCONNECT)
    } catch (error) {
      this.#logger.error(`Caught error when disconnecting the consumer: ${errorMessage(error)}`, {
        stack: stackOf(error),
        groupId: this.#options.groupId,
      })
      throw error
    }
  }

  async subscribe(subscription: ConsumerSubscribeTopics): Promise<void> {
    if (this.#run !== undefined)
      throw new KafkaJSNonRetriableError('Cannot subscribe to topic while consumer is running')
    if (subscription === null || typeof subscription !== 'object') {
      throw new KafkaJSNonRetriableError('Missing required argument "topics"')
    }
    const { topic, topics, fromBeginning = false } = subscription
    // KafkaJS's test: a falsy topic (null, '') without topics is a missing argument
    if (!topic && !topics) throw new KafkaJSNonRetriableError('Missing required argument "topics"')
    if (topics !== undefined && topics !== null && !Array.isArray(topics)) {
      throw new KafkaJSNonRetriableError('Argument "topics" must be an array')
    }
    if (typeof fromBeginning !== 'boolean') throw new KafkaJSNonRetriableError('fromBeginning must be a boolean')
    const list = topics ?? [topic as string | RegExp]
    for (const t of list) {
      if ((typeof t !== 'string' || t.length === 0) && !(t instanceof RegExp)) {
        throw new KafkaJSNonRetriableError(
          `Invalid topic ${String(t)} (${typeof t}), the topic name has to be a String or a RegExp`,
        )
      }
    }
    for (const t of list) {
      if (t instanceof RegExp) this.#patterns.push({ regex: t, fromBeginning })
      else this.#topics.set(t, fromBeginning)
    }
    this.#cluster.addTargetTopics(list.filter((t): t is string => typeof t === 'string'))
  }

  async run(config: ConsumerRunConfig = {}): Promise<void> {
    if (this.#run !== undefined) {
      this.#logger.warn('consumer#run was called, but the consumer is already running', {
        groupId: this.#options.groupId,
      })
      return
    }
    // without a subscription the member joins its group owning nothing, as KafkaJS's does
    checkRunConfig(config)
    if (config.eachMessage !== undefined && config.eachBatch !== undefined) {
      this.#logger.warn('run() was given both eachMessage and eachBatch; eachMessage is used')
    }
    this.#settings = {
      // traced per call when someone subscribes to the handler channels
      ...tracedHandlers(
        this.#trace,
        config.eachMessage,
        config.eachMessage === undefined ? config.eachBatch : undefined,
      ),
      autoCommit: config.autoCommit ?? true,
      autoCommitInterval: config.autoCommitInterval ?? null,
      autoCommitThreshold: config.autoCommitThreshold ?? null,
      eachBatchAutoResolve: config.eachBatchAutoResolve ?? true,
      partitionsConsumedConcurrently: config.partitionsConsumedConcurrently ?? 1,
    }
    await this.#start()
  }

  /** Finishes the handlers in progress, commits, leaves the group. Shared by concurrent callers. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop().finally(() => {
      this.#stopping = undefined
    })
    return this.#stopping
  }

  async commitOffsets(
    offsets: { topic: string; partition: number; offset: string; metadata?: string | null }[] = [],
  ): Promise<void> {
    if (!Array.isArray(offsets))
      throw new KafkaJSNonRetriableError('commitOffsets takes an array of { topic, partition, offset }')
    const commits = offsets.map(({ topic, partition, offset, metadata = null }) => {
      if (typeof topic !== 'string' || topic.length === 0)
        throw new KafkaJSNonRetriableError(`Invalid topic ${String(topic)}`)
      if (!Number.isInteger(partition)) {
        throw new KafkaJSNonRetriableError(`Invalid partition, expected a number received ${String(partition)}`)
      }
      const value = parseOffset(offset)
      if (value < 0n) throw new KafkaJSNonRetriableError('Offset must not be a negative number')
      if (metadata !== null && typeof metadata !== 'string') {
        throw new KafkaJSNonRetriableError(
          `Invalid offset metadata, expected string or null, received ${String(metadata)}`,
        )
      }
      return { topic, partition, offset: value, metadata }
    })
    const run = this.#requireRun()
    // consumer.commit_offsets reports them as KafkaJS does: by topic, as given, offsets as strings
    const reported = new Map<string, { partition: number; offset: string; metadata: string | null }[]>()
    for (const { topic, partition, offset, metadata } of commits) {
      const list = reported.get(topic) ?? []
      list.push({ partition, offset: offset.toString(), metadata })
      reported.set(topic, list)
    }
    const topics = [...reported].map(([topic, partitions]) => ({ topic, partitions }))
    await retry(() => run.commitOffsets(commits, topics), this.#options.retry)
  }

  seek({ topic, partition, offset }: { topic: string; partition: number; offset: string }): void {
    if (typeof topic !== 'string' || topic.length === 0)
      throw new KafkaJSNonRetriableError(`Invalid topic ${String(topic)}`)
    if (!Number.isInteger(partition)) {
      throw new KafkaJSNonRetriableError(`Invalid partition, expected a number received ${String(partition)}`)
    }
    const value = parseOffset(offset)
    const text = value.toString()
    if (value < 0n && text !== SEEK_LATEST && text !== SEEK_EARLIEST) {
      throw new KafkaJSNonRetriableError('Offset must not be a negative number')
    }
    const run = this.#requireRun()
    run.seek(topic, partition, text === SEEK_EARLIEST ? 'earliest' : text === SEEK_LATEST ? 'latest' : value)
  }

  pause(topicPartitions: { topic: string; partitions?: number[] }[] = []): void {
    checkTopicPartitions(topicPartitions, 'pause')
    this.#requireRun()
    this.#logger.namespace('ConsumerGroup').info(`Pausing fetching from ${topicPartitions.length} topics`, {
      topicPartitions,
    })
    for (const { topic, partitions } of topicPartitions) this.#subscriptions.pause(topic, partitions)
  }

  resume(topicPartitions: { topic: string; partitions?: number[] }[] = []): void {
    checkTopicPartitions(topicPartitions, 'resume')
    this.#requireRun()
    this.#logger.namespace('ConsumerGroup').info(`Resuming fetching from ${topicPartitions.length} topics`, {
      topicPartitions,
    })
    for (const { topic, partitions } of topicPartitions) this.#subscriptions.resume(topic, partitions)
  }

  paused(): TopicPartitions[] {
    if (this.#run === undefined) return []
    return groupByTopic(this.#subscriptions.paused())
  }

  /**
   * Java's groupMetadata(): the member's current identity, for a transactional producer's
   * sendOffsets({ consumerGroupMetadata }) so that a zombie member's offsets are refused (KIP-447).
   * Generation -1 and an empty member id while not in the group (then only the group id is checked).
   */
  groupMetadata(): ConsumerGroupMetadata {
    const identity = this.#run?.membership.commitIdentity()
    return {
      groupId: this.#options.groupId,
      generationId: identity?.generationIdOrMemberEpoch ?? -1,
      memberId: identity?.memberId ?? '',
      groupInstanceId: this.#options.groupInstanceId,
    }
  }

  async describeGroup(): Promise<GroupDescription> {
    const groupId = this.#options.groupId
    return retry(async () => {
      const connection = await this.#groupCluster.coordinatorConnection(CoordinatorType.GROUP, groupId)
      try {
        // a KIP-848 group is not known to DescribeGroups: it is described with ConsumerGroupDescribe
        const groups = await describeGroupsOfEitherProtocol(connection, [groupId], false)
        const group = groups.find((g) => g.groupId === groupId)
        if (group === undefined)
          throw protocolError(ErrorCode.UNKNOWN_SERVER_ERROR, `describeGroup ${groupId}: no answer`)
        if (group.errorCode !== ErrorCode.NONE) {
          throw protocolError(group.errorCode, group.errorMessage ?? `describeGroup ${groupId}`)
        }
        return toGroupDescription(group)
      } catch (error) {
        this.#groupCluster.invalidateCoordinatorOn(CoordinatorType.GROUP, groupId, error)
        throw error
      }
    }, this.#options.retry)
  }

  /** Per owned partition: the next offset to process, the high watermark, and the lag between them. */
  async lag(): Promise<PartitionLag[]> {
    const states = [...this.#subscriptions.partitions()].filter((s) => !s.revoking)
    if (states.length === 0) return []
    const highs = await listOffsets(
      this.#cluster,
      states.map((s) => ({ topic: s.topic, partition: s.partition, timestamp: LATEST_TIMESTAMP })),
      {
        isolationLevel: this.#options.readUncommitted ? 0 : 1,
        retry: this.#options.retry,
      },
    )
    return states.map((s) => {
      const high = highs.get(s.topic, s.partition) ?? s.highWatermark
      const offset = s.position ?? s.committed
      return {
        topic: s.topic,
        partition: s.partition,
        offset: (offset ?? -1n).toString(),
        high: high.toString(),
        lag: (offset === undefined
          ? high - (s.logStartOffset >= 0n ? s.logStartOffset : 0n)
          : high - offset
        ).toString(),
      }
    })
  }

  /**
   * Iterates over the subscribed messages (runs the consumer when it is not running). A message
   * counts as processed once the loop asks for the next one; leaving the loop (break, return or an
   * exception) stops the consumer, and the message in hand then is delivered again next time.
   */
  [Symbol.asyncIterator](): AsyncIterator<EachMessagePayload> {
    return new MessageIterator({
      start: (eachMessage) => this.run({ eachMessage }),
      stop: () => this.stop(),
      onCrash: (listener) =>
        this.on(ConsumerEvents.CRASH, (event) => {
          const { error, restart } = event.payload as { error: Error; restart: boolean }
          if (!restart) listener(error)
        }),
    })
  }

  async #start(): Promise<void> {
    const settings = this.#settings
    if (settings === undefined) return
    const subscription: Subscription = { topics: new Map(this.#topics), patterns: [...this.#patterns] }
    const run = new ConsumerRun({
      cluster: this.#cluster,
      groupCluster: this.#groupCluster,
      options: this.#options,
      settings,
      subscription,
      subscriptions: this.#subscriptions,
      pendingSeeks: this.#pendingSeeks,
      instrumentation: this.#instrumentation,
      logger: this.#logger,
      metadataMaxAge: this.#options.metadataMaxAge ?? 300000,
      onCrash: (error) => void this.#crash(run, error),
    })
    this.#run = run
    // consumer.connect comes again when the run has connected (KafkaJS's consumer group emits it per run)
    this.#logger.info('Starting', { groupId: this.#options.groupId })
    try {
      await run.start()
    } catch (error) {
      // stopped while joining: run() just returns; anything else is a crash, as in KafkaJS
      if (this.#run !== run) return
      await this.#crash(run, toError(error))
    }
  }

  async #stop(): Promise<void> {
    if (this.#restartTimer !== undefined) {
      clearTimeout(this.#restartTimer)
      this.#restartTimer = undefined
    }
    const run = this.#run
    this.#run = undefined
    this.#settings = undefined
    if (run !== undefined) {
      try {
        await run.stop()
      } catch (error) {
        this.#logger.error(`Caught error when stopping the consumer: ${errorMessage(error)}`, {
          stack: stackOf(error),
          groupId: this.#options.groupId,
        })
        throw error
      } finally {
        this.#instrumentation.emit(ConsumerEvents.STOP)
      }
    }
    this.#logger.info('Stopped', { groupId: this.#options.groupId })
  }

  async #crash(run: ConsumerRun, error: Error): Promise<void> {
    if (this.#run !== run) return
    this.#logger.error(`Crash: ${error.name}: ${error.message}`, {
      groupId: this.#options.groupId,
      retryCount: (error as { retryCount?: number }).retryCount,
      stack: error.stack,
    })
    const settings = this.#settings
    this.#run = undefined
    try {
      await run.stop()
    } catch (stopError) {
      this.#logger.error(`Caught error when stopping the consumer: ${errorMessage(stopError)}`)
    }
    this.#instrumentation.emit(ConsumerEvents.STOP)
    // as KafkaJS's crash handling: the consumer disconnects (a restart connects again)
    this.#logger.debug('consumer has stopped, disconnecting', { groupId: this.#options.groupId })
    try {
      await Promise.all([this.#cluster.disconnect(), this.#groupCluster.disconnect()])
      this.#instrumentation.emit(ConsumerEvents.DISCONNECT)
    } catch (disconnectError) {
      this.#logger.error(`Caught error when disconnecting the consumer: ${errorMessage(disconnectError)}`, {
        stack: stackOf(disconnectError),
        groupId: this.#options.groupId,
      })
    }
    const retriable = error.name === 'KafkaJSNumberOfRetriesExceeded' || originalCause(error).retriable === true
    let restart = retriable
    if (restart && this.#options.restartOnFailure !== undefined) {
      restart = await this.#options.restartOnFailure(error).catch((callbackError: unknown) => {
        this.#logger.error(
          'Caught error when invoking user-provided "restartOnFailure" callback. Defaulting to restarting.',
          {
            error: errorMessage(callbackError),
            cause: error.message,
            groupId: this.#options.groupId,
          },
        )
        return true
      })
    }
    this.#instrumentation.emit(ConsumerEvents.CRASH, { error, groupId: this.#options.groupId, restart })
    // stopped meanwhile (stop() or disconnect() during the crash handling): no restart
    if (!restart || settings === undefined || this.#settings !== settings) return
    const retryTime =
      (error as { retryTime?: number }).retryTime ||
      (this.#options.retry.initialRetryTime > 0 ? backoffDelay(0, this.#options.retry) : DEFAULT_RESTART_DELAY)
    this.#logger.error(`Restarting the consumer in ${retryTime}ms`, {
      retryCount: (error as { retryCount?: number }).retryCount,
      retryTime,
      groupId: this.#options.groupId,
    })
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined
      if (this.#settings === settings && this.#run === undefined) void this.#start()
    }, retryTime)
  }

  #requireRun(): ConsumerRun {
    if (this.#run === undefined) {
      throw new KafkaJSNonRetriableError('Consumer group was not initialized, consumer#run must be called first')
    }
    return this.#run
  }
}

function checkTopicPartitions(topicPartitions: unknown, what: string): void {
  if (!Array.isArray(topicPartitions))
    throw new KafkaJSNonRetriableError(`${what} takes an array of { topic, partitions? }`)
  for (const tp of topicPartitions as { topic?: unknown; partitions?: unknown }[]) {
    if (tp === null || typeof tp !== 'object' || typeof tp.topic !== 'string' || tp.topic.length === 0) {
      throw new KafkaJSNonRetriableError(`Invalid topic ${String((tp as { topic?: unknown } | null)?.topic ?? tp)}`)
    }
    if (
      tp.partitions !== undefined &&
      (!Array.isArray(tp.partitions) || tp.partitions.some((p) => !Number.isInteger(p)))
    ) {
      throw new KafkaJSNonRetriableError(
        `Array of valid partitions required to ${what} specific partitions instead of ${String(tp.partitions)}`,
      )
    }
  }
}

function parseOffset(offset: unknown): bigint {
  try {
    if (typeof offset === 'bigint') return offset
    if (
      (typeof offset === 'string' && /^-?\d+$/.test(offset.trim())) ||
      (typeof offset === 'number' && Number.isSafeInteger(offset))
    ) {
      return BigInt(typeof offset === 'string' ? offset.trim() : offset)
    }
  } catch {
    // falls through to the error below
  }
  throw new KafkaJSNonRetriableError(`Invalid offset, expected a long received ${String(offset)}`)
}

function originalCause(error: unknown): { retriable?: boolean } {
  let e = error as { cause?: unknown; retriable?: boolean }
  while (e !== null && typeof e === 'object' && e.cause !== undefined && e.cause !== null) e = e.cause as typeof e
  // several causes at once (every broker failed): a plain Error, as in KafkaJS, retriable if they all are
  if (e instanceof KafkaJSAggregateError) return { retriable: isRetriable(e) }
  return e ?? {}
}

function stackOf(error: unknown): unknown {
  return (error as { stack?: unknown } | null)?.stack
}
