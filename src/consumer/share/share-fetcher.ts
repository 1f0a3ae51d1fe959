// The share consumer's fetcher: one loop per broker that leads an assigned partition, each with its
// share session. A loop sends a ShareFetch carrying the acknowledgements gathered since the last
// one, hands the acquired records to the runner, and fetches again only once the runner has
// acknowledged every record it holds from that broker, as Java's share consumer acknowledges on the
// next poll: records are never acquired ahead of the application, where their locks would run out.
//
// Invariants:
// 1. Per broker, one request at a time in session order (NodeState.chain): ShareFetch,
//    ShareAcknowledge for renewals (KIP-1222) and the closing ShareAcknowledge all go through it.
// 2. A record handed to the runner is held until it gets one final acknowledgement (accept, release,
//    reject); `holding` counts them per broker, and a loop fetches only when it is zero.
// 3. Acknowledgements wait in `pending` until the next request of their broker's session, and go
//    back there when that request fails or is refused; when the session was lost they are dropped
//    (the broker released those records with the session) and logged, never sent in a request that
//    opens a new session.

import type { Cluster } from '../../cluster/cluster.js'
import type { ClusterMetadata } from '../../cluster/metadata.js'
import { Backoff } from '../../common/backoff.js'
import { errorMessage } from '../../common/error-message.js'
import type { KafkaLogger } from '../../common/kafka-logger.js'
import { KafkaJSServerDoesNotSupportApiKey } from '../../errors.js'
import { ErrorCode, protocolError } from '../../protocol/generated/errors.js'
import { ShareAcknowledge, type ShareAcknowledgeResponse } from '../../protocol/generated/share-acknowledge.js'
import {
  createShareFetchRequestFetchPartition,
  ShareFetch,
  type ShareFetchResponse,
  type ShareFetchResponsePartitionData,
} from '../../protocol/generated/share-fetch.js'
import { FETCH_RETRY_BACKOFF_MAX_MS } from '../fetch/fetcher.js'
import { ConsumerEvents, type ConsumerInstrumentation } from '../instrumentation.js'
import type { KafkaMessage } from '../message.js'
import { Signal } from '../signal.js'
import type { TopicPartition } from '../topic-partition.js'
import { type AcknowledgementBatch, AcknowledgeType, acknowledgementBatches } from './acknowledgements.js'
import { readAcquiredRecords } from './acquired-records.js'
import type { ResolvedShareConsumerOptions } from './share-consumer-options.js'
import { notEnabled } from './share-member.js'
import { type SessionPartition, ShareSession, sessionKey } from './share-session.js'

/** A record this member acquired and holds until it acknowledges it. */
export interface ShareRecord {
  readonly nodeId: number
  readonly topic: string
  readonly topicId: string
  readonly partition: number
  readonly offset: bigint
  readonly deliveryCount: number
  readonly message: KafkaMessage
  /** The final acknowledgement, once given. */
  acknowledged: AcknowledgeType | undefined
}

const ACQUIRE_MODES = { batch_optimized: 0, record_limit: 1 } as const
/** ShareFetch v2 (Kafka 4.2) adds the acquire mode (KIP-1206) and renewals (KIP-1222). */
const ACQUIRE_MODE_VERSION = 2

/** Partition errors that mean the metadata is out of date: the partition is fetched from its new leader. */
const MOVED = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.KAFKA_STORAGE_ERROR,
])

/** Errors after which the member cannot go on fetching. */
const FATAL = new Set<number>([
  ErrorCode.GROUP_AUTHORIZATION_FAILED,
  ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  ErrorCode.UNSUPPORTED_VERSION,
])

class NodeState {
  readonly session = new ShareSession()
  /** Acknowledgements not sent yet: session partition key -> offset -> type. */
  readonly pending = new Map<string, Map<bigint, AcknowledgeType>>()
  holding = 0
  chain: Promise<unknown> = Promise.resolve()
  loop: Promise<void> | undefined
  readonly wake = new Signal()

  /** Runs `request` after every earlier request of this session. */
  serial<T>(request: () => Promise<T>): Promise<T> {
    const result = this.chain.then(request)
    this.chain = result.catch(() => undefined)
    return result
  }

