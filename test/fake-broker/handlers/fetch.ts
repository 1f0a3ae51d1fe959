// Fetch and ListOffsets: reading the partition logs. A Fetch returns the stored batches from the
// fetch offset (at least one, then up to the partition's max bytes), up to the high watermark, or
// to the last stable offset under read_committed, with the aborted transactions in range. A Fetch
// that finds nothing waits (up to maxWaitMs, ended early by an append or a close) and looks again.
// Fetch sessions are not kept: sessionId 0 tells the client to send full fetches. A Fetch with
// lastFetchedEpoch (v12+) is checked against the log's leader epochs as Kafka does (KIP-320): an
// epoch the log ends before the fetch offset, or does not hold, is answered with the diverging
// epoch and no records. NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH name the current leader and,
// from v16, its endpoint (KIP-951). OffsetForLeaderEpoch answers from the same epochs.

import { ErrorCode } from '../../../src/protocol/generated/errors.js'
import {
  createFetchResponseAbortedTransaction as abortedTransaction,
  Fetch,
  type FetchRequest,
  type FetchRequestFetchPartition,
  type FetchResponsePartitionData,
  createFetchResponsePartitionData as fetchPartition,
  createFetchResponseFetchableTopicResponse as fetchTopic,
} from '../../../src/protocol/generated/fetch.js'
import {
  ListOffsets,
  createListOffsetsResponseListOffsetsPartitionResponse as listedPartition,
  createListOffsetsResponseListOffsetsTopicResponse as listedTopic,
} from '../../../src/protocol/generated/list-offsets.js'
import {
  createOffsetForLeaderEpochResponseEpochEndOffset as epochEndOffset,
  createOffsetForLeaderEpochResponseOffsetForLeaderTopicResult as epochTopic,
  OffsetForLeaderEpoch,
} from '../../../src/protocol/generated/offset-for-leader-epoch.js'
import type { HandlerModule, RequestContext } from '../handler.js'
import type { PartitionLog } from '../partition-log.js'
import { currentLeader, findTopic, type LeaderCheck, leaderEndpoints, leaderLog } from './leader.js'

const READ_COMMITTED = 1
const LATEST = -1n
const EARLIEST = -2n
const MAX_TIMESTAMP = -3n

type FetchCtx = RequestContext<FetchRequest, unknown>

export const fetchHandlers: HandlerModule = (cluster) => {
  cluster.handle(Fetch, async (ctx) => {
    let response = fetchOnce(ctx)
    if (hasRecords(response) || ctx.request.maxWaitMs <= 0) return response
    await appendOrTimeout(ctx)
    if (!ctx.signal.aborted) response = fetchOnce(ctx)
    return response
  })

  cluster.handle(OffsetForLeaderEpoch, (ctx) =>
    OffsetForLeaderEpoch.createResponse({
      topics: ctx.request.topics.map((t) => {
        const topic = ctx.state.topics.get(t.topic)
        return epochTopic({
          topic: t.topic,
          partitions: t.partitions.map(({ partition, currentLeaderEpoch, leaderEpoch }) => {
            const checked = leaderLog(ctx, topic, t.topic, partition)
            if (checked.errorCode !== undefined) return epochEndOffset({ partition, errorCode: checked.errorCode })
            const errorCode = epochError(currentLeaderEpoch, checked.log.leaderEpoch)
            if (errorCode !== undefined) return epochEndOffset({ partition, errorCode })
            const end = checked.log.endOffsetFor(leaderEpoch)
            return epochEndOffset({ partition, leaderEpoch: end.epoch, endOffset: end.endOffset })
          }),
        })
      }),
    }),
  )

  cluster.handle(ListOffsets, (ctx) => {
    const { request } = ctx
    return ListOffsets.createResponse({
      topics: request.topics.map((t) => {
        const topic = ctx.state.topics.get(t.name)
        return listedTopic({
          name: t.name,
          partitions: t.partitions.map(({ partitionIndex, timestamp }) => {
            const checked = leaderLog(ctx, topic, t.name, partitionIndex)
            if (checked.errorCode !== undefined)
              return listedPartition({ partitionIndex, errorCode: checked.errorCode })
            const { log } = checked
            const found = offsetAt(log, timestamp, request.isolationLevel === READ_COMMITTED)
            return listedPartition({ partitionIndex, leaderEpoch: log.leaderEpoch, ...found })
          }),
        })
      }),
    })
  })
}

