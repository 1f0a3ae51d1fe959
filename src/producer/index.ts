export {
  type InstrumentationEvent,
  ProducerEvents,
  type RequestEventPayload,
  type RequestQueueSizeEventPayload,
  type RequestThrottleEventPayload,
  type RequestTimeoutEventPayload,
} from './instrumentation.js'
export type {
  IHeaders,
  Message,
  ProducerBatch,
  ProducerRecord,
  RecordMetadata,
  TopicMessages,
} from './messages.js'
export {
  createPartitioner,
  type ICustomPartitioner,
  legacyMurmur2,
  murmur2,
  type Partitioner,
  type PartitionerArgs,
  Partitioners,
  type PartitionMetadata,
  toPositive,
} from './partitioners/index.js'
export { Producer, type Transaction } from './producer.js'
export type { Acks, ProducerConfig } from './producer-options.js'
export {
  type ConsumerGroupMetadata,
  TRANSACTION_STATES,
  type TransactionOffsets,
  type TransactionState,
} from './transaction-manager.js'
