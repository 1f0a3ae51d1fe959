// Topic operations: listTopics, createTopics, deleteTopics, createPartitions (KafkaJS), all sent
// to the controller, with per-topic results; createTopics can wait until every new partition has
// a leader, deleteTopics waits until no broker lists the topic any more.

import { isRetriable } from '../common/backoff.js'
import { KafkaJSAggregateError, KafkaJSCreateTopicError, KafkaJSProtocolError } from '../errors.js'
import {
  CreatePartitions,
  createCreatePartitionsRequestCreatePartitionsAssignment,
  createCreatePartitionsRequestCreatePartitionsTopic,
} from '../protocol/generated/create-partitions.js'
import {
  CreateTopics,
  createCreateTopicsRequestCreatableReplicaAssignment,
  createCreateTopicsRequestCreatableTopic,
  createCreateTopicsRequestCreatableTopicConfig,
} from '../protocol/generated/create-topics.js'
import { createDeleteTopicsRequestDeleteTopicState, DeleteTopics } from '../protocol/generated/delete-topics.js'
import { ErrorCode } from '../protocol/generated/errors.js'
import type { MetadataResponse } from '../protocol/generated/metadata.js'
import { ZERO_UUID } from '../protocol/primitives/uuid.js'
import type { AdminContext } from './context.js'
import { requestMetadata } from './metadata-request.js'
import { retriableUnlessUnknownTopic } from './routing.js'
import { matchResults, settle, valuesOrFirstError } from './settle.js'
import {
  argsObject,
  arrayArg,
  asText,
  integerArg,
  invalid,
  isRecord,
  kafkaJSInvalid,
  partitionArg,
  show,
  timeoutArg,
} from './validate.js'
import { waitForMetadata } from './wait.js'

/** KafkaJS's default for the time the controller (and this client) waits on topic changes. */
export const DEFAULT_TOPIC_TIMEOUT = 5000

export interface ReplicaAssignment {
  partition: number
  replicas: number[]
}

export interface IResourceConfigEntry {
  name: string
  value: string
}

export interface ITopicConfig {
  topic: string
  /** Default -1: the broker's num.partitions. */
  numPartitions?: number
  /** Default -1: the broker's default.replication.factor. */
  replicationFactor?: number
  replicaAssignment?: ReplicaAssignment[]
  configEntries?: IResourceConfigEntry[]
}

export interface CreateTopicsOptions {
  topics: ITopicConfig[]
  validateOnly?: boolean
  /** Default true: resolve once every partition of every new topic has a leader. */
  waitForLeaders?: boolean
  /** ms; default 5000. */
  timeout?: number
}

export interface DeleteTopicsOptions {
  topics: string[]
  /** ms; default 5000. */
  timeout?: number
}

export interface ITopicPartitionConfig {
  topic: string
  /** The partition count after the call. */
  count: number
  /** Replicas of each new partition, e.g. [[0, 1], [1, 2]]. */
  assignments?: number[][]
}

export interface CreatePartitionsOptions {
  topicPartitions: ITopicPartitionConfig[]
  validateOnly?: boolean
  /** ms; default 5000. */
  timeout?: number
}

export async function listTopics(ctx: AdminContext): Promise<string[]> {
  const response = await requestMetadata(ctx, { topics: null })
  return response.topics.flatMap((t) => (t.name === null ? [] : [t.name]))
}

/**
 * Resolves true when every topic was created, false when the only failures are topics that
 * already exist (as KafkaJS); other failures throw a KafkaJSAggregateError of
 * KafkaJSCreateTopicError, one per refused topic, the others being created.
 */
