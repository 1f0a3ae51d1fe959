// The admin client: KafkaJS's `kafka.admin()` with its methods, events and logger, plus the Java
// Admin operations KafkaJS never got. Each method validates its arguments, routes its requests
// (controller, least-loaded broker, group coordinator, partition leader) and reports per-item
// failures; the operations themselves live in one module per area.

import type { AdminEventMap } from '../cluster/client-event-types.js'
import type { Cluster } from '../cluster/cluster.js'
import type { ResolvedRetryOptions, RetryOptions } from '../common/backoff.js'
import type { KafkaLogger } from '../common/kafka-logger.js'
import {
  type AclEntry,
  type AclFilter,
  createAcls,
  type DeleteAclResponse,
  type DescribeAclResponse,
  type DescribeAclsFilter,
  deleteAcls,
  describeAcls,
} from './acls.js'
import {
  type AlterConfigsResponse,
  alterConfigs,
  type DescribeConfigResponse,
  describeConfigs,
  type IncrementalResourceConfig,
  type IResourceConfig,
  incrementalAlterConfigs,
  type ResourceConfigQuery,
} from './configs.js'
import { type ConsumerGroupDescription, describeConsumerGroups } from './consumer-groups.js'
import { AdminContext } from './context.js'
import {
  type ClusterDescription,
  type DescribeClusterOptions,
  type DescribeTopicsOptions,
  describeCluster,
  describeTopics,
  fetchTopicMetadata,
  type ITopicMetadata,
  type TopicDescription,
} from './describe-topics.js'
import type { ElectionType } from './enums.js'
import { describeFeatures, type FeatureMetadata, type FeatureUpdate, updateFeatures } from './features.js'
import {
  deleteConsumerGroupOffsets,
  type FetchOffsetsPartition,
  fetchOffsets,
  resetOffsets,
  type SeekEntry,
  setOffsets,
} from './group-offsets.js'
import {
  deleteGroups,
  describeGroups,
  type GroupDescription,
  type GroupOverview,
  type ListGroupsOptions,
  listGroups,
  type RemoveMembersOptions,
  removeMembersFromConsumerGroup,
} from './groups.js'
import {
  type AdminEventName,
  AdminEvents,
  AdminInstrumentation,
  type InstrumentationEvent,
  type RemoveInstrumentationEventListener,
} from './instrumentation.js'
import { describeLogDirs, type LogDirDescription } from './log-dirs.js'
import {
  alterClientQuotas,
  type ClientQuotaAlteration,
  type ClientQuotaEntry,
  describeClientQuotas,
  type QuotaFilterComponent,
} from './quotas.js'
import {
  alterPartitionReassignments,
  cancelPartitionReassignments,
  type ElectLeadersResult,
  electLeaders,
  listPartitionReassignments,
  type OngoingPartitionReassignment,
  type PartitionReassignment,
} from './reassignments.js'
import { deleteTopicRecords } from './records.js'
import {
  alterUserScramCredentials,
  describeUserScramCredentials,
  type ScramCredentialInfo,
  type ScramDeletion,
  type ScramUpsertion,
} from './scram.js'
import {
  type AlterShareGroupOffsetsOptions,
  alterShareGroupOffsets,
  deleteShareGroupOffsets,
  deleteShareGroups,
  describeShareGroups,
  fetchShareGroupOffsets,
  type ShareGroupDescription,
  type ShareGroupOffsetsTopic,
} from './share-groups.js'
import {
  fetchTopicOffsets,
  fetchTopicOffsetsByTimestamp,
  type ListedOffset,
  type ListOffsetsOptions,
  listOffsets,
} from './topic-offsets.js'
import {
  type CreatePartitionsOptions,
  type CreateTopicsOptions,
  createPartitions,
  createTopics,
  type DeleteTopicsOptions,
  deleteTopics,
  listTopics,
} from './topics.js'
import {
  describeProducers,
  describeTransactions,
  listTransactions,
  type ProducerState,
  type TransactionDescription,
  type TransactionListing,
} from './transactions.js'

export interface AdminOptions {
  cluster: Cluster
  logger: KafkaLogger
  retry: ResolvedRetryOptions
  clientId: string
  /** The instrumentation the cluster's connections report to (its requestObserver); default: a new one. */
  instrumentation?: AdminInstrumentation
}

/** kafka.admin(config): KafkaJS's AdminConfig. */
export interface AdminConfig {
  /** Overrides the client's `retry` for this admin client (KafkaJS). */
  retry?: RetryOptions
}

export class Admin {
  readonly #cluster: Cluster
  readonly #logger: KafkaLogger
  readonly #instrumentation: AdminInstrumentation
  readonly #ctx: AdminContext

  constructor(options: AdminOptions) {
    this.#cluster = options.cluster
    this.#logger = options.logger
    this.#instrumentation = options.instrumentation ?? new AdminInstrumentation(options.clientId, options.logger)
    this.#ctx = new AdminContext(options)
  }

