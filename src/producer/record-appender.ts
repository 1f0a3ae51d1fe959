// The send() path up to the accumulator: validate and convert the call's messages (all of them
// before anything is appended, so a bad call appends nothing), find the topics' partitions, choose
// each record's partition and append it, waiting for buffer room when the producer's buffer is full.
//
// When the metadata already names every topic and the buffer has room, the whole call is appended
// synchronously (as Java's send() returns once its record is appended); otherwise the call goes on
// asynchronously, waiting for metadata (up to maxBlockMs, then KafkaJSTopicMetadataTimeoutError) or
// for room (up to maxBlockMs, then KafkaJSBufferExhaustedError).

import type { Cluster } from '../cluster/cluster.js'
import type { ClusterMetadata, TopicMetadata } from '../cluster/metadata.js'
import { sleep } from '../common/backoff.js'
import {
  KafkaJSError,
  KafkaJSInvalidArgumentError,
  KafkaJSNonRetriableError,
  KafkaJSRecordTooLargeError,
  KafkaJSTopicMetadataTimeoutError,
} from '../errors.js'
import { type CompressionType, isCompressionType } from '../protocol/codecs/compression-types.js'
import { ErrorCode, errorByCode, protocolError } from '../protocol/generated/errors.js'
import { recordSizeUpperBound } from '../protocol/records/encode-record-batch.js'
import { RECORD_BATCH_OVERHEAD } from '../protocol/records/record-batch-format.js'
import { APPENDED_LAST_FULL, type RecordAccumulator } from './accumulator.js'
import type { BufferLimit } from './buffer-limit.js'
import {
  type Message,
  type OutgoingRecord,
  type ProducerBatch,
  type RecordMetadata,
  type TopicMessages,
  toOutgoingRecord,
} from './messages.js'
import type { BatchSettings } from './outgoing-batch.js'
import type { StickyPartition } from './partitioners/sticky-partition.js'
import type { Partitioner, PartitionMetadata } from './partitioners/types.js'
import type { Acks, ResolvedProducerOptions } from './producer-options.js'
import { SendResult } from './send-result.js'

/** KafkaJS's default `timeout` of send(): how long the broker may wait for the acks. */
const DEFAULT_ACK_TIMEOUT = 30000
/** Metadata polls while send() waits for a topic to appear: Java's retry backoff, growing to 1 s. */
const METADATA_WAIT_START = 50
const METADATA_WAIT_MAX = 1000

/** What the appender needs from a transaction it appends for. */
export interface AppendTransaction {
  /** Throws when the transaction cannot take more records. */
  assertSendable(): void
  /** The call writes to this partition. */
  onPartition(topic: string, partition: number): void
}

export interface RecordAppenderDependencies {
  readonly cluster: Cluster
  readonly accumulator: RecordAccumulator
  readonly memory: BufferLimit
  readonly options: ResolvedProducerOptions
  /** Whether this appender's batches belong to transactions (a transactional producer's other one sends outside them). */
  readonly transactional: boolean
  readonly partitioner: Partitioner
  /** The built-in partitioner's per-topic sticky state for keyless records, if it is the one in use. */
  readonly sticky: ((topic: string) => StickyPartition) | undefined
  readonly wakeSender: () => void
  /** Throws when the producer cannot take records (not connected, disconnecting, fatal error). */
  readonly assertSendable: () => void
}

/** One entry of the call's topicMessages, converted (a topic may come in several entries). */
interface PreparedTopic {
  readonly topic: string
  /**
   * The entry's array while send() runs; a copy once the call waits (see keepMessages): the caller
   * may reuse its own array once send() returns.
   */
  messages: Message[]
  readonly records: OutgoingRecord[]
  readonly sizes: number[]
}

/** One call on its way into the accumulator; `group` and `index` say how far it got. */
interface Appending {
  readonly groups: PreparedTopic[]
  readonly settings: BatchSettings
  /** Date.now() when send() was called: the one clock read of a call that appends at once. */
  readonly sentAt: number
  readonly deadline: number
  readonly result: SendResult
  readonly transaction: AppendTransaction | undefined
  group: number
  index: number
  /**
   * The records from (group, index) to the end of the call already hold their bytes of the buffer:
   * the call waited for room for all of them at once, so that once its turn comes its records are
   * appended together and no later call's record lands between them (per-partition send order).
   */
  reserved: boolean
}

