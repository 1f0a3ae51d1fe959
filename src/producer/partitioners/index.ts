// Partitioners under KafkaJS's export names, plus Java's round robin, and createPartitioner for
// custom ones.

import { KafkaJSInvalidArgumentError } from '../../errors.js'
import { DefaultPartitioner } from './default-partitioner.js'
import { KafkaJSDefaultPartitioner, LegacyPartitioner } from './legacy-partitioner.js'
import { RoundRobinPartitioner } from './round-robin-partitioner.js'
import type { ICustomPartitioner, PartitionerArgs } from './types.js'

export { legacyMurmur2 } from './legacy-murmur2.js'
export { murmur2, toPositive } from './murmur2.js'
export type { ICustomPartitioner, Partitioner, PartitionerArgs, PartitionMetadata } from './types.js'

export const Partitioners = Object.freeze({
  DefaultPartitioner,
  LegacyPartitioner,
  RoundRobinPartitioner,
  /** KafkaJS 2's DefaultPartitioner: keyed records as DefaultPartitioner, keyless ones round robin per record. */
  KafkaJSDefaultPartitioner,
  /** @deprecated KafkaJS's old name of DefaultPartitioner. */
  JavaCompatiblePartitioner: DefaultPartitioner,
})

/**
 * A KafkaJS `createPartitioner` from a choice function: a message's explicit partition wins without
 * calling `choose`, and what `choose` returns must be a partition of the topic.
 */
export function createPartitioner(choose: (args: PartitionerArgs) => number): ICustomPartitioner {
  if (typeof choose !== 'function') {
    throw new KafkaJSInvalidArgumentError(`createPartitioner takes a function, got ${typeof choose}`)
  }
  return () => (args) => {
    const explicit = args.message.partition
    if (explicit !== undefined && explicit !== null) return explicit
    const partition = choose(args)
    if (!Number.isInteger(partition) || partition < 0 || partition >= args.partitionMetadata.length) {
      throw new KafkaJSInvalidArgumentError(
        `The partitioner chose partition ${String(partition)} for topic ${args.topic}, which has ` +
          `partitions 0-${args.partitionMetadata.length - 1}`,
      )
    }
    return partition
  }
}
