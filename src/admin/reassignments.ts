// Moving replicas and leaders: alterPartitionReassignments and listPartitionReassignments
// (KafkaJS), and electLeaders (preferred or unclean, beyond KafkaJS). The controller handles them;
// any broker forwards them to it.

import { KafkaJSAggregateError, KafkaJSAlterPartitionReassignmentsError, KafkaJSProtocolError } from '../errors.js'
import {
  AlterPartitionReassignments,
  createAlterPartitionReassignmentsRequestReassignablePartition,
  createAlterPartitionReassignmentsRequestReassignableTopic,
} from '../protocol/generated/alter-partition-reassignments.js'
import { createElectLeadersRequestTopicPartitions, ElectLeaders } from '../protocol/generated/elect-leaders.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import {
  createListPartitionReassignmentsRequestListPartitionReassignmentsTopics,
  ListPartitionReassignments,
} from '../protocol/generated/list-partition-reassignments.js'
import type { AdminContext } from './context.js'
import { type ElectionType, ElectionTypes } from './enums.js'
import {
  flattenPartitions,
  groupBy,
  partitionMatch,
  retriableUnlessUnknownTopic,
  type TopicPartition,
} from './routing.js'
import { matchResults, settle, succeeded, valuesOrThrow } from './settle.js'
import {
  argsObject,
  arrayArg,
  enumArg,
  integerArg,
  invalid,
  isRecord,
  noDuplicates,
  partitionArg,
  show,
  timeoutArg,
  topicNameArg,
  topicPartitionsArg,
} from './validate.js'

/** KafkaJS's default wait for the controller. */
const DEFAULT_TIMEOUT = 5000

export interface PartitionReassignment {
  topic: string
  /** New replicas per partition; `replicas: null` cancels the partition's ongoing reassignment. */
  partitionAssignment: Array<{ partition: number; replicas: number[] | null }>
}

export interface OngoingPartitionReassignment {
  partitionIndex: number
  replicas: number[]
  addingReplicas: number[]
  removingReplicas: number[]
}

export interface ElectLeadersResult {
  topic: string
  partition: number
  /** false when the partition's leader already was the one the election would pick (ELECTION_NOT_NEEDED). */
  elected: boolean
}

interface Reassignment extends TopicPartition {
  readonly replicas: number[] | null
}

/**
 * Starts (or cancels) replica reassignments. Resolves once the controller accepted them (moving
 * data goes on in the background: see listPartitionReassignments). A refused partition is thrown
 * in a KafkaJSAggregateError of KafkaJSAlterPartitionReassignmentsError, the others proceeding.
 */
export async function alterPartitionReassignments(
  ctx: AdminContext,
  options: { topics: PartitionReassignment[]; timeout?: number },
): Promise<void> {
  const op = 'alterPartitionReassignments'
  const args = argsObject(op, options)
  const timeout = timeoutArg(op, args.timeout, DEFAULT_TIMEOUT)
  const items: Reassignment[] = []
  const topics = arrayArg<unknown>(op, 'topics', args.topics, { nonEmpty: true }).map((t, i) => {
    if (!isRecord(t)) invalid(op, `topics[${i}] must be { topic, partitionAssignment }, got ${show(t)}`)
    return { raw: t, topic: topicNameArg(op, `topics[${i}].topic`, t.topic) }
  })
  noDuplicates(op, 'topic', topics, (t) => t.topic)
  for (const { raw, topic } of topics) {
    const assignment = arrayArg<unknown>(op, `topic ${topic}: partitionAssignment`, raw.partitionAssignment, {
      nonEmpty: true,
    })
    for (const [j, a] of assignment.entries()) {
      if (!isRecord(a))
        invalid(op, `topic ${topic}: partitionAssignment[${j}] must be { partition, replicas }, got ${show(a)}`)
      const partition = partitionArg(op, `topic ${topic}: partitionAssignment[${j}].partition`, a.partition)
      const where = `${topic}-${partition}: replicas`
      const replicas =
        a.replicas === null
          ? null
          : arrayArg<unknown>(op, where, a.replicas, { nonEmpty: true }).map((r, k) =>
              integerArg(op, `${where}[${k}]`, r, { min: 0 }),
            )
      if (replicas !== null) noDuplicates(op, `${where}: replica`, replicas, String)
      items.push({ topic, partition, replicas })
    }
  }
  noDuplicates(op, 'partition', items, (i) => `${i.topic}-${i.partition}`)

  const results = await settle(
    items,
    async (pending) => {
      const connection = await ctx.cluster.anyConnection()
      const request = AlterPartitionReassignments.createRequest({
        timeoutMs: timeout,
        topics: [...groupBy(pending, (i) => i.topic)].map(([name, partitions]) =>
          createAlterPartitionReassignmentsRequestReassignableTopic({
            name,
            partitions: partitions.map((p) =>
              createAlterPartitionReassignmentsRequestReassignablePartition({
                partitionIndex: p.partition,
                replicas: p.replicas,
              }),
            ),
          }),
        ),
      })
      const response = await ctx.send(connection, AlterPartitionReassignments, request, { brokerWaitMs: timeout })
      if (response.errorCode !== ErrorCode.NONE) {
        throw new KafkaJSAlterPartitionReassignmentsError(
          protocolError(response.errorCode, response.errorMessage ?? undefined),
        )
      }
      return matchResults(pending, flattenPartitions(response.responses), partitionMatch)
    },
    {
      operation: op,
      retry: ctx.retry,
      logger: ctx.logger,
      // the controller knows every partition: an unknown one will not appear by asking again
      retriable: retriableUnlessUnknownTopic,
      beforeRetry: (error) => ctx.cluster.noteError(error),
    },
  )
  const errors = items.flatMap((i) => {
    const error = results.get(i)?.error
    if (error === undefined) return []
    if (!(error instanceof KafkaJSProtocolError)) throw error
    return [new KafkaJSAlterPartitionReassignmentsError(error, i.topic, i.partition)]
  })
  if (errors.length > 0) {
    throw new KafkaJSAggregateError(
      `Errors altering partition reassignments: ${errors.map((e) => e.message).join('; ')}`,
      errors,
    )
  }
}

