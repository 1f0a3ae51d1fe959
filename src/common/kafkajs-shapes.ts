// KafkaJS's data shapes that more than one client uses: a message's headers (written by the
// producer, read by the consumer), a consumer's group metadata (given by the consumer to a
// transactional producer) and a partition's metadata (the partitioners', the assignors', the admin's
// and the errors'). They live below the clients so that no client imports another.

/** Header values: a string or Buffer, or an array of them for a key that repeats (KafkaJS). */
export interface IHeaders {
  [key: string]: Buffer | string | (Buffer | string)[] | undefined
}

/** A consumer's group membership (Java's ConsumerGroupMetadata), for KIP-447 fencing of zombie members. */
export interface ConsumerGroupMetadata {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId?: string | null
}

/**
 * One partition of a topic, in KafkaJS's shape (the admin's fetchTopicMetadata always fills
 * offlineReplicas; KafkaJS declares it optional).
 */
export interface PartitionMetadata {
  partitionErrorCode: number
  partitionId: number
  /** Node id of the leader, -1 when there is none. */
  leader: number
  replicas: number[]
  isr: number[]
  offlineReplicas?: number[]
}
