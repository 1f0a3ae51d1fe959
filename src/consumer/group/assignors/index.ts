// The built-in assigners, under KafkaJS's `PartitionAssigners` name, and the view of the cluster an
// assigner gets (KafkaJS's `cluster.findTopicPartitionMetadata(topic)`).

import type { Cluster } from '../../../cluster/cluster.js'
import { KafkaJSTopicMetadataNotLoaded } from '../../../errors.js'
import type { AssignerCluster, PartitionAssigner } from './assigner.js'
import { cooperativeStickyAssigner } from './cooperative-sticky.js'
import { rangeAssigner } from './range.js'
import { roundRobinAssigner } from './round-robin.js'

export const PartitionAssigners: Readonly<{
  roundRobin: PartitionAssigner
  range: PartitionAssigner
  cooperativeSticky: PartitionAssigner
}> = Object.freeze({
  roundRobin: roundRobinAssigner,
  range: rangeAssigner,
  cooperativeSticky: cooperativeStickyAssigner,
})

/** kafkit's default: cooperative rebalancing, so partitions that stay put keep flowing. */
export const DEFAULT_PARTITION_ASSIGNERS: readonly PartitionAssigner[] = [cooperativeStickyAssigner]

export function assignerCluster(cluster: Cluster): AssignerCluster {
  return {
    findTopicPartitionMetadata(topic) {
      const t = cluster.metadata.topics.get(topic)
      if (t === undefined) throw new KafkaJSTopicMetadataNotLoaded(`No metadata for topic ${topic}`, { topic })
      return [...t.partitions.values()].map((p) => ({
        partitionErrorCode: p.errorCode,
        partitionId: p.partition,
        leader: p.leader,
        replicas: [...p.replicas],
        isr: [...p.isr],
        offlineReplicas: [...p.offlineReplicas],
      }))
    },
  }
}
