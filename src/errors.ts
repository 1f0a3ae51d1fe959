// Error classes with KafkaJS 2.2.4's names, inheritance, constructor arguments and property values
// (`name`, `retriable`, `helpUrl`, `cause`; `code` and `type` where KafkaJS has them), so `instanceof`
// checks, `error.name`/`error.type` switches and KafkaJS code that builds these errors keep working.
// What kafkit knows beyond KafkaJS lives in additional properties: `kafkitCode` (a stable identifier
// on every error, e.g. ERR_RECORD_TOO_LARGE), `detail` (where a broker error happened), `kafkaType`
// (Kafka's own name for a broker error code) and the per-class fields below.

import type { PartitionMetadata } from './common/kafkajs-shapes.js'
import { kafkaJSErrorByCode } from './protocol/kafkajs-errors.js'

/** KafkaJS's constructor metadata; `topic`, `partitionId` and `metadata` are accepted and, as in KafkaJS, not kept. */
export interface KafkaJSErrorMetadata {
  retriable?: boolean
  topic?: string
  partitionId?: number
  metadata?: PartitionMetadata
}

export interface KafkaJSErrorOptions extends KafkaJSErrorMetadata {
  cause?: unknown
}

/**
 * What KafkaJS errors are built from: a message, or an error (or an entry of KafkaJS's error table)
 * whose message and helpUrl are taken.
 */
export type KafkaJSErrorInput = string | { readonly message: string; readonly helpUrl?: string }

function messageOf(e: KafkaJSErrorInput): string {
  return typeof e === 'string' ? e : e.message
}

/** An Error of any realm (Node's own errors need not share this realm's Error, e.g. under jest). */
function isErrorLike(e: unknown): e is { message: string; stack?: string } {
  return typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string'
}

function helpUrlOf(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('helpUrl' in e)) return undefined
  return typeof e.helpUrl === 'string' ? e.helpUrl : undefined
}

export class KafkaJSError extends Error {
  readonly retriable: boolean
  /** A page that explains the error, when KafkaJS links one (taken from the error it was built from). */
  readonly helpUrl: string | undefined
  // set by Error itself, so that it is not enumerable (as in KafkaJS: loggers that spread an error or
  // JSON.stringify it see name, retriable and helpUrl, not the whole chain of causes). Typed as KafkaJS
  // declares it; a thrown value that is not an Error is kept as it was thrown, as KafkaJS keeps it.
  declare readonly cause: Error | undefined
  /**
   * kafkit's stable identifier of the failure (e.g. ERR_PRODUCER_DISCONNECTED; Kafka's error name
   * for a broker error). `code` is KafkaJS's: a number on KafkaJSProtocolError, the socket error's
   * code on KafkaJSConnectionError, absent elsewhere.
   */
  readonly kafkitCode: string
  /** The error this one wraps, under the name some KafkaJS-era code reads; the same as `cause`. */
  get originalError(): unknown {
    return this.cause
  }

  constructor(e: KafkaJSErrorInput, options: KafkaJSErrorOptions = {}, kafkitCode = 'KAFKAJS_ERROR') {
    super(messageOf(e), { cause: options.cause })
    this.name = new.target.name
    this.retriable = options.retriable ?? true
    this.helpUrl = helpUrlOf(e)
    this.kafkitCode = kafkitCode
  }
}

export class KafkaJSNonRetriableError extends KafkaJSError {
  /**
   * Not retriable, as in KafkaJS; `retriable: true` is for kafkit's own errors of these classes that
   * a caller may still try again (a KafkaJSTimeout of a step that can be repeated).
   */
  constructor(
    e: KafkaJSErrorInput,
    options: { cause?: unknown; retriable?: boolean } = {},
    kafkitCode = 'KAFKAJS_NON_RETRIABLE',
  ) {
    super(e, { cause: options.cause, retriable: options.retriable ?? false }, kafkitCode)
  }
}

