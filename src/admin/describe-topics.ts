// Reading topic and cluster metadata: fetchTopicMetadata and describeCluster (KafkaJS), and
// describeTopics (beyond KafkaJS: topic ids, leader epochs, authorized operations, lookup by id).

import { decodeAuthorizedOperations } from '../cluster/describe-groups.js'
import type { PartitionMetadata } from '../common/kafkajs-shapes.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import type { MetadataResponse } from '../protocol/generated/metadata.js'
import type { AdminContext } from './context.js'
import { requestMetadata } from './metadata-request.js'
import { failed, type Outcome, succeeded, valuesOrFirstError, valuesOrThrow } from './settle.js'
import {
  argsObject,
  arrayArg,
  asText,
  booleanArg,
  invalid,
  kafkaJSInvalid,
  show,
  stringArg,
  topicNameArg,
} from './validate.js'

export type { PartitionMetadata }

export interface ITopicMetadata {
  name: string
  partitions: PartitionMetadata[]
}

export interface TopicDescription {
  name: string
  /** Base64 topic id, as Kafka's tools print it. */
  topicId: string
  isInternal: boolean
  partitions: Array<PartitionMetadata & { leaderEpoch: number }>
  /** AclOperationTypes the caller may perform on the topic, when includeAuthorizedOperations was set. */
  authorizedOperations?: number[]
}

export interface DescribeTopicsOptions {
  /** Topic names. */
  topics?: string[]
  /** Topic ids (base64, as describeTopics and Kafka's tools print them). */
  topicIds?: string[]
  includeAuthorizedOperations?: boolean
}

export interface ClusterDescription {
  /** KafkaJS's { nodeId, host, port }; kafkit adds `rack` (null without broker.rack) with includeRack. */
  brokers: Array<{ nodeId: number; host: string; port: number; rack?: string | null }>
  /** Node id of the controller (in KRaft, a broker that forwards to it); null when unknown. */
  controller: number | null
  clusterId: string
}

/** Metadata of the topics (every topic when none are named); throws if a named topic fails. */
export async function fetchTopicMetadata(
  ctx: AdminContext,
  options?: { topics?: string[] },
): Promise<{ topics: ITopicMetadata[] }> {
  const op = 'fetchTopicMetadata'
  const args = argsObject(op, options, true)
  const names: string[] = []
  if (args.topics) {
    if (!Array.isArray(args.topics)) invalid(op, `topics must be an array, got ${show(args.topics)}`)
    for (const topic of args.topics as unknown[]) {
      if (!topic || typeof topic !== 'string') kafkaJSInvalid(`Invalid topic ${asText(topic)}`)
      names.push(topic)
    }
  }
  const response = await requestMetadata(ctx, { topics: names.length === 0 ? null : [...new Set(names)] })
  if (names.length === 0) {
    return { topics: response.topics.filter((t) => t.name !== null).map((t) => toTopicMetadata(t)) }
  }
  // as KafkaJS: the first topic the broker refused (unknown, not authorized) fails the call
  const results = outcomesByName(names, response)
  return { topics: valuesOrFirstError(names, results).map((t) => toTopicMetadata(t)) }
}