  /** KafkaJS's admin event names: admin.connect, admin.disconnect, admin.network.*. */
  get events(): AdminEvents {
    return AdminEvents
  }

  async connect(): Promise<void> {
    await this.#cluster.connect()
    this.#instrumentation.emit(AdminEvents.CONNECT)
  }

  async disconnect(): Promise<void> {
    await this.#cluster.disconnect()
    this.#instrumentation.emit(AdminEvents.DISCONNECT)
  }

  /** Typed as KafkaJS's overloads: the listener gets the event the name stands for. */
  on<E extends AdminEventName>(
    eventName: E,
    listener: (event: AdminEventMap[E]) => unknown,
  ): RemoveInstrumentationEventListener<E> {
    return this.#instrumentation.on(eventName, listener as (event: InstrumentationEvent<unknown>) => unknown)
  }

  logger(): KafkaLogger {
    return this.#logger
  }

  // ---- topics and cluster

  listTopics(): Promise<string[]> {
    return listTopics(this.#ctx)
  }

  createTopics(options: CreateTopicsOptions): Promise<boolean> {
    return createTopics(this.#ctx, options)
  }

  deleteTopics(options: DeleteTopicsOptions): Promise<void> {
    return deleteTopics(this.#ctx, options)
  }

  createPartitions(options: CreatePartitionsOptions): Promise<boolean> {
    return createPartitions(this.#ctx, options)
  }

  fetchTopicMetadata(options?: { topics?: string[] }): Promise<{ topics: ITopicMetadata[] }> {
    return fetchTopicMetadata(this.#ctx, options)
  }

  describeTopics(options?: DescribeTopicsOptions): Promise<{ topics: TopicDescription[] }> {
    return describeTopics(this.#ctx, options)
  }

  describeCluster(options?: DescribeClusterOptions): Promise<ClusterDescription> {
    return describeCluster(this.#ctx, options)
  }

  // ---- configs

  describeConfigs(options: {
    resources: ResourceConfigQuery[]
    includeSynonyms?: boolean
    includeDocumentation?: boolean
  }): Promise<DescribeConfigResponse> {
    return describeConfigs(this.#ctx, options)
  }

  alterConfigs(options: { resources: IResourceConfig[]; validateOnly?: boolean }): Promise<AlterConfigsResponse> {
    return alterConfigs(this.#ctx, options)
  }

  incrementalAlterConfigs(options: {
    resources: IncrementalResourceConfig[]
    validateOnly?: boolean
  }): Promise<AlterConfigsResponse> {
    return incrementalAlterConfigs(this.#ctx, options)
  }

  // ---- offsets

  fetchTopicOffsets(topic: string): Promise<Array<SeekEntry & { high: string; low: string }>> {
    return fetchTopicOffsets(this.#ctx, topic)
  }

  fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<SeekEntry[]> {
    return fetchTopicOffsetsByTimestamp(this.#ctx, topic, timestamp)
  }

  listOffsets(options: ListOffsetsOptions): Promise<Array<{ topic: string; partitions: ListedOffset[] }>> {
    return listOffsets(this.#ctx, options)
  }

  fetchOffsets(options: {
    groupId: string
    topics?: string[]
    resolveOffsets?: boolean
  }): Promise<Array<{ topic: string; partitions: FetchOffsetsPartition[] }>> {
    return fetchOffsets(this.#ctx, options)
  }

  setOffsets(options: { groupId: string; topic: string; partitions: SeekEntry[] }): Promise<void> {
    return setOffsets(this.#ctx, options)
  }

  resetOffsets(options: { groupId: string; topic: string; earliest?: boolean }): Promise<void> {
    return resetOffsets(this.#ctx, options)
  }

  deleteConsumerGroupOffsets(options: {
    groupId: string
    topics: Array<{ topic: string; partitions?: number[] }>
  }): Promise<void> {
    return deleteConsumerGroupOffsets(this.#ctx, options)
  }

  // ---- groups

  listGroups(options?: ListGroupsOptions): Promise<{ groups: GroupOverview[] }> {
    return listGroups(this.#ctx, options)
  }

  describeGroups(
    groupIds: string[],
    options?: { includeAuthorizedOperations?: boolean },
  ): Promise<{ groups: GroupDescription[] }> {
    return describeGroups(this.#ctx, groupIds, options)
  }

  deleteGroups(groupIds: string[]): Promise<Array<{ groupId: string; errorCode: number }>> {
    return deleteGroups(this.#ctx, groupIds)
  }

  describeConsumerGroups(
    groupIds: string[],
    options?: { includeAuthorizedOperations?: boolean },
  ): Promise<{ groups: ConsumerGroupDescription[] }> {
    return describeConsumerGroups(this.#ctx, groupIds, options)
  }

  removeMembersFromConsumerGroup(
    options: RemoveMembersOptions,
  ): Promise<{ members: Array<{ memberId: string; groupInstanceId: string | null }> }> {
    return removeMembersFromConsumerGroup(this.#ctx, options)
  }

  // ---- share groups (KIP-932; listGroups({ types: ['share'] }) lists them)

  describeShareGroups(
    groupIds: string[],
    options?: { includeAuthorizedOperations?: boolean },
  ): Promise<{ groups: ShareGroupDescription[] }> {
    return describeShareGroups(this.#ctx, groupIds, options)
  }

  fetchShareGroupOffsets(options: { groupId: string; topics?: string[] }): Promise<ShareGroupOffsetsTopic[]> {
    return fetchShareGroupOffsets(this.#ctx, options)
  }

  alterShareGroupOffsets(options: AlterShareGroupOffsetsOptions): Promise<void> {
    return alterShareGroupOffsets(this.#ctx, options)
  }

  deleteShareGroupOffsets(options: { groupId: string; topics: string[] }): Promise<void> {
    return deleteShareGroupOffsets(this.#ctx, options)
  }

  deleteShareGroups(groupIds: string[]): Promise<Array<{ groupId: string; errorCode: number }>> {
    return deleteShareGroups(this.#ctx, groupIds)
  }

  // ---- ACLs, quotas, SCRAM credentials

  describeAcls(filter: DescribeAclsFilter): Promise<DescribeAclResponse> {
    return describeAcls(this.#ctx, filter)
  }

  createAcls(options: { acl: AclEntry[] }): Promise<boolean> {
    return createAcls(this.#ctx, options)
  }

  deleteAcls(options: { filters: AclFilter[] }): Promise<DeleteAclResponse> {
    return deleteAcls(this.#ctx, options)
  }

  describeClientQuotas(options: {
    components: QuotaFilterComponent[]
    strict?: boolean
  }): Promise<{ entries: ClientQuotaEntry[] }> {
    return describeClientQuotas(this.#ctx, options)
  }

  alterClientQuotas(options: { entries: ClientQuotaAlteration[]; validateOnly?: boolean }): Promise<void> {
    return alterClientQuotas(this.#ctx, options)
  }

  describeUserScramCredentials(
    users?: string[],
  ): Promise<{ users: Array<{ user: string; credentialInfos: ScramCredentialInfo[] }> }> {
    return describeUserScramCredentials(this.#ctx, users)
  }

  alterUserScramCredentials(options: { upsertions?: ScramUpsertion[]; deletions?: ScramDeletion[] }): Promise<void> {
    return alterUserScramCredentials(this.#ctx, options)
  }

  // ---- records, replicas, leaders, log dirs

  deleteTopicRecords(options: { topic: string; partitions: SeekEntry[]; timeout?: number }): Promise<void> {
    return deleteTopicRecords(this.#ctx, options)
  }

  alterPartitionReassignments(options: { topics: PartitionReassignment[]; timeout?: number }): Promise<void> {
    return alterPartitionReassignments(this.#ctx, options)
  }

  listPartitionReassignments(
    options: { topics?: Array<{ topic: string; partitions: number[] }> | null; timeout?: number } = {},
  ): Promise<{ topics: Array<{ topic: string; name: string; partitions: OngoingPartitionReassignment[] }> }> {
    return listPartitionReassignments(this.#ctx, options)
  }

  /** Cancels the reassignments in progress of the given partitions (beyond KafkaJS). */
  cancelPartitionReassignments(options: {
    topics: Array<{ topic: string; partitions: number[] }>
    timeout?: number
  }): Promise<void> {
    return cancelPartitionReassignments(this.#ctx, options)
  }

  electLeaders(options?: {
    electionType?: ElectionType
    topicPartitions?: Array<{ topic: string; partitions: number[] }> | null
    timeout?: number
  }): Promise<ElectLeadersResult[]> {
    return electLeaders(this.#ctx, options)
  }

  describeLogDirs(options?: {
    brokers?: number[]
    topics?: Array<{ topic: string; partitions?: number[] }>
  }): Promise<{ brokers: Array<{ broker: number; logDirs: LogDirDescription[] }> }> {
    return describeLogDirs(this.#ctx, options)
  }

  // ---- producers, transactions, features

  describeProducers(options: {
    topics: Array<{ topic: string; partitions?: number[] }>
  }): Promise<Array<{ topic: string; partitions: Array<{ partition: number; activeProducers: ProducerState[] }> }>> {
    return describeProducers(this.#ctx, options)
  }

  listTransactions(options?: {
    states?: string[]
    producerIds?: Array<string | number | bigint>
    durationFilter?: number
    transactionalIdPattern?: string
  }): Promise<{ transactions: TransactionListing[] }> {
    return listTransactions(this.#ctx, options)
  }

  describeTransactions(transactionalIds: string[]): Promise<{ transactions: TransactionDescription[] }> {
    return describeTransactions(this.#ctx, transactionalIds)
  }

  describeFeatures(): Promise<FeatureMetadata> {
    return describeFeatures(this.#ctx)
  }

  updateFeatures(options: { features: FeatureUpdate[]; validateOnly?: boolean; timeout?: number }): Promise<void> {
    return updateFeatures(this.#ctx, options)
  }
}
