// deleteTopicRecords (KafkaJS): moves partitions' log start forward, deleting the records before
// the given offsets, through each partition's leader (DeleteRecords, one request per leader).

import {
  KafkaJSBrokerNotFound,
  KafkaJSDeleteTopicRecordsError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
} from '../errors.js'
import {
  createDeleteRecordsRequestDeleteRecordsPartition,
  createDeleteRecordsRequestDeleteRecordsTopic,
  DeleteRecords,
} from '../protocol/generated/delete-records.js'
import type { AdminContext } from './context.js'
import { routeToLeaders, sendPerNode } from './routing.js'
import { matchResults, settle } from './settle.js'
import { fetchTopicOffsets, partitionsOf } from './topic-offsets.js'
import {
  argsObject,
  asText,
  int64Arg,
  invalid,
  isRecord,
  kafkaJSInvalid,
  noDuplicates,
  partitionArg,
  show,
  timeoutArg,
} from './validate.js'

/** KafkaJS's default wait for the leaders. */
const DEFAULT_TIMEOUT = 5000

/**
 * Deletes the records of each partition before `offset` ('-1': every record, up to the high
 * watermark), as KafkaJS: partitions without a leader fail the call before anything is deleted;
 * an offset below the partition's log start is logged and changes nothing; partitions the leaders
 * refuse are thrown together in a KafkaJSDeleteTopicRecordsError (inside KafkaJSNonRetriableError
 * or KafkaJSNumberOfRetriesExceeded, as KafkaJS's retrier ends), the others being deleted.
 */
export async function deleteTopicRecords(
  ctx: AdminContext,
  options: { topic: string; partitions: Array<{ partition: number; offset: string }>; timeout?: number },
): Promise<void> {
  const op = 'deleteTopicRecords'
  const args = argsObject(op, options)
  if (!args.topic || typeof args.topic !== 'string') kafkaJSInvalid(`Invalid topic "${asText(args.topic)}"`)
  const topic = args.topic
  const rawPartitions = args.partitions
  if (!rawPartitions || !Array.isArray(rawPartitions) || rawPartitions.length === 0)
    kafkaJSInvalid('Invalid partitions')
  const timeout = timeoutArg(op, args.timeout, DEFAULT_TIMEOUT)
  const partitions = (rawPartitions as unknown[]).map((p, i) => {
    if (!isRecord(p)) invalid(op, `partitions[${i}] must be { partition, offset }, got ${show(p)}`)
    const partition = partitionArg(op, `partitions[${i}].partition`, p.partition)
    const offset = int64Arg(op, `${topic}-${partition}: offset`, p.offset)
    if (offset < -1n)
      invalid(op, `${topic}-${partition}: offset must be >= 0, or -1 for every record, got ${show(p.offset)}`)
    return { topic, partition, offset, given: String(p.offset) }
  })
  noDuplicates(op, 'partition', partitions, (p) => String(p.partition))

  const existing = new Set(await partitionsOf(ctx, topic))
  const leaderless = partitions.filter((p) => !existing.has(p.partition))
  if (leaderless.length > 0) {
    throw new KafkaJSDeleteTopicRecordsError({
      topic,
      partitions: leaderless.map((p) => ({
        partition: p.partition,
        offset: p.given,
        error: new KafkaJSBrokerNotFound('Could not find the leader for the partition', { retriable: false }),
      })),
    })
  }
  const lows = new Map((await fetchTopicOffsets(ctx, topic)).map((o) => [o.partition, BigInt(o.low)]))
  for (const p of partitions) {
    const low = lows.get(p.partition)
    if (low !== undefined && p.offset !== -1n && p.offset < low) {
      ctx.logger.warn(
        'The requested offset is before the earliest offset maintained on the partition - no records will be deleted from this partition',
        { topic, partition: p.partition, offset: p.given },
      )
    }
  }

  const results = await settle(
    partitions,
    async (pending) =>
      sendPerNode(ctx, await routeToLeaders(ctx, pending), async (connection, items) => {
        const request = DeleteRecords.createRequest({
          topics: [
            createDeleteRecordsRequestDeleteRecordsTopic({
              name: topic,
              partitions: items.map((p) =>
                createDeleteRecordsRequestDeleteRecordsPartition({ partitionIndex: p.partition, offset: p.offset }),
              ),
            }),
          ],
          timeoutMs: timeout,
        })
        const response = await connection.send(DeleteRecords, request)
        const answers = response.topics.flatMap((t) => t.partitions)
        return matchResults(items, answers, {
          keyOfItem: (p) => String(p.partition),
          keyOfResult: (r) => String(r.partitionIndex),
          value: (r) => r.lowWatermark,
          describe: (p) => `${topic}-${p.partition}`,
        })
      }),
    { operation: op, retry: ctx.retry, logger: ctx.logger, beforeRetry: (error) => ctx.cluster.noteError(error) },
  )
  const failures = partitions.flatMap((p) => {
    const error = results.get(p)?.error
    if (error === undefined) return []
    const kafkaError =
      error instanceof KafkaJSError ? error : new KafkaJSError(error.message, { cause: error, retriable: false })
    return [{ partition: p.partition, offset: p.given, error: kafkaError }]
  })
  if (failures.length === 0) return
  const error = new KafkaJSDeleteTopicRecordsError({ topic, partitions: failures })
  // settle() retried the retriable ones until the retries ran out
  if (error.retriable) throw new KafkaJSNumberOfRetriesExceeded(error, { retryCount: ctx.retry.retries, retryTime: 0 })
  throw new KafkaJSNonRetriableError(error, { cause: error })
}
