// Error classes keep KafkaJS's names so `instanceof` checks and `error.name` switches in existing
// KafkaJS code keep working. Every class carries a stable `code`, `retriable` and the standard `cause`.

export interface KafkaJSErrorOptions {
  retriable?: boolean
  cause?: unknown
}

export class KafkaJSError extends Error {
  /** Stable machine-readable identifier; never changes between releases. */
  readonly code: string
  readonly retriable: boolean
  override readonly cause: unknown
  /** KafkaJS exposes the original error as `originalError` on some errors; kept as an alias of `cause`. */
  get originalError(): unknown {
    return this.cause
  }

  constructor(message: string, options: KafkaJSErrorOptions = {}, code = 'KAFKAJS_ERROR') {
    super(message)
    this.name = new.target.name
    this.code = code
    this.retriable = options.retriable ?? true
    this.cause = options.cause
  }
}

export class KafkaJSNonRetriableError extends KafkaJSError {
  constructor(message: string, options: Omit<KafkaJSErrorOptions, 'retriable'> = {}, code = 'KAFKAJS_NON_RETRIABLE') {
    super(message, { ...options, retriable: false }, code)
  }
}

/** An error code returned by a broker. `type` is Kafka's error name (e.g. NOT_LEADER_OR_FOLLOWER). */
export class KafkaJSProtocolError extends KafkaJSError {
  readonly type: string
  readonly errorCode: number
  constructor(
    info: { code: number; name: string; retriable: boolean; message: string },
    options: { cause?: unknown; detail?: string } = {},
  ) {
    // the stable code of a protocol error is Kafka's own error name
    super(
      options.detail ? `${info.message} (${options.detail})` : info.message,
      { retriable: info.retriable, cause: options.cause },
      info.name,
    )
    this.type = info.name
    this.errorCode = info.code
  }
}

export class KafkaJSOffsetOutOfRange extends KafkaJSProtocolError {
  readonly topic: string
  readonly partition: number
  constructor(e: KafkaJSProtocolError, where: { topic: string; partition: number }) {
    super({ code: e.errorCode, name: e.type, retriable: e.retriable, message: e.message }, { cause: e.cause })
    this.topic = where.topic
    this.partition = where.partition
  }
}

export class KafkaJSConnectionError extends KafkaJSError {
  readonly broker: string | undefined
  constructor(message: string, options: KafkaJSErrorOptions & { broker?: string } = {}, code = 'ERR_CONNECTION') {
    super(message, { retriable: true, ...options }, code)
    this.broker = options.broker
  }
}

export class KafkaJSConnectionClosedError extends KafkaJSConnectionError {
  constructor(message: string, options: KafkaJSErrorOptions & { broker?: string } = {}) {
    super(message, options, 'ERR_CONNECTION_CLOSED')
  }
}

export class KafkaJSRequestTimeoutError extends KafkaJSError {
  readonly broker: string | undefined
  readonly correlationId: number | undefined
  readonly createdAt: number | undefined
  readonly sentAt: number | undefined
  readonly pendingDuration: number | undefined
  constructor(
    message: string,
    info: {
      broker?: string
      correlationId?: number
      createdAt?: number
      sentAt?: number
      pendingDuration?: number
    } = {},
  ) {
    super(message, { retriable: true }, 'ERR_REQUEST_TIMEOUT')
    this.broker = info.broker
    this.correlationId = info.correlationId
    this.createdAt = info.createdAt
    this.sentAt = info.sentAt
    this.pendingDuration = info.pendingDuration
  }
}

export class KafkaJSNumberOfRetriesExceeded extends KafkaJSNonRetriableError {
  readonly retryCount: number
  readonly retryTime: number
  constructor(cause: unknown, info: { retryCount: number; retryTime: number }) {
    super(cause instanceof Error ? cause.message : String(cause), { cause }, 'ERR_RETRIES_EXCEEDED')
    this.retryCount = info.retryCount
    this.retryTime = info.retryTime
  }
}

export class KafkaJSTimeout extends KafkaJSError {
  constructor(message: string, options: KafkaJSErrorOptions = {}) {
    super(message, { retriable: false, ...options }, 'ERR_TIMEOUT')
  }
}

