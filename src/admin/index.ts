// The admin client's public surface, re-exported by the package root.

export type {
  Acl,
  AclEntry,
  AclFilter,
  AclResource,
  DeleteAclResponse,
  DescribeAclResponse,
  DescribeAclsFilter,
  MatchingAcl,
} from './acls.js'
export type { Admin, AdminConfig } from './admin.js'
export type {
  AlterConfigsResponse,
  ConfigEntry,
  ConfigSynonym,
  DescribeConfigResponse,
  IncrementalResourceConfig,
  IResourceConfig,
  ResourceConfigQuery,
} from './configs.js'
export type {
  ConsumerGroupDescription,
  ConsumerGroupMember,
  TopicPartitionsAssignment,
} from './consumer-groups.js'
export type {
  ClusterDescription,
  DescribeClusterOptions,
  DescribeTopicsOptions,
  ITopicMetadata,
  TopicDescription,
} from './describe-topics.js'
export {
  type AclOperationType,
  AclOperationTypes,
  type AclPermissionType,
  AclPermissionTypes,
  type AclResourceType,
  AclResourceTypes,
  type AlterConfigOpType,
  AlterConfigOpTypes,
  type ConfigResourceType,
  ConfigResourceTypes,
  ConfigSource,
  type ConfigSourceType,
  type ConfigType,
  ConfigTypes,
  type ElectionType,
  ElectionTypes,
  type FeatureUpgradeType,
  FeatureUpgradeTypes,
  type IsolationLevel,
  IsolationLevels,
  type OffsetSpecName,
  OffsetSpecs,
  QuotaEntityTypes,
  type QuotaMatchType,
  QuotaMatchTypes,
  type ResourcePatternType,
  ResourcePatternTypes,
  type ScramMechanism,
  ScramMechanisms,
} from './enums.js'
export type { FeatureMetadata, FeatureUpdate } from './features.js'
export type { FetchOffsetsPartition, SeekEntry } from './group-offsets.js'
export type {
  GroupDescription,
  GroupOverview,
  ListGroupsOptions,
  MemberDescription,
  RemoveMembersOptions,
} from './groups.js'
export { type AdminEventName, AdminEvents } from './instrumentation.js'
export type { LogDirDescription } from './log-dirs.js'
export type { ClientQuotaAlteration, ClientQuotaEntry, QuotaEntity, QuotaFilterComponent } from './quotas.js'
export type { ElectLeadersResult, OngoingPartitionReassignment, PartitionReassignment } from './reassignments.js'
export type { ScramCredentialInfo, ScramDeletion, ScramUpsertion } from './scram.js'
export type {
  AlterShareGroupOffsetsOptions,
  ShareGroupDescription,
  ShareGroupMember,
  ShareGroupOffsetsPartition,
  ShareGroupOffsetsTopic,
} from './share-groups.js'
export type { ListedOffset, ListOffsetsOptions, OffsetSpec } from './topic-offsets.js'
export type {
  CreatePartitionsOptions,
  CreateTopicsOptions,
  DeleteTopicsOptions,
  IResourceConfigEntry,
  ITopicConfig,
  ITopicPartitionConfig,
  ReplicaAssignment,
} from './topics.js'
export type { ProducerState, TransactionDescription, TransactionListing } from './transactions.js'
