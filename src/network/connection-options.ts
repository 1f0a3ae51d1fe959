// Options of one broker connection, validated once at construction with messages that name the
// option and the value, so a misconfiguration fails at startup rather than on the first request.

import type * as tls from 'node:tls'
import { type Logger, silentLogger } from '../common/logger.js'
import { durationOption, invalidOption } from '../common/validate.js'
import { KafkaJSInvalidArgumentError } from '../errors.js'
import type { ApiDefinition } from '../protocol/api.js'
import { DEFAULT_MAX_FRAME_SIZE } from './frame-decoder.js'
import { isRequestObserver, type RequestObserver } from './request-observer.js'
import { createSaslAuthenticator, DEFAULT_AUTHENTICATION_TIMEOUT } from './sasl/sasl-authenticator.js'
import { checkSaslConfig, type SASLConfig } from './sasl/sasl-options.js'
import { defaultSocketFactory, type SocketFactory } from './socket-factory.js'

/** What an authenticator (SASL, later) may do on a connection that has negotiated versions but is not ready. */
export interface AuthenticationContext {
  /** "host:port" */
  readonly broker: string
  readonly host: string
  readonly port: number
  /** true when the connection is ready and renews its session (KIP-368); requests may be in flight. */
  readonly reauthentication: boolean
  versionFor(api: VersionedApi): number
  send<Req, Res>(
    api: ApiDefinition<Req, Res>,
    request: Req,
    options?: { version?: number; timeout?: number },
  ): Promise<Res>
}

/** What an authentication established. */
export interface AuthenticationOutcome {
  /**
   * How long the broker keeps the session (SaslAuthenticate v1+), in ms; the connection
   * authenticates again before it ends. 0 or undefined: the session does not expire.
   */
  sessionLifetimeMs?: number
}

/**
 * Runs after ApiVersions and before the connection becomes ready, and again (with
 * `reauthentication: true`) before a session it reported ends; the connection fails with whatever
 * it throws. This is where SASL (SaslHandshake + SaslAuthenticate) plugs in.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: an authenticator without a session to report is written `async () => {}`
export type Authenticator = (context: AuthenticationContext) => Promise<AuthenticationOutcome | void>

/** The part of an API definition that version negotiation needs. */
export type VersionedApi = Pick<ApiDefinition<unknown, unknown>, 'apiKey' | 'name' | 'minVersion' | 'maxVersion'>

export interface ConnectionOptions {
  host: string
  port: number
  /** Sent in every request header; default "kafkit". */
  clientId?: string | null
  /** Time allowed for the TCP (and TLS) connect, in ms; default 1000 as KafkaJS. */
  connectionTimeout?: number
  /** Time allowed for a request from send() to its response, in ms; default 30000 as KafkaJS. */
  requestTimeout?: number
  /**
   * false: requests of a ready connection never time out (KafkaJS's option; default true). The
   * handshake's requests (ApiVersions, SASL) keep their timeouts, so connect() cannot hang.
   */
  enforceRequestTimeout?: boolean
  /**
   * Requests written and awaiting a response at most; later ones wait in a queue. Default null:
   * no limit, as KafkaJS. The idempotent producer lowers it to 5 or less.
   */
  maxInFlightRequests?: number | null
  /** Largest response frame accepted, in bytes; default 100 MiB. A larger one closes the connection. */
  maxResponseSize?: number
  /**
   * Bytes of requests a connection leaves in its socket's buffer (written, not yet taken by the
   * kernel) before later requests wait for the socket to drain; default 1 MiB (Java's
   * max.request.size). A request larger than this still goes, alone, once the buffer has emptied.
   * Bounds the memory a slow or stalled broker can make the client hold in a socket.
   */
  maxBufferedWriteBytes?: number
  /** true or tls.connect options for TLS; false/undefined for plaintext. */
  ssl?: boolean | tls.ConnectionOptions
  socketFactory?: SocketFactory
  /** SASL options (KafkaJS shape) or a function returning them at each (re)authentication. */
  sasl?: SASLConfig
  /** Time allowed for each SASL request, in ms; default 10000 as KafkaJS. */
  authenticationTimeout?: number
  /** A custom authenticator instead of `sasl`. */
  authenticator?: Authenticator
  /** Told about every request's response, timeout and queue size (KafkaJS's network events). */
  requestObserver?: RequestObserver
  logger?: Logger
}

export interface ResolvedConnectionOptions {
  readonly host: string
  readonly port: number
  readonly clientId: string | null
  readonly connectionTimeout: number
  readonly requestTimeout: number
  readonly enforceRequestTimeout: boolean
  readonly maxInFlightRequests: number
  readonly maxResponseSize: number
  readonly maxBufferedWriteBytes: number
  readonly ssl: tls.ConnectionOptions | undefined
  readonly socketFactory: SocketFactory
  readonly authenticator: Authenticator | undefined
  readonly requestObserver: RequestObserver | undefined
  readonly logger: Logger
}

