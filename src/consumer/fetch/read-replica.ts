// Where each partition is fetched from (KIP-392, Java's Fetcher.selectReadReplica). A consumer with
// a rackId sends it with every Fetch (v11+); a leader whose cluster runs a replica selector may
// answer with a preferred read replica (then without records), and the partition is fetched from
// that replica until the preference expires (metadataMaxAge), the replica leaves the partition's
// replicas or goes offline, or fetching from it fails; then the leader is asked again.

import type { ClusterMetadata } from '../../cluster/metadata.js'
import type { PartitionState } from '../subscription-state.js'
import { PartitionMap } from '../topic-partition.js'

/** What the selection reads and changes of a partition (a change wakes the partition's fetch loops). */
type ReplicaChoice = Pick<PartitionState, 'topic' | 'partition' | 'preferredReadReplica' | 'preferReadReplica'>

/**
 * Whether `metadata` lists `nodeId` as a broker and as an online replica of the partition (Java's
 * Cluster.nodeIfOnline). A leader may name a replica the client's metadata does not know yet: the
 * caller then refreshes metadata.
 */
export function isOnlineReplica(metadata: ClusterMetadata, tp: ReplicaChoice, nodeId: number): boolean {
  const partition = metadata.topics.get(tp.topic)?.partitions.get(tp.partition)
  return (
    partition !== undefined &&
    metadata.brokers.has(nodeId) &&
    partition.replicas.includes(nodeId) &&
    !partition.offlineReplicas.includes(nodeId)
  )
}

export class ReadReplicaSelector {
  readonly #maxAge: number
  readonly #now: () => number
  readonly #expiry = new PartitionMap<number>()

  /** `maxAge`: how long a preferred read replica is used before the leader is asked again (ms). */
  constructor(maxAge: number, now: () => number = Date.now) {
    this.#maxAge = maxAge
    this.#now = now
  }

  /**
   * The node to fetch a partition from: its preferred read replica while that is fresh and an
   * online replica of the partition in `metadata`, else its leader; undefined when there is none.
   */
  nodeFor(state: ReplicaChoice, metadata: ClusterMetadata): number | undefined {
    const replica = state.preferredReadReplica
    if (replica >= 0) {
      const fresh = this.#now() < (this.#expiry.get(state.topic, state.partition) ?? 0)
      if (fresh && isOnlineReplica(metadata, state, replica)) return replica
      this.clear(state)
    }
    const leader = metadata.topics.get(state.topic)?.partitions.get(state.partition)?.leader
    return leader === undefined || leader < 0 ? undefined : leader
  }

  /**
   * Takes a Fetch response's preferredReadReplica for a partition (-1: none). Returns whether the
   * partition now goes to another node.
   */
  update(state: ReplicaChoice, preferredReadReplica: number): boolean {
    if (preferredReadReplica < 0 || preferredReadReplica === state.preferredReadReplica) return false
    state.preferReadReplica(preferredReadReplica)
    this.#expiry.set(state.topic, state.partition, this.#now() + this.#maxAge)
    return true
  }

  /** Back to the leader: the replica failed, lags, or is gone. */
  clear(state: ReplicaChoice): void {
    state.preferReadReplica(-1)
    this.#expiry.delete(state.topic, state.partition)
  }

  /**
   * After a failed Fetch to `nodeId` (lost connection, timeout, request-level error): the partitions
   * it served as preferred read replica go back to their leaders. Returns how many did.
   */
  clearServedBy(nodeId: number, states: Iterable<ReplicaChoice>): number {
    let cleared = 0
    for (const state of states) {
      if (state.preferredReadReplica !== nodeId) continue
      this.clear(state)
      cleared++
    }
    return cleared
  }
}
