// The instrumentation events as listeners receive them, under KafkaJS's type names, and the map from
// each event name to its event that types `on(name, listener)` of the producer, consumer and admin:
// `consumer.on(consumer.events.GROUP_JOIN, (e) => e.payload.memberAssignment)` is typed as in KafkaJS.

import type { GroupJoinPayload } from '../consumer/group/membership.js'
import type { BatchProcessPayload } from '../consumer/handlers.js'
import type { TopicOffsets } from '../consumer/offsets/offset-committer.js'
import type { RequestQueueSizeRecord, RequestRecord, RequestTimeoutRecord } from '../network/request-observer.js'
import type { ClientEvents, InstrumentationEvent } from './instrumentation.js'

export type ConnectEvent = InstrumentationEvent<null>
export type DisconnectEvent = InstrumentationEvent<null>
export type RequestEvent = InstrumentationEvent<RequestRecord>
export type RequestTimeoutEvent = InstrumentationEvent<RequestTimeoutRecord>
export type RequestQueueSizeEvent = InstrumentationEvent<RequestQueueSizeRecord>

export type ConsumerHeartbeatEvent = InstrumentationEvent<{
  groupId: string
  memberId: string
  groupGenerationId: number
}>
export type ConsumerCommitOffsetsEvent = InstrumentationEvent<{
  groupId: string
  memberId: string
  groupGenerationId: number
  topics: TopicOffsets[]
}>
export type ConsumerGroupJoinEvent = InstrumentationEvent<GroupJoinPayload>
export type ConsumerFetchStartEvent = InstrumentationEvent<{ nodeId: number }>
export type ConsumerFetchEvent = InstrumentationEvent<{ numberOfBatches: number; duration: number; nodeId: number }>
export type IBatchProcessEvent = BatchProcessPayload
export type ConsumerStartBatchProcessEvent = InstrumentationEvent<IBatchProcessEvent>
export type ConsumerEndBatchProcessEvent = InstrumentationEvent<IBatchProcessEvent & { duration: number }>
export type ConsumerCrashEvent = InstrumentationEvent<{ error: Error; groupId: string; restart: boolean }>
export type ConsumerRebalancingEvent = InstrumentationEvent<{ groupId: string; memberId: string }>
// KafkaJS's spelling ("Unsubcribed") is the exported name.
export type ConsumerReceivedUnsubcribedTopicsEvent = InstrumentationEvent<{
  groupId: string
  generationId: number
  memberId: string
  assignedTopics: string[]
  topicsSubscribed: string[]
  topicsNotSubscribed: string[]
}>

type ClientEventMap<P extends string> = {
  [K in keyof ClientEvents<P> as ClientEvents<P>[K]]: K extends 'CONNECT'
    ? ConnectEvent
    : K extends 'DISCONNECT'
      ? DisconnectEvent
      : K extends 'REQUEST'
        ? RequestEvent
        : K extends 'REQUEST_TIMEOUT'
          ? RequestTimeoutEvent
          : RequestQueueSizeEvent
}

export type ProducerEventMap = ClientEventMap<'producer'>
export type AdminEventMap = ClientEventMap<'admin'>
export type ConsumerEventMap = ClientEventMap<'consumer'> & {
  'consumer.heartbeat': ConsumerHeartbeatEvent
  'consumer.commit_offsets': ConsumerCommitOffsetsEvent
  'consumer.group_join': ConsumerGroupJoinEvent
  'consumer.fetch_start': ConsumerFetchStartEvent
  'consumer.fetch': ConsumerFetchEvent
  'consumer.start_batch_process': ConsumerStartBatchProcessEvent
  'consumer.end_batch_process': ConsumerEndBatchProcessEvent
  'consumer.stop': InstrumentationEvent<null>
  'consumer.crash': ConsumerCrashEvent
  'consumer.rebalancing': ConsumerRebalancingEvent
  'consumer.received_unsubscribed_topics': ConsumerReceivedUnsubcribedTopicsEvent
}