// KafkaJS's default: it reaches brokers (quotas, request logs) and every event payload
export const DEFAULT_CLIENT_ID = 'kafkajs'
export const DEFAULT_CONNECTION_TIMEOUT = 1000
export const DEFAULT_REQUEST_TIMEOUT = 30000
export const DEFAULT_MAX_BUFFERED_WRITE_BYTES = 1024 * 1024

export function resolveConnectionOptions(options: ConnectionOptions): ResolvedConnectionOptions {
  const { host, port } = options
  if (typeof host !== 'string' || host.length === 0) invalidOption('host', 'a non-empty string', host)
  if (!Number.isInteger(port) || port < 1 || port > 65535) invalidOption('port', 'an integer between 1 and 65535', port)
  const clientId = options.clientId === undefined ? DEFAULT_CLIENT_ID : options.clientId
  if (clientId !== null && typeof clientId !== 'string') invalidOption('clientId', 'a string or null', clientId)
  const maxInFlight = options.maxInFlightRequests ?? Number.POSITIVE_INFINITY
  if (maxInFlight !== Number.POSITIVE_INFINITY && (!Number.isInteger(maxInFlight) || maxInFlight < 1)) {
    invalidOption('maxInFlightRequests', 'a positive integer or null (no limit)', maxInFlight)
  }
  const maxResponseSize = options.maxResponseSize ?? DEFAULT_MAX_FRAME_SIZE
  if (!Number.isSafeInteger(maxResponseSize) || maxResponseSize < 8) {
    invalidOption('maxResponseSize', 'an integer >= 8 (bytes)', maxResponseSize)
  }
  const maxBufferedWriteBytes = options.maxBufferedWriteBytes ?? DEFAULT_MAX_BUFFERED_WRITE_BYTES
  if (!Number.isSafeInteger(maxBufferedWriteBytes) || maxBufferedWriteBytes < 1) {
    invalidOption('maxBufferedWriteBytes', 'a positive integer (bytes)', maxBufferedWriteBytes)
  }
  const ssl = options.ssl === true ? {} : options.ssl === false ? undefined : options.ssl
  if (ssl !== undefined && (typeof ssl !== 'object' || ssl === null)) {
    invalidOption('ssl', 'a boolean or tls.connect options', ssl)
  }
  if (options.socketFactory !== undefined && typeof options.socketFactory !== 'function') {
    invalidOption('socketFactory', 'a function', options.socketFactory)
  }
  if (options.authenticator !== undefined && typeof options.authenticator !== 'function') {
    invalidOption('authenticator', 'a function', options.authenticator)
  }
  if (options.requestObserver !== undefined && !isRequestObserver(options.requestObserver)) {
    invalidOption(
      'requestObserver',
      'an object with onRequest, onRequestTimeout and onRequestQueueSize methods',
      options.requestObserver,
    )
  }
  if (options.sasl !== undefined && options.sasl !== null) {
    if (options.authenticator !== undefined) {
      throw new KafkaJSInvalidArgumentError('sasl and authenticator cannot both be given: authenticator replaces sasl')
    }
    checkSaslConfig(options.sasl)
  }
  if (options.enforceRequestTimeout !== undefined && typeof options.enforceRequestTimeout !== 'boolean') {
    invalidOption('enforceRequestTimeout', 'a boolean', options.enforceRequestTimeout)
  }
  const logger = options.logger ?? silentLogger
  const authenticationTimeout = durationOption(
    'authenticationTimeout',
    options.authenticationTimeout,
    DEFAULT_AUTHENTICATION_TIMEOUT,
  )
  const authenticator =
    options.authenticator ??
    (options.sasl === undefined || options.sasl === null
      ? undefined
      : createSaslAuthenticator({ sasl: options.sasl, authenticationTimeout, logger }))
  return {
    host,
    port,
    clientId,
    connectionTimeout: durationOption('connectionTimeout', options.connectionTimeout, DEFAULT_CONNECTION_TIMEOUT),
    requestTimeout: durationOption('requestTimeout', options.requestTimeout, DEFAULT_REQUEST_TIMEOUT),
    enforceRequestTimeout: options.enforceRequestTimeout ?? true,
    maxInFlightRequests: maxInFlight,
    maxResponseSize,
    maxBufferedWriteBytes,
    ssl,
    socketFactory: options.socketFactory ?? defaultSocketFactory,
    authenticator,
    requestObserver: options.requestObserver,
    logger,
  }
}