/** What KafkaJS builds a KafkaJSProtocolError from: an entry of its error table, or another protocol error. */
export interface KafkaJSProtocolErrorInfo {
  type: string
  code: number
  message: string
  retriable?: boolean
  helpUrl?: string
}

export interface KafkaJSProtocolErrorOptions {
  retriable?: boolean
  cause?: unknown
  /** Where it happened (topic-partition, group, broker) or the broker's own error message. */
  detail?: string
  /** Kafka's name for the code, when it is not `type`. */
  kafkaType?: string
}

/**
 * An error code a broker returned. `code` is the number, `type`, `message` and `retriable` are
 * KafkaJS's for the codes KafkaJS knows and Kafka's for newer ones. `kafkaType` is Kafka's own name
 * (NOT_LEADER_OR_FOLLOWER where KafkaJS says NOT_LEADER_FOR_PARTITION) and `detail` says where.
 */
export class KafkaJSProtocolError extends KafkaJSError {
  readonly code: number
  readonly type: string
  /** The same number as `code`. */
  readonly errorCode: number
  /** Kafka's name for the code (Java's Errors enum); it differs from `type` where KafkaJS kept an older name. */
  readonly kafkaType: string
  readonly detail: string | undefined
  constructor(
    e: KafkaJSErrorInput | KafkaJSProtocolErrorInfo,
    options: KafkaJSProtocolErrorOptions = {},
    kafkitCode?: string,
  ) {
    const from: Partial<KafkaJSProtocolErrorInfo> = typeof e === 'string' ? {} : e
    const known = e instanceof KafkaJSProtocolError ? e : undefined
    // built from a bare message (KafkaJS leaves code and type undefined): the codes of an unknown error
    const type = typeof from.type === 'string' ? from.type : 'UNKNOWN'
    const kafkaType = options.kafkaType ?? known?.kafkaType ?? type
    super(
      e,
      { retriable: options.retriable ?? from.retriable, cause: options.cause ?? known?.cause },
      // kafkit's stable code of a broker error has always been Kafka's name for it
      kafkitCode ?? kafkaType,
    )
    this.code = typeof from.code === 'number' ? from.code : -1
    this.type = type
    this.errorCode = this.code
    this.kafkaType = kafkaType
    this.detail = options.detail ?? known?.detail
  }
}

export class KafkaJSOffsetOutOfRange extends KafkaJSProtocolError {
  readonly topic: string
  readonly partition: number
  constructor(
    e: KafkaJSErrorInput | KafkaJSProtocolErrorInfo,
    where: { topic: string; partition: number },
    kafkitCode?: string,
  ) {
    super(e, {}, kafkitCode)
    this.topic = where.topic
    this.partition = where.partition
  }
}

/**
 * The partition's log was truncated below the consumer's position (an unclean leader election,
 * KIP-320) and the consumer has no reset policy (`autoOffsetReset: 'none'`), as Java's
 * LogTruncationException. `fetchOffset` is the position the consumer had reached; `divergentOffset`
 * the first offset at which the new leader's log differs from what the consumer read, undefined when
 * the leader cannot say (it knows no epoch at or before the one the position was read under). Not
 * retriable: the application decides where to go on (seek), as with Java.
 */
export class KafkaJSLogTruncationError extends KafkaJSOffsetOutOfRange {
  readonly fetchOffset: string
  readonly divergentOffset: string | undefined
  constructor(where: { topic: string; partition: number; fetchOffset: bigint; divergentOffset?: bigint }) {
    const at = `${where.topic}-${where.partition}`
    const diverges =
      where.divergentOffset === undefined
        ? 'the leader knows no epoch at or before the one it was read under'
        : `the new leader's log diverges from offset ${where.divergentOffset}`
    super(
      {
        type: 'OFFSET_OUT_OF_RANGE',
        code: 1,
        message: `Log truncation detected for ${at} at fetch offset ${where.fetchOffset}: ${diverges}, and autoOffsetReset is 'none'`,
        retriable: false,
      },
      where,
      'ERR_LOG_TRUNCATION',
    )
    this.fetchOffset = where.fetchOffset.toString()
    this.divergentOffset = where.divergentOffset?.toString()
  }
}

