// The transaction coordinator: InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, and the
// group coordinator's TxnOffsetCommit. Each transactional id has one entry (producer id, epoch,
// state, partitions and groups of its open transaction); the requests of a producer whose id or
// epoch is not the entry's are refused (fencing), requests to a node that is not the coordinator
// get NOT_COORDINATOR, and EndTxn writes the markers and applies the offsets (model.ts).
// Differences from Kafka, for determinism: InitProducerId aborts an open transaction at once
// (Kafka answers CONCURRENT_TRANSACTIONS until its markers are written; script that when wanted),
// and transactions never time out.

import { AddOffsetsToTxn } from '../../../src/protocol/generated/add-offsets-to-txn.js'
import {
  AddPartitionsToTxn,
  type AddPartitionsToTxnRequestAddPartitionsToTxnTopic,
  type AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult,
  createAddPartitionsToTxnResponseAddPartitionsToTxnPartitionResult as partitionResult,
  createAddPartitionsToTxnResponseAddPartitionsToTxnTopicResult as topicResult,
  createAddPartitionsToTxnResponseAddPartitionsToTxnResult as transactionResult,
} from '../../../src/protocol/generated/add-partitions-to-txn.js'
import { EndTxn } from '../../../src/protocol/generated/end-txn.js'
import { ErrorCode } from '../../../src/protocol/generated/errors.js'
import { InitProducerId } from '../../../src/protocol/generated/init-producer-id.js'
import {
  createTxnOffsetCommitResponseTxnOffsetCommitResponsePartition as committedPartition,
  createTxnOffsetCommitResponseTxnOffsetCommitResponseTopic as committedTopic,
  TxnOffsetCommit,
  type TxnOffsetCommitRequest,
} from '../../../src/protocol/generated/txn-offset-commit.js'
import type { HandlerModule, RequestContext } from '../handler.js'
import { getOrCreate, partitionKey, type TransactionEntry } from '../model.js'

/** AddPartitionsToTxn v4+ carries a list of transactions (broker to coordinator). */
const FIRST_BATCHED_ADD_VERSION = 4
/** EndTxn v5+ (transactions v2) bumps the epoch at every end and returns it. */
const FIRST_BUMPING_END_VERSION = 5
/** TxnOffsetCommit v5+ (transactions v2) adds the group to the transaction itself. */
const FIRST_IMPLICIT_GROUP_VERSION = 5

type Ctx = RequestContext<unknown, unknown>

export const transactionHandlers: HandlerModule = (cluster) => {
  cluster.handle(InitProducerId, (ctx) => {
    const { request, state } = ctx
    const refused = (errorCode: number) =>
      InitProducerId.createResponse({ errorCode, producerId: -1n, producerEpoch: -1 })
    const scripted = ctx.scriptedError(request.transactionalId ?? undefined)
    if (scripted !== undefined) return refused(scripted)
    if (request.transactionalId === null) {
      return InitProducerId.createResponse({ producerId: state.nextProducerId(), producerEpoch: 0 })
    }
    if (!isCoordinator(ctx, request.transactionalId)) return refused(ErrorCode.NOT_COORDINATOR)
    let entry = state.transactions.get(request.transactionalId)
    if (entry === undefined) {
      entry = {
        transactionalId: request.transactionalId,
        producerId: state.nextProducerId(),
        producerEpoch: 0,
        timeoutMs: request.transactionTimeoutMs,
        state: 'Empty',
        partitions: new Set(),
        groups: new Set(),
        pendingOffsets: new Map(),
      }
      state.transactions.set(request.transactionalId, entry)
    } else {
      // KIP-360: a producer that names its id and epoch bumps its own epoch; any other is fenced
      const named = request.producerId >= 0n
      if (named && (request.producerId !== entry.producerId || request.producerEpoch !== entry.producerEpoch)) {
        return refused(ErrorCode.PRODUCER_FENCED)
      }
      if (entry.state === 'Ongoing') state.completeTransaction(entry, false)
      state.bumpEpoch(entry)
      entry.timeoutMs = request.transactionTimeoutMs
    }
    return InitProducerId.createResponse({ producerId: entry.producerId, producerEpoch: entry.producerEpoch })
  })

  cluster.handle(AddPartitionsToTxn, (ctx) => {
    const { request, version } = ctx
    if (version < FIRST_BATCHED_ADD_VERSION) {
      const { v3AndBelowTransactionalId: id, v3AndBelowProducerId: pid, v3AndBelowProducerEpoch: epoch } = request
      return AddPartitionsToTxn.createResponse({
        resultsByTopicV3AndBelow: addPartitions(ctx, id, pid, epoch, request.v3AndBelowTopics),
      })
    }
    return AddPartitionsToTxn.createResponse({
      resultsByTransaction: request.transactions.map((t) =>
        transactionResult({
          transactionalId: t.transactionalId,
          topicResults: addPartitions(ctx, t.transactionalId, t.producerId, t.producerEpoch, t.topics),
        }),
      ),
    })
  })

  cluster.handle(AddOffsetsToTxn, (ctx) => {
    const { transactionalId, producerId, producerEpoch, groupId } = ctx.request
    const checked = transaction(ctx, transactionalId, producerId, producerEpoch)
    if (typeof checked === 'number') return AddOffsetsToTxn.createResponse({ errorCode: checked })
    checked.groups.add(groupId)
    checked.state = 'Ongoing'
    return AddOffsetsToTxn.createResponse({})
  })

  cluster.handle(EndTxn, (ctx) => {
    const { request, state, version } = ctx
    const bumps = version >= FIRST_BUMPING_END_VERSION
    const outcome = request.committed ? 'CompleteCommit' : 'CompleteAbort'
    const entry = state.transactions.get(request.transactionalId)
    // v2: a retry of an end whose answer was lost carries the epoch from before that end's bump
    const retried =
      bumps &&
      entry !== undefined &&
      entry.producerId === request.producerId &&
      entry.state === outcome &&
      request.producerEpoch === entry.producerEpoch - 1
    const epoch = retried ? request.producerEpoch + 1 : request.producerEpoch
    const checked = transaction(ctx, request.transactionalId, request.producerId, epoch)
    if (typeof checked === 'number') {
      return EndTxn.createResponse({ errorCode: checked, producerId: -1n, producerEpoch: -1 })
    }
    if (checked.state === 'Ongoing') {
      state.completeTransaction(checked, request.committed)
      if (bumps) state.bumpEpoch(checked)
    } else if (bumps && !request.committed && !retried) {
      // v2: the client cannot know whether its partitions reached the coordinator, so an abort of a
      // transaction that never started is accepted, and bumps the epoch like any end
      checked.state = 'CompleteAbort'
      state.bumpEpoch(checked)
    } else if (checked.state !== outcome) {
      return EndTxn.createResponse({ errorCode: ErrorCode.INVALID_TXN_STATE, producerId: -1n, producerEpoch: -1 })
    }
    return EndTxn.createResponse({ producerId: checked.producerId, producerEpoch: checked.producerEpoch })
  })

  cluster.handle(TxnOffsetCommit, (ctx) => {
    const { request } = ctx
    const { groupId } = request
    const checked =
      ctx.scriptedError(groupId) ?? offsetCommitter(ctx as RequestContext<TxnOffsetCommitRequest, unknown>)
    return TxnOffsetCommit.createResponse({
      topics: request.topics.map((t) =>
        committedTopic({
          name: t.name,
          partitions: t.partitions.map((p) => {
            const errorCode =
              typeof checked === 'number' ? checked : (ctx.scriptedError(t.name, p.partitionIndex) ?? ErrorCode.NONE)
            if (typeof checked !== 'number' && errorCode === ErrorCode.NONE) {
              getOrCreate(checked.pendingOffsets, groupId, () => new Map()).set(
                partitionKey(t.name, p.partitionIndex),
                {
                  offset: p.committedOffset,
                  leaderEpoch: p.committedLeaderEpoch,
                  metadata: p.committedMetadata,
                },
              )
            }
            return committedPartition({ partitionIndex: p.partitionIndex, errorCode })
          }),
        }),
      ),
    })
  })
}

