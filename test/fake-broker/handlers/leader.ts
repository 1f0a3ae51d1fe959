// The checks every partition of a Produce, Fetch or ListOffsets request goes through first: a
// scripted error, a known topic and partition, and this node being its leader.

import { ErrorCode } from '../../../src/protocol/generated/errors.js'
import type { RequestContext } from '../handler.js'
import type { FakeTopic } from '../model.js'
import type { PartitionLog } from '../partition-log.js'

export type LeaderCheck = { log: PartitionLog; errorCode?: undefined } | { log?: PartitionLog; errorCode: number }

/** Finds a topic by name, or by id when the request names it by id (name ''). */
export function findTopic(ctx: RequestContext<unknown, unknown>, name: string, id: string): FakeTopic | undefined {
  return name !== '' ? ctx.state.topics.get(name) : ctx.state.topicById(id)
}

/** The partition's log when this node leads it, otherwise the error code to answer with. */
export function leaderLog(
  ctx: RequestContext<unknown, unknown>,
  topic: FakeTopic | undefined,
  name: string,
  partition: number,
): LeaderCheck {
  const scripted = ctx.scriptedError(topic?.name ?? name, partition)
  const log = topic?.partitions[partition]
  if (scripted !== undefined) return { log, errorCode: scripted }
  if (log === undefined) {
    return {
      errorCode: topic === undefined && name === '' ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    }
  }
  if (log.leader !== ctx.node) return { log, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER }
  return { log }
}

/** The current leader, as Produce and Fetch responses report it with NOT_LEADER_OR_FOLLOWER (KIP-951). */
export function currentLeader(log: PartitionLog | undefined): { leaderId: number; leaderEpoch: number } {
  return log === undefined ? { leaderId: -1, leaderEpoch: -1 } : { leaderId: log.leader, leaderEpoch: log.leaderEpoch }
}

/**
 * The NodeEndpoints a Produce (v10+) or Fetch (v16+) response carries, as Kafka's: those of the
 * leaders its NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH answers name (KIP-951).
 */
export function leaderEndpoints(
  ctx: RequestContext<unknown, unknown>,
  answers: Iterable<{ errorCode: number; currentLeader: { leaderId: number } }>,
): { nodeId: number; host: string; port: number; rack: null }[] {
  const ids = new Set<number>()
  for (const { errorCode, currentLeader } of answers) {
    const named = errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || errorCode === ErrorCode.FENCED_LEADER_EPOCH
    if (named && currentLeader.leaderId >= 0) ids.add(currentLeader.leaderId)
  }
  return ctx.cluster.nodes
    .filter((n) => ids.has(n.id))
    .map((n) => ({ nodeId: n.id, host: n.host, port: n.port, rack: null }))
}
