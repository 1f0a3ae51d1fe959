// KafkaJS names the Kafka APIs in its own table (2.2.4's requests/apiKeys), which is what its
// `<client>.network.request` events and its OpenTelemetry instrumentation's metric attributes
// carry. Two of them differ from Kafka's current names (FindCoordinator was GroupCoordinator,
// ElectLeaders was ElectPreferredLeaders); the others are Kafka's. Every API key KafkaJS names is
// listed, so that the observable name is KafkaJS's whatever Kafka renames later; keys KafkaJS
// does not know keep Kafka's name.
const KAFKAJS_API_NAMES: readonly string[] = [
  'Produce',
  'Fetch',
  'ListOffsets',
  'Metadata',
  'LeaderAndIsr',
  'StopReplica',
  'UpdateMetadata',
  'ControlledShutdown',
  'OffsetCommit',
  'OffsetFetch',
  'GroupCoordinator',
  'JoinGroup',
  'Heartbeat',
  'LeaveGroup',
  'SyncGroup',
  'DescribeGroups',
  'ListGroups',
  'SaslHandshake',
  'ApiVersions',
  'CreateTopics',
  'DeleteTopics',
  'DeleteRecords',
  'InitProducerId',
  'OffsetForLeaderEpoch',
  'AddPartitionsToTxn',
  'AddOffsetsToTxn',
  'EndTxn',
  'WriteTxnMarkers',
  'TxnOffsetCommit',
  'DescribeAcls',
  'CreateAcls',
  'DeleteAcls',
  'DescribeConfigs',
  'AlterConfigs',
  'AlterReplicaLogDirs',
  'DescribeLogDirs',
  'SaslAuthenticate',
  'CreatePartitions',
  'CreateDelegationToken',
  'RenewDelegationToken',
  'ExpireDelegationToken',
  'DescribeDelegationToken',
  'DeleteGroups',
  'ElectPreferredLeaders',
  'IncrementalAlterConfigs',
  'AlterPartitionReassignments',
  'ListPartitionReassignments',
]

/** KafkaJS's name for API key `apiKey` (its index in the table above), else Kafka's `name`. */
export function kafkajsApiName(apiKey: number, name: string): string {
  return KAFKAJS_API_NAMES[apiKey] ?? name
}
