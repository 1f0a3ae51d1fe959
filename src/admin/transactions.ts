// Producers and transactions (beyond KafkaJS): describeProducers (each partition's active
// idempotent and transactional producers, at the partition leaders), listTransactions (every
// broker's transaction coordinator) and describeTransactions (at each transactional id's
// coordinator).

import { CoordinatorType } from '../cluster/coordinator-lookup.js'
import {
  createDescribeProducersRequestTopicRequest,
  DescribeProducers,
} from '../protocol/generated/describe-producers.js'
import { DescribeTransactions } from '../protocol/generated/describe-transactions.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import { ListTransactions } from '../protocol/generated/list-transactions.js'
import type { AdminContext } from './context.js'
import { perCoordinator } from './group-routing.js'
import {
  allBrokerIds,
  askEachBroker,
  flattenPartitions,
  groupBy,
  partitionMatch,
  routeToLeaders,
  sendPerNode,
  type TopicPartition,
} from './routing.js'
import { matchResults, settle, valuesOrThrow } from './settle.js'
import { partitionsOfTopics } from './topic-offsets.js'
import {
  argsObject,
  arrayArg,
  int64Arg,
  integerArg,
  invalid,
  noDuplicates,
  optionalString,
  stringArg,
  topicPartitionsArg,
} from './validate.js'

export interface ProducerState {
  producerId: string
  producerEpoch: number
  /** -1 when unknown. */
  lastSequence: number
  /** ms since the epoch, -1 when unknown. */
  lastTimestamp: string
  coordinatorEpoch: number
  /** First offset of the producer's open transaction on this partition, -1 when none is open. */
  currentTxnStartOffset: string
}

export interface TransactionListing {
  transactionalId: string
  producerId: string
  /** e.g. Ongoing, PrepareCommit, CompleteCommit, CompleteAbort, Empty. */
  state: string
}

export interface TransactionDescription {
  transactionalId: string
  state: string
  transactionTimeoutMs: number
  /** ms since the epoch when the open transaction started, -1 when none is open. */
  transactionStartTimeMs: string
  producerId: string
  producerEpoch: number
  /** The partitions the open transaction has written to or added. */
  topics: Array<{ topic: string; partitions: number[] }>
}

/** The active producers of each partition (default: every partition of the topic), from its leader. */
export async function describeProducers(
  ctx: AdminContext,
  options: { topics: Array<{ topic: string; partitions?: number[] }> },
): Promise<Array<{ topic: string; partitions: Array<{ partition: number; activeProducers: ProducerState[] }> }>> {
  const op = 'describeProducers'
  const args = argsObject(op, options)
  const requested = topicPartitionsArg(op, 'topics', args.topics, { allPartitions: true })
  const unlisted = requested.filter((t) => t.partitions === undefined).map((t) => t.topic)
  const partitionsOf = unlisted.length > 0 ? await partitionsOfTopics(ctx, unlisted) : new Map<string, number[]>()
  const items: TopicPartition[] = requested.flatMap((t) =>
    (t.partitions ?? partitionsOf.get(t.topic)!).map((partition) => ({ topic: t.topic, partition })),
  )
  const results = await settle(
    items,
    async (pending) =>
      sendPerNode(ctx, await routeToLeaders(ctx, pending), async (connection, leaderItems) => {
        const request = DescribeProducers.createRequest({
          topics: [...groupBy(leaderItems, (i) => i.topic)].map(([name, ps]) =>
            createDescribeProducersRequestTopicRequest({ name, partitionIndexes: ps.map((p) => p.partition) }),
          ),
        })
        const response = await connection.send(DescribeProducers, request)
        return matchResults(leaderItems, flattenPartitions(response.topics), {
          ...partitionMatch,
          value: (p): ProducerState[] =>
            p.activeProducers.map((s) => ({
              producerId: s.producerId.toString(),
              producerEpoch: s.producerEpoch,
              lastSequence: s.lastSequence,
              lastTimestamp: s.lastTimestamp.toString(),
              coordinatorEpoch: s.coordinatorEpoch,
              currentTxnStartOffset: s.currentTxnStartOffset.toString(),
            })),
        })
      }),
    { operation: op, retry: ctx.retry, logger: ctx.logger, beforeRetry: (error) => ctx.cluster.noteError(error) },
  )
  const states = valuesOrThrow(op, items, results, (i) => ({ topic: i.topic, partition: i.partition }))
  const byTopic = groupBy(
    items.map((item, i) => ({ ...item, activeProducers: states[i]! })),
    (e) => e.topic,
  )
  return [...byTopic].map(([topic, entries]) => ({
    topic,
    partitions: entries.map(({ partition, activeProducers }) => ({ partition, activeProducers })),
  }))
}

