// The declarations use Node's types (Buffer, tls options); this pulls them in for users whose tsconfig lists no types.
/// <reference types="node" preserve="true" />
export * from './admin/index.js'
export { createProducer } from './client/create-producer.js'
export { Kafka, type KafkaConfig } from './client/kafka.js'
export type {
  AdminEventMap,
  ClientEventMap,
  ConnectEvent,
  DisconnectEvent,
  ProducerEventMap,
  RequestEvent,
  RequestQueueSizeEvent,
  RequestThrottleEvent,
  RequestTimeoutEvent,
} from './cluster/client-event-types.js'
export type {
  ClientEvents,
  InstrumentationEvent,
  RemoveInstrumentationEventListener,
} from './cluster/client-instrumentation.js'
export type { MetadataRecoveryStrategy } from './cluster/cluster-options.js'
export {
  createLogger,
  defaultLogCreator,
  type KafkaLogger,
  type LogCreator,
  type LogEntry,
  type LogLevel,
  logLevel,
} from './common/kafka-logger.js'
export * from './consumer/event-types.js'
export type { GroupJoinPayload, UnsubscribedTopicsPayload } from './consumer/group/membership.js'
export * from './consumer/index.js'
export * from './errors.js'
export * from './kafkajs-types.js'
export type {
  RequestQueueSizeRecord,
  RequestRecord,
  RequestThrottleRecord,
  RequestTimeoutRecord,
} from './network/request-observer.js'
export type {
  AuthenticationProviderArgs,
  Authenticator,
  Mechanism,
  OauthbearerProviderResponse,
  SASLConfig,
  SASLMechanism,
  SASLOptions,
  SASLOptionsProvider,
  SaslAuthenticateArgs,
  SaslAuthenticationRequest,
  SaslAuthenticationResponse,
} from './network/sasl/index.js'
export type { SocketFactory, SocketFactoryArgs } from './network/socket-factory.js'
export * from './producer/index.js'
export {
  type CompressionCodec,
  CompressionCodecs,
  type CompressionType,
  CompressionTypes,
} from './protocol/codecs/index.js'
export {
  type ClientTraceContext,
  type EachBatchTraceContext,
  type EachMessageTraceContext,
  type HandlerScope,
  type HandlerTraceContext,
  type ProduceTraceContext,
  type RequestTraceContext,
  TracingChannels,
  type TransactionOperation,
  type TransactionTraceContext,
} from './tracing/channels.js'