export async function createTopics(ctx: AdminContext, options: CreateTopicsOptions): Promise<boolean> {
  const op = 'createTopics'
  const args = argsObject(op, options)
  const rawTopics = args.topics
  if (!rawTopics || !Array.isArray(rawTopics)) kafkaJSInvalid(`Invalid topics array ${asText(rawTopics)}`)
  if (rawTopics.some((t) => !isRecord(t) || typeof t.topic !== 'string'))
    kafkaJSInvalid('Invalid topics array, the topic names have to be a valid string')
  const entries = rawTopics as Array<Record<string, unknown> & { topic: string }>
  if (new Set(entries.map((t) => t.topic)).size < entries.length)
    kafkaJSInvalid('Invalid topics array, it cannot have multiple entries for the same topic')
  for (const { topic, configEntries } of entries) checkConfigEntries(topic, configEntries)
  const topics = entries.map((t) => topicConfig(op, t))
  const validateOnly = Boolean(args.validateOnly)
  const waitForLeaders = args.waitForLeaders === undefined ? true : Boolean(args.waitForLeaders)
  const timeout = timeoutArg(op, args.timeout, DEFAULT_TOPIC_TIMEOUT)
  if (topics.length === 0) return true

  // a topic whose first attempt failed retriably may have been created anyway: exists then means done
  const retried = new Set<string>()
  const results = await settle(
    topics,
    async (pending) => {
      const controller = await ctx.cluster.controllerConnection()
      const response = await controller.send(
        CreateTopics,
        CreateTopics.createRequest({ topics: [...pending], timeoutMs: timeout, validateOnly }),
      )
      return matchResults(pending, response.topics, {
        keyOfItem: (topic) => topic.name,
        keyOfResult: (result) => result.name,
        value: (_, topic) => topic.name,
        describe: (topic) => `topic ${topic.name}`,
        doneAnyway: (code, topic) => code === ErrorCode.TOPIC_ALREADY_EXISTS && retried.has(topic.name),
      })
    },
    {
      operation: op,
      retry: ctx.retry,
      logger: ctx.logger,
      beforeRetry: (error, topic) => {
        retried.add(topic.name)
        ctx.cluster.noteError(error)
      },
    },
  )

  const created: string[] = []
  const errors: KafkaJSCreateTopicError[] = []
  for (const topic of topics) {
    const outcome = results.get(topic)!
    if (outcome.error === undefined) created.push(topic.name)
    else if (outcome.error instanceof KafkaJSProtocolError)
      errors.push(new KafkaJSCreateTopicError(outcome.error, topic.name))
    // the request itself kept failing (no broker reachable): nothing is known per topic
    else throw outcome.error
  }
  if (waitForLeaders && !validateOnly) {
    const expected = new Map(topics.map((t) => [t.name, t.numPartitions > 0 ? t.numPartitions : t.assignments.length]))
    await waitForLeadersOf(ctx, new Map(created.map((name) => [name, expected.get(name)])), timeout)
  }
  if (errors.length === 0) return true
  if (errors.every((e) => e.type === 'TOPIC_ALREADY_EXISTS')) return false
  throw new KafkaJSAggregateError('Topic creation errors', errors)
}

/** KafkaJS's checks of each topic's configEntries, with its texts. */
function checkConfigEntries(topic: string, configEntries: unknown): void {
  if (configEntries === undefined || configEntries === null) return
  if (!Array.isArray(configEntries)) kafkaJSInvalid(`Invalid configEntries for topic "${topic}", must be an array`)
  configEntries.forEach((entry: unknown, index) => {
    if (!isRecord(entry)) kafkaJSInvalid(`Invalid configEntries for topic "${topic}". Entry ${index} must be an object`)
    for (const property of ['name', 'value']) {
      if (!Object.hasOwn(entry, property) || typeof entry[property] !== 'string') {
        kafkaJSInvalid(
          `Invalid configEntries for topic "${topic}". Entry ${index} must have a valid "${property}" property`,
        )
      }
    }
  })
}

/**
 * Deletes the topics and resolves once no broker's metadata lists them. A topic that cannot be
 * deleted (unknown, not authorized) fails on its own in a KafkaJSAggregateError; the others are
 * deleted.
 */