/**
 * A partition has no committed offset and the consumer has no reset policy (`autoOffsetReset:
 * 'none'`), as Java's NoOffsetForPartitionException.
 */
export class KafkaJSNoOffsetForPartitionError extends KafkaJSNonRetriableError {
  readonly topic: string
  readonly partition: number
  constructor(where: { topic: string; partition: number }) {
    super(
      `${where.topic}-${where.partition} has no committed offset, and autoOffsetReset is 'none'`,
      {},
      'ERR_NO_OFFSET_FOR_PARTITION',
    )
    this.topic = where.topic
    this.partition = where.partition
  }
}

/** The coordinator asked for a member id (MEMBER_ID_REQUIRED) before joining; `memberId` is the one it gave. */
export class KafkaJSMemberIdRequired extends KafkaJSProtocolError {
  readonly memberId: string
  constructor(e: KafkaJSErrorInput | KafkaJSProtocolErrorInfo, info: { memberId: string }) {
    super(e)
    this.memberId = info.memberId
  }
}

/** A socket-level failure; `code` is the socket error's code (e.g. ECONNREFUSED) when there was one. */
export class KafkaJSConnectionError extends KafkaJSError {
  /** "host:port"; empty when the error was built without one (KafkaJS declares it always set). */
  readonly broker: string
  readonly code: string | undefined
  constructor(
    e: KafkaJSErrorInput,
    options: KafkaJSErrorOptions & { broker?: string; code?: string } = {},
    kafkitCode = 'ERR_CONNECTION',
  ) {
    super(e, { retriable: options.retriable ?? true, cause: options.cause }, kafkitCode)
    this.broker = options.broker ?? ''
    this.code = options.code ?? systemErrorCode(options.cause)
  }
}

/**
 * Node's code of a system or TLS error (ECONNREFUSED, ERR_TLS_CERT_ALTNAME_INVALID, ...); read by
 * shape, since Node's own errors need not share this realm's Error (a vm context, as under jest).
 */
function systemErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined
  return typeof error.code === 'string' ? error.code : undefined
}

export class KafkaJSConnectionClosedError extends KafkaJSConnectionError {
  readonly host: string | undefined
  readonly port: number | undefined
  constructor(
    e: KafkaJSErrorInput,
    options: KafkaJSErrorOptions & { host?: string; port?: number; broker?: string } = {},
  ) {
    const broker = options.broker ?? (options.host === undefined ? undefined : `${options.host}:${options.port}`)
    super(e, { retriable: options.retriable, cause: options.cause, broker }, 'ERR_CONNECTION_CLOSED')
    const address = /^(.*):(\d+)$/.exec(this.broker)
    this.host = options.host ?? address?.[1]
    this.port = options.port ?? (address ? Number(address[2]) : undefined)
  }
}

/** A request not answered within its timeout; `info` is KafkaJS's metadata (its `clientId` is not kept, as in KafkaJS). */
export class KafkaJSRequestTimeoutError extends KafkaJSError {
  readonly broker: string
  readonly correlationId: number
  readonly createdAt: number
  /** When the request was written; undefined when it timed out still queued (never sent). */
  readonly sentAt: number | undefined
  readonly pendingDuration: number
  constructor(
    e: KafkaJSErrorInput,
    info: {
      broker: string
      clientId?: string
      correlationId: number
      createdAt: number
      sentAt?: number
      pendingDuration: number
    },
  ) {
    super(e, { retriable: true }, 'ERR_REQUEST_TIMEOUT')
    this.broker = info.broker
    this.correlationId = info.correlationId
    this.createdAt = info.createdAt
    this.sentAt = info.sentAt
    this.pendingDuration = info.pendingDuration
  }
}