/** Bytes from the wire (or from disk) that cannot be decoded: truncated, oversized or malformed. */
export class KafkaJSDecodeError extends KafkaJSNonRetriableError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options, 'ERR_DECODE')
  }
}

/** A record batch whose CRC does not match, or whose structure contradicts its header. */
export class KafkaJSCorruptRecordError extends KafkaJSError {
  readonly topic: string | undefined
  readonly partition: number | undefined
  readonly offset: string | undefined
  constructor(message: string, where: { topic?: string; partition?: number; offset?: string; cause?: unknown } = {}) {
    super(message, { retriable: false, cause: where.cause }, 'ERR_CORRUPT_RECORD')
    this.topic = where.topic
    this.partition = where.partition
    this.offset = where.offset
  }
}

export class KafkaJSPartialMessageError extends KafkaJSNonRetriableError {
  constructor(message: string) {
    super(message, {}, 'ERR_PARTIAL_MESSAGE')
  }
}

export class KafkaJSUnsupportedMagicByteInMessageSet extends KafkaJSNonRetriableError {
  constructor(message: string) {
    super(message, {}, 'ERR_UNSUPPORTED_MAGIC')
  }
}

export class KafkaJSInvalidVarIntError extends KafkaJSDecodeError {}
export class KafkaJSInvalidLongError extends KafkaJSDecodeError {}

/** The broker does not support any version of an API in the range the client can speak. */
export class KafkaJSServerDoesNotSupportApiKey extends KafkaJSNonRetriableError {
  readonly apiKey: number
  readonly apiName: string
  constructor(message: string, info: { apiKey: number; apiName: string }) {
    super(message, {}, 'ERR_UNSUPPORTED_API')
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
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options, 'ERR_INVALID_ARGUMENT')
  }
}

export class KafkaJSMetadataNotLoaded extends KafkaJSError {
  constructor(message: string) {
    super(message, { retriable: true }, 'ERR_METADATA_NOT_LOADED')
  }
}

export class KafkaJSTopicMetadataNotLoaded extends KafkaJSMetadataNotLoaded {
  readonly topic: string
  constructor(message: string, info: { topic: string }) {
    super(message)
    this.topic = info.topic
  }
}

export class KafkaJSBrokerNotFound extends KafkaJSError {
  constructor(message: string, options: KafkaJSErrorOptions = {}) {
    super(message, { retriable: true, ...options }, 'ERR_BROKER_NOT_FOUND')
  }
}

export class KafkaJSNoBrokerAvailableError extends KafkaJSError {
  constructor(message: string, options: KafkaJSErrorOptions = {}) {
    super(message, { retriable: true, ...options }, 'ERR_NO_BROKER_AVAILABLE')
  }
}

