// KafkaJS's exported type names (kafkajs 2.2.4, types/index.d.ts) that kafkit's modules do not declare
// under the same name: aliases of kafkit's own types where kafkit has the thing under another name,
// and KafkaJS's shapes where kafkit has no counterpart of its own. Code written against KafkaJS's
// types keeps compiling after the import changes; test/types checks every name against KafkaJS's.

import type { DescribeAclResponse, MatchingAcl } from './admin/acls.js'
import type { ConfigEntry, ConfigSynonym } from './admin/configs.js'
import type { OngoingPartitionReassignment } from './admin/reassignments.js'
import type { GroupDescription } from './cluster/describe-groups.js'
import type { RetryOptions as BackoffRetryOptions } from './common/backoff.js'
import type { KafkaLogger, LogCreator, LogEntry } from './common/kafka-logger.js'
import type { PartitionMetadata } from './common/kafkajs-shapes.js'
import type { AssignerCluster } from './consumer/group/assignors/assigner.js'
import type { EachBatchPayload, EachMessagePayload } from './consumer/handlers.js'
import type { TopicOffsets } from './consumer/offsets/offset-committer.js'
import type { TopicPartition } from './consumer/topic-partition.js'
import type {
  KafkaJSDeleteGroupsErrorGroup,
  KafkaJSDeleteTopicRecordsErrorPartition,
  KafkaJSProtocolError,
} from './errors.js'
import type { SASLMechanism } from './network/sasl/sasl-options.js'
import type { SocketFactory, SocketFactoryArgs } from './network/socket-factory.js'
import type { ICustomPartitioner } from './producer/partitioners/types.js'
import type { Producer } from './producer/producer.js'

// KafkaJS's helper types, exported by its declaration file like everything else in it.
export type ValueOf<T> = T[keyof T]
export type Without<T, U> = { [P in Exclude<keyof T, keyof U>]?: never }
export type XOR<T, U> = T | U extends object ? (Without<T, U> & U) | (Without<U, T> & T) : T | U

// --- client, logging, connections