export class KafkaJSNumberOfRetriesExceeded extends KafkaJSNonRetriableError {
  /** Always set: this error's name, then the stack of the error it gave up on. */
  declare readonly stack: string
  readonly retryCount: number
  readonly retryTime: number
  /** `e` is the last error of the retried call; it is also `cause`. */
  constructor(e: unknown, info: { retryCount: number; retryTime: number }) {
    const errorLike = isErrorLike(e) ? e : undefined
    super(errorLike ?? String(e), { cause: e }, 'ERR_RETRIES_EXCEEDED')
    // KafkaJS's stack: its name was still its parent's when it set it
    this.stack = `KafkaJSNonRetriableError\n  Caused by: ${errorLike === undefined ? String(e) : errorLike.stack}`
    this.retryCount = info.retryCount
    this.retryTime = info.retryTime
  }
}

export class KafkaJSTimeout extends KafkaJSNonRetriableError {
  constructor(e: KafkaJSErrorInput = '', options: { cause?: unknown; retriable?: boolean } = {}) {
    super(e, options, 'ERR_TIMEOUT')
  }
}

/** Bytes from the wire (or from disk) that cannot be decoded: truncated, oversized or malformed. */
export class KafkaJSDecodeError extends KafkaJSNonRetriableError {
  constructor(e: KafkaJSErrorInput, options: { cause?: unknown } = {}) {
    super(e, options, 'ERR_DECODE')
  }
}

/** A record batch whose CRC does not match, or whose structure contradicts its header. */
export class KafkaJSCorruptRecordError extends KafkaJSError {
  readonly topic: string | undefined
  readonly partition: number | undefined
  readonly offset: string | undefined
  constructor(
    e: KafkaJSErrorInput,
    where: { topic?: string; partition?: number; offset?: string; cause?: unknown } = {},
  ) {
    super(e, { retriable: false, cause: where.cause }, 'ERR_CORRUPT_RECORD')
    this.topic = where.topic
    this.partition = where.partition
    this.offset = where.offset
  }
}

export class KafkaJSPartialMessageError extends KafkaJSNonRetriableError {
  constructor(e: KafkaJSErrorInput = '') {
    super(e, {}, 'ERR_PARTIAL_MESSAGE')
  }
}

export class KafkaJSUnsupportedMagicByteInMessageSet extends KafkaJSNonRetriableError {
  constructor(e: KafkaJSErrorInput = '') {
    super(e, {}, 'ERR_UNSUPPORTED_MAGIC')
  }
}

// KafkaJS names both of these KafkaJSNonRetriableError (`error.name`), which code written for it sees.
export class KafkaJSInvalidVarIntError extends KafkaJSDecodeError {
  constructor(e: KafkaJSErrorInput, options: { cause?: unknown } = {}) {
    super(e, options)
    this.name = 'KafkaJSNonRetriableError'
  }
}
export class KafkaJSInvalidLongError extends KafkaJSDecodeError {
  constructor(e: KafkaJSErrorInput, options: { cause?: unknown } = {}) {
    super(e, options)
    this.name = 'KafkaJSNonRetriableError'
  }
}

/** The broker does not support any version of an API in the range the client can speak. */
export class KafkaJSServerDoesNotSupportApiKey extends KafkaJSNonRetriableError {
  readonly apiKey: number
  readonly apiName: string
  constructor(e: KafkaJSErrorInput, info: { apiKey: number; apiName: string }) {
    super(e, {}, 'ERR_UNSUPPORTED_API')
    this.apiKey = info.apiKey
    this.apiName = info.apiName
  }
}

/** A request field was set to a value that the negotiated version of the API cannot carry. */
export class KafkaJSUnsupportedFieldError extends KafkaJSNonRetriableError {
  readonly apiName: string
  readonly field: string
  readonly version: number
  constructor(info: { apiName: string; field: string; version: number }) {
    super(
      `${info.apiName} v${info.version} cannot carry field ${info.field}; it is set to a non-default value`,
      {},
      'ERR_UNSUPPORTED_FIELD',
    )
    this.apiName = info.apiName
    this.field = info.field
    this.version = info.version
  }
}

