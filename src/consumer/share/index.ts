export type { ShareAcknowledgement } from './acknowledgements.js'
export {
  ShareConsumer,
  type ShareConsumerRunConfig,
  type ShareConsumerSubscribeTopics,
} from './share-consumer.js'
export type {
  ShareAcknowledgementMode,
  ShareAcquireMode,
  ShareConsumerConfig,
} from './share-consumer-options.js'
export type {
  ShareBatch,
  ShareEachBatchHandler,
  ShareEachBatchPayload,
  ShareEachMessageHandler,
  ShareEachMessagePayload,
  ShareMessage,
} from './share-runner.js'
