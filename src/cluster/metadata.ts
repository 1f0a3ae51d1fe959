// An immutable snapshot of what the cluster said about itself: brokers, controller, cluster id, and
// per topic its id and partitions (leader, leader epoch, replicas, ISR). Each Metadata response is
// merged into the previous snapshot, so that a refresh for some topics keeps what is known of others.

import { KafkaJSTopicMetadataNotLoaded } from '../errors.js'
import type { BrokerAddress } from '../network/broker-pool.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import type { MetadataResponse } from '../protocol/generated/metadata.js'

export interface BrokerMetadata extends BrokerAddress {
  readonly rack: string | null
}

export interface PartitionMetadata {
  readonly partition: number
  /** Kafka's error for this partition (0 when none), e.g. LEADER_NOT_AVAILABLE during an election. */
  readonly errorCode: number
  /** Node id of the leader, -1 when there is none. */
  readonly leader: number
  /** -1 when the broker does not say (Metadata v6 and older). */
  readonly leaderEpoch: number
  readonly replicas: readonly number[]
  readonly isr: readonly number[]
  readonly offlineReplicas: readonly number[]
}

export interface TopicMetadata {
  readonly name: string
  /** Base64 topic id (Metadata v10+); the zero UUID when the broker does not say. */
  readonly topicId: string
  /** Kafka's error for this topic (0 when none), e.g. UNKNOWN_TOPIC_OR_PARTITION. */
  readonly errorCode: number
  readonly isInternal: boolean
  /** By partition index. */
  readonly partitions: ReadonlyMap<number, PartitionMetadata>
}

/**
 * A partition's new leader as a Produce or Fetch response names it (KIP-951: CurrentLeader with
 * NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH).
 */
export interface LeaderHint {
  readonly topic: string
  readonly partition: number
  readonly leaderId: number
  readonly leaderEpoch: number
}

export class ClusterMetadata {
  readonly clusterId: string | null
  /** Node id of the controller (KRaft: a broker the client can send controller requests to), -1 if unknown. */
  readonly controllerId: number
  readonly brokers: ReadonlyMap<number, BrokerMetadata>
  readonly topics: ReadonlyMap<string, TopicMetadata>
  /** Date.now() of the response this snapshot was last refreshed from. */
  readonly updatedAt: number

  constructor(fields: {
    clusterId: string | null
    controllerId: number
    brokers: ReadonlyMap<number, BrokerMetadata>
    topics: ReadonlyMap<string, TopicMetadata>
    updatedAt: number
  }) {
    this.clusterId = fields.clusterId
    this.controllerId = fields.controllerId
    this.brokers = fields.brokers
    this.topics = fields.topics
    this.updatedAt = fields.updatedAt
  }

  static empty(): ClusterMetadata {
    return new ClusterMetadata({
      clusterId: null,
      controllerId: -1,
      brokers: new Map(),
      topics: new Map(),
      updatedAt: 0,
    })
  }

