// KafkaJS's own partitioners: keyed records by a murmur2 hash, keyless records round robin over the
// partitions that have a leader, from a random starting point per topic.
// - LegacyPartitioner (KafkaJS's default before 2.0), for data that must keep landing where KafkaJS
//   1.x put it: KafkaJS's double-precision murmur2 variant.
// - KafkaJSDefaultPartitioner (KafkaJS 2's DefaultPartitioner): the Java murmur2, so keyed records
//   land where kafkit's default puts them; only keyless records differ (round robin per record
//   instead of sticky batches).

import { randomBytes } from 'node:crypto'
import { keyBytes } from './default-partitioner.js'
import { legacyMurmur2 } from './legacy-murmur2.js'
import { murmur2, toPositive } from './murmur2.js'
import type { ICustomPartitioner, PartitionerArgs } from './types.js'

function keylessRoundRobin(hash: (key: Buffer | string) => number): ICustomPartitioner {
  return () => {
    const counters = new Map<string, number>()
    return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
      if (message.partition !== undefined && message.partition !== null) return message.partition
      if (message.key !== undefined && message.key !== null) {
        return toPositive(hash(message.key)) % partitionMetadata.length
      }
      const next = (counters.get(topic) ?? randomBytes(4).readUInt32BE(0)) + 1
      counters.set(topic, next)
      const available = partitionMetadata.filter((p) => p.leader >= 0)
      if (available.length > 0) return available[toPositive(next) % available.length]!.partitionId
      return toPositive(next) % partitionMetadata.length
    }
  }
}

export const LegacyPartitioner: ICustomPartitioner = keylessRoundRobin(legacyMurmur2)

export const KafkaJSDefaultPartitioner: ICustomPartitioner = keylessRoundRobin((key) => murmur2(keyBytes(key)))
