// The default partitioner, compatible with the Java client's: an explicit partition wins, a keyed
// record goes to toPositive(murmur2(key)) % partitions (the same partition Java and librdkafka's
// murmur2_random pick), and keyless records stick to one partition per batch (KIP-480/KIP-794).
//
// Inside kafkit's producer the keyless case is decided by the accumulator, which knows the real
// batch boundaries and queue sizes (STICKY_STATE hands it the per-topic state). Called on its own,
// the function counts each message's key and value bytes instead.

import { PRODUCER_DEFAULTS } from '../producer-options.js'
import { murmur2, toPositive } from './murmur2.js'
import { StickyPartition } from './sticky-partition.js'
import type { ICustomPartitioner, Partitioner, PartitionerArgs } from './types.js'

/** Present on partition functions whose keyless records the producer places with StickyPartition. */
export const STICKY_STATE: unique symbol = Symbol('kafkit.stickyState')

export interface StickyPartitioner extends Partitioner {
  readonly [STICKY_STATE]: (topic: string) => StickyPartition
}

export function keyBytes(key: Buffer | string): Buffer {
  return typeof key === 'string' ? Buffer.from(key, 'utf8') : key
}

/** `batchSize` sets how many bytes go to a partition before the next is picked; the producer passes its own. */
export const DefaultPartitioner: ICustomPartitioner = (options: { batchSize?: number } = {}): StickyPartitioner => {
  const batchSize = options.batchSize ?? PRODUCER_DEFAULTS.batchSize
  const sticky = new Map<string, StickyPartition>()
  const stateOf = (topic: string): StickyPartition => {
    let state = sticky.get(topic)
    if (state === undefined) {
      state = new StickyPartition(batchSize)
      sticky.set(topic, state)
    }
    return state
  }
  const partition = ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== undefined && message.partition !== null) return message.partition
    if (message.key !== undefined && message.key !== null) {
      return toPositive(murmur2(keyBytes(message.key))) % partitionMetadata.length
    }
    const state = stateOf(topic)
    const chosen = state.partition(partitionMetadata)
    const value = message.value
    const size = value === null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length
    state.appended(size, true, partitionMetadata)
    return chosen
  }
  return Object.assign(partition, { [STICKY_STATE]: stateOf })
}

export function isStickyPartitioner(partitioner: Partitioner): partitioner is StickyPartitioner {
  return typeof (partitioner as Partial<StickyPartitioner>)[STICKY_STATE] === 'function'
}