export class RecordAppender {
  readonly #d: RecordAppenderDependencies
  /** One BatchSettings object per combination, so batches compare settings by identity. */
  readonly #settings = new Map<number, BatchSettings>()
  readonly #partitionMetadata = new WeakMap<TopicMetadata, PartitionMetadata[]>()
  /** Calls still waiting for metadata or buffer room: flush() waits for them to append. */
  readonly #waiting = new Set<Promise<unknown>>()

  constructor(dependencies: RecordAppenderDependencies) {
    this.#d = dependencies
  }

  /** Resolves once every call made so far has appended its records (or failed). */
  async appended(): Promise<void> {
    await Promise.allSettled([...this.#waiting])
  }

  send(batch: ProducerBatch, transaction: AppendTransaction | undefined): Promise<RecordMetadata[]> {
    let call: Appending
    try {
      call = this.#prepare(batch, transaction)
    } catch (error) {
      return Promise.reject(error)
    }
    const metadata = this.#metadataFor(call.groups, call.sentAt)
    if (metadata !== undefined && this.#appendAvailable(call, metadata, call.sentAt)) return call.result.promise
    keepMessages(call)
    const resumed = this.#appendWaiting(call, metadata)
    this.#waiting.add(resumed)
    const forget = (): void => {
      this.#waiting.delete(resumed)
    }
    resumed.then(forget, forget)
    return call.result.promise
  }

  /**
   * Checks the call's arguments and converts every message; throws before anything is appended.
   * KafkaJS's checks come first, in its order and before the connection state, with its texts.
   */
  #prepare(batch: ProducerBatch, transaction: AppendTransaction | undefined): Appending {
    if (batch === null || typeof batch !== 'object') {
      throw new KafkaJSInvalidArgumentError('sendBatch() takes { topicMessages, acks?, timeout?, compression? }')
    }
    const topicMessages = batch.topicMessages ?? []
    if (!Array.isArray(topicMessages)) throw new KafkaJSInvalidArgumentError('topicMessages must be an array')
    if (topicMessages.some((entry) => entry === null || typeof entry !== 'object' || !entry.topic)) {
      throw new KafkaJSNonRetriableError('Invalid topic')
    }
    const acks = this.#acks(batch.acks, transaction !== undefined)
    for (const { topic, messages } of topicMessages) {
      if (!Array.isArray(messages)) {
        throw new KafkaJSNonRetriableError(`Invalid messages array [${String(messages)}] for topic "${topic}"`)
      }
      const withoutValue = messages.find((m) => m !== null && typeof m === 'object' && m.value === undefined)
      if (withoutValue !== undefined) {
        throw new KafkaJSNonRetriableError(
          `Invalid message without value for topic "${topic}": ${JSON.stringify(withoutValue)}`,
        )
      }
    }
    this.#d.assertSendable()
    transaction?.assertSendable()
    const ackTimeout = batch.timeout ?? DEFAULT_ACK_TIMEOUT
    if (!Number.isInteger(ackTimeout) || ackTimeout < 0 || ackTimeout > 0x7fffffff) {
      throw new KafkaJSInvalidArgumentError(`timeout must be an integer number of ms, got ${String(batch.timeout)}`)
    }
    const compression = batch.compression ?? this.#d.options.compression
    if (!isCompressionType(compression)) {
      throw new KafkaJSInvalidArgumentError(
        `compression must be one of CompressionTypes (0-4), got ${String(compression)}`,
      )
    }
    const now = Date.now()
    return {
      groups: this.#convert(topicMessages, now),
      settings: this.#settingsFor(compression, acks, ackTimeout),
      sentAt: now,
      deadline: now + this.#d.options.maxBlockMs,
      result: new SendResult(acks),
      transaction,
      group: 0,
      index: 0,
      reserved: false,
    }
  }

  /** A transaction's sends are idempotent whatever the options say (KafkaJS). */
  #acks(value: number | undefined, transactional: boolean): Acks {
    const acks = value ?? this.#d.options.acks
    if (acks !== -1 && (transactional || this.#d.options.idempotenceExplicit)) {
      throw new KafkaJSNonRetriableError(
        "Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees",
      )
    }
    if (acks !== -1 && acks !== 0 && acks !== 1) {
      // what KafkaJS gets from the broker for such a request, without sending it
      throw protocolError(ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, got ${String(value)}`)
    }
    return acks
  }

  /** `topicMessages` passed #prepare's checks: topics are given and messages are arrays. */
  #convert(topicMessages: TopicMessages[], now: number): PreparedTopic[] {
    const groups: PreparedTopic[] = []
    for (const { topic, messages } of topicMessages) {
      // KafkaJS takes any truthy topic and fails at the broker; only a string can name one
      if (typeof topic !== 'string') throw new KafkaJSNonRetriableError('Invalid topic')
      // sized up front and filled by index: no array growth per message
      const count = messages.length
      const group: PreparedTopic = {
        topic,
        // copied only if the call has to wait (keepMessages): most calls append before send() returns
        messages,
        records: new Array<OutgoingRecord>(count),
        // a plain array: a typed array of a call's size would have its memory outside the heap, slower to get
        sizes: new Array<number>(count),
      }
      groups.push(group)
      let i = 0
      // one closure per topic, naming the message at `i` only when an error needs it
      const where = (): string => `messages[${i}] of topic "${topic}"`
      for (; i < count; i++) {
        const message = group.messages[i]!
        const record = toOutgoingRecord(message, where, now)
        if (message.partition !== undefined && message.partition !== null && !Number.isInteger(message.partition)) {
          throw new KafkaJSInvalidArgumentError(`messages[${i}].partition of topic "${topic}" must be an integer`)
        }
        const size = recordSizeUpperBound(record)
        this.#checkSize(topic, size)
        group.records[i] = record
        group.sizes[i] = size
      }
    }
    return groups
  }

  #checkSize(topic: string, size: number): void {
    const { maxRequestSize, maxBufferedBytes } = this.#d.options
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

  /**
   * The current metadata if it knows the partitions of every topic of the call (as Java's send(),
   * which does not wait for a refresh once the partition count is known) and is younger than
   * metadataMaxAge (KafkaJS refreshes older metadata before it partitions a send, so partitions
   * added since are used at once), else undefined: the call then waits for a refresh.
   */
  #metadataFor(groups: readonly PreparedTopic[], now: number): ClusterMetadata | undefined {
    let metadata: ClusterMetadata
    try {
      metadata = this.#d.cluster.metadata
    } catch {
      return undefined
    }
    if (this.#d.cluster.isOlderThanMaxAge(metadata, now)) return undefined
    for (const group of groups) {
      if ((metadata.topics.get(group.topic)?.partitions.size ?? 0) === 0) return undefined
    }
    return metadata
  }

  /**
   * Appends the call's records from where it stopped while the buffer has room; returns true once
   * all are appended (the call is sealed), false when a record must wait for room.
   */
  #appendAvailable(call: Appending, metadata: ClusterMetadata, now = Date.now()): boolean {
    const { accumulator, memory, sticky: stickyOf, wakeSender } = this.#d
    const { settings, result, transaction } = call
    // one clock read per call, not per record: the call's records are appended in one go (a call
    // appending within send() uses send()'s own; one that waited reads the clock again)
    try {
      for (; call.group < call.groups.length; call.group++, call.index = 0) {
        const group = call.groups[call.group]!
        const topic = group.topic
        const partitions = this.#partitionsOf(metadata.topics.get(topic)!)
        const queueSizeOf = (p: number): number => accumulator.queueSize(topic, p)
        // the topic's sticky state, looked up once per topic of the call rather than per record
        let topicSticky: StickyPartition | undefined
        for (; call.index < group.records.length; call.index++) {
          const record = group.records[call.index]!
          const size = group.sizes[call.index]!
          const message = group.messages[call.index]!
          if (!call.reserved && !memory.tryReserve(size)) {
            wakeSender()
            return false
          }
          const explicit = message.partition !== undefined && message.partition !== null
          let sticky: StickyPartition | undefined
          if (stickyOf !== undefined && record.key === null && !explicit) {
            topicSticky ??= stickyOf(topic)
            sticky = topicSticky
          }
          let partition: number
          try {
            partition =
              sticky !== undefined
                ? sticky.partition(partitions, queueSizeOf)
                : this.#partitionOf(topic, partitions, message)
          } catch (error) {
            // this record's bytes, and those of the records after it when the call holds them
            memory.release(call.reserved ? remainingSize(call) : size)
            call.reserved = false
            throw error
          }
          transaction?.onPartition(topic, partition)
          const appended = accumulator.append(topic, partition, record, size, settings, result, now)
          sticky?.appended(size, (appended & APPENDED_LAST_FULL) !== 0, partitions, queueSizeOf)
          if (appended !== 0) wakeSender()
        }
      }
    } catch (error) {
      this.#fail(call, error)
      return true
    }
    result.seal()
    return true
  }

  /** The rest of a call that must wait for metadata or buffer room. */
  async #appendWaiting(call: Appending, known: ClusterMetadata | undefined): Promise<void> {
    try {
      let metadata =
        known ??
        (await this.#waitOnMetadata(
          call.groups.map((g) => g.topic),
          call.deadline,
        ))
      while (!this.#appendAvailable(call, metadata)) {
        // room for every record left, in one reservation (first come, first served): then they are
        // appended together, before any record of a call that waits behind this one
        const size = remainingSize(call)
        await this.#d.memory.reserve(size, Math.max(0, call.deadline - Date.now()), this.#d.options.maxBlockMs)
        call.reserved = true
        try {
          this.#d.assertSendable()
          call.transaction?.assertSendable()
        } catch (error) {
          this.#d.memory.release(size)
          call.reserved = false
          throw error
        }
        metadata = this.#d.cluster.metadata
      }
    } catch (error) {
      this.#fail(call, error)
    }
  }

  #fail(call: Appending, error: unknown): void {
    call.result.seal(error instanceof Error ? error : new KafkaJSError(String(error)))
    this.#d.wakeSender()
  }

  #partitionOf(topic: string, partitions: PartitionMetadata[], message: Message): number {
    const explicit = message.partition
    const partition =
      explicit !== undefined && explicit !== null
        ? explicit
        : this.#d.partitioner({ topic, partitionMetadata: partitions, message })
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
  async #waitOnMetadata(topics: string[], deadline: number): Promise<ClusterMetadata> {
    const { cluster, options } = this.#d
    let metadata = await cluster.refreshMetadataIfNecessary(topics)
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
          `Topic ${topic} not present in metadata after ${options.maxBlockMs} ms (maxBlockMs)`,
          { topic },
        )
      }
      await sleep(Math.min(delay, remaining))
      delay = Math.min(delay * 2, METADATA_WAIT_MAX)
      metadata = await cluster.refreshMetadata(missing)
    }
  }

  #settingsFor(compression: CompressionType, acks: Acks, ackTimeout: number): BatchSettings {
    const key = (ackTimeout * 3 + (acks + 1)) * 5 + compression
    let settings = this.#settings.get(key)
    if (settings === undefined) {
      settings = Object.freeze({ compression, acks, ackTimeout, transactional: this.#d.transactional })
      this.#settings.set(key, settings)
    }
    return settings
  }
}

/**
 * The call's messages from where it stopped, copied out of the caller's arrays before send()
 * returns: the call goes on after that, and the caller may reuse or change its arrays by then.
 */
function keepMessages(call: Appending): void {
  for (let g = call.group; g < call.groups.length; g++) {
    const group = call.groups[g]!
    group.messages = group.messages.slice()
  }
}

/** The buffer bytes of the call's records from (group, index) to its end. */
function remainingSize(call: Appending): number {
  let size = 0
  for (let g = call.group, i = call.index; g < call.groups.length; g++, i = 0) {
    const sizes = call.groups[g]!.sizes
    for (; i < sizes.length; i++) size += sizes[i]!
  }
  return size
}
