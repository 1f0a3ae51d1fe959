export type { Batch } from './batch.js'
export {
  Consumer,
  type ConsumerRunConfig,
  type ConsumerSubscribeTopics,
  type PartitionLag,
} from './consumer.js'
export type { AutoOffsetReset, ConsumerConfig, ConsumerRebalanceListener, GroupProtocol } from './consumer-options.js'
export {
  AssignerProtocol,
  type Assignment,
  type ISerializer,
  type MemberAssignment,
  type MemberMetadata,
} from './group/assigner-protocol.js'
export type {
  Assigner,
  AssignerCluster,
  GroupMember,
  GroupMemberAssignment,
  GroupState,
  PartitionAssigner,
  RebalanceProtocol,
  SubscriptionInfo,
} from './group/assignors/assigner.js'
export { PartitionAssigners } from './group/assignors/index.js'
export type {
  BatchProcessPayload,
  EachBatchHandler,
  EachBatchPayload,
  EachMessageHandler,
  EachMessagePayload,
  OffsetsByTopicPartition,
} from './handlers.js'
export { ConsumerEvents } from './instrumentation.js'
export type { BatchContext, KafkaMessage } from './message.js'
export type { TopicOffsets } from './offsets/offset-committer.js'
export * from './share/index.js'
export type { TopicPartition, TopicPartitions } from './topic-partition.js'
