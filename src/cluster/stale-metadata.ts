// Which broker errors mean "your metadata is out of date": the client sent to the wrong node or
// named something that moved, and must refresh metadata before it retries.

import { KafkaJSProtocolError } from '../errors.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'

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

/** Whether a broker asked the client to bootstrap again from its seeds (REBOOTSTRAP_REQUIRED, KIP-1102). */
export function isRebootstrapRequired(error: unknown): boolean {
  return error instanceof KafkaJSProtocolError && error.errorCode === ErrorCode.REBOOTSTRAP_REQUIRED
}

/**
 * The error of a Metadata response's top-level error code. REBOOTSTRAP_REQUIRED is retriable here
 * (Kafka's table says it is not): it means "ask again, from the seed brokers".
 */
export function metadataResponseError(errorCode: number, detail: string): KafkaJSProtocolError {
  const error = protocolError(errorCode, detail)
  return errorCode === ErrorCode.REBOOTSTRAP_REQUIRED ? new KafkaJSProtocolError(error, { retriable: true }) : error
}
