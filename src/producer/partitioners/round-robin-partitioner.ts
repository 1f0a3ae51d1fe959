// The Java client's RoundRobinPartitioner: every record without an explicit partition, keyed or
// not, goes to the next partition with a leader in turn, per topic. For spreading load evenly
// when keys carry no placement meaning.

import type { ICustomPartitioner, PartitionerArgs } from './types.js'

export const RoundRobinPartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>()
  return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== undefined && message.partition !== null) return message.partition
    const next = counters.get(topic) ?? 0
    counters.set(topic, (next + 1) % Number.MAX_SAFE_INTEGER)
    const available = partitionMetadata.filter((p) => p.leader >= 0)
    if (available.length > 0) return available[next % available.length]!.partitionId
    return next % partitionMetadata.length
  }
}
