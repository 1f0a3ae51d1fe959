// Writes test data for the consumer tests with single protocol requests (Produce, and for
// transactions InitProducerId / AddPartitionsToTxn / EndTxn), so that the consumer is tested
// against bytes the broker stored, independently of kafkit's producer.

import type { Cluster } from '../../src/cluster/cluster.js'
import { CoordinatorType } from '../../src/cluster/coordinator-lookup.js'
import { retry } from '../../src/common/backoff.js'
import {
  AddPartitionsToTxn,
  createAddPartitionsToTxnRequestAddPartitionsToTxnTopic,
} from '../../src/protocol/generated/add-partitions-to-txn.js'
import { EndTxn } from '../../src/protocol/generated/end-txn.js'
import { protocolError } from '../../src/protocol/generated/errors.js'
import { InitProducerId } from '../../src/protocol/generated/init-producer-id.js'
import {
  createProduceRequestPartitionProduceData,
  createProduceRequestTopicProduceData,
  Produce,
} from '../../src/protocol/generated/produce.js'
import type { CompressionType } from '../../src/protocol/index.js'
import { encodeRecordBatch, type RecordInput } from '../../src/protocol/records/index.js'

export interface RawBatchOptions {
  compression?: CompressionType
  producerId?: bigint
  producerEpoch?: number
  baseSequence?: number
  transactional?: boolean
  transactionalId?: string | null
}

/** The pre-KIP-890 versions, so that the broker treats these transactions the classic way. */
const TXN_PRODUCE_VERSION = 11
const ADD_PARTITIONS_VERSION = 3
const END_TXN_VERSION = 4

/** Appends one record batch to a partition (acks=-1), retrying retriable errors; returns its base offset. */
export function produceRaw(
  cluster: Cluster,
  topic: string,
  partition: number,
  records: readonly RecordInput[],
  options: RawBatchOptions = {},
): Promise<bigint> {
  return retry(
    async () => {
      try {
        return await produceOnce(cluster, topic, partition, records, options)
      } catch (error) {
        cluster.noteError(error)
        throw error
      }
    },
    { initialRetryTime: 100, retries: 10 },
  )
}

async function produceOnce(
  cluster: Cluster,
  topic: string,
  partition: number,
  records: readonly RecordInput[],
  options: RawBatchOptions = {},
): Promise<bigint> {
  const batch = await encodeRecordBatch({
    records,
    compression: options.compression,
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    baseSequence: options.baseSequence,
    transactional: options.transactional,
  })
  const connection = await cluster.connectionToLeader(topic, partition)
  const transactional = options.transactionalId !== undefined && options.transactionalId !== null
  const version = transactional
    ? Math.min(TXN_PRODUCE_VERSION, connection.versionFor(Produce))
    : connection.versionFor(Produce)
  const topicId = cluster.metadata.topics.get(topic)?.topicId
  const response = await connection.send(
    Produce,
    Produce.createRequest({
      acks: -1,
      timeoutMs: 30000,
      transactionalId: options.transactionalId ?? null,
      topicData: [
        createProduceRequestTopicProduceData({
          name: topic,
          ...(topicId !== undefined && { topicId }),
          partitionData: [createProduceRequestPartitionProduceData({ index: partition, records: batch })],
        }),
      ],
    }),
    { version },
  )
  const p = response.responses[0]?.partitionResponses[0]
  if (p === undefined) throw new Error(`Produce to ${topic}-${partition}: empty response`)
  if (p.errorCode !== 0) throw protocolError(p.errorCode, `Produce to ${topic}-${partition}: ${p.errorMessage ?? ''}`)
  return p.baseOffset
}

/** Messages "prefix-i" for i in [from, to), keys "k-i". */
export function numberedRecords(prefix: string, from: number, to: number): RecordInput[] {
  const out: RecordInput[] = []
  for (let i = from; i < to; i++) out.push({ key: Buffer.from(`k-${i}`), value: Buffer.from(`${prefix}-${i}`) })
  return out
}