export async function deleteTopics(ctx: AdminContext, options: DeleteTopicsOptions): Promise<void> {
  const op = 'deleteTopics'
  const args = argsObject(op, options)
  const raw = args.topics
  if (!raw || !Array.isArray(raw)) kafkaJSInvalid(`Invalid topics array ${asText(raw)}`)
  if (raw.some((t) => typeof t !== 'string')) kafkaJSInvalid('Invalid topics array, the names must be a valid string')
  const topics = raw as string[]
  const timeout = timeoutArg(op, args.timeout, DEFAULT_TOPIC_TIMEOUT)
  if (topics.length === 0) return

  const retried = new Set<string>()
  const results = await settle(
    [...new Set(topics)],
    async (pending) => {
      const controller = await ctx.cluster.controllerConnection()
      const version = controller.versionFor(DeleteTopics)
      const request = DeleteTopics.createRequest({
        timeoutMs: timeout,
        ...(version >= 6
          ? { topics: pending.map((name) => createDeleteTopicsRequestDeleteTopicState({ name, topicId: ZERO_UUID })) }
          : { topicNames: [...pending] }),
      })
      const response = await controller.send(DeleteTopics, request, { version })
      return matchResults(pending, response.responses, {
        keyOfItem: (name) => name,
        keyOfResult: (result) => result.name ?? '',
        value: (_, name) => name,
        describe: (name) => `topic ${name}`,
        // an earlier attempt that timed out may have deleted it
        doneAnyway: (code, name) => code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && retried.has(name),
      })
    },
    {
      operation: op,
      retry: ctx.retry,
      logger: ctx.logger,
      // KafkaJS asks again about an unknown topic too, and reports it as its retries exceeded
      beforeRetry: (error, name) => {
        // an attempt that failed otherwise (timed out) may have deleted it: unknown then means done
        if (!(error instanceof KafkaJSProtocolError && error.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION))
          retried.add(name)
        ctx.cluster.noteError(error)
      },
    },
  )
  const deleted = topics.filter((t) => results.get(t)?.error === undefined)
  await waitForMetadata(
    ctx,
    [...new Set(deleted)],
    timeout,
    (response) => listedTopics(response),
    'deleted topics to disappear',
  )
  const timedOut = [...results.values()].find(
    (o) => o.error instanceof KafkaJSProtocolError && o.error.errorCode === ErrorCode.REQUEST_TIMED_OUT,
  )
  if (timedOut?.error !== undefined) {
    ctx.logger.error(
      'Could not delete topics, check if "delete.topic.enable" is set to "true" (the default value is "false") or increase the timeout',
      { error: timedOut.error.message, retryCount: ctx.retry.retries, retryTime: 0 },
    )
  }
  valuesOrFirstError([...new Set(topics)], results, { retries: ctx.retry.retries, retriable: isRetriable })
}

/**
 * Raises the partition count of topics. Resolves true once every new partition has a leader
 * (unless validateOnly); a topic the controller refuses fails on its own in a KafkaJSAggregateError.
 */
export async function createPartitions(ctx: AdminContext, options: CreatePartitionsOptions): Promise<boolean> {
  const op = 'createPartitions'
  const args = argsObject(op, options)
  const raw = args.topicPartitions
  if (!raw || !Array.isArray(raw)) kafkaJSInvalid(`Invalid topic partitions array ${asText(raw)}`)
  if (raw.length === 0) kafkaJSInvalid('Empty topic partitions array')
  if (raw.some((t) => !isRecord(t) || typeof t.topic !== 'string'))
    kafkaJSInvalid('Invalid topic partitions array, the topic names have to be a valid string')
  const entries = raw as Array<Record<string, unknown> & { topic: string }>
  if (new Set(entries.map((t) => t.topic)).size < entries.length)
    kafkaJSInvalid('Invalid topic partitions array, it cannot have multiple entries for the same topic')
  const items = entries.map((t) => partitionIncrease(op, t))
  const validateOnly = Boolean(args.validateOnly)
  const timeout = timeoutArg(op, args.timeout, DEFAULT_TOPIC_TIMEOUT)

  const results = await settle(
    items,
    async (pending) => {
      const controller = await ctx.cluster.controllerConnection()
      const response = await controller.send(
        CreatePartitions,
        CreatePartitions.createRequest({ topics: [...pending], timeoutMs: timeout, validateOnly }),
      )
      return matchResults(pending, response.results, {
        keyOfItem: (topic) => topic.name,
        keyOfResult: (result) => result.name,
        value: (_, topic) => topic.name,
        describe: (topic) => `topic ${topic.name}`,
      })
    },
    {
      operation: op,
      retry: ctx.retry,
      logger: ctx.logger,
      retriable: retriableUnlessUnknownTopic,
      beforeRetry: (error) => ctx.cluster.noteError(error),
    },
  )
  if (!validateOnly) {
    const grown = items.filter((t) => results.get(t)?.error === undefined)
    await waitForLeadersOf(ctx, new Map(grown.map((t) => [t.name, t.count])), timeout)
  }
  valuesOrFirstError(items, results)
  // KafkaJS's createPartitions resolves with undefined, though its declarations say boolean
  return undefined as unknown as boolean
}

