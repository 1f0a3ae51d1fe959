// Produce: each partition's batches go through the leader check, the transaction check (a
// transactional batch's producer must own the transactional id, and the partition must be in its
// transaction: added by AddPartitionsToTxn, or by this request under transactions v2) and the
// partition log's producer checks, then get their offsets. acks=0 gets no answer.

import { ErrorCode } from '../../../src/protocol/generated/errors.js'
import {
  Produce,
  type ProduceRequest,
  type ProduceRequestPartitionProduceData,
  type ProduceResponsePartitionProduceResponse,
  createProduceResponsePartitionProduceResponse as partitionResponse,
  createProduceResponseTopicProduceResponse as topicResponse,
} from '../../../src/protocol/generated/produce.js'
import { type BatchHeader, readBatches } from '../batches.js'
import type { HandlerModule, RequestContext } from '../handler.js'
import { partitionKey } from '../model.js'
import type { PartitionLog } from '../partition-log.js'
import { currentLeader, findTopic, leaderEndpoints, leaderLog } from './leader.js'

/** Produce v10 is the first to name the leaders' endpoints (KIP-951). */
const FIRST_NODE_ENDPOINTS_VERSION = 10
/** Produce v12 is the first a transactions-v2 producer uses: it adds partitions to the transaction itself. */
const FIRST_IMPLICIT_ADD_VERSION = 12

type Ctx = RequestContext<ProduceRequest, unknown>

export const produceHandlers: HandlerModule = (cluster) => {
  cluster.handle(Produce, (ctx) => {
    const { request } = ctx
    const responses = request.topicData.map((t) => {
      const topic = findTopic(ctx, t.name, t.topicId)
      const partitionResponses = t.partitionData.map((p) => {
        const checked = leaderLog(ctx, topic, t.name, p.index)
        if (checked.errorCode !== undefined) {
          return partitionResponse({
            index: p.index,
            errorCode: checked.errorCode,
            currentLeader: currentLeader(checked.log),
          })
        }
        return appendPartition(ctx, checked.log, p)
      })
      return topicResponse({ name: t.name, topicId: t.topicId, partitionResponses })
    })
    ctx.state.notifyAppend()
    const answers = responses.flatMap((t) => t.partitionResponses)
    const nodeEndpoints = ctx.version >= FIRST_NODE_ENDPOINTS_VERSION ? leaderEndpoints(ctx, answers) : []
    return request.acks === 0 ? undefined : Produce.createResponse({ responses, nodeEndpoints })
  })
}

function appendPartition(
  ctx: Ctx,
  log: PartitionLog,
  p: ProduceRequestPartitionProduceData,
): ProduceResponsePartitionProduceResponse {
  let headers: BatchHeader[]
  try {
    headers = readBatches(p.records ?? Buffer.alloc(0))
  } catch (error) {
    return partitionResponse({
      index: p.index,
      errorCode: ErrorCode.CORRUPT_MESSAGE,
      errorMessage: (error as Error).message,
    })
  }
  const transactionError = checkTransaction(ctx, log, headers[0])
  if (transactionError !== undefined) return partitionResponse({ index: p.index, errorCode: transactionError })
  const result = log.append(headers)
  return partitionResponse({
    index: p.index,
    errorCode: result.errorCode,
    baseOffset: result.baseOffset,
    logStartOffset: log.logStartOffset,
    errorMessage: result.errorMessage ?? null,
  })
}

/** For a transactional batch: the error that refuses it, or undefined (and the partition joined the transaction). */
function checkTransaction(ctx: Ctx, log: PartitionLog, header: BatchHeader | undefined): number | undefined {
  if (header === undefined || !header.transactional) return undefined
  const { state, request, version } = ctx
  const entry = request.transactionalId === null ? undefined : state.transactions.get(request.transactionalId)
  if (entry === undefined || entry.producerId !== header.producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
  if (header.producerEpoch !== entry.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH
  const key = partitionKey(log.topic, log.index)
  if (entry.partitions.has(key)) return undefined
  const implicitAdd = version >= FIRST_IMPLICIT_ADD_VERSION && (ctx.cluster.transactionVersion ?? 0) >= 2
  if (!implicitAdd) return ErrorCode.INVALID_TXN_STATE
  entry.partitions.add(key)
  entry.state = 'Ongoing'
  return undefined
}