function fetchOnce(ctx: FetchCtx) {
  const { request } = ctx
  const responses = request.topics.map((t) => {
    const topic = findTopic(ctx, t.topic, t.topicId)
    return fetchTopic({
      topic: t.topic,
      topicId: t.topicId,
      partitions: t.partitions.map((p) => fetchFrom(ctx, leaderLog(ctx, topic, t.topic, p.partition), p)),
    })
  })
  // the endpoints of the leaders NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH answers name (v16+)
  const nodeEndpoints =
    ctx.version >= 16
      ? leaderEndpoints(
          ctx,
          responses.flatMap((t) => t.partitions),
        )
      : []
  return Fetch.createResponse({ sessionId: 0, responses, nodeEndpoints })
}

/** The error for a request's currentLeaderEpoch against the log's (-1 asks for no check). */
function epochError(requested: number, current: number): number | undefined {
  if (requested === -1 || requested === current) return undefined
  return requested > current ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.FENCED_LEADER_EPOCH
}

function fetchFrom(ctx: FetchCtx, found: LeaderCheck, p: FetchRequestFetchPartition): FetchResponsePartitionData {
  const partitionIndex = p.partition
  if (found.errorCode !== undefined) {
    return fetchPartition({ partitionIndex, errorCode: found.errorCode, currentLeader: currentLeader(found.log) })
  }
  const { log } = found
  const answer = {
    partitionIndex,
    highWatermark: log.highWatermark,
    lastStableOffset: log.lastStableOffset,
    logStartOffset: log.logStartOffset,
  }
  const epochErrorCode = epochError(p.currentLeaderEpoch, log.leaderEpoch)
  if (epochErrorCode !== undefined) {
    return fetchPartition({ ...answer, errorCode: epochErrorCode, currentLeader: currentLeader(log) })
  }
  if (p.lastFetchedEpoch >= 0) {
    const end = log.endOffsetFor(p.lastFetchedEpoch)
    if (end.epoch < 0 || p.fetchOffset < log.logStartOffset) {
      return fetchPartition({ ...answer, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE })
    }
    if (end.epoch < p.lastFetchedEpoch || end.endOffset < p.fetchOffset) {
      return fetchPartition({ ...answer, divergingEpoch: { epoch: end.epoch, endOffset: end.endOffset } })
    }
  }
  if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.highWatermark) {
    return fetchPartition({ ...answer, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE })
  }
  const committed = ctx.request.isolationLevel === READ_COMMITTED
  const limit = committed ? log.lastStableOffset : log.highWatermark
  const batches = log.read(p.fetchOffset, limit, p.partitionMaxBytes)
  const upTo = batches.at(-1)?.lastOffset ?? p.fetchOffset
  return fetchPartition({
    ...answer,
    abortedTransactions: committed
      ? log.abortedTransactions
          .filter((a) => a.lastOffset >= p.fetchOffset && a.firstOffset <= upTo)
          .map((a) => abortedTransaction({ producerId: a.producerId, firstOffset: a.firstOffset }))
      : null,
    records: Buffer.concat(batches.map((b) => b.header.bytes)),
  })
}

function hasRecords(response: ReturnType<typeof fetchOnce>): boolean {
  return response.responses.some((t) =>
    t.partitions.some((p) => p.errorCode !== ErrorCode.NONE || (p.records?.length ?? 0) > 0),
  )
}

/** Resolves on the next append to any log, after maxWaitMs, or when the request's connection or the cluster closes. */
function appendOrTimeout(ctx: FetchCtx): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ctx.request.maxWaitMs)
    const stopListening = ctx.state.onAppend(done)
    ctx.signal.addEventListener('abort', done)
    if (ctx.signal.aborted) done()
    function done(): void {
      clearTimeout(timer)
      stopListening()
      ctx.signal.removeEventListener('abort', done)
      resolve()
    }
  })
}

function offsetAt(log: PartitionLog, timestamp: bigint, committed: boolean): { offset: bigint; timestamp: bigint } {
  switch (timestamp) {
    case LATEST:
      return { offset: committed ? log.lastStableOffset : log.highWatermark, timestamp: -1n }
    case EARLIEST:
      return { offset: log.logStartOffset, timestamp: -1n }
    case MAX_TIMESTAMP: {
      let best: { offset: bigint; timestamp: bigint } = { offset: -1n, timestamp: -1n }
      for (const b of log.batches) {
        if (!b.header.control && b.header.maxTimestamp > best.timestamp) {
          best = { offset: b.lastOffset, timestamp: b.header.maxTimestamp }
        }
      }
      return best
    }
    default:
      return log.offsetForTimestamp(timestamp) ?? { offset: -1n, timestamp: -1n }
  }
}
