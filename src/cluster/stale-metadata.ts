// Which broker errors mean "your metadata is out of date": the client sent to the wrong node or
// named something that moved, and must refresh metadata before it retries.

import { KafkaJSProtocolError } from '../errors.js'
import { ErrorCode } from '../protocol/generated/errors.js'

/**
 * Java's InvalidMetadataException family (the errors after which its clients request a metadata
 * update), less the two that only report an election's outcome, plus NOT_CONTROLLER: the
 * controller moved, which metadata tells.
 */
export const STALE_METADATA_ERROR_CODES: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.NOT_CONTROLLER,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.LISTENER_NOT_FOUND,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.INCONSISTENT_TOPIC_ID,
])

/** Whether an error code, or an error carrying one, calls for a metadata refresh. */
export function isStaleMetadataError(error: unknown): boolean {
  if (typeof error === 'number') return STALE_METADATA_ERROR_CODES.has(error)
  return error instanceof KafkaJSProtocolError && STALE_METADATA_ERROR_CODES.has(error.errorCode)
}