export class KafkaJSInvalidArgumentError extends KafkaJSNonRetriableError {
  constructor(e: KafkaJSErrorInput, options: { cause?: unknown } = {}) {
    super(e, options, 'ERR_INVALID_ARGUMENT')
  }
}

export class KafkaJSMetadataNotLoaded extends KafkaJSError {
  constructor(e: KafkaJSErrorInput = '', options: KafkaJSErrorOptions = {}) {
    super(e, options, 'ERR_METADATA_NOT_LOADED')
  }
}

export class KafkaJSTopicMetadataNotLoaded extends KafkaJSMetadataNotLoaded {
  readonly topic: string
  constructor(e: KafkaJSErrorInput, info: { topic: string }) {
    super(e)
    this.topic = info.topic
  }
}

export class KafkaJSBrokerNotFound extends KafkaJSError {
  constructor(e: KafkaJSErrorInput = '', options: KafkaJSErrorOptions = {}) {
    super(e, options, 'ERR_BROKER_NOT_FOUND')
  }
}

/** No broker could be reached; KafkaJS's message is always the same, `detail` says what was tried. */
export class KafkaJSNoBrokerAvailableError extends KafkaJSError {
  readonly detail: string | undefined
  constructor(detail?: string, options: KafkaJSErrorOptions = {}) {
    super('No broker available', options, 'ERR_NO_BROKER_AVAILABLE')
    this.detail = detail
  }
}

export class KafkaJSGroupCoordinatorNotFound extends KafkaJSNonRetriableError {
  constructor(e: KafkaJSErrorInput = '', options: { cause?: unknown } = {}) {
    super(e, options, 'ERR_COORDINATOR_NOT_FOUND')
  }
}

/**
 * SASL authentication failed: wrong credentials, a mechanism the broker does not enable, an expired
 * token, a server that failed to prove itself (SCRAM). Retrying with the same credentials cannot
 * help. `mechanism` and `broker` say where; the message never carries a secret.
 */
export class KafkaJSSASLAuthenticationError extends KafkaJSNonRetriableError {
  /** The SASL mechanism, e.g. "SCRAM-SHA-256"; undefined when the failure came before choosing one. */
  readonly mechanism: string | undefined
  /** "host:port" of the broker that refused. */
  readonly broker: string | undefined
  /** Kafka's error name when the broker refused (SASL_AUTHENTICATION_FAILED, UNSUPPORTED_SASL_MECHANISM, ...). */
  readonly type: string | undefined
  constructor(
    e: KafkaJSErrorInput = '',
    options: { cause?: unknown; mechanism?: string; broker?: string; type?: string } = {},
  ) {
    super(e, { cause: options.cause }, 'ERR_SASL_AUTHENTICATION')
    this.mechanism = options.mechanism
    this.broker = options.broker
    this.type = options.type
  }
}

export class KafkaJSNotImplemented extends KafkaJSNonRetriableError {
  constructor(e: KafkaJSErrorInput = '') {
    super(e, {}, 'ERR_NOT_IMPLEMENTED')
  }
}

/** A state the client's own logic rules out: a bug in kafkit (KafkaJS's message text, asking for a report). */
export class KafkaJSInvariantViolation extends KafkaJSNonRetriableError {
  constructor(e: KafkaJSErrorInput) {
    super(`Invariant violated: ${messageOf(e)}. This is likely a bug and should be reported.`, {}, 'ERR_INVARIANT')
  }
}

/**
 * Several failures at once (admin items that failed while others went through, every seed broker
 * refusing). An Error without `retriable`, not a KafkaJSError, as in KafkaJS (whose retrier, and
 * code modelled on it, retries an error whose `retriable` is not false).
 */
export class KafkaJSAggregateError extends Error {
  readonly errors: (Error | string)[]
  constructor(message: KafkaJSErrorInput, errors: readonly (Error | string)[]) {
    super(messageOf(message))
    this.name = 'KafkaJSAggregateError'
    this.errors = [...errors]
  }
}

