// Where each item of an admin request goes: the leader of its partition, the coordinator of its
// group or transactional id, or a named broker; and one request per destination node, all sent
// in parallel. Items that cannot be routed get their error here and never reach a broker.

import { CoordinatorType } from '../cluster/coordinator-lookup.js'
import { isRetriable } from '../common/backoff.js'
import { KafkaJSProtocolError } from '../errors.js'
import type { Connection } from '../network/connection.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import type { AdminContext } from './context.js'
import { failed, type Outcome, settle, succeeded, valuesOrThrow } from './settle.js'

export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

/** A node id, or any broker (the least busy one; in KRaft it forwards controller requests). */
export type Destination = number | 'any'

export interface Routes<K> {
  /** Items by where they go. */
  readonly byNode: Map<Destination, K[]>
  /** Items that cannot go anywhere, with their error. */
  readonly unroutable: Map<K, Outcome<never>>
}

/** A broker error that retrying cannot fix here, e.g. a topic that metadata says does not exist. */
export function finalProtocolError(code: number, detail: string): KafkaJSProtocolError {
  return new KafkaJSProtocolError(protocolError(code, detail), { retriable: false })
}

export function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

/** Items grouped by a key, in first-seen order. */
export function groupBy<K, V>(items: Iterable<V>, keyOf: (item: V) => K): Map<K, V[]> {
  const groups = new Map<K, V[]>()
  for (const item of items) addTo(groups, keyOf(item), item)
  return groups
}

/**
 * Routes partitions to their leaders from freshly fetched metadata (admin calls are rare, and a
 * cached leader may be long gone). A topic metadata calls unknown, or a partition it lacks, fails
 * for good; a partition without a leader fails retriably.
 */
