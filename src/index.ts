// The declarations use Node's types (Buffer, tls options); this pulls them in for users whose tsconfig lists no types.
/// <reference types="node" preserve="true" />
export * from './admin/index.js'
export * from './client/event-types.js'
export type { InstrumentationEvent, RemoveInstrumentationEventListener } from './client/instrumentation.js'
export { Kafka, type KafkaConfig } from './client/kafka.js'
export {
  createLogger,
  defaultLogCreator,
  type KafkaLogger,
  type LogCreator,
  type LogEntry,
  type LogLevel,
  logLevel,
} from './client/logger.js'
export * from './consumer/index.js'
export * from './errors.js'
export * from './kafkajs-types.js'
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