/** The transactions every coordinator knows of, optionally filtered (states, producer ids, open longer than, id pattern). */
export async function listTransactions(
  ctx: AdminContext,
  options?: {
    states?: string[]
    producerIds?: Array<string | number | bigint>
    durationFilter?: number
    transactionalIdPattern?: string
  },
): Promise<{ transactions: TransactionListing[] }> {
  const op = 'listTransactions'
  const args = argsObject(op, options, true)
  const stateFilters =
    args.states === undefined
      ? []
      : arrayArg<unknown>(op, 'states', args.states).map((s, i) => stringArg(op, `states[${i}]`, s))
  const producerIdFilters =
    args.producerIds === undefined
      ? []
      : arrayArg<unknown>(op, 'producerIds', args.producerIds).map((p, i) => int64Arg(op, `producerIds[${i}]`, p))
  const durationFilter =
    args.durationFilter === undefined
      ? -1n
      : BigInt(integerArg(op, 'durationFilter', args.durationFilter, { min: 0, max: Number.MAX_SAFE_INTEGER }))
  const transactionalIdPattern = optionalString(op, 'transactionalIdPattern', args.transactionalIdPattern) ?? null
  const perBroker = await askEachBroker(ctx, op, await allBrokerIds(ctx), async (connection) => {
    const version = connection.versionFor(ListTransactions)
    if (version < 1 && durationFilter >= 0n) invalid(op, `broker ${connection.broker} cannot filter by duration`)
    if (version < 2 && transactionalIdPattern !== null)
      invalid(op, `broker ${connection.broker} cannot filter by id pattern`)
    const request = ListTransactions.createRequest({
      stateFilters,
      producerIdFilters,
      durationFilter,
      transactionalIdPattern,
    })
    const response = await connection.send(ListTransactions, request, { version })
    if (response.errorCode !== ErrorCode.NONE) throw protocolError(response.errorCode, `broker ${connection.broker}`)
    return response.transactionStates.map(
      (t): TransactionListing => ({
        transactionalId: t.transactionalId,
        producerId: t.producerId.toString(),
        state: t.transactionState,
      }),
    )
  })
  return { transactions: perBroker.flat() }
}

/** The state of transactional ids, each from its coordinator; an unknown id fails on its own. */
export async function describeTransactions(
  ctx: AdminContext,
  transactionalIdsArg: unknown,
): Promise<{ transactions: TransactionDescription[] }> {
  const op = 'describeTransactions'
  const ids = arrayArg<unknown>(op, 'transactionalIds', transactionalIdsArg, { nonEmpty: true }).map((t, i) =>
    stringArg(op, `transactionalIds[${i}]`, t),
  )
  noDuplicates(op, 'transactional id', ids, (t) => t)
  const results = await perCoordinator(
    ctx,
    op,
    ids,
    (id) => id,
    async (connection, pending) => {
      const request = DescribeTransactions.createRequest({ transactionalIds: [...pending] })
      const response = await connection.send(DescribeTransactions, request)
      return matchResults(pending, response.transactionStates, {
        keyOfItem: (id) => id,
        keyOfResult: (t) => t.transactionalId,
        value: (t): TransactionDescription => ({
          transactionalId: t.transactionalId,
          state: t.transactionState,
          transactionTimeoutMs: t.transactionTimeoutMs,
          transactionStartTimeMs: t.transactionStartTimeMs.toString(),
          producerId: t.producerId.toString(),
          producerEpoch: t.producerEpoch,
          topics: t.topics.map((d) => ({ topic: d.topic, partitions: d.partitions })),
        }),
        describe: (id) => `transactional id ${id}`,
      })
    },
    CoordinatorType.TRANSACTION,
  )
  return { transactions: valuesOrThrow(op, ids, results, (transactionalId) => ({ transactionalId })) }
}
