// The codes admin requests carry, under KafkaJS's names (ConfigResourceTypes, AclResourceTypes,
// AclOperationTypes, AclPermissionTypes, ResourcePatternTypes, ConfigSource), extended with the
// values Kafka added since KafkaJS stopped, and the enums of the operations KafkaJS never had.
// The numbers are Kafka's wire codes (org.apache.kafka.common.* in kafka-clients 4.3.1). KafkaJS declares
// its six as enums, usable as types too: each const here has a type of the same name for that.

export const ConfigResourceTypes = Object.freeze({
  UNKNOWN: 0,
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  CLIENT_METRICS: 16,
  GROUP: 32,
} as const)
export type ConfigResourceType = (typeof ConfigResourceTypes)[keyof typeof ConfigResourceTypes]
export type ConfigResourceTypes = ConfigResourceType

/** Where a config value comes from (DescribeConfigs `configSource`). */
export const ConfigSource = Object.freeze({
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
  CLIENT_METRICS_CONFIG: 7,
  GROUP_CONFIG: 8,
} as const)
export type ConfigSourceType = (typeof ConfigSource)[keyof typeof ConfigSource]
export type ConfigSource = ConfigSourceType

/** The type of a config value (DescribeConfigs with includeDocumentation). */
export const ConfigTypes = Object.freeze({
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const)
export type ConfigType = (typeof ConfigTypes)[keyof typeof ConfigTypes]

export const AclResourceTypes = Object.freeze({
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const)
export type AclResourceType = (typeof AclResourceTypes)[keyof typeof AclResourceTypes]
export type AclResourceTypes = AclResourceType

export const AclOperationTypes = Object.freeze({
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
  TWO_PHASE_COMMIT: 15,
} as const)
export type AclOperationType = (typeof AclOperationTypes)[keyof typeof AclOperationTypes]
export type AclOperationTypes = AclOperationType

export const AclPermissionTypes = Object.freeze({
  UNKNOWN: 0,
  ANY: 1,
  DENY: 2,
  ALLOW: 3,
} as const)
export type AclPermissionType = (typeof AclPermissionTypes)[keyof typeof AclPermissionTypes]
export type AclPermissionTypes = AclPermissionType

export const ResourcePatternTypes = Object.freeze({
  UNKNOWN: 0,
  ANY: 1,
  MATCH: 2,
  LITERAL: 3,
  PREFIXED: 4,
} as const)
export type ResourcePatternType = (typeof ResourcePatternTypes)[keyof typeof ResourcePatternTypes]
export type ResourcePatternTypes = ResourcePatternType

/** incrementalAlterConfigs: what to do with each config entry. */
export const AlterConfigOpTypes = Object.freeze({
  SET: 0,
  DELETE: 1,
  APPEND: 2,
  SUBTRACT: 3,
} as const)
export type AlterConfigOpType = (typeof AlterConfigOpTypes)[keyof typeof AlterConfigOpTypes]

/** electLeaders: the preferred replica, or any replica including out-of-sync ones. */
export const ElectionTypes = Object.freeze({
  PREFERRED: 0,
  UNCLEAN: 1,
} as const)
export type ElectionType = (typeof ElectionTypes)[keyof typeof ElectionTypes]

/** SCRAM mechanisms as the SCRAM credential APIs number them. */
export const ScramMechanisms = Object.freeze({
  UNKNOWN: 0,
  SCRAM_SHA_256: 1,
  SCRAM_SHA_512: 2,
} as const)
export type ScramMechanism = (typeof ScramMechanisms)[keyof typeof ScramMechanisms]

/** updateFeatures: how a feature's finalized level may move. */
export const FeatureUpgradeTypes = Object.freeze({
  UPGRADE: 1,
  SAFE_DOWNGRADE: 2,
  UNSAFE_DOWNGRADE: 3,
} as const)
export type FeatureUpgradeType = (typeof FeatureUpgradeTypes)[keyof typeof FeatureUpgradeTypes]

/** describeClientQuotas: how a filter component matches an entity name. */
export const QuotaMatchTypes = Object.freeze({
  /** The entity name equals `match`. */
  EXACT: 0,
  /** The default entity of this type. */
  DEFAULT: 1,
  /** Any named (non-default) entity of this type. */
  ANY: 2,
} as const)
export type QuotaMatchType = (typeof QuotaMatchTypes)[keyof typeof QuotaMatchTypes]

/** Quota entity types Kafka knows. */
export const QuotaEntityTypes = Object.freeze({
  USER: 'user',
  CLIENT_ID: 'client-id',
  IP: 'ip',
} as const)

export const IsolationLevels = Object.freeze({
  READ_UNCOMMITTED: 0,
  READ_COMMITTED: 1,
} as const)
export type IsolationLevel = (typeof IsolationLevels)[keyof typeof IsolationLevels]

/** listOffsets: which offset to look up, besides a timestamp (a number). */
export const OffsetSpecs = Object.freeze({
  /** The first offset (log start). */
  EARLIEST: 'earliest',
  /** The next offset to be written (high watermark, or last stable offset with READ_COMMITTED). */
  LATEST: 'latest',
  /** The offset of the record with the highest timestamp (KIP-734). */
  MAX_TIMESTAMP: 'max-timestamp',
  /** The first offset still on the leader's local log (tiered storage, KIP-1005). */
  EARLIEST_LOCAL: 'earliest-local',
  /** The highest offset in remote storage (tiered storage, KIP-1005). */
  LATEST_TIERED: 'latest-tiered',
} as const)
export type OffsetSpecName = (typeof OffsetSpecs)[keyof typeof OffsetSpecs]

/** Whether `value` is one of the values of `enumeration`. */
export function isEnumValue<E extends Readonly<Record<string, number | string>>>(
  enumeration: E,
  value: unknown,
): value is E[keyof E] {
  return Object.values(enumeration).includes(value as E[keyof E])
}