/** Topics by name and/or id, with ids, leader epochs and (optionally) authorized operations. */
export async function describeTopics(
  ctx: AdminContext,
  options?: DescribeTopicsOptions,
): Promise<{ topics: TopicDescription[] }> {
  const op = 'describeTopics'
  const args = argsObject(op, options, true)
  const names = topicNames(op, args.topics)
  const ids =
    args.topicIds === undefined || args.topicIds === null
      ? []
      : arrayArg<unknown>(op, 'topicIds', args.topicIds).map((t, i) => topicIdArg(op, `topicIds[${i}]`, t))
  const includeAuthorizedOperations = booleanArg(
    op,
    'includeAuthorizedOperations',
    args.includeAuthorizedOperations,
    false,
  )
  const all = args.topics === undefined && args.topicIds === undefined
  const topics: TopicDescription[] = []
  if (all || names.length > 0) {
    const response = await requestMetadata(ctx, {
      topics: all ? null : [...new Set(names)],
      includeTopicAuthorizedOperations: includeAuthorizedOperations,
    })
    if (all) topics.push(...response.topics.filter((t) => t.name !== null).map(toDescription))
    else
      topics.push(
        ...valuesOrThrow(op, names, outcomesByName(names, response), (topic) => ({ topic })).map(toDescription),
      )
  }
  if (ids.length > 0) {
    const response = await requestMetadata(ctx, {
      topicIds: [...new Set(ids)],
      includeTopicAuthorizedOperations: includeAuthorizedOperations,
    })
    const byId = new Map(response.topics.map((t) => [t.topicId, t]))
    const results = new Map<string, Outcome<MetadataTopic>>(
      ids.map((id) => {
        const t = byId.get(id)
        if (t === undefined) return [id, failed(protocolError(ErrorCode.UNKNOWN_TOPIC_ID, `topic id ${id}`))]
        if (t.errorCode !== ErrorCode.NONE) return [id, failed(protocolError(t.errorCode, `topic id ${id}`))]
        return [id, succeeded(t)]
      }),
    )
    topics.push(...valuesOrThrow(op, ids, results, (topicId) => ({ topicId })).map(toDescription))
  }
  return { topics }
}

/** describeCluster's options, kafkit's (KafkaJS's describeCluster takes none). */
export interface DescribeClusterOptions {
  /** Each broker carries its rack (broker.rack, else null), as Java Admin's Node does. */
  includeRack?: boolean
}

export async function describeCluster(
  ctx: AdminContext,
  options?: DescribeClusterOptions,
): Promise<ClusterDescription> {
  const includeRack = options?.includeRack === true
  const response = await requestMetadata(ctx, { topics: [] })
  return {
    // exactly KafkaJS's broker fields unless the rack was asked for
    brokers: response.brokers.map(({ nodeId, host, port, rack }) =>
      includeRack ? { nodeId, host, port, rack } : { nodeId, host, port },
    ),
    controller: response.controllerId < 0 ? null : response.controllerId,
    clusterId: response.clusterId ?? '',
  }
}

type MetadataTopic = MetadataResponse['topics'][number]

function outcomesByName(names: readonly string[], response: MetadataResponse): Map<string, Outcome<MetadataTopic>> {
  const byName = new Map(response.topics.map((t) => [t.name, t]))
  return new Map(
    names.map((name) => {
      const t = byName.get(name)
      if (t === undefined) return [name, failed(protocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name}`))]
      if (t.errorCode !== ErrorCode.NONE) return [name, failed(protocolError(t.errorCode, `topic ${name}`))]
      return [name, succeeded(t)]
    }),
  )
}

function toPartitions(t: MetadataTopic) {
  return [...t.partitions]
    .sort((a, b) => a.partitionIndex - b.partitionIndex)
    .map((p) => ({
      partitionErrorCode: p.errorCode,
      partitionId: p.partitionIndex,
      leader: p.leaderId,
      leaderEpoch: p.leaderEpoch,
      replicas: p.replicaNodes,
      isr: p.isrNodes,
      offlineReplicas: p.offlineReplicas,
    }))
}

function toTopicMetadata(t: MetadataTopic): ITopicMetadata {
  return { name: t.name ?? '', partitions: toPartitions(t).map(({ leaderEpoch: _, ...rest }) => rest) }
}

function toDescription(t: MetadataTopic): TopicDescription {
  const authorizedOperations = decodeAuthorizedOperations(t.topicAuthorizedOperations)
  return {
    name: t.name ?? '',
    topicId: t.topicId,
    isInternal: t.isInternal,
    partitions: toPartitions(t),
    ...(authorizedOperations !== undefined && { authorizedOperations }),
  }
}

function topicIdArg(op: string, name: string, value: unknown): string {
  const id = stringArg(op, name, value)
  if (!/^[A-Za-z0-9_-]{22}$/.test(id))
    invalid(op, `${name} must be a topic id (22 base64url characters), got ${JSON.stringify(id)}`)
  return id
}

/** An optional list of topic names (absent: none). */
function topicNames(op: string, value: unknown): string[] {
  if (value === undefined || value === null) return []
  return arrayArg<unknown>(op, 'topics', value).map((t, i) => topicNameArg(op, `topics[${i}]`, t))
}
