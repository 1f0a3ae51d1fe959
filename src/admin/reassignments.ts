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
  asText,
  enumArg,
  integerArg,
  isRecord,
  kafkaJSInvalid,
  noDuplicates,
  partitionArg,
  timeoutArg,
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
  /** The same as partitionIndex: KafkaJS's runtime name. */
  partition: number
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
  const topics = kafkaJSTopicList(args.topics)
  const items: Reassignment[] = []
  for (const { topic, partitionAssignment } of topics) {
    if (!partitionAssignment || !Array.isArray(partitionAssignment))
      kafkaJSInvalid(`Invalid partitions array: ${asText(partitionAssignment)} for topic: ${topic}`)
    for (const entry of partitionAssignment as unknown[]) {
      const { partition, replicas } = isRecord(entry) ? entry : { partition: undefined, replicas: undefined }
      if (partition === null || partition === undefined || typeof partition !== 'number' || partition < 0)
        kafkaJSInvalid(`Invalid partitions index: ${asText(partition)} for topic: ${topic}`)
      if (!replicas || !Array.isArray(replicas))
        kafkaJSInvalid(`Invalid replica assignment: ${asText(replicas)} for topic: ${topic} on partition: ${partition}`)
      if (replicas.some((r) => typeof r !== 'number' || r < 0)) {
        kafkaJSInvalid(
          `Invalid replica assignment: ${asText(replicas)} for topic: ${topic} on partition: ${partition}. Replicas must be a non negative number`,
        )
      }
      const where = `${topic}-${partition}: replicas`
      const checked = (replicas as unknown[]).map((r, k) => integerArg(op, `${where}[${k}]`, r, { min: 0 }))
      items.push({ topic, partition: partitionArg(op, `${topic}: partition`, partition), replicas: checked })
    }
  }
  noDuplicates(op, 'partition', items, (i) => `${i.topic}-${i.partition}`)
  await reassign(ctx, op, items, timeout)
}

/**
 * Cancels the reassignments in progress of the given partitions (beyond KafkaJS, whose
 * alterPartitionReassignments takes replica lists only; Java's takes an empty Optional).
 */
export async function cancelPartitionReassignments(
  ctx: AdminContext,
  options: { topics: Array<{ topic: string; partitions: number[] }>; timeout?: number },
): Promise<void> {
  const op = 'cancelPartitionReassignments'
  const args = argsObject(op, options)
  const timeout = timeoutArg(op, args.timeout, DEFAULT_TIMEOUT)
  const items = topicPartitionsArg(op, 'topics', args.topics).flatMap((t) =>
    (t.partitions ?? []).map((partition) => ({ topic: t.topic, partition, replicas: null })),
  )
  await reassign(ctx, op, items, timeout)
}

/** KafkaJS's checks of a `topics` list of topic objects, with its texts. */
function kafkaJSTopicList(value: unknown): Array<Record<string, unknown> & { topic: string }> {
  if (!value || !Array.isArray(value)) kafkaJSInvalid(`Invalid topics array ${asText(value)}`)
  if (value.some((t) => !isRecord(t) || typeof t.topic !== 'string'))
    kafkaJSInvalid('Invalid topics array, the topic names have to be a valid string')
  const topics = value as Array<Record<string, unknown> & { topic: string }>
  if (new Set(topics.map((t) => t.topic)).size < topics.length)
    kafkaJSInvalid('Invalid topics array, it cannot have multiple entries for the same topic')
  return topics
}

/** Sends reassignments (replicas null: cancel) to the controller, through any broker. */
async function reassign(ctx: AdminContext, op: string, items: readonly Reassignment[], timeout: number): Promise<void> {
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
      const response = await connection.send(AlterPartitionReassignments, request)
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
  if (errors.length > 0) throw new KafkaJSAggregateError('Errors altering partition reassignments', errors)
}

/** The reassignments in progress, of the given partitions or of every partition. */
export async function listPartitionReassignments(
  ctx: AdminContext,
  options?: { topics?: Array<{ topic: string; partitions: number[] }> | null; timeout?: number },
): Promise<{ topics: Array<{ topic: string; name: string; partitions: OngoingPartitionReassignment[] }> }> {
  const op = 'listPartitionReassignments'
  const args = argsObject(op, options, true)
  const timeout = timeoutArg(op, args.timeout, DEFAULT_TIMEOUT)
  let topics: Array<{ topic: string; partitions: number[] }> | null = null
  if (args.topics) {
    topics = kafkaJSTopicList(args.topics).map(({ topic, partitions }) => {
      if (!partitions || !Array.isArray(partitions))
        kafkaJSInvalid(`Invalid partition array: ${asText(partitions)} for topic: ${topic}`)
      if (partitions.some((p) => typeof p !== 'number' || p < 0)) {
        kafkaJSInvalid(
          `Invalid partition array: ${asText(partitions)} for topic: ${topic}. The partition indices have to be a valid number greater than 0.`,
        )
      }
      return {
        topic,
        partitions: (partitions as unknown[]).map((p) => partitionArg(op, `topic ${topic}: partition`, p)),
      }
    })
  }
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
    const answer = await connection.send(ListPartitionReassignments, request)
    if (answer.errorCode !== ErrorCode.NONE) throw protocolError(answer.errorCode, answer.errorMessage ?? undefined)
    return answer
  })
  return {
    // KafkaJS's types name them topic and partitionIndex, its runtime name and partition: both are here
    topics: response.topics.map((t) => ({
      topic: t.name,
      name: t.name,
      partitions: t.partitions.map(({ partitionIndex, replicas, addingReplicas, removingReplicas }) => ({
        partitionIndex,
        partition: partitionIndex,
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
    const response = await connection.send(ElectLeaders, request)
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
