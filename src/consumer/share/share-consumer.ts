// The share consumer (KIP-932, Kafka 4.2+): kafka.shareConsumer({ groupId }) with the consumer's
// shape (connect, subscribe, run, stop, disconnect, on / events, logger, `for await`). Members of a
// share group split the records of the same partitions between them, each record acquired by one
// member at a time and acknowledged one by one, instead of owning partitions and committing offsets.
//
// run() joins the group (ShareMember: ShareGroupHeartbeat, server-side assignment), fetches what is
// assigned (ShareFetcher: ShareFetch per broker with share sessions) and processes it (ShareRunner:
// acknowledgement modes, concurrency). stop() and disconnect() finish the handlers in progress,
// release records not handed out yet, send every acknowledgement with a closing ShareAcknowledge and
// leave the group. A fatal error (share groups disabled, authorization, an explicit-mode record left
// unacknowledged) stops the run and emits consumer.crash; it is not restarted.

import type { Cluster } from '../../cluster/cluster.js'
import { errorMessage } from '../../common/error-message.js'
import type { KafkaLogger } from '../../common/kafka-logger.js'
import { KafkaJSNonRetriableError } from '../../errors.js'
import type { ConsumerEventMap } from '../event-types.js'
import {
  ConsumerEvents,
  type ConsumerInstrumentation,
  type InstrumentationEvent,
  type RemoveInstrumentationEventListener,
} from '../instrumentation.js'
import { MessageIterator } from '../message-iterator.js'
import {
  checkShareRunConfig,
  type ResolvedShareConsumerOptions,
  type ShareRunConfig,
} from './share-consumer-options.js'
import { ShareFetcher } from './share-fetcher.js'
import { ShareMember } from './share-member.js'
import {
  type ShareEachBatchHandler,
  type ShareEachMessageHandler,
  type ShareEachMessagePayload,
  ShareRunner,
} from './share-runner.js'

export interface ShareConsumerDeps {
  cluster: Cluster
  /** Connections for the group coordinator, apart from the fetch connections. */
  groupCluster: Cluster
  logger: KafkaLogger
  options: ResolvedShareConsumerOptions
  instrumentation: ConsumerInstrumentation
}

export interface ShareConsumerSubscribeTopics {
  /** Topic names (a share group subscribes by name; there are no patterns). */
  topics: string[]
}

export interface ShareConsumerRunConfig extends ShareRunConfig {
  eachMessage?: ShareEachMessageHandler
  eachBatch?: ShareEachBatchHandler
}

interface ShareRun {
  readonly member: ShareMember
  readonly fetcher: ShareFetcher
  readonly runner: ShareRunner
}

export class ShareConsumer {
  readonly events = ConsumerEvents
  readonly #d: ShareConsumerDeps
  readonly #topics = new Set<string>()
  #run: ShareRun | undefined
  #stopping: Promise<void> | undefined

  /**
   * Made by kafka.shareConsumer().
   * @internal
   */
  constructor(deps: ShareConsumerDeps) {
    this.#d = deps
  }

  logger(): KafkaLogger {
    return this.#d.logger
  }

  /** The consumer's events; a share consumer emits connect, disconnect, heartbeat, group_join, fetch_start, fetch, stop, crash and the network ones. */
  on<E extends keyof ConsumerEventMap>(
    eventName: E,
    listener: (event: ConsumerEventMap[E]) => unknown,
  ): RemoveInstrumentationEventListener<E> {
    return this.#d.instrumentation.on(eventName, listener as (event: InstrumentationEvent<unknown>) => unknown)
  }

