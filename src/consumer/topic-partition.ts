// Topic-partition identities and the keyed map the consumer uses everywhere it tracks per-partition
// state. A string key (topic NUL partition) keeps lookups O(1) without nested maps; NUL cannot occur
// in a topic name, so keys never collide.

export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

/** KafkaJS's shape for a set of partitions: one entry per topic. */
export interface TopicPartitions {
  topic: string
  partitions: number[]
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

export function keyOf(tp: TopicPartition): string {
  return partitionKey(tp.topic, tp.partition)
}

/** A map keyed by topic-partition that remembers each key's TopicPartition. */
export class PartitionMap<V> {
  readonly #entries = new Map<string, { tp: TopicPartition; value: V }>()

  get size(): number {
    return this.#entries.size
  }

  // an empty map answers without building the key: some are asked once per message and mostly empty
  get(topic: string, partition: number): V | undefined {
    return this.#entries.size === 0 ? undefined : this.#entries.get(partitionKey(topic, partition))?.value
  }

  has(topic: string, partition: number): boolean {
    return this.#entries.size !== 0 && this.#entries.has(partitionKey(topic, partition))
  }

  set(topic: string, partition: number, value: V): void {
    this.#entries.set(partitionKey(topic, partition), { tp: { topic, partition }, value })
  }

  delete(topic: string, partition: number): boolean {
    return this.#entries.size !== 0 && this.#entries.delete(partitionKey(topic, partition))
  }

  clear(): void {
    this.#entries.clear()
  }

  *entries(): IterableIterator<[TopicPartition, V]> {
    for (const { tp, value } of this.#entries.values()) yield [tp, value]
  }

  *keys(): IterableIterator<TopicPartition> {
    for (const { tp } of this.#entries.values()) yield tp
  }

  *values(): IterableIterator<V> {
    for (const { value } of this.#entries.values()) yield value
  }
}

/** Groups partitions by topic, topics and partitions sorted: KafkaJS's TopicPartitions[]. */
export function groupByTopic(tps: Iterable<TopicPartition>): TopicPartitions[] {
  const byTopic = new Map<string, number[]>()
  for (const { topic, partition } of tps) {
    const list = byTopic.get(topic)
    if (list === undefined) byTopic.set(topic, [partition])
    else list.push(partition)
  }
  return [...byTopic.keys()].sort().map((topic) => ({ topic, partitions: byTopic.get(topic)!.sort((a, b) => a - b) }))
}

/** The flat list of partitions in KafkaJS's TopicPartitions[] shape. */
export function flatten(topicPartitions: Iterable<TopicPartitions>): TopicPartition[] {
  const out: TopicPartition[] = []
  for (const { topic, partitions } of topicPartitions)
    for (const partition of partitions) out.push({ topic, partition })
  return out
}

export function sortPartitions(tps: TopicPartition[]): TopicPartition[] {
  return tps.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
}
