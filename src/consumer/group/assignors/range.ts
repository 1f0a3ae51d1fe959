// Java's RangeAssignor ("range"): per topic, the members subscribing to it in Java's order each get
// a contiguous range of partitions, the first (partitions % members) one more.

import type { TopicPartition } from '../../topic-partition.js'
import type { PartitionAssigner } from './assigner.js'
import {
  compareMembers,
  decodeMembers,
  encodeAssignments,
  encodeSubscription,
  partitionsOf,
  subscribedTopics,
} from './subscriptions.js'

export const RANGE = 'range'

export const rangeAssigner: PartitionAssigner = ({ cluster }) => ({
  name: RANGE,
  version: 0,
  rebalanceProtocol: 'eager',
  protocol(subscription) {
    return { name: RANGE, metadata: encodeSubscription(subscription) }
  },
  async assign({ members }) {
    const subscriptions = decodeMembers(members).sort(compareMembers)
    const assignment = new Map<string, TopicPartition[]>(subscriptions.map((m) => [m.memberId, []]))
    for (const topic of subscribedTopics(subscriptions)) {
      const consumers = subscriptions.filter((m) => m.topics.has(topic))
      const partitions = partitionsOf(cluster, topic)
      const per = Math.floor(partitions.length / consumers.length)
      const extra = partitions.length % consumers.length
      consumers.forEach((m, i) => {
        const start = per * i + Math.min(i, extra)
        const length = per + (i < extra ? 1 : 0)
        for (const partition of partitions.slice(start, start + length))
          assignment.get(m.memberId)!.push({ topic, partition })
      })
    }
    return encodeAssignments(subscriptions, assignment)
  },
})