  async connect(): Promise<void> {
    await Promise.all([this.#d.cluster.connect(), this.#d.groupCluster.connect()])
    this.#d.instrumentation.emit(ConsumerEvents.CONNECT)
  }

  async disconnect(): Promise<void> {
    await this.stop()
    await Promise.all([this.#d.cluster.disconnect(), this.#d.groupCluster.disconnect()])
    this.#d.instrumentation.emit(ConsumerEvents.DISCONNECT)
  }

  async subscribe(subscription: ShareConsumerSubscribeTopics): Promise<void> {
    if (this.#run !== undefined)
      throw new KafkaJSNonRetriableError('Cannot subscribe to topic while consumer is running')
    if (subscription === null || typeof subscription !== 'object' || !Array.isArray(subscription.topics)) {
      throw new KafkaJSNonRetriableError('subscribe takes { topics: string[] }')
    }
    for (const topic of subscription.topics) {
      if (typeof topic !== 'string' || topic.length === 0) {
        throw new KafkaJSNonRetriableError(
          `Invalid topic ${String(topic)} (${typeof topic}): a share consumer subscribes to topic names`,
        )
      }
    }
    for (const topic of subscription.topics) this.#topics.add(topic)
    this.#d.cluster.addTargetTopics(subscription.topics)
  }

  /** Joins the share group and processes records; resolves once the member has its first assignment. */
  async run(config: ShareConsumerRunConfig): Promise<void> {
    const concurrency = checkShareRunConfig(config)
    if (this.#run !== undefined) {
      this.#d.logger.warn('shareConsumer#run was called, but the consumer is already running', {
        groupId: this.#d.options.groupId,
      })
      return
    }
    if (this.#topics.size === 0) throw new KafkaJSNonRetriableError('A share consumer must subscribe before run()')
    const o = this.#d.options
    const { instrumentation, logger } = this.#d
    const crash = (error: Error): void => void this.#crash(run, error)
    const member = new ShareMember({
      cluster: this.#d.groupCluster,
      metadata: this.#d.cluster,
      groupId: o.groupId,
      rackId: o.rackId,
      topics: [...this.#topics],
      retry: o.retry,
      logger: logger.namespace('ShareGroup'),
      onAssignment: (partitions) => fetcher.setAssignment(partitions),
      events: {
        heartbeat: (payload) => instrumentation.emit(ConsumerEvents.HEARTBEAT, payload),
        groupJoin: (payload) =>
          instrumentation.emit(ConsumerEvents.GROUP_JOIN, {
            ...payload,
            leaderId: '',
            isLeader: false,
            groupProtocol: 'share',
            duration: 0,
          }),
        fatal: crash,
      },
    })
    const fetcher: ShareFetcher = new ShareFetcher({
      cluster: this.#d.cluster,
      options: o,
      memberId: member.memberId,
      logger,
      instrumentation,
      deliver: (records) => runner.push(records),
      fatal: crash,
    })
    const runner: ShareRunner = new ShareRunner({
      mode: o.acknowledgementMode,
      concurrency,
      eachMessage: config.eachMessage,
      eachBatch: config.eachMessage === undefined ? config.eachBatch : undefined,
      logger,
      groupId: o.groupId,
      acknowledge: (record, type) => fetcher.acknowledge(record, type),
      renew: (record) => fetcher.renew(record),
      crash,
    })
    const run: ShareRun = { member, fetcher, runner }
    this.#run = run
    logger.info('Starting', { groupId: o.groupId, memberId: member.memberId })
    fetcher.start()
    try {
      await member.start()
    } catch (error) {
      await this.stop()
      throw error
    }
  }

  /** Finishes the handlers in progress, sends every acknowledgement, leaves the group. Shared by concurrent callers. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop().finally(() => {
      this.#stopping = undefined
    })
    return this.#stopping
  }

  /**
   * Iterates over the records (runs the consumer when it is not running). In implicit mode a record
   * is accepted once the loop asks for the next one; leaving the loop stops the consumer and releases
   * the record in hand. In explicit mode call message.ack() before asking for the next record.
   */
  [Symbol.asyncIterator](): AsyncIterator<ShareEachMessagePayload> {
    return new MessageIterator<ShareEachMessagePayload>({
      start: (eachMessage) => this.run({ eachMessage }),
      stop: () => this.stop(),
      onCrash: (listener) =>
        this.on(ConsumerEvents.CRASH, (event) => {
          listener(event.payload.error)
        }),
    })
  }

  async #stop(): Promise<void> {
    const run = this.#run
    this.#run = undefined
    if (run === undefined) return
    try {
      await run.fetcher.stopFetching()
      await run.runner.stop()
      await run.fetcher.close()
      await run.member.leave()
    } finally {
      this.#d.instrumentation.emit(ConsumerEvents.STOP)
      this.#d.logger.info('Stopped', { groupId: this.#d.options.groupId })
    }
  }

  async #crash(run: ShareRun, error: Error): Promise<void> {
    if (this.#run !== run) return
    this.#d.logger.error(`Crash: ${error.name}: ${error.message}`, {
      groupId: this.#d.options.groupId,
      stack: error.stack,
    })
    try {
      await this.stop()
    } catch (stopError) {
      this.#d.logger.error(`Caught error when stopping the share consumer: ${errorMessage(stopError)}`)
    }
    this.#d.instrumentation.emit(ConsumerEvents.CRASH, { error, groupId: this.#d.options.groupId, restart: false })
  }
}
