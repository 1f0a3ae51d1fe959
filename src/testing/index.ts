// kafkit/testing: a real Apache Kafka broker for tests, without Docker.
// Its declarations use Node's types; this pulls them in for users whose tsconfig lists no types.
/// <reference types="node" preserve="true" />

export type { DetachedKafkaState, KafkaNodeInfo, KafkaTestCluster } from './cluster-types.js'
export type { DetachedNodeStatus } from './detached.js'
export { describeDetachedKafka, stopDetachedKafka } from './detached.js'
export type { KafkaDistribution, ResolveKafkaOptions } from './distribution.js'
export { defaultCacheDir, resolveKafkaDistribution } from './distribution.js'
export {
  JavaNotFoundError,
  KafkaCommandError,
  KafkaStartError,
  KafkaTestingError,
  MavenNotFoundError,
  MavenResolutionError,
} from './errors.js'
export type {
  KafkaRuntime,
  KafkaTestSecurityOptions,
  KafkaTestTlsOptions,
  KafkaTestUser,
  ListenerName,
  SecureListener,
  StartKafkaOptions,
  TestClientAuth,
  TestSaslMechanism,
} from './options.js'
export type { ApiVersionRange, RegisteredBroker } from './probe.js'
export { probeApiVersions, probeBrokers } from './probe.js'
export type { CommandResult } from './run-command.js'
export { startKafka } from './start-kafka.js'
export type { KafkaTestTlsMaterial, TestCertificateAuthority, TestCertificates } from './test-certificates.js'
export { createTestCertificates, OpenSslError } from './test-certificates.js'
export type { RunKafkaToolOptions } from './tools.js'
export { runKafkaTool } from './tools.js'
export { DEFAULT_KAFKA_VERSION } from './version.js'
