// The heartbeat() of the eachMessage / eachBatch payloads. KafkaJS's sends a Heartbeat when the
// interval has passed and rejects when the group is rebalancing, which tells a long handler to give
// up its partition. kafkit heartbeats on its own timer, so this sends nothing: it reports whether
// the member still owns the handler's partition, which is what a rebalance changes. It is called
// per message, so the common answer is one shared resolved promise.

import { KafkaJSProtocolError } from '../errors.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import type { PartitionState, SubscriptionState } from './subscription-state.js'

const OWNED: Promise<void> = Promise.resolve()

/**
 * heartbeat() for a handler of `state`'s partition: resolves while the member owns the partition;
 * rejects with KafkaJS's REBALANCE_IN_PROGRESS protocol error once a rebalance revokes it or the
 * member lost it (fenced, session expired).
 */
export function partitionHeartbeat(subscriptions: SubscriptionState, state: PartitionState): () => Promise<void> {
  return () => {
    const owned = subscriptions.get(state.topic, state.partition) === state
    if (owned && !state.revoking) return OWNED
    const what = `${state.topic}-${state.partition}`
    return Promise.reject(
      protocolError(
        ErrorCode.REBALANCE_IN_PROGRESS,
        owned ? `partition ${what} is being revoked` : `partition ${what} was lost (the member was fenced or expired)`,
      ),
    )
  }
}

/** KafkaJS's rebalance errors (its runner rejoins on them rather than retrying the handler), by code. */
const REBALANCE_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.REBALANCE_IN_PROGRESS,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.FENCED_MEMBER_EPOCH,
])

export function isRebalanceError(error: unknown): error is KafkaJSProtocolError {
  return error instanceof KafkaJSProtocolError && REBALANCE_ERRORS.has(error.errorCode)
}