/** A transactional producer made of single requests: one transaction at a time, one partition per call. */
export class RawTransactionalProducer {
  readonly #cluster: Cluster
  readonly #transactionalId: string
  #producerId = -1n
  #producerEpoch = -1
  readonly #sequences = new Map<string, number>()

  constructor(cluster: Cluster, transactionalId: string) {
    this.#cluster = cluster
    this.#transactionalId = transactionalId
  }

  async init(): Promise<void> {
    // on a broker just started the transaction coordinator may still be loading its state
    // (COORDINATOR_LOAD_IN_PROGRESS) or be elsewhere (NOT_COORDINATOR): retriable, as for any client
    const response = await retry(
      async () => {
        const connection = await this.#cluster.coordinatorConnection(CoordinatorType.TRANSACTION, this.#transactionalId)
        const answer = await connection.send(
          InitProducerId,
          InitProducerId.createRequest({ transactionalId: this.#transactionalId, transactionTimeoutMs: 60000 }),
        )
        if (answer.errorCode !== 0) {
          const error = protocolError(answer.errorCode, 'InitProducerId')
          this.#cluster.invalidateCoordinatorOn(CoordinatorType.TRANSACTION, this.#transactionalId, error)
          throw error
        }
        return answer
      },
      { initialRetryTime: 100, retries: 15 },
    )
    this.#producerId = response.producerId
    this.#producerEpoch = response.producerEpoch
  }

  /** One transaction writing `records` to one partition, then committed or aborted. */
  async transaction(topic: string, partition: number, records: readonly RecordInput[], commit: boolean): Promise<void> {
    // the previous transaction's markers may still be in writing: CONCURRENT_TRANSACTIONS, retriable
    await retry(() => this.#addPartition(topic, partition), { initialRetryTime: 50, retries: 15 })
    const key = `${topic}:${partition}`
    const sequence = this.#sequences.get(key) ?? 0
    await produceRaw(this.#cluster, topic, partition, records, {
      producerId: this.#producerId,
      producerEpoch: this.#producerEpoch,
      baseSequence: sequence,
      transactional: true,
      transactionalId: this.#transactionalId,
    })
    this.#sequences.set(key, sequence + records.length)
    const coordinator = await this.#cluster.coordinatorConnection(CoordinatorType.TRANSACTION, this.#transactionalId)
    const ended = await coordinator.send(
      EndTxn,
      EndTxn.createRequest({
        transactionalId: this.#transactionalId,
        producerId: this.#producerId,
        producerEpoch: this.#producerEpoch,
        committed: commit,
      }),
      { version: Math.min(END_TXN_VERSION, coordinator.versionFor(EndTxn)) },
    )
    if (ended.errorCode !== 0) throw protocolError(ended.errorCode, 'EndTxn')
  }

  async #addPartition(topic: string, partition: number): Promise<void> {
    const coordinator = await this.#cluster.coordinatorConnection(CoordinatorType.TRANSACTION, this.#transactionalId)
    const added = await coordinator.send(
      AddPartitionsToTxn,
      AddPartitionsToTxn.createRequest({
        v3AndBelowTransactionalId: this.#transactionalId,
        v3AndBelowProducerId: this.#producerId,
        v3AndBelowProducerEpoch: this.#producerEpoch,
        v3AndBelowTopics: [
          createAddPartitionsToTxnRequestAddPartitionsToTxnTopic({ name: topic, partitions: [partition] }),
        ],
      }),
      { version: Math.min(ADD_PARTITIONS_VERSION, coordinator.versionFor(AddPartitionsToTxn)) },
    )
    for (const t of added.resultsByTopicV3AndBelow) {
      for (const p of t.resultsByPartition) {
        if (p.partitionErrorCode !== 0) throw protocolError(p.partitionErrorCode, 'AddPartitionsToTxn')
      }
    }
  }
}