/** createTopics: a topic the broker refused, aggregated in a KafkaJSAggregateError (as KafkaJS). */
export class KafkaJSCreateTopicError extends KafkaJSProtocolError {
  readonly topic: string
  constructor(e: KafkaJSErrorInput | KafkaJSProtocolErrorInfo, topicName: string) {
    super(e)
    this.topic = topicName
  }
}

/** alterPartitionReassignments: the request, or one partition of it, was refused (as KafkaJS). */
export class KafkaJSAlterPartitionReassignmentsError extends KafkaJSProtocolError {
  readonly topic: string | undefined
  readonly partition: number | undefined
  constructor(e: KafkaJSErrorInput | KafkaJSProtocolErrorInfo, topicName?: string, partition?: number) {
    super(e)
    this.topic = topicName
    this.partition = partition
  }
}

/** A group deleteGroups could not delete, as KafkaJS code passes it (any KafkaJS-shaped error). */
export interface KafkaJSDeleteGroupsErrorGroup {
  groupId: string
  errorCode: number
  error: Error & { readonly retriable: boolean }
}

/**
 * deleteGroups: the groups that could not be deleted, each with its error (as KafkaJS), which is the
 * group's broker error: one given as another kind of error becomes the protocol error of the
 * group's `errorCode`, with the given one as its cause.
 */
export class KafkaJSDeleteGroupsError extends KafkaJSError {
  readonly groups: Array<{ groupId: string; errorCode: number; error: KafkaJSProtocolError }>
  constructor(e: KafkaJSErrorInput, groups: readonly KafkaJSDeleteGroupsErrorGroup[] = []) {
    super(e, {}, 'ERR_DELETE_GROUPS')
    this.groups = groups.map((g) => ({
      groupId: g.groupId,
      errorCode: g.errorCode,
      error:
        g.error instanceof KafkaJSProtocolError
          ? g.error
          : new KafkaJSProtocolError(
              {
                type: kafkaJSErrorByCode(g.errorCode)?.type ?? 'UNKNOWN',
                code: g.errorCode,
                message: g.error.message,
                retriable: g.error.retriable,
              },
              { cause: g.error },
            ),
    }))
  }
}

/** A partition deleteTopicRecords could not delete from, with its error (any KafkaJS-shaped error). */
export interface KafkaJSDeleteTopicRecordsErrorPartition {
  partition: number
  offset: string
  error: Error & { readonly retriable: boolean }
}

/** deleteTopicRecords: the partitions whose records could not be deleted, each with its error (as KafkaJS). */
export class KafkaJSDeleteTopicRecordsError extends KafkaJSError {
  readonly topic: string | undefined
  readonly partitions: readonly KafkaJSDeleteTopicRecordsErrorPartition[]
  constructor(info: { topic?: string; partitions: readonly KafkaJSDeleteTopicRecordsErrorPartition[] }) {
    super(
      'Error while deleting records',
      { retriable: info.partitions.every((p) => p.error.retriable) },
      'ERR_DELETE_TOPIC_RECORDS',
    )
    this.topic = info.topic
    this.partitions = info.partitions
  }
}

/**
 * One item of an admin operation failed (a topic, partition, group, ACL, config resource, user,
 * ...), while the others went through; these are collected in a KafkaJSAggregateError. `item`
 * names what failed; `code`, `type` and `errorCode` are the broker's error when it refused the item.
 */
export class KafkaJSAdminItemError extends KafkaJSError {
  readonly operation: string
  readonly item: Readonly<Record<string, unknown>>
  readonly code: number | undefined
  readonly type: string | undefined
  readonly errorCode: number | undefined
  constructor(operation: string, item: Readonly<Record<string, unknown>>, error: Error) {
    const described = Object.entries(item)
      .map(([key, value]) => `${key} ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`)
      .join(', ')
    // a kafkit class, so its message may say everything known, the broker's own words included
    const detail = error instanceof KafkaJSProtocolError && error.detail !== undefined ? ` (${error.detail})` : ''
    super(
      `${operation} failed for ${described}: ${error.message}${detail}`,
      { retriable: error instanceof KafkaJSError && error.retriable, cause: error },
      error instanceof KafkaJSError ? error.kafkitCode : 'ERR_ADMIN_ITEM',
    )
    this.operation = operation
    this.item = item
    const protocol = error instanceof KafkaJSProtocolError ? error : undefined
    this.code = protocol?.code
    this.type = protocol?.type
    this.errorCode = protocol?.errorCode
  }
}