export type BrokersFunction = () => string[] | Promise<string[]>
/** The `retry` option of the client, producer, consumer and admin; the consumer's also takes `restartOnFailure`. */
export interface RetryOptions extends BackoffRetryOptions {
  restartOnFailure?: (e: Error) => Promise<boolean>
}
export type Logger = KafkaLogger
export type logCreator = LogCreator
export type LoggerEntryContent = LogEntry['log']
export type ISocketFactoryArgs = SocketFactoryArgs
export type ISocketFactory = SocketFactory
// KafkaJS's table of its built-in mechanisms' options; kafkit builds in all of them.
export type SASLMechanismOptionsMap = {
  plain: { username: string; password: string }
  'scram-sha-256': { username: string; password: string }
  'scram-sha-512': { username: string; password: string }
  aws: { authorizationIdentity: string; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  oauthbearer: { oauthBearerProvider: () => Promise<{ value: string }> }
}
export type SASLMechanismOptions<T> = T extends SASLMechanism
  ? T extends keyof SASLMechanismOptionsMap
    ? { mechanism: T } & SASLMechanismOptionsMap[T]
    : never
  : never

// --- cluster metadata, as KafkaJS's internal objects describe it

/**
 * What kafkit hands a partition assigner as `cluster`: the part of KafkaJS's Cluster that assigners
 * use (kafkit's brokers and metadata are not objects an assigner can drive).
 */
export type Cluster = AssignerCluster
export interface BrokerMetadata {
  brokers: Array<{ nodeId: number; host: string; port: number; rack?: string }>
  topicMetadata: Array<{ topicErrorCode: number; topic: string; partitionMetadata: PartitionMetadata[] }>
}
export interface ApiVersions {
  [apiKey: number]: { minVersion: number; maxVersion: number }
}
export interface CoordinatorMetadata {
  errorCode: number
  coordinator: { nodeId: number; host: string; port: number }
}
/** KafkaJS's per-broker connection object; kafkit exposes none, the type stays for code that names it. */
export type Broker = {
  isConnected(): boolean
  connect(): Promise<void>
  disconnect(): Promise<void>
  apiVersions(): Promise<ApiVersions>
  metadata(topics: string[]): Promise<BrokerMetadata>
}
export type ConsumerGroup = { groupId: string; generationId: number; memberId: string; coordinator: Broker }

// --- producer

export type DefaultPartitioner = ICustomPartitioner
export type LegacyPartitioner = ICustomPartitioner
/** What send() and sendBatch() are, on a producer and on a transaction. */
export type Sender = Pick<Producer, 'send' | 'sendBatch'>
export interface PartitionOffset {
  partition: number
  offset: string
}
export interface Offsets {
  topics: TopicOffsets[]
}

// --- consumer

export type ConsumerEachMessagePayload = EachMessagePayload
export type ConsumerEachBatchPayload = EachBatchPayload
/** @deprecated as in KafkaJS: subscribe({ topics: [...] }) */
export type ConsumerSubscribeTopic = { topic: string | RegExp; fromBeginning?: boolean }
export type TopicPartitionOffset = TopicPartition & { offset: string }
export type TopicPartitionOffsetAndMetadata = TopicPartitionOffset & { metadata?: string | null }
export interface IMemberAssignment {
  [key: string]: number[]
}
/** The legacy (magic 0/1) message shape of KafkaJS's KafkaMessage union; kafkit's messages have headers. */
export interface MessageSetEntry {
  key: Buffer | null
  value: Buffer | null
  timestamp: string
  attributes: number
  offset: string
  size: number
  headers?: never
}
export interface RecordBatchEntry {
  key: Buffer | null
  value: Buffer | null
  timestamp: string
  attributes: number
  offset: string
  headers: { [key: string]: Buffer | string | (Buffer | string)[] | undefined }
  size?: never
}

// --- admin

export type ConfigEntries = ConfigEntry
export type ConfigSynonyms = ConfigSynonym
export type DescribeAclResource = DescribeAclResponse['resources'][number]
export interface DeleteAclFilterResponses {
  errorCode: number
  errorMessage?: string | null
  matchingAcls: MatchingAcl[]
}
export type ConsumerGroupState = 'Unknown' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead' | 'Empty'
export type GroupDescriptions = { groups: GroupDescription[] }
export interface OngoingTopicReassignment {
  topic: string
  partitions: OngoingPartitionReassignment[]
}
export interface ListPartitionReassignmentsResponse {
  topics: OngoingTopicReassignment[]
}
export type DeleteGroupsResult = { groupId: string; errorCode?: number; error?: KafkaJSProtocolError }

// --- the second arguments of KafkaJS's error constructors, under KafkaJS's names

export interface KafkaJSOffsetOutOfRangeMetadata {
  topic: string
  partition: number
}
export interface KafkaJSNumberOfRetriesExceededMetadata {
  retryCount: number
  retryTime: number
}
export interface KafkaJSConnectionErrorMetadata {
  broker?: string
  code?: string
}
export interface KafkaJSRequestTimeoutErrorMetadata {
  broker: string
  clientId: string
  correlationId: number
  createdAt: number
  sentAt: number
  pendingDuration: number
}
export interface KafkaJSTopicMetadataNotLoadedMetadata {
  topic: string
}
export interface KafkaJSStaleTopicMetadataAssignmentMetadata {
  topic: string
  unknownPartitions: PartitionMetadata[]
}
export interface KafkaJSServerDoesNotSupportApiKeyMetadata {
  apiKey: number
  apiName: string
}
export type KafkaJSDeleteGroupsErrorGroups = KafkaJSDeleteGroupsErrorGroup
export interface KafkaJSDeleteTopicRecordsErrorTopic {
  topic: string
  partitions: KafkaJSDeleteTopicRecordsErrorPartition[]
}