  copyPending(): Map<string, Map<bigint, AcknowledgeType>> {
    return new Map([...this.pending].map(([key, offsets]) => [key, new Map(offsets)]))
  }

  /** Puts back acknowledgements a request carried but the broker did not apply; newer ones win. */
  restorePending(acks: ReadonlyMap<string, ReadonlyMap<bigint, AcknowledgeType>>): void {
    for (const [key, offsets] of acks) {
      const current = this.pending.get(key) ?? new Map<bigint, AcknowledgeType>()
      for (const [offset, type] of offsets) if (!current.has(offset)) current.set(offset, type)
      this.pending.set(key, current)
    }
  }

  takePending(): Map<string, AcknowledgementBatch[]> {
    const acks = new Map<string, AcknowledgementBatch[]>()
    for (const [key, offsets] of this.pending) acks.set(key, acknowledgementBatches(offsets))
    this.pending.clear()
    return acks
  }
}

export interface ShareFetcherOptions {
  cluster: Cluster
  options: ResolvedShareConsumerOptions
  memberId: string
  logger: KafkaLogger
  instrumentation: ConsumerInstrumentation
  /** The records of one partition from one fetch. */
  deliver(records: ShareRecord[]): void
  /** A failure that ends the run (authorization, share groups disabled). */
  fatal(error: Error): void
}

export class ShareFetcher {
  readonly #o: ShareFetcherOptions
  readonly #nodes = new Map<number, NodeState>()
  #assigned: TopicPartition[] = []
  #fetching = false

  constructor(options: ShareFetcherOptions) {
    this.#o = options
  }

  /** The partitions to fetch from now on. */
  setAssignment(partitions: TopicPartition[]): void {
    this.#assigned = partitions
    this.#o.cluster.addTargetTopics(partitions.map((p) => p.topic))
    if (this.#fetching) void this.#startLoops()
  }

  start(): void {
    this.#fetching = true
    void this.#startLoops()
  }

  /** Stops fetching; resolves once no ShareFetch is in flight. Records acquired meanwhile are released. */
  async stopFetching(): Promise<void> {
    this.#fetching = false
    for (const node of this.#nodes.values()) node.wake.notify()
    await Promise.all([...this.#nodes.values()].map((node) => node.loop))
  }

  /** The record's final acknowledgement; it goes with its broker's next request. */
  acknowledge(record: ShareRecord, type: AcknowledgeType): void {
    record.acknowledged = type
    this.#addPendingOne(record, type)
    const node = this.#node(record.nodeId)
    node.holding--
    if (node.holding === 0) node.wake.notify()
  }

  /** Extends the record's acquisition lock now (KIP-1222): a ShareAcknowledge of type renew. */
  async renew(record: ShareRecord): Promise<void> {
    const node = this.#node(record.nodeId)
    const key = sessionKey(record.topicId, record.partition)
    const batches = [
      { firstOffset: record.offset, lastOffset: record.offset, acknowledgeTypes: [AcknowledgeType.RENEW] },
    ]
    await node.serial(async () => {
      if (!node.session.isOpen) {
        throw protocolError(ErrorCode.SHARE_SESSION_NOT_FOUND, `renewing ${record.topic}-${record.partition}`)
      }
      const request = node.session.acknowledgeRequest(new Map([[key, batches]]), false)
      const connection = await this.#o.cluster.connectionToNode(record.nodeId)
      let response: ShareAcknowledgeResponse
      try {
        response = await connection.send(
          ShareAcknowledge,
          ShareAcknowledge.createRequest({
            groupId: this.#o.options.groupId,
            memberId: this.#o.memberId,
            shareSessionEpoch: request.shareSessionEpoch,
            isRenewAck: true,
            topics: request.topics,
          }),
        )
      } catch (error) {
        node.session.reset()
        throw error
      }
      node.session.answered(request, response.errorCode)
      if (response.errorCode !== ErrorCode.NONE) {
        throw protocolError(response.errorCode, `ShareAcknowledge (renew) ${response.errorMessage ?? ''}`.trim())
      }
      const partition = response.responses
        .flatMap((t) => t.partitions)
        .find((p) => p.partitionIndex === record.partition)
      if (partition !== undefined && partition.errorCode !== ErrorCode.NONE) {
        throw protocolError(partition.errorCode, `renewing ${record.topic}-${record.partition} offset ${record.offset}`)
      }
    })
  }

  /**
   * Sends what is still pending with a closing request per open session (epoch -1): the broker
   * applies the acknowledgements and releases anything else this member holds there.
   */
  async close(): Promise<void> {
    await Promise.all(
      [...this.#nodes].map(async ([nodeId, node]) => {
        if (!node.session.isOpen) {
          this.#dropPending(node, 'no share session')
          return
        }
        await node.serial(async () => {
          const request = node.session.acknowledgeRequest(node.takePending(), true)
          try {
            const connection = await this.#o.cluster.connectionToNode(nodeId)
            const response = await connection.send(
              ShareAcknowledge,
              ShareAcknowledge.createRequest({
                groupId: this.#o.options.groupId,
                memberId: this.#o.memberId,
                shareSessionEpoch: request.shareSessionEpoch,
                topics: request.topics,
              }),
            )
            if (response.errorCode !== ErrorCode.NONE)
              throw protocolError(response.errorCode, 'ShareAcknowledge (close)')
            this.#reportAcknowledgeErrors(
              response.responses.flatMap((t) =>
                t.partitions.map((p) => ({ topicId: t.topicId, partition: p.partitionIndex, code: p.errorCode })),
              ),
            )
          } catch (error) {
            this.#o.logger.warn('Closing the share session failed; its records are released when their locks expire', {
              groupId: this.#o.options.groupId,
              nodeId,
              error: errorMessage(error),
            })
          } finally {
            node.session.reset()
          }
        })
      }),
    )
  }

