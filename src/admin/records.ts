// deleteTopicRecords (KafkaJS): moves partitions' log start forward, deleting the records before
// the given offsets, through each partition's leader (DeleteRecords, one request per leader).

import { KafkaJSDeleteTopicRecordsError, KafkaJSError } from '../errors.js'
import {
  createDeleteRecordsRequestDeleteRecordsPartition,
  createDeleteRecordsRequestDeleteRecordsTopic,
  DeleteRecords,
} from '../protocol/generated/delete-records.js'
import type { AdminContext } from './context.js'
import { routeToLeaders, sendPerNode } from './routing.js'
import { matchResults, settle } from './settle.js'
import {
  argsObject,
  arrayArg,
  int64Arg,
  invalid,
  isRecord,
  noDuplicates,
  partitionArg,
  show,
  timeoutArg,
  topicNameArg,
} from './validate.js'

/** KafkaJS's default wait for the leaders. */
const DEFAULT_TIMEOUT = 5000

/**
 * Deletes the records of each partition before `offset` ('-1': every record, up to the high
 * watermark). Resolves once every leader has moved its log start; partitions that fail are thrown
 * together in a KafkaJSDeleteTopicRecordsError, the others being deleted.
 */
export async function deleteTopicRecords(
  ctx: AdminContext,
  options: { topic: string; partitions: Array<{ partition: number; offset: string }>; timeout?: number },
): Promise<void> {
  const op = 'deleteTopicRecords'
  const args = argsObject(op, options)
  const topic = topicNameArg(op, 'topic', args.topic)
  const timeout = timeoutArg(op, args.timeout, DEFAULT_TIMEOUT)
  const partitions = arrayArg<unknown>(op, 'partitions', args.partitions, { nonEmpty: true }).map((p, i) => {
    if (!isRecord(p)) invalid(op, `partitions[${i}] must be { partition, offset }, got ${show(p)}`)
    const partition = partitionArg(op, `partitions[${i}].partition`, p.partition)
    const offset = int64Arg(op, `${topic}-${partition}: offset`, p.offset)
    if (offset < -1n)
      invalid(op, `${topic}-${partition}: offset must be >= 0, or -1 for every record, got ${show(p.offset)}`)
    return { topic, partition, offset, given: String(p.offset) }
  })
  noDuplicates(op, 'partition', partitions, (p) => String(p.partition))

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
        const response = await ctx.send(connection, DeleteRecords, request, { brokerWaitMs: timeout })
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
  if (failures.length > 0) throw new KafkaJSDeleteTopicRecordsError({ topic, partitions: failures })
}