// Producer errors (src/producer). Java's names are given where the Java client has the same failure.

/** send() waited maxBlockMs for room in the producer's buffer (Java: BufferExhaustedException). */
export class KafkaJSBufferExhaustedError extends KafkaJSError {
  readonly waitedMs: number
  constructor(e: KafkaJSErrorInput, info: { waitedMs: number }) {
    super(e, { retriable: true }, 'ERR_BUFFER_EXHAUSTED')
    this.waitedMs = info.waitedMs
  }
}

const MESSAGE_TOO_LARGE = 10

/**
 * A record larger than the producer accepts (maxRequestSize or maxBufferedBytes; Java:
 * RecordTooLargeException). KafkaJS has no such check and gets the broker's MESSAGE_TOO_LARGE, so
 * this is that protocol error (its code, type, text); `detail`, `topic` and `size` say which record.
 */
export class KafkaJSRecordTooLargeError extends KafkaJSProtocolError {
  readonly topic: string
  readonly size: number
  constructor(detail: string, info: { topic: string; size: number }) {
    const kafkajs = kafkaJSErrorByCode(MESSAGE_TOO_LARGE)
    super(
      kafkajs ?? { code: MESSAGE_TOO_LARGE, type: 'MESSAGE_TOO_LARGE', message: detail },
      { retriable: false, detail },
      'ERR_RECORD_TOO_LARGE',
    )
    // what KafkaJS code tests (`error.name === 'KafkaJSProtocolError'`, as KafkaJS's own producer does)
    this.name = 'KafkaJSProtocolError'
    this.topic = info.topic
    this.size = info.size
  }
}

/** Records not acknowledged within the producer's deliveryTimeout (Java: TimeoutException on expiry). */
export class KafkaJSDeliveryTimeoutError extends KafkaJSError {
  readonly topic: string
  readonly partition: number
  constructor(e: KafkaJSErrorInput, info: { topic: string; partition: number; cause?: unknown }) {
    super(e, { retriable: true, cause: info.cause }, 'ERR_DELIVERY_TIMEOUT')
    this.topic = info.topic
    this.partition = info.partition
  }
}

/** A topic the producer sends to did not appear in the cluster metadata within maxBlockMs. */
export class KafkaJSTopicMetadataTimeoutError extends KafkaJSError {
  readonly topic: string
  constructor(e: KafkaJSErrorInput, info: { topic: string; cause?: unknown }) {
    super(e, { retriable: true, cause: info.cause }, 'ERR_TOPIC_METADATA_TIMEOUT')
    this.topic = info.topic
  }
}

/**
 * Another producer with the same transactional id (or a newer epoch) took over: this producer can
 * no longer write or end transactions (PRODUCER_FENCED, INVALID_PRODUCER_EPOCH). Make a new producer.
 */
export class KafkaJSProducerFencedError extends KafkaJSNonRetriableError {
  constructor(e: KafkaJSErrorInput, options: { cause?: unknown } = {}) {
    super(e, options, 'ERR_PRODUCER_FENCED')
  }
}

/**
 * A transaction method called in a state that does not allow it (commit after a failed send, a
 * second transaction while one is open, use after a fatal error). `state` is the transaction state.
 */
export class KafkaJSTransactionStateError extends KafkaJSNonRetriableError {
  readonly state: string
  constructor(e: KafkaJSErrorInput, info: { state: string; cause?: unknown }) {
    super(e, { cause: info.cause }, 'ERR_TRANSACTION_STATE')
    this.state = info.state
  }
}