  /**
   * The node id of the partition's leader. Throws, all retriable: KafkaJSTopicMetadataNotLoaded for
   * a topic not asked about yet, the topic's error (UNKNOWN_TOPIC_OR_PARTITION, ...), and
   * LEADER_NOT_AVAILABLE (or the partition's own error) while the partition has no leader.
   */
  leaderFor(topic: string, partition: number): number {
    const t = this.topics.get(topic)
    if (t === undefined) throw new KafkaJSTopicMetadataNotLoaded('Topic metadata not loaded', { topic })
    if (t.errorCode !== ErrorCode.NONE) throw protocolError(t.errorCode, `topic ${topic}`)
    const p = t.partitions.get(partition)
    if (p === undefined) {
      throw protocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} has no partition ${partition}`)
    }
    if (p.leader < 0) {
      const code = p.errorCode !== ErrorCode.NONE ? p.errorCode : ErrorCode.LEADER_NOT_AVAILABLE
      throw protocolError(code, `${topic}-${partition} has no leader`)
    }
    return p.leader
  }

  /**
   * This snapshot with the leaders that responses named (KIP-951, Java's
   * Metadata.updatePartitionLeadership), so that requests go to the new leader without a Metadata
   * round trip. `nodes` (the response's NodeEndpoints) add or update brokers. A hint is applied only
   * when it is complete, newer than the leader epoch we know (or we know none), names a broker
   * we know or were given, and concerns a partition we know; replicas and ISR are kept, and so is
   * `updatedAt` (the periodic refresh still comes). Returns the new snapshot (this one when nothing
   * applied) and the hints applied.
   */
  withLeaders(
    hints: readonly LeaderHint[],
    nodes: readonly BrokerMetadata[] = [],
  ): { metadata: ClusterMetadata; applied: LeaderHint[] } {
    const brokers = new Map(this.brokers)
    for (const n of nodes) {
      if (n.nodeId >= 0) brokers.set(n.nodeId, { nodeId: n.nodeId, host: n.host, port: n.port, rack: n.rack })
    }
    const topics = new Map(this.topics)
    const applied: LeaderHint[] = []
    for (const hint of hints) {
      if (hint.leaderId < 0 || hint.leaderEpoch < 0 || !brokers.has(hint.leaderId)) continue
      const topic = topics.get(hint.topic)
      const known = topic?.partitions.get(hint.partition)
      if (topic === undefined || known === undefined || hint.leaderEpoch <= known.leaderEpoch) continue
      const partitions = new Map(topic.partitions)
      partitions.set(hint.partition, {
        ...known,
        errorCode: ErrorCode.NONE,
        leader: hint.leaderId,
        leaderEpoch: hint.leaderEpoch,
      })
      topics.set(hint.topic, { ...topic, partitions })
      applied.push(hint)
    }
    if (applied.length === 0) return { metadata: this, applied }
    const metadata = new ClusterMetadata({
      clusterId: this.clusterId,
      controllerId: this.controllerId,
      brokers,
      topics,
      updatedAt: this.updatedAt,
    })
    return { metadata, applied }
  }

  /**
   * This snapshot updated with a response. Brokers, controller and cluster id are replaced (every
   * response lists them all); topics in the response replace ours, except that a partition whose
   * leader epoch went backwards keeps the newer one we have (a lagging broker answered, KIP-320).
   * With `allTopics` (a request for every topic), topics missing from the response are dropped.
   */
  merge(response: MetadataResponse, updatedAt: number, allTopics = false): ClusterMetadata {
    const brokers = new Map<number, BrokerMetadata>()
    for (const b of response.brokers)
      brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })
    const topics = new Map(allTopics ? [] : this.topics)
    for (const t of response.topics) {
      // Metadata v12+ names topics asked for by id only; this client asks by name
      if (t.name === null) continue
      const previous = this.topics.get(t.name)
      const partitions = new Map<number, PartitionMetadata>()
      for (const p of t.partitions) {
        const fresh: PartitionMetadata = {
          partition: p.partitionIndex,
          errorCode: p.errorCode,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
        }
        const known = previous?.topicId === t.topicId ? previous.partitions.get(p.partitionIndex) : undefined
        partitions.set(p.partitionIndex, known !== undefined && isOlder(fresh, known) ? known : fresh)
      }
      topics.set(t.name, {
        name: t.name,
        topicId: t.topicId,
        errorCode: t.errorCode,
        isInternal: t.isInternal,
        partitions,
      })
    }
    return new ClusterMetadata({
      clusterId: response.clusterId,
      controllerId: response.controllerId,
      brokers,
      topics,
      updatedAt,
    })
  }
}

/** Whether `fresh` comes from an older leader epoch than `known` (both known, so comparable). */
function isOlder(fresh: PartitionMetadata, known: PartitionMetadata): boolean {
  return fresh.leaderEpoch >= 0 && known.leaderEpoch >= 0 && fresh.leaderEpoch < known.leaderEpoch
}