/** The reassignments in progress, of the given partitions or of every partition. */
export async function listPartitionReassignments(
  ctx: AdminContext,
  options?: { topics?: Array<{ topic: string; partitions: number[] }> | null; timeout?: number },
): Promise<{ topics: Array<{ topic: string; partitions: OngoingPartitionReassignment[] }> }> {
  const op = 'listPartitionReassignments'
  const args = argsObject(op, options, true)
  const timeout = timeoutArg(op, args.timeout, DEFAULT_TIMEOUT)
  const topics =
    args.topics === undefined || args.topics === null ? null : topicPartitionsArg(op, 'topics', args.topics)
  const response = await ctx.withRetry(op, async () => {
    const connection = await ctx.cluster.anyConnection()
    const request = ListPartitionReassignments.createRequest({
      timeoutMs: timeout,
      topics:
        topics?.map((t) =>
          createListPartitionReassignmentsRequestListPartitionReassignmentsTopics({
            name: t.topic,
            partitionIndexes: t.partitions ?? [],
          }),
        ) ?? null,
    })
    const answer = await ctx.send(connection, ListPartitionReassignments, request, { brokerWaitMs: timeout })
    if (answer.errorCode !== ErrorCode.NONE) throw protocolError(answer.errorCode, answer.errorMessage ?? undefined)
    return answer
  })
  return {
    topics: response.topics.map((t) => ({
      topic: t.name,
      partitions: t.partitions.map(({ partitionIndex, replicas, addingReplicas, removingReplicas }) => ({
        partitionIndex,
        replicas,
        addingReplicas,
        removingReplicas,
      })),
    })),
  }
}

/**
 * Elects leaders: the preferred replica (the first of the assignment) or, with UNCLEAN, any live
 * replica when no in-sync one is left. Without topicPartitions, every partition that needs it.
 * A partition whose leader is already the right one comes back with elected: false; partitions
 * that fail are thrown together, the others being elected.
 */
export async function electLeaders(
  ctx: AdminContext,
  options?: {
    electionType?: ElectionType
    topicPartitions?: Array<{ topic: string; partitions: number[] }> | null
    timeout?: number
  },
): Promise<ElectLeadersResult[]> {
  const op = 'electLeaders'
  const args = argsObject(op, options, true)
  const electionType =
    args.electionType === undefined
      ? ElectionTypes.PREFERRED
      : enumArg(op, 'electionType', ElectionTypes, args.electionType)
  const timeout = timeoutArg(op, args.timeout, DEFAULT_TIMEOUT)
  const requested =
    args.topicPartitions === undefined || args.topicPartitions === null
      ? null
      : topicPartitionsArg(op, 'topicPartitions', args.topicPartitions).flatMap((t) =>
          (t.partitions ?? []).map((partition) => ({ topic: t.topic, partition })),
        )

  const elect = async (pending: readonly TopicPartition[] | null) => {
    const connection = await ctx.cluster.anyConnection()
    const request = ElectLeaders.createRequest({
      electionType,
      timeoutMs: timeout,
      topicPartitions:
        pending === null
          ? null
          : [...groupBy(pending, (p) => p.topic)].map(([topic, ps]) =>
              createElectLeadersRequestTopicPartitions({ topic, partitions: ps.map((p) => p.partition) }),
            ),
    })
    const response = await ctx.send(connection, ElectLeaders, request, { brokerWaitMs: timeout })
    if (response.errorCode !== ErrorCode.NONE) throw protocolError(response.errorCode)
    return response.replicaElectionResults.flatMap((t) =>
      t.partitionResult.map((p) => ({
        topic: t.topic,
        partitionIndex: p.partitionId,
        errorCode: p.errorCode,
        errorMessage: p.errorMessage,
      })),
    )
  }

  // for every partition, the controller's first answer says which partitions it tried
  let firstAnswers = requested === null ? await ctx.withRetry(op, () => elect(null)) : undefined
  const items: TopicPartition[] =
    requested ?? firstAnswers!.map((r) => ({ topic: r.topic, partition: r.partitionIndex }))
  const results = await settle(
    items,
    async (pending) => {
      const answers = firstAnswers ?? (await elect(pending))
      firstAnswers = undefined
      const outcomes = matchResults(pending, answers, { ...partitionMatch, value: () => true })
      for (const [item, outcome] of outcomes) {
        // not an error: the leader already is the one the election would pick
        if (
          outcome.error instanceof KafkaJSProtocolError &&
          outcome.error.errorCode === ErrorCode.ELECTION_NOT_NEEDED
        ) {
          outcomes.set(item, succeeded(false))
        }
      }
      return outcomes
    },
    {
      operation: op,
      retry: ctx.retry,
      logger: ctx.logger,
      // the controller knows every partition: an unknown one will not appear by asking again
      retriable: retriableUnlessUnknownTopic,
      beforeRetry: (error) => ctx.cluster.noteError(error),
    },
  )
  const elected = valuesOrThrow(op, items, results, (i) => ({ topic: i.topic, partition: i.partition }))
  return items.map((i, index) => ({ topic: i.topic, partition: i.partition, elected: elected[index]! }))
}
