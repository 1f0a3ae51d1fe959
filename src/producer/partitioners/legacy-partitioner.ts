// KafkaJS's LegacyPartitioner (its default before 2.0), for data that must keep landing where
// KafkaJS 1.x put it: keyed records by KafkaJS's double-precision murmur2 variant, keyless records
// round robin over the partitions that have a leader, from a random starting point per topic.

import { randomBytes } from 'node:crypto'
import { legacyMurmur2 } from './legacy-murmur2.js'
import { toPositive } from './murmur2.js'
import type { ICustomPartitioner, PartitionerArgs } from './types.js'

export const LegacyPartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>()
  return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== undefined && message.partition !== null) return message.partition
    if (message.key !== undefined && message.key !== null) {
      return toPositive(legacyMurmur2(message.key)) % partitionMetadata.length
    }
    const next = (counters.get(topic) ?? randomBytes(4).readUInt32BE(0)) + 1
    counters.set(topic, next)
    const available = partitionMetadata.filter((p) => p.leader >= 0)
    if (available.length > 0) return available[toPositive(next) % available.length]!.partitionId
    return toPositive(next) % partitionMetadata.length
  }
}
