// KafkaJS's partitioner contract: `createPartitioner()` returns a function that picks the partition
// of one message from the topic's partition metadata.

import type { Message } from '../messages.js'

/** One partition of a topic, in KafkaJS's shape. */
export interface PartitionMetadata {
  partitionErrorCode: number
  partitionId: number
  /** Node id of the leader, -1 when there is none. */
  leader: number
  replicas: number[]
  isr: number[]
  offlineReplicas?: number[]
}

export interface PartitionerArgs {
  topic: string
  /** Every partition of the topic, by partition id. */
  partitionMetadata: PartitionMetadata[]
  message: Message
}

export type Partitioner = (args: PartitionerArgs) => number

export type ICustomPartitioner = () => Partitioner
