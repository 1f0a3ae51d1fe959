// Metadata and CreateTopics: the cluster's nodes and topics as the model has them. Metadata creates
// unknown topics when the request allows it and the cluster auto-creates (Kafka's default); a
// scripted error code applies to a topic, or (given a partition) to one partition, whose leader
// then reads -1 as Kafka reports a partition without a leader.

import {
  CreateTopics,
  createCreateTopicsResponseCreatableTopicResult as topicResult,
} from '../../../src/protocol/generated/create-topics.js'
import { ErrorCode } from '../../../src/protocol/generated/errors.js'
import {
  createMetadataResponseMetadataResponseBroker as broker,
  Metadata,
  type MetadataRequest,
  type MetadataResponseMetadataResponseTopic,
  createMetadataResponseMetadataResponsePartition as partitionMetadata,
  createMetadataResponseMetadataResponseTopic as topicMetadata,
} from '../../../src/protocol/generated/metadata.js'
import { ZERO_UUID } from '../../../src/protocol/primitives/uuid.js'
import type { HandlerModule, RequestContext } from '../handler.js'
import type { FakeTopic } from '../model.js'

export const topicHandlers: HandlerModule = (cluster) => {
  cluster.handle(Metadata, (ctx) => {
    const { state } = ctx
    return Metadata.createResponse({
      clusterId: 'fake-cluster',
      controllerId: state.nodeIds[0]!,
      brokers: cluster.nodes.map((n) => broker({ nodeId: n.id, host: n.host, port: n.port })),
      topics: requestedTopics(ctx).map((t) => describeTopic(ctx, t)),
    })
  })

  cluster.handle(CreateTopics, (ctx) => {
    const { state, request } = ctx
    return CreateTopics.createResponse({
      topics: request.topics.map(({ name, numPartitions, replicationFactor }) => {
        const scripted = ctx.scriptedError(name)
        if (scripted !== undefined) return topicResult({ name, errorCode: scripted })
        if (state.topics.has(name)) {
          return topicResult({
            name,
            errorCode: ErrorCode.TOPIC_ALREADY_EXISTS,
            errorMessage: `Topic '${name}' already exists.`,
          })
        }
        const partitions = numPartitions === -1 ? state.options.defaultPartitions : numPartitions
        const replicas = replicationFactor === -1 ? state.nodeIds.length : replicationFactor
        if (request.validateOnly) return topicResult({ name, numPartitions: partitions, replicationFactor: replicas })
        const topic = state.createTopic(name, partitions)
        return topicResult({ name, topicId: topic.id, numPartitions: partitions, replicationFactor: replicas })
      }),
    })
  })
}

type TopicAsked = { name: string; topic: FakeTopic | undefined; byId: boolean }

function requestedTopics(ctx: RequestContext<MetadataRequest, unknown>): TopicAsked[] {
  const { state, request } = ctx
  if (request.topics === null)
    return [...state.topics.values()].map((topic) => ({ name: topic.name, topic, byId: false }))
  return request.topics.map(({ name, topicId }) => {
    if (name === null) {
      const topic = state.topicById(topicId)
      return { name: topic?.name ?? '', topic, byId: true }
    }
    const mayCreate = request.allowAutoTopicCreation && state.options.autoCreateTopics
    return { name, topic: state.topics.get(name) ?? (mayCreate ? state.createTopic(name) : undefined), byId: false }
  })
}

function describeTopic(
  ctx: RequestContext<MetadataRequest, unknown>,
  asked: TopicAsked,
): MetadataResponseMetadataResponseTopic {
  const { name, topic, byId } = asked
  const scripted = ctx.scriptedError(name)
  if (scripted !== undefined || topic === undefined) {
    const errorCode = scripted ?? (byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    return topicMetadata({ name: byId ? null : name, errorCode, topicId: topic?.id ?? ZERO_UUID })
  }
  return topicMetadata({
    name: topic.name,
    topicId: topic.id,
    partitions: topic.partitions.map((log) => {
      const errorCode = ctx.scriptedError(topic.name, log.index) ?? ErrorCode.NONE
      return partitionMetadata({
        errorCode,
        partitionIndex: log.index,
        leaderId: errorCode === ErrorCode.NONE ? log.leader : -1,
        leaderEpoch: log.leaderEpoch,
        replicaNodes: log.replicas,
        isrNodes: log.replicas,
      })
    }),
  })
}
