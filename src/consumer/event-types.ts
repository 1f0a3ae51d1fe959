// The consumer's instrumentation events as listeners receive them, under KafkaJS's type names, and
// the map from each event name to its event that types `consumer.on(name, listener)`:
// `consumer.on(consumer.events.GROUP_JOIN, (e) => e.payload.memberAssignment)` is typed as in KafkaJS.

import type { ClientEventMap } from '../cluster/client-event-types.js'
import type { InstrumentationEvent } from '../cluster/client-instrumentation.js'
import type { GroupJoinPayload, UnsubscribedTopicsPayload } from './group/membership.js'
import type { BatchProcessPayload } from './handlers.js'
import type { TopicOffsets } from './offsets/offset-committer.js'

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
export type ConsumerReceivedUnsubcribedTopicsEvent = InstrumentationEvent<UnsubscribedTopicsPayload>

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