/**
 * Waits until every broker's metadata lists each topic with at least its expected partition count
 * (when known) and a leader for every partition.
 */
export function waitForLeadersOf(
  ctx: AdminContext,
  topics: ReadonlyMap<string, number | undefined>,
  timeout: number,
): Promise<void> {
  const withoutLeaders = (response: MetadataResponse): string[] =>
    response.topics
      .filter(
        (t) =>
          t.errorCode !== ErrorCode.NONE ||
          t.partitions.length < Math.max(topics.get(t.name ?? '') ?? 1, 1) ||
          t.partitions.some((p) => p.leaderId < 0),
      )
      .map((t) => t.name ?? t.topicId)
  // KafkaJS's text for createTopics' wait
  return waitForMetadata(
    ctx,
    [...topics.keys()],
    timeout,
    withoutLeaders,
    'topic leaders',
    'Timed out while waiting for topic leaders',
  )
}

function listedTopics(response: MetadataResponse): string[] {
  return response.topics
    .filter((t) => t.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    .map((t) => t.name ?? t.topicId)
}

function topicConfig(op: string, value: Record<string, unknown> & { topic: string }) {
  const name = value.topic
  const where = `topic ${show(name)}`
  const numPartitions =
    value.numPartitions === undefined || value.numPartitions === null
      ? -1
      : numberOrDefault(op, `${where}: numPartitions`, value.numPartitions, 2 ** 31 - 1)
  const replicationFactor =
    value.replicationFactor === undefined || value.replicationFactor === null
      ? -1
      : numberOrDefault(op, `${where}: replicationFactor`, value.replicationFactor, 2 ** 15 - 1)
  const assignments =
    value.replicaAssignment === undefined || value.replicaAssignment === null
      ? []
      : arrayArg<unknown>(op, `${where}: replicaAssignment`, value.replicaAssignment).map((a, i) => {
          if (!isRecord(a))
            invalid(op, `${where}: replicaAssignment[${i}] must be { partition, replicas }, got ${show(a)}`)
          return createCreateTopicsRequestCreatableReplicaAssignment({
            partitionIndex: partitionArg(op, `${where}: replicaAssignment[${i}].partition`, a.partition),
            brokerIds: brokerIds(op, `${where}: replicaAssignment[${i}].replicas`, a.replicas),
          })
        })
  // checked by checkConfigEntries
  const configs = ((value.configEntries ?? []) as Array<{ name: string; value: string }>).map((entry) =>
    createCreateTopicsRequestCreatableTopicConfig({ name: entry.name, value: entry.value }),
  )
  return createCreateTopicsRequestCreatableTopic({ name, numPartitions, replicationFactor, assignments, configs })
}

/** A count the request can carry (int32 or int16); the broker judges it (-1: its default), as KafkaJS leaves it to. */
function numberOrDefault(op: string, name: string, value: unknown, max: number): number {
  return integerArg(op, name, value, { min: -max - 1, max })
}

function brokerIds(op: string, name: string, value: unknown): number[] {
  return arrayArg<unknown>(op, name, value, { nonEmpty: true }).map((id, i) =>
    integerArg(op, `${name}[${i}]`, id, { min: 0 }),
  )
}

function partitionIncrease(op: string, value: Record<string, unknown> & { topic: string }) {
  const name = value.topic
  const where = `topic ${show(name)}`
  // the broker judges the count (INVALID_PARTITIONS); an int32 is what the request can carry
  const count = integerArg(op, `${where}: count`, value.count)
  const assignments =
    value.assignments === undefined || value.assignments === null
      ? null
      : arrayArg<unknown>(op, `${where}: assignments`, value.assignments).map((replicas, i) =>
          createCreatePartitionsRequestCreatePartitionsAssignment({
            brokerIds: brokerIds(op, `${where}: assignments[${i}]`, replicas),
          }),
        )
  return createCreatePartitionsRequestCreatePartitionsTopic({ name, count, assignments })
}