export async function routeToLeaders<K extends TopicPartition>(
  ctx: AdminContext,
  items: readonly K[],
): Promise<Routes<K>> {
  const metadata = await ctx.cluster.refreshMetadata(new Set(items.map((i) => i.topic)))
  const byNode = new Map<Destination, K[]>()
  const unroutable = new Map<K, Outcome<never>>()
  for (const item of items) {
    const topic = metadata.topics.get(item.topic)
    const where = `${item.topic}-${item.partition}`
    if (topic === undefined || topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      unroutable.set(
        item,
        failed(finalProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${item.topic} does not exist`)),
      )
    } else if (topic.errorCode !== ErrorCode.NONE) {
      unroutable.set(item, failed(protocolError(topic.errorCode, `topic ${item.topic}`)))
    } else {
      const partition = topic.partitions.get(item.partition)
      if (partition === undefined) {
        unroutable.set(
          item,
          failed(
            finalProtocolError(
              ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              `topic ${item.topic} has no partition ${item.partition}`,
            ),
          ),
        )
      } else if (partition.leader < 0) {
        const code = partition.errorCode !== ErrorCode.NONE ? partition.errorCode : ErrorCode.LEADER_NOT_AVAILABLE
        unroutable.set(item, failed(protocolError(code, `${where} has no leader`)))
      } else {
        addTo(byNode, partition.leader, item)
      }
    }
  }
  return { byNode, unroutable }
}

/** Routes items to the coordinators of their keys (group ids or transactional ids), looked up in batches. */
export async function routeToCoordinators<K>(
  ctx: AdminContext,
  items: readonly K[],
  keyOf: (item: K) => string,
  type: CoordinatorType = CoordinatorType.GROUP,
): Promise<Routes<K>> {
  const found = await ctx.cluster.findCoordinators(type, [...new Set(items.map(keyOf))])
  const byNode = new Map<Destination, K[]>()
  const unroutable = new Map<K, Outcome<never>>()
  for (const item of items) {
    const result = found.get(keyOf(item))
    if (result?.coordinator !== undefined) addTo(byNode, result.coordinator.nodeId, item)
    else unroutable.set(item, failed(result?.error ?? protocolError(ErrorCode.COORDINATOR_NOT_AVAILABLE)))
  }
  return { byNode, unroutable }
}

/**
 * One request per node, all in parallel. A request that fails (connection lost, timeout) fails
 * each of its items with that error, which also tells the cluster its metadata may be stale.
 */
export async function sendPerNode<K, V>(
  ctx: AdminContext,
  routes: Routes<K>,
  send: (connection: Connection, items: readonly K[], destination: Destination) => Promise<ReadonlyMap<K, Outcome<V>>>,
): Promise<Map<K, Outcome<V>>> {
  const outcomes = new Map<K, Outcome<V>>(routes.unroutable)
  await Promise.all(
    [...routes.byNode].map(async ([destination, items]) => {
      try {
        const connection =
          destination === 'any' ? await ctx.cluster.anyConnection() : await ctx.cluster.connectionToNode(destination)
        for (const [item, outcome] of await send(connection, items, destination)) outcomes.set(item, outcome)
      } catch (error) {
        ctx.cluster.noteError(error)
        const outcome = failed(error)
        for (const item of items) outcomes.set(item, outcome)
      }
    }),
  )
  return outcomes
}

/** Every broker the cluster metadata lists, by node id (refreshed first). */
export async function allBrokerIds(ctx: AdminContext): Promise<number[]> {
  const metadata = await ctx.cluster.refreshMetadata()
  return [...metadata.brokers.keys()].sort((a, b) => a - b)
}

/** The outcome for a protocol error code from a response: success with `value`, or the error. */
export function outcomeOf<V>(
  errorCode: number,
  errorMessage: string | null | undefined,
  value: V,
  detail: string,
): Outcome<V> {
  if (errorCode === ErrorCode.NONE) return { value }
  return failed(protocolError(errorCode, errorMessage ? `${detail}: ${errorMessage}` : detail))
}

/**
 * Retriable, except an unknown topic: Kafka lists UNKNOWN_TOPIC_OR_PARTITION as retriable because
 * a follower may not know a new topic yet, but the controller (and a broker forwarding to it)
 * knows every topic, so asking it again will not help.
 */
export function retriableUnlessUnknownTopic(error: Error): boolean {
  if (error instanceof KafkaJSProtocolError && error.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return false
  return isRetriable(error)
}

/** The partitions of per-topic results, each with its topic's name. */
export function flattenPartitions<P extends { partitionIndex: number }>(
  topics: ReadonlyArray<{ name: string; partitions: readonly P[] }>,
): Array<P & { topic: string }> {
  return topics.flatMap((t) => t.partitions.map((p) => ({ ...p, topic: t.name })))
}

/** Matches partition items with flattened per-partition results (see matchResults). */
export const partitionMatch = {
  keyOfItem: (i: TopicPartition) => `${i.topic}:${i.partition}`,
  keyOfResult: (r: { topic: string; partitionIndex: number }) => `${r.topic}:${r.partitionIndex}`,
  value: (): undefined => undefined,
  describe: (i: TopicPartition) => `${i.topic}-${i.partition}`,
}

/**
 * Asks every broker in `brokers` the same thing, in parallel (ListGroups, ListTransactions,
 * DescribeLogDirs: each broker knows only its own part). A broker that fails retriably is asked
 * again; the answers come back in the order of `brokers`, the brokers that failed for good are
 * thrown together, named by node id.
 */
export async function askEachBroker<V>(
  ctx: AdminContext,
  operation: string,
  brokers: readonly number[],
  ask: (connection: Connection) => Promise<V>,
): Promise<V[]> {
  const results = await settle(
    brokers,
    (pending) =>
      sendPerNode(
        ctx,
        { byNode: new Map(pending.map((id) => [id, [id]])), unroutable: new Map() },
        async (connection, ids) => {
          const outcome = succeeded(await ask(connection))
          return new Map(ids.map((id) => [id, outcome]))
        },
      ),
    { operation, retry: ctx.retry, logger: ctx.logger, beforeRetry: (error) => ctx.cluster.noteError(error) },
  )
  return valuesOrThrow(operation, brokers, results, (broker) => ({ broker }))
}