export class KafkaJSGroupCoordinatorNotFound extends KafkaJSError {
  constructor(message: string, options: KafkaJSErrorOptions = {}) {
    super(message, { retriable: true, ...options }, 'ERR_COORDINATOR_NOT_FOUND')
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
  constructor(message: string, options: { cause?: unknown; mechanism?: string; broker?: string; type?: string } = {}) {
    super(message, { cause: options.cause }, 'ERR_SASL_AUTHENTICATION')
    this.mechanism = options.mechanism
    this.broker = options.broker
    this.type = options.type
  }
}

export class KafkaJSNotImplemented extends KafkaJSNonRetriableError {
  constructor(message: string) {
    super(message, {}, 'ERR_NOT_IMPLEMENTED')
  }
}

export class KafkaJSInvariantViolation extends KafkaJSNonRetriableError {
  constructor(message: string) {
    super(message, {}, 'ERR_INVARIANT')
  }
}

export class KafkaJSAggregateError extends KafkaJSError {
  readonly errors: readonly Error[]
  constructor(message: string, errors: readonly Error[]) {
    super(message, { retriable: errors.every((e) => e instanceof KafkaJSError && e.retriable) }, 'ERR_AGGREGATE')
    this.errors = errors
  }
}

/** createTopics: a topic the broker refused, aggregated in a KafkaJSAggregateError (as KafkaJS). */
export class KafkaJSCreateTopicError extends KafkaJSProtocolError {
  readonly topic: string
  constructor(e: KafkaJSProtocolError, topic: string) {
    super(
      { code: e.errorCode, name: e.type, retriable: e.retriable, message: `topic ${topic}: ${e.message}` },
      { cause: e.cause },
    )
    this.topic = topic
  }
}

/** alterPartitionReassignments: the request, or one partition of it, was refused (as KafkaJS). */
export class KafkaJSAlterPartitionReassignmentsError extends KafkaJSProtocolError {
  readonly topic: string | undefined
  readonly partition: number | undefined
  constructor(e: KafkaJSProtocolError, topic?: string, partition?: number) {
    const where = topic === undefined ? '' : `${topic}${partition === undefined ? '' : `-${partition}`}: `
    super(
      { code: e.errorCode, name: e.type, retriable: e.retriable, message: `${where}${e.message}` },
      { cause: e.cause },
    )
    this.topic = topic
    this.partition = partition
  }
}

export interface KafkaJSDeleteGroupsErrorGroup {
  groupId: string
  errorCode: number
  error: KafkaJSError
}

/** deleteGroups: the groups that could not be deleted, each with its error (as KafkaJS). */
export class KafkaJSDeleteGroupsError extends KafkaJSError {
  readonly groups: readonly KafkaJSDeleteGroupsErrorGroup[]
  constructor(message: string, groups: readonly KafkaJSDeleteGroupsErrorGroup[] = []) {
    super(message, { retriable: groups.length > 0 && groups.every((g) => g.error.retriable) }, 'ERR_DELETE_GROUPS')
    this.groups = groups
  }
}

export interface KafkaJSDeleteTopicRecordsErrorPartition {
  partition: number
  offset: string
  error: KafkaJSError
}

/** deleteTopicRecords: the partitions whose records could not be deleted, each with its error (as KafkaJS). */
export class KafkaJSDeleteTopicRecordsError extends KafkaJSError {
  readonly topic: string
  readonly partitions: readonly KafkaJSDeleteTopicRecordsErrorPartition[]
  constructor(info: { topic: string; partitions: readonly KafkaJSDeleteTopicRecordsErrorPartition[] }) {
    const detail = info.partitions.map((p) => `${info.topic}-${p.partition}: ${p.error.message}`).join('; ')
    super(
      `Error while deleting records (${detail})`,
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
 * names what failed, `type` and `errorCode` carry the broker's error when it refused the item.
 */
export class KafkaJSAdminItemError extends KafkaJSError {
  readonly operation: string
  readonly item: Readonly<Record<string, unknown>>
  readonly type: string | undefined
  readonly errorCode: number | undefined
  constructor(operation: string, item: Readonly<Record<string, unknown>>, error: Error) {
    const described = Object.entries(item)
      .map(([key, value]) => `${key} ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`)
      .join(', ')
    super(
      `${operation} failed for ${described}: ${error.message}`,
      { retriable: error instanceof KafkaJSError && error.retriable, cause: error },
      error instanceof KafkaJSError ? error.code : 'ERR_ADMIN_ITEM',
    )
    this.operation = operation
    this.item = item
    this.type = error instanceof KafkaJSProtocolError ? error.type : undefined
    this.errorCode = error instanceof KafkaJSProtocolError ? error.errorCode : undefined
  }
}

// Producer errors (src/producer). Java's names are given where the Java client has the same failure.

/** send() waited maxBlockMs for room in the producer's buffer (Java: BufferExhaustedException). */
export class KafkaJSBufferExhaustedError extends KafkaJSError {
  readonly waitedMs: number
  constructor(message: string, info: { waitedMs: number }) {
    super(message, { retriable: true }, 'ERR_BUFFER_EXHAUSTED')
    this.waitedMs = info.waitedMs
  }
}

/** A record larger than the producer accepts (maxRequestSize or maxBufferedBytes; Java: RecordTooLargeException). */
export class KafkaJSRecordTooLargeError extends KafkaJSNonRetriableError {
  readonly topic: string
  readonly size: number
  constructor(message: string, info: { topic: string; size: number }) {
    super(message, {}, 'ERR_RECORD_TOO_LARGE')
    this.topic = info.topic
    this.size = info.size
  }
}

/** Records not acknowledged within the producer's deliveryTimeout (Java: TimeoutException on expiry). */
export class KafkaJSDeliveryTimeoutError extends KafkaJSError {
  readonly topic: string
  readonly partition: number
  constructor(message: string, info: { topic: string; partition: number; cause?: unknown }) {
    super(message, { retriable: true, cause: info.cause }, 'ERR_DELIVERY_TIMEOUT')
    this.topic = info.topic
    this.partition = info.partition
  }
}

/** A topic the producer sends to did not appear in the cluster metadata within maxBlockMs. */
export class KafkaJSTopicMetadataTimeoutError extends KafkaJSError {
  readonly topic: string
  constructor(message: string, info: { topic: string; cause?: unknown }) {
    super(message, { retriable: true, cause: info.cause }, 'ERR_TOPIC_METADATA_TIMEOUT')
    this.topic = info.topic
  }
}

/**
 * Another producer with the same transactional id (or a newer epoch) took over: this producer can
 * no longer write or end transactions (PRODUCER_FENCED, INVALID_PRODUCER_EPOCH). Make a new producer.
 */
export class KafkaJSProducerFencedError extends KafkaJSNonRetriableError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options, 'ERR_PRODUCER_FENCED')
  }
}

/**
 * A transaction method called in a state that does not allow it (commit after a failed send, a
 * second transaction while one is open, use after a fatal error). `state` is the transaction state.
 */
export class KafkaJSTransactionStateError extends KafkaJSNonRetriableError {
  readonly state: string
  constructor(message: string, info: { state: string; cause?: unknown }) {
    super(message, { cause: info.cause }, 'ERR_TRANSACTION_STATE')
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
 * A TLS problem that reconnecting cannot fix: an untrusted or mismatched certificate, a refused
 * handshake, or TLS on one side only. A KafkaJSConnectionError, so KafkaJS code that catches those
 * still does; `reason` tells the cases apart and `tlsCode` is Node's code (e.g. "CERT_HAS_EXPIRED").
 */
export class KafkaJSTLSError extends KafkaJSConnectionError {
  readonly reason: TLSFailureReason
  readonly tlsCode: string | undefined
  constructor(message: string, info: { broker: string; reason: TLSFailureReason; tlsCode?: string; cause?: unknown }) {
    super(message, { broker: info.broker, cause: info.cause, retriable: false }, 'ERR_TLS')
    this.reason = info.reason
    this.tlsCode = info.tlsCode
  }
}

// KafkaJS exports these four too; code written for KafkaJS may test `instanceof` against them, which
// throws a TypeError when the name is missing. kafkit raises none of them today.

/** KafkaJS: the coordinator asked for a member id (MEMBER_ID_REQUIRED) before joining. */
export class KafkaJSMemberIdRequired extends KafkaJSError {
  readonly memberId: string
  constructor(message: string, info: { memberId?: string; cause?: unknown } = {}) {
    super(message, { retriable: true, cause: info.cause }, 'ERR_MEMBER_ID_REQUIRED')
    this.memberId = info.memberId ?? ''
  }
}

/** KafkaJS: an assignment named partitions the topic metadata does not know yet. */
export class KafkaJSStaleTopicMetadataAssignment extends KafkaJSError {
  readonly topic: string
  readonly unknownPartitions: number[]
  constructor(message: string, info: { topic: string; unknownPartitions: number[]; cause?: unknown }) {
    super(message, { retriable: true, cause: info.cause }, 'ERR_STALE_TOPIC_METADATA_ASSIGNMENT')
    this.topic = info.topic
    this.unknownPartitions = info.unknownPartitions
  }
}

/** KafkaJS: waiting for an internal lock timed out. */
export class KafkaJSLockTimeout extends KafkaJSTimeout {}

/** KafkaJS: a fetch was abandoned because the group started rebalancing. */
export class KafkaJSFetcherRebalanceError extends KafkaJSError {
  constructor(message = 'The fetcher stopped for a rebalance', options: KafkaJSErrorOptions = {}) {
    super(message, { retriable: true, ...options }, 'ERR_FETCHER_REBALANCE')
  }
}
