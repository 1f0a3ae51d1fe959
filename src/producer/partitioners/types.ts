// KafkaJS's partitioner contract: `createPartitioner()` returns a function that picks the partition
// of one message from the topic's partition metadata.

import type { PartitionMetadata } from '../../common/kafkajs-shapes.js'
import type { Message } from '../messages.js'

export type { PartitionMetadata }

export interface PartitionerArgs {
  topic: string
  /** Every partition of the topic, by partition id. */
  partitionMetadata: PartitionMetadata[]
  message: Message
}

export type Partitioner = (args: PartitionerArgs) => number

export type ICustomPartitioner = () => Partitioner
