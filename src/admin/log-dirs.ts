// describeLogDirs (beyond KafkaJS): each broker's log directories, their free and total space,
// and the size and lag of the replicas they hold. Asked of every broker (or those named), since
// each one only knows its own disks.

import {
  createDescribeLogDirsRequestDescribableLogDirTopic,
  DescribeLogDirs,
} from '../protocol/generated/describe-log-dirs.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import type { AdminContext } from './context.js'
import { allBrokerIds, askEachBroker } from './routing.js'
import { partitionsOfTopics } from './topic-offsets.js'
import { argsObject, arrayArg, integerArg, noDuplicates, topicPartitionsArg } from './validate.js'

export interface LogDirDescription {
  path: string
  /** 0, or the directory's error (KAFKA_STORAGE_ERROR when it is offline). */
  errorCode: number
  /** Bytes; -1 when the broker does not say (before Kafka 3.3). */
  totalBytes: number
  usableBytes: number
  topics: Array<{
    topic: string
    partitions: Array<{ partition: number; size: number; offsetLag: number; isFuture: boolean }>
  }>
}

export async function describeLogDirs(
  ctx: AdminContext,
  options?: { brokers?: number[]; topics?: Array<{ topic: string; partitions?: number[] }> },
): Promise<{ brokers: Array<{ broker: number; logDirs: LogDirDescription[] }> }> {
  const op = 'describeLogDirs'
  const args = argsObject(op, options, true)
  const brokers =
    args.brokers === undefined || args.brokers === null
      ? await allBrokerIds(ctx)
      : arrayArg<unknown>(op, 'brokers', args.brokers, { nonEmpty: true }).map((b, i) =>
          integerArg(op, `brokers[${i}]`, b, { min: 0 }),
        )
  noDuplicates(op, 'broker', brokers, String)
  const requested =
    args.topics === undefined || args.topics === null
      ? null
      : topicPartitionsArg(op, 'topics', args.topics, { allPartitions: true })
  const unlisted = requested?.filter((t) => t.partitions === undefined).map((t) => t.topic) ?? []
  const partitionsOf = unlisted.length > 0 ? await partitionsOfTopics(ctx, unlisted) : new Map<string, number[]>()
  const topics =
    requested?.map((t) =>
      createDescribeLogDirsRequestDescribableLogDirTopic({
        topic: t.topic,
        partitions: t.partitions ?? partitionsOf.get(t.topic)!,
      }),
    ) ?? null

  const logDirs = await askEachBroker(ctx, op, brokers, async (connection) => {
    const response = await connection.send(DescribeLogDirs, DescribeLogDirs.createRequest({ topics }))
    if (response.errorCode !== ErrorCode.NONE) throw protocolError(response.errorCode, `broker ${connection.broker}`)
    return response.results.map(
      (d): LogDirDescription => ({
        path: d.logDir,
        errorCode: d.errorCode,
        totalBytes: Number(d.totalBytes),
        usableBytes: Number(d.usableBytes),
        topics: d.topics.map((t) => ({
          topic: t.name,
          partitions: t.partitions.map((p) => ({
            partition: p.partitionIndex,
            size: Number(p.partitionSize),
            offsetLag: Number(p.offsetLag),
            isFuture: p.isFutureKey,
          })),
        })),
      }),
    )
  })
  return { brokers: brokers.map((broker, i) => ({ broker, logDirs: logDirs[i]! })) }
}