/** The transaction a TxnOffsetCommit commits in, or the error code that refuses it. */
function offsetCommitter(ctx: RequestContext<TxnOffsetCommitRequest, unknown>): TransactionEntry | number {
  const { request, state } = ctx
  if (state.coordinatorFor('group', request.groupId) !== ctx.node) return ErrorCode.NOT_COORDINATOR
  const entry = state.transactions.get(request.transactionalId)
  if (entry === undefined || entry.producerId !== request.producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
  if (entry.producerEpoch !== request.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH
  if (!entry.groups.has(request.groupId)) {
    const implicitAdd = ctx.version >= FIRST_IMPLICIT_GROUP_VERSION && (ctx.cluster.transactionVersion ?? 0) >= 2
    if (!implicitAdd) return ErrorCode.INVALID_TXN_STATE
    entry.groups.add(request.groupId)
    entry.state = 'Ongoing'
  }
  return state.validateGroupMember?.(request) ?? entry
}

function isCoordinator(ctx: Ctx, transactionalId: string): boolean {
  return ctx.state.coordinatorFor('transaction', transactionalId) === ctx.node
}

/** The transactional id's entry when the request may act on it, otherwise the error code (scripted first). */
function transaction(
  ctx: Ctx,
  transactionalId: string,
  producerId: bigint,
  producerEpoch: number,
): TransactionEntry | number {
  const scripted = ctx.scriptedError(transactionalId)
  if (scripted !== undefined) return scripted
  if (!isCoordinator(ctx, transactionalId)) return ErrorCode.NOT_COORDINATOR
  const entry = ctx.state.transactions.get(transactionalId)
  if (entry === undefined || entry.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
  if (producerEpoch !== entry.producerEpoch) return ErrorCode.PRODUCER_FENCED
  return entry
}

function addPartitions(
  ctx: Ctx,
  transactionalId: string,
  producerId: bigint,
  producerEpoch: number,
  topics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[],
): AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[] {
  const checked = transaction(ctx, transactionalId, producerId, producerEpoch)
  const codes = topics.map((t) =>
    t.partitions.map((p) => {
      if (typeof checked === 'number') return checked
      return (
        ctx.scriptedError(t.name, p) ??
        (ctx.state.partition(t.name, p) === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NONE)
      )
    }),
  )
  // Kafka adds all or none: with one partition refused, the others are OPERATION_NOT_ATTEMPTED
  const refused = codes.flat().some((c) => c !== ErrorCode.NONE)
  if (!refused && typeof checked !== 'number') {
    for (const t of topics) for (const p of t.partitions) checked.partitions.add(partitionKey(t.name, p))
    checked.state = 'Ongoing'
  }
  return topics.map((t, i) =>
    topicResult({
      name: t.name,
      resultsByPartition: t.partitions.map((partitionIndex, j) => {
        const code = codes[i]![j]!
        const partitionErrorCode = refused && code === ErrorCode.NONE ? ErrorCode.OPERATION_NOT_ATTEMPTED : code
        return partitionResult({ partitionIndex, partitionErrorCode })
      }),
    }),
  )
}
