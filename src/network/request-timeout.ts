// How long a connection waits for the response to one request. Some requests ask the broker to
// hold them before it answers: a long-poll Fetch or ShareFetch (maxWaitMs), a Produce waiting for
// its acknowledgements (timeoutMs), an admin request waiting for the controller (timeoutMs), a
// JoinGroup waiting for the rest of the group (rebalanceTimeoutMs). The network timeout must cover
// that wait, so it is the wait plus requestTimeout, derived here from the request's own fields
// rather than added by hand where each request is sent.
//
// The rule, from the request schemas (test/network/request-timeout.test.ts checks it against every
// API a client can send):
// - a field `maxWaitMs` or `timeoutMs` is the broker's wait (Fetch, ShareFetch, Produce, ListOffsets
//   v10+, CreateTopics, DeleteTopics, CreatePartitions, DeleteRecords, ElectLeaders,
//   AlterPartitionReassignments, ListPartitionReassignments, UpdateFeatures, AddRaftVoter);
// - `acks: 0` means the broker neither waits nor answers (Produce without acknowledgements);
// - JoinGroup's `rebalanceTimeoutMs` (its `sessionTimeoutMs` where that is unset, as brokers read
//   JoinGroup v0). The KIP-848 heartbeats (ConsumerGroupHeartbeat, StreamsGroupHeartbeat) carry a
//   rebalanceTimeoutMs too, but it declares the member's own deadline: the coordinator answers them
//   at once, so they get requestTimeout alone;
// - fields named otherwise (InitProducerId's transactionTimeoutMs, JoinGroup's sessionTimeoutMs
//   when a rebalance timeout is set) are not waits.
// On top of a wait the request gets requestTimeout, and at least BROKER_WAIT_MARGIN: the broker
// answers after the wait, and a small requestTimeout (tests use 1 ms) must not cut off a broker that
// waits as asked. Requests without a wait get requestTimeout.

import { MAX_TIMER_MS } from '../common/validate.js'
import type { ApiDefinition } from '../protocol/api.js'

/**
 * The least time allowed on top of a broker wait, in ms: the margin Java's consumer gives JoinGroup
 * (JOIN_GROUP_TIMEOUT_LAPSE), which kafkit's JoinGroup, SyncGroup and Produce timeouts had before
 * they were derived here.
 */
export const BROKER_WAIT_MARGIN = 5000

/**
 * How long the broker may hold `request` before it answers, in ms, read from the request's fields;
 * undefined for a request that asks for no wait.
 */
export function brokerWaitMs(api: Pick<ApiDefinition<unknown, unknown>, 'name'>, request: unknown): number | undefined {
  if (typeof request !== 'object' || request === null) return undefined
  const fields = request as Record<string, unknown>
  if (fields.acks === 0) return undefined
  if (api.name === 'JoinGroup') {
    const rebalance = wait(fields.rebalanceTimeoutMs)
    return rebalance !== undefined && rebalance > 0 ? rebalance : wait(fields.sessionTimeoutMs)
  }
  return wait(fields.maxWaitMs) ?? wait(fields.timeoutMs)
}

/**
 * The network timeout of `request`: requestTimeout, or for a request that asks the broker to wait
 * (see brokerWaitMs, or `extraWaitMs` for a wait the request does not carry), the wait plus
 * requestTimeout, and at least the wait plus BROKER_WAIT_MARGIN.
 */
export function requestNetworkTimeout(
  api: Pick<ApiDefinition<unknown, unknown>, 'name'>,
  request: unknown,
  requestTimeout: number,
  extraWaitMs?: number,
): number {
  const brokerWait = extraWaitMs ?? brokerWaitMs(api, request)
  if (brokerWait === undefined) return requestTimeout
  return Math.min(brokerWait + Math.max(requestTimeout, BROKER_WAIT_MARGIN), MAX_TIMER_MS)
}

/** A wait field's value: a number of ms, negatives (-1: unset) read as none. */
function wait(value: unknown): number | undefined {
  if (typeof value !== 'number') return undefined
  return Math.max(value, 0)
}
