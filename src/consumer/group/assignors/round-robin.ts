// KafkaJS's round-robin assigner under its name "RoundRobinAssigner", listed first so that a group of
// kafkit members chooses it and describes itself as KafkaJS's would; also offered under Java's name
// "roundrobin" so that kafkit members join groups of Java members as well as KafkaJS ones. Every
// partition of every subscribed topic (topics sorted, partitions ascending) goes to the next member,
// in Java's order, that subscribes to its topic.

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

export const ROUND_ROBIN = 'roundrobin'
export const KAFKAJS_ROUND_ROBIN = 'RoundRobinAssigner'

export const roundRobinAssigner: PartitionAssigner = ({ cluster }) => ({
  name: KAFKAJS_ROUND_ROBIN,
  version: 0,
  rebalanceProtocol: 'eager',
  aliases: [ROUND_ROBIN],
  protocol(subscription) {
    return { name: KAFKAJS_ROUND_ROBIN, metadata: encodeSubscription(subscription) }
  },
  async assign({ members }) {
    const subscriptions = decodeMembers(members).sort(compareMembers)
    const assignment = new Map<string, TopicPartition[]>(subscriptions.map((m) => [m.memberId, []]))
    let next = 0
    for (const topic of subscribedTopics(subscriptions)) {
      for (const partition of partitionsOf(cluster, topic)) {
        while (!subscriptions[next % subscriptions.length]!.topics.has(topic)) next++
        assignment.get(subscriptions[next % subscriptions.length]!.memberId)!.push({ topic, partition })
        next++
      }
    }
    return encodeAssignments(subscriptions, assignment)
  },
})