  #node(nodeId: number): NodeState {
    let node = this.#nodes.get(nodeId)
    if (node === undefined) {
      node = new NodeState()
      this.#nodes.set(nodeId, node)
    }
    return node
  }

  #addPending(
    record: { nodeId: number; topicId: string; partition: number },
    ...entries: [bigint, AcknowledgeType][]
  ): void {
    const node = this.#node(record.nodeId)
    const key = sessionKey(record.topicId, record.partition)
    const offsets = node.pending.get(key) ?? new Map<bigint, AcknowledgeType>()
    for (const [offset, type] of entries) offsets.set(offset, type)
    node.pending.set(key, offsets)
  }

  #addPendingOne(record: ShareRecord, type: AcknowledgeType): void {
    this.#addPending(record, [record.offset, type])
  }

  #dropPending(node: NodeState, why: string): void {
    if (node.pending.size === 0) return
    this.#o.logger.warn(`Dropping acknowledgements (${why}); the broker redelivers those records`, {
      groupId: this.#o.options.groupId,
      partitions: node.pending.size,
    })
    node.pending.clear()
  }

  /** Starts a loop for each broker that leads an assigned partition and has none running. */
  async #startLoops(): Promise<void> {
    try {
      await this.#o.cluster.refreshMetadataIfNecessary(this.#assigned.map((p) => p.topic))
    } catch (error) {
      this.#o.logger.debug('Metadata refresh failed', { error: errorMessage(error) })
    }
    if (!this.#fetching) return
    for (const nodeId of new Set(this.#leaders().values())) {
      const node = this.#node(nodeId)
      node.loop ??= this.#loop(nodeId, node).finally(() => {
        node.loop = undefined
      })
    }
  }

  /** Each assigned partition's leader, for those whose topic id and leader are known. */
  #leaders(): Map<TopicPartition, number> {
    const leaders = new Map<TopicPartition, number>()
    let topics: ClusterMetadata['topics']
    try {
      topics = this.#o.cluster.metadata.topics
    } catch {
      return leaders
    }
    for (const tp of this.#assigned) {
      const leader = topics.get(tp.topic)?.partitions.get(tp.partition)?.leader
      if (leader !== undefined && leader >= 0) leaders.set(tp, leader)
    }
    return leaders
  }

  #wantedOn(nodeId: number): SessionPartition[] {
    const wanted: SessionPartition[] = []
    const topics = this.#o.cluster.metadata.topics
    for (const [tp, leader] of this.#leaders()) {
      const topicId = topics.get(tp.topic)?.topicId
      if (leader === nodeId && topicId !== undefined) wanted.push({ topicId, partition: tp.partition })
    }
    return wanted
  }

  async #loop(nodeId: number, node: NodeState): Promise<void> {
    const backoff = new Backoff(this.#o.options.retry)
    while (this.#fetching) {
      if (node.holding > 0) {
        await node.wake.wait()
        continue
      }
      try {
        await this.#o.cluster.refreshMetadataIfNecessary(this.#assigned.map((p) => p.topic))
      } catch (error) {
        this.#o.logger.debug('Metadata refresh failed', { error: errorMessage(error) })
      }
      if (!this.#fetching) break
      const wanted = this.#wantedOn(nodeId)
      if (wanted.length === 0 && node.pending.size === 0) break
      let delay = 0
      try {
        delay = await this.#fetchOnce(nodeId, node, wanted)
        if (delay === 0) backoff.succeed()
      } catch (error) {
        if (error instanceof KafkaJSServerDoesNotSupportApiKey) {
          this.#o.fatal(notEnabled(this.#o.options.groupId, error))
          break
        }
        node.session.reset()
        this.#o.cluster.noteError(error)
        // capped as the consumer's fetch loops are (Java's backoff maximum)
        delay = Math.min(backoff.fail(), FETCH_RETRY_BACKOFF_MAX_MS)
        this.#o.logger.warn(`Share fetch from broker ${nodeId} failed; retrying in ${delay} ms`, {
          groupId: this.#o.options.groupId,
          error: errorMessage(error),
        })
      }
      if (delay > 0 && this.#fetching) await node.wake.wait(delay)
      void this.#startLoops()
    }
  }

  /** One ShareFetch; returns how long to wait before the next one (0: at once). */
  async #fetchOnce(nodeId: number, node: NodeState, wanted: SessionPartition[]): Promise<number> {
    const o = this.#o.options
    return node.serial(async () => {
      if (!node.session.isOpen) this.#dropPending(node, 'the share session was lost')
      const taken = node.copyPending()
      const request = node.session.fetchRequest(wanted, node.takePending())
      let response: ShareFetchResponse
      let version: number
      const started = Date.now()
      try {
        const connection = await this.#o.cluster.connectionToNode(nodeId)
        version = connection.versionFor(ShareFetch)
        this.#o.instrumentation.emit(ConsumerEvents.FETCH_START, { nodeId })
        response = await connection.send(
          ShareFetch,
          ShareFetch.createRequest({
            groupId: o.groupId,
            memberId: this.#o.memberId,
            shareSessionEpoch: request.shareSessionEpoch,
            maxWaitMs: o.maxWaitTimeInMs,
            minBytes: o.minBytes,
            maxBytes: o.maxBytes,
            maxRecords: o.maxPollRecords,
            batchSize: o.maxPollRecords,
            // the broker acquires by batches unless told otherwise; record_limit needs ShareFetch v2
            ...(version >= ACQUIRE_MODE_VERSION && { shareAcquireMode: ACQUIRE_MODES[o.acquireMode] }),
            topics: request.topics.map((t) => ({
              topicId: t.topicId,
              partitions: t.partitions.map((p) => createShareFetchRequestFetchPartition(p)),
            })),
            forgottenTopicsData: request.forgottenTopicsData,
          }),
          { version },
        )
      } catch (error) {
        // the broker may or may not have applied them: kept for the next request, which opens a new
        // session, so they are logged as dropped there (invariant 3)
        node.restorePending(taken)
        throw error
      }
      node.session.answered(request, response.errorCode)
      if (response.errorCode !== ErrorCode.NONE) {
        // not applied: they go again with the next request, or are dropped with a lost session
        node.restorePending(taken)
        return this.#fetchRefused(response.errorCode, response.errorMessage)
      }
      this.#reportAcknowledgeErrors(
        response.responses.flatMap((t) =>
          t.partitions.map((p) => ({ topicId: t.topicId, partition: p.partitionIndex, code: p.acknowledgeErrorCode })),
        ),
      )
      let batches = 0
      for (const topic of response.responses) {
        const name = this.#topicName(topic.topicId)
        for (const partition of topic.partitions) {
          if (name === undefined) continue
          if (await this.#partitionFetched(nodeId, node, topic.topicId, name, partition)) batches++
        }
      }
      this.#o.instrumentation.emit(ConsumerEvents.FETCH, {
        numberOfBatches: batches,
        duration: Date.now() - started,
        nodeId,
      })
      return 0
    })
  }

  #fetchRefused(code: number, message: string | null): number {
    const error = protocolError(code, `ShareFetch ${this.#o.options.groupId}${message ? `: ${message}` : ''}`)
    if (FATAL.has(code)) {
      this.#o.fatal(code === ErrorCode.UNSUPPORTED_VERSION ? notEnabled(this.#o.options.groupId, error) : error)
      this.#fetching = false
      return 0
    }
    // a lost session starts over at once; the rest (UNKNOWN_MEMBER_ID before the coordinator knows
    // us, SHARE_SESSION_LIMIT_REACHED, ...) wait a little
    if (code === ErrorCode.SHARE_SESSION_NOT_FOUND || code === ErrorCode.INVALID_SHARE_SESSION_EPOCH) return 0
    this.#o.logger.warn(`Share fetch refused: ${error.message}`, { groupId: this.#o.options.groupId })
    return this.#o.options.retry.initialRetryTime
  }

  /** One partition of a ShareFetch answer; true when it delivered records. */
  async #partitionFetched(
    nodeId: number,
    node: NodeState,
    topicId: string,
    topic: string,
    data: ShareFetchResponsePartitionData,
  ): Promise<boolean> {
    const { partitionIndex: partition } = data
    if (data.errorCode !== ErrorCode.NONE) {
      const error = protocolError(data.errorCode, `ShareFetch ${topic}-${partition}`)
      if (FATAL.has(data.errorCode)) {
        this.#o.fatal(error)
        this.#fetching = false
      } else if (MOVED.has(data.errorCode)) {
        this.#o.cluster.noteError(error)
      } else {
        this.#o.logger.warn(`Share fetch of ${topic}-${partition} failed: ${error.message}`, {
          groupId: this.#o.options.groupId,
        })
      }
    }
    if (data.acquiredRecords.length === 0) return false
    const { messages, gaps } = await readAcquiredRecords(data.records, data.acquiredRecords)
    const at = { nodeId, topicId, partition }
    if (gaps.length > 0)
      this.#addPending(at, ...gaps.map((offset): [bigint, AcknowledgeType] => [offset, AcknowledgeType.GAP]))
    const records: ShareRecord[] = messages.map((m) => ({
      nodeId,
      topic,
      topicId,
      partition,
      offset: m.offset,
      deliveryCount: m.deliveryCount,
      message: m.message,
      acknowledged: undefined,
    }))
    if (records.length === 0) return false
    if (!this.#fetching) {
      // acquired while stopping: given back with the closing request
      for (const record of records) this.#addPendingOne(record, AcknowledgeType.RELEASE)
      return false
    }
    node.holding += records.length
    this.#o.deliver(records)
    return true
  }

  #topicName(topicId: string): string | undefined {
    for (const [name, t] of this.#o.cluster.metadata.topics) if (t.topicId === topicId) return name
    return undefined
  }

  /** Acknowledgement results per partition; a refusal is logged (INVALID_RECORD_STATE: the lock had expired). */
  #reportAcknowledgeErrors(results: readonly { topicId: string; partition: number; code: number }[]): void {
    for (const { topicId, partition, code } of results) {
      if (code === ErrorCode.NONE) continue
      this.#o.logger.warn('The broker refused acknowledgements; those records are delivered again', {
        groupId: this.#o.options.groupId,
        topic: this.#topicName(topicId) ?? topicId,
        partition,
        error: protocolError(code, 'acknowledgement').type,
      })
    }
  }
}