/** Why a TLS connection failed; see KafkaJSTLSError. */
export type TLSFailureReason =
  /** The broker's certificate does not chain to a trusted CA (or is expired, revoked, self-signed). */
  | 'untrusted-certificate'
  /** The certificate is valid but not for the host name (or IP address) connected to. */
  | 'hostname-mismatch'
  /** The handshake failed otherwise, e.g. the broker refused the client certificate. */
  | 'handshake-failed'
  /** `ssl` is off but the listener speaks TLS. */
  | 'listener-requires-tls'
  /** `ssl` is on but the listener speaks plaintext (PLAINTEXT or SASL_PLAINTEXT). */
  | 'listener-is-plaintext'

/**
 * A TLS problem: an untrusted or mismatched certificate, a refused handshake, or TLS on one side
 * only. KafkaJS reports these as a KafkaJSConnectionError ("Connection error: <Node's message>",
 * retriable), and so does this class: it is one, under that name, with the same message, `code` and
 * `retriable`. `reason` tells the cases apart, `tlsCode` is Node's code (e.g. "CERT_HAS_EXPIRED")
 * and `detail` says what to change.
 */
export class KafkaJSTLSError extends KafkaJSConnectionError {
  readonly reason: TLSFailureReason
  readonly tlsCode: string | undefined
  readonly detail: string | undefined
  constructor(
    e: KafkaJSErrorInput,
    info: { broker: string; reason: TLSFailureReason; tlsCode?: string; cause?: unknown; detail?: string },
  ) {
    super(e, { broker: info.broker, cause: info.cause, code: info.tlsCode }, 'ERR_TLS')
    this.name = 'KafkaJSConnectionError'
    this.reason = info.reason
    this.tlsCode = info.tlsCode
    this.detail = info.detail
  }
}

// Share consumer errors (src/consumer/share, KIP-932). KafkaJS has no share groups.

/**
 * The cluster does not serve share groups: its `share.version` feature is 0 (a ShareGroupHeartbeat
 * is answered UNSUPPORTED_VERSION), or the broker predates them. `feature` names what to enable.
 */
export class KafkaJSShareGroupsNotEnabledError extends KafkaJSNonRetriableError {
  readonly feature: 'share.version'
  constructor(e: KafkaJSErrorInput, options: { cause?: unknown } = {}) {
    super(e, options, 'ERR_SHARE_GROUPS_NOT_ENABLED')
    this.feature = 'share.version'
  }
}

/**
 * A share consumer's acknowledgement went wrong on the client's side: a record left unacknowledged
 * by an explicit-mode handler, acknowledged twice or after its handler ended, message.ack() in
 * implicit mode, or a renewal the broker refused. `topic`, `partition` and `offset` name the record.
 */
export class KafkaJSShareAcknowledgementError extends KafkaJSNonRetriableError {
  readonly topic: string
  readonly partition: number
  readonly offset: string
  constructor(e: KafkaJSErrorInput, info: { topic: string; partition: number; offset: string; cause?: unknown }) {
    super(e, { cause: info.cause }, 'ERR_SHARE_ACKNOWLEDGEMENT')
    this.topic = info.topic
    this.partition = info.partition
    this.offset = info.offset
  }
}

/** KafkaJS: an assignment named partitions the topic metadata does not know yet. */
export class KafkaJSStaleTopicMetadataAssignment extends KafkaJSError {
  readonly topic: string
  readonly unknownPartitions: PartitionMetadata[]
  constructor(e: KafkaJSErrorInput, info: { topic: string; unknownPartitions: PartitionMetadata[] }) {
    super(e, {}, 'ERR_STALE_TOPIC_METADATA_ASSIGNMENT')
    this.topic = info.topic
    this.unknownPartitions = info.unknownPartitions
  }
}

/** KafkaJS: waiting for an internal lock timed out. */
export class KafkaJSLockTimeout extends KafkaJSTimeout {}

/**
 * KafkaJS: a fetch was abandoned because the group started rebalancing. In KafkaJS it is a plain
 * Error (neither a KafkaJSError nor named), which code written for it may rely on.
 */
export class KafkaJSFetcherRebalanceError extends Error {}
