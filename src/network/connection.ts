// One TCP (or TLS) connection to one broker: size-prefixed framing, correlation ids, pipelining,
// per-request timeouts, and the handshake every Kafka connection starts with (ApiVersions, then an
// optional authenticator) before it accepts requests. A Connection is used once: after it closes,
// the broker pool makes a new one.
//
// Request queue invariants (checked by test/network/connection.test.ts):
// 1. A request is in exactly one place: #queue or #authQueue (encoded, not written), #inFlight
//    (written, awaiting its response) or nowhere (settled). Settling removes it from where it was and
//    clears its timer.
// 2. Each queue is written in the order it was filled; #authQueue (the authenticator's requests)
//    goes first. #inFlight (a Map, iterated in insertion order) is in the order of writing.
// 3. #inFlight.size <= maxInFlightRequests. A request leaves #queue only while that holds, and only
//    once the socket is connected. A request sent with expectResponse: false never enters #inFlight:
//    it settles when the socket has taken its bytes (or fails to).
// 4. Kafka answers the requests of one connection in the order it received them, so a response must
//    carry the correlation id of the oldest in-flight request; anything else means the stream can
//    no longer be trusted, and the connection closes.
// 5. A request's timeout runs from send(): requestTimeout plus the wait the request asks of the broker
//    (requestNetworkTimeout, request-timeout.ts), or an explicit `timeout`. A request that times out
//    in #queue is dropped from it. One that times out in flight closes the connection (as Java's
//    NetworkClient does): its response would still arrive later and hold up every request behind
//    it, and a broker that does not answer in time is not trusted with more.
//    With enforceRequestTimeout: false (KafkaJS's option), requests sent once the connection is
//    ready get no timer; the handshake's always do.
// 6. Once closed, the queues and #inFlight are empty: in-flight requests fail with the error that
//    closed the connection, queued ones (never written, so safe to retry) with KafkaJSConnectionClosedError.
// 7. Re-authentication (KIP-368) starts when a request is about to be written after the point the
//    session should be renewed (85-95% of its lifetime, as Java's client, and no sooner than the
//    broker accepts: a second after the previous authentication). While it runs, #queue is
//    held and only #authQueue is written; requests already in flight are untouched, and since the
//    broker answers in order their responses come before the authentication's. The connection stays
//    'ready' throughout, so send() keeps queueing; a failed re-authentication closes it.
// 8. With a requestObserver, every request that gets a response is reported once with its wire
//    correlation id (one without response once written), every timeout once, and the number of
//    requests waiting to be written whenever a request had to wait or stopped waiting, and when a
//    failure closes the connection (0, as KafkaJS reports the queue it empties). Nothing is built
//    for a kind of record the observer does not want at that moment.
// 9. Every request that gets a version and a correlation id is traced on the `kafkit:request`
//    TracingChannel (src/tracing/channels.ts) from before it is encoded until it settles, when
//    that channel has subscribers; otherwise the check is all it costs.
// 10. Throttling (KIP-219, throttle.ts): a response whose version asks the client to wait out its
//    throttleTimeMs holds #queue (not #authQueue) until then; the wait does not count against the
//    timeout of the requests it holds up (invariant 5 runs the clock minus the time throttled).
//    Every such response is reported once to the observer and logged at debug level.
// 11. The bytes written to the socket and not yet taken by the kernel (socket.writableLength) stay
//    within maxBufferedWriteBytes: a request that would go past it waits in #queue (or #authQueue)
//    until an earlier write completes, and a request larger than the limit goes alone once the
//    buffer is empty. A slow reader on the other end makes requests wait (and time out), it never
//    makes memory grow without bound.

import type net from 'node:net'
import { errorMessage } from '../common/error-message.js'
import { Fifo } from '../common/fifo.js'
import { StateMachine, type TransitionTable } from '../common/state-machine.js'
import { durationOption } from '../common/validate.js'
import {
  KafkaJSConnectionClosedError,
  KafkaJSConnectionError,
  KafkaJSDecodeError,
  KafkaJSError,
  KafkaJSRequestTimeoutError,
  KafkaJSServerDoesNotSupportApiKey,
} from '../errors.js'
import type { ApiDefinition } from '../protocol/api.js'
import { decodeResponseFrame, encodeRequestChunks, readCorrelationId } from '../protocol/frame.js'
import { ApiVersions, type ApiVersionsResponse } from '../protocol/generated/api-versions.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import { requestsTraced, traceRequest } from '../tracing/channels.js'
import { VERSION } from '../version.js'
import {
  type AuthenticationContext,
  type Authenticator,
  type ConnectionOptions,
  type ResolvedConnectionOptions,
  resolveConnectionOptions,
  type VersionedApi,
} from './connection-options.js'
import { FrameDecoder } from './frame-decoder.js'
import { kafkajsApiName } from './kafkajs-api-names.js'
import type { RequestIdentity, RequestObserver } from './request-observer.js'
import { requestNetworkTimeout } from './request-timeout.js'
import { defaultSocketFactory, plainSocketReadingInto } from './socket-factory.js'
import { clientThrottleMs, ThrottleClock } from './throttle.js'
import { classifyTlsSocketError, looksLikeTlsRecord, tlsListenerError } from './tls-errors.js'
import { writeFrame } from './write-frame.js'

export const CONNECTION_STATES = ['created', 'connecting', 'negotiating', 'authenticating', 'ready', 'closed'] as const
export type ConnectionState = (typeof CONNECTION_STATES)[number]

const TRANSITIONS: TransitionTable<ConnectionState> = {
  created: ['connecting', 'closed'],
  connecting: ['negotiating', 'closed'],
  negotiating: ['authenticating', 'ready', 'closed'],
  authenticating: ['ready', 'closed'],
  ready: ['closed'],
  closed: [],
}

/** Sent in ApiVersions v3+ (KIP-511) so that brokers can report which clients connect to them. */
export const CLIENT_SOFTWARE_NAME = 'kafkit'

export interface SendOptions {
  /** The version to send; default: the highest both sides support (versionFor). */
  version?: number
  /**
   * The network timeout of this request, in ms, for a bound that is not a broker wait. Without it
   * the timeout is requestTimeout plus the wait the request asks the broker for
   * (requestNetworkTimeout in request-timeout.ts).
   */
  timeout?: number
  /**
   * How long the broker may hold this request when the request carries no field saying so
   * (a follower's SyncGroup waits for the leader's assignment); added as the request's own waits are.
   */
  brokerWaitMs?: number
  /**
   * false when the broker sends no response (Produce with acks=0): the promise resolves with
   * undefined once the request is written.
   */
  expectResponse?: boolean
}

/** The version range a broker supports for one API, from its ApiVersions response. */
export interface VersionRange {
  readonly minVersion: number
  readonly maxVersion: number
}

interface PendingRequest {
  readonly correlationId: number
  readonly api: VersionedApi
  readonly version: number
  /** The request's bytes as chunks for one vectored write (record batches are not copied into it). */
  readonly frame: readonly Buffer[]
  /** The frame's length in bytes. */
  readonly size: number
  readonly expectResponse: boolean
  readonly decode: (frame: Buffer) => unknown
  readonly resolve: (value: unknown) => void
  readonly reject: (error: Error) => void
  readonly createdAt: number
  readonly timeout: number
  timer: NodeJS.Timeout | undefined
  sentAt: number | undefined
  settled: boolean
  /** The connection's ThrottleClock.elapsed() when the request was queued (invariant 10). */
  readonly throttleMark: number
  /** Once written: how long a throttle held it in the queue, in ms. */
  throttleWait: number | undefined
}

const INT32_MAX = 2 ** 31 - 1

/** Kafka's KafkaChannel.MIN_REAUTH_INTERVAL_ONE_SECOND_NANOS, with a margin for the clocks. */
const MIN_REAUTHENTICATION_INTERVAL = 1100

/** States in which queued requests may be written: the handshake's own requests, then everyone's. */
const WRITABLE_STATES: ReadonlySet<ConnectionState> = new Set(['negotiating', 'authenticating', 'ready'])

export class Connection {
  readonly host: string
  readonly port: number
  /** "host:port", as named in every error. */
  readonly broker: string
  readonly #options: ResolvedConnectionOptions
  readonly #state: StateMachine<ConnectionState>
  readonly #queue = new Fifo<PendingRequest>()
  /** The authenticator's requests: written before #queue, and alone while re-authenticating. */
  readonly #authQueue = new Fifo<PendingRequest>()
  readonly #inFlight = new Map<number, PendingRequest>()
  readonly #decoder: FrameDecoder
  readonly #observer: RequestObserver | undefined
  /** The client id as observer records carry it. */
  readonly #observedClientId: string
  #socket: net.Socket | undefined
  #nextCorrelationId = 0
  #apiVersions: ReadonlyMap<number, VersionRange> | undefined
  #apiVersionsResponse: ApiVersionsResponse | undefined
  #connecting: Promise<void> | undefined
  /** Settles the wait for the socket to connect; set only while that wait lasts. */
  #socketWait: { resolve: () => void; reject: (error: Error) => void } | undefined
  #closeError: KafkaJSError | undefined
  #socketClosed: Promise<void> = Promise.resolve()
  /** Date.now() from which the session should be renewed (invariant 7); undefined: it does not expire. */
  #reauthenticateAt: number | undefined
  /** Set while a re-authentication runs. */
  #reauthenticating: Promise<void> | undefined
  /** The first bytes received, kept until there are 3, to recognize a TLS listener's answer to plaintext. */
  #streamHead: Buffer | undefined
  /** Until when the broker asked this client to send nothing more (invariant 10). */
  readonly #throttle = new ThrottleClock()
  /** Writes the queue when the throttle ends; set while a throttle holds a non-empty queue. */
  #throttleTimer: NodeJS.Timeout | undefined
  /** Set while writing waits for the socket's buffer to empty (invariant 11). */
  #writeAwaited = false

  constructor(options: ConnectionOptions) {
    this.#options = resolveConnectionOptions(options)
    this.host = this.#options.host
    this.port = this.#options.port
    this.broker = `${this.host}:${this.port}`
    this.#decoder = new FrameDecoder(this.#options.maxResponseSize)
    this.#observer = this.#options.requestObserver
    this.#observedClientId = this.#options.clientId ?? ''
    this.#state = new StateMachine(`connection ${this.broker}`, 'created', TRANSITIONS, this.#options.logger)
  }

  get state(): ConnectionState {
    return this.#state.state
  }

  get isReady(): boolean {
    return this.#state.state === 'ready'
  }

  /** Requests queued or in flight: how busy this connection is. */
  get pendingRequests(): number {
    return this.#queue.length + this.#authQueue.length + this.#inFlight.size
  }

  /** Date.now() before which the broker asked for no more requests (KIP-219); in the past when not throttled. */
  get throttledUntil(): number {
    return this.#throttle.until
  }

  /** Bytes written to the socket that the kernel has not taken yet (invariant 11). */
  get bufferedWriteBytes(): number {
    return this.#socket?.writableLength ?? 0
  }

  /** The broker's supported version range per API key, once negotiated. */
  get apiVersions(): ReadonlyMap<number, VersionRange> {
    if (this.#apiVersions === undefined) throw this.#notReady('API versions are not negotiated yet')
    return this.#apiVersions
  }

  /** The broker's whole ApiVersions response (features, finalized feature levels), once negotiated. */
  get apiVersionsResponse(): ApiVersionsResponse {
    if (this.#apiVersionsResponse === undefined) throw this.#notReady('API versions are not negotiated yet')
    return this.#apiVersionsResponse
  }

  /** Connects, negotiates versions and authenticates; concurrent and repeated calls share one attempt. */
  connect(): Promise<void> {
    if (this.#connecting === undefined && this.state === 'closed') {
      return Promise.reject(this.#notReady('a closed connection cannot connect again; make a new one'))
    }
    this.#connecting ??= this.#establish()
    return this.#connecting
  }

  /**
   * The highest version of `api` that both this client and the broker support. Throws
   * KafkaJSServerDoesNotSupportApiKey, naming the API and both ranges, when there is none.
   */
  versionFor(api: VersionedApi): number {
    const broker = this.apiVersions.get(api.apiKey)
    const client = `the client supports v${api.minVersion}-v${api.maxVersion}`
    if (broker === undefined) {
      throw new KafkaJSServerDoesNotSupportApiKey(
        `Broker ${this.broker} does not support ${api.name} (API key ${api.apiKey}); ${client}`,
        { apiKey: api.apiKey, apiName: api.name },
      )
    }
    const min = Math.max(api.minVersion, broker.minVersion)
    const max = Math.min(api.maxVersion, broker.maxVersion)
    if (min > max) {
      throw new KafkaJSServerDoesNotSupportApiKey(
        `Broker ${this.broker} supports ${api.name} (API key ${api.apiKey}) v${broker.minVersion}-v${broker.maxVersion}, ` +
          `${client}: no common version`,
        { apiKey: api.apiKey, apiName: api.name },
      )
    }
    return max
  }

  send<Req, Res>(
    api: ApiDefinition<Req, Res>,
    request: Req,
    options: SendOptions & { expectResponse: false },
  ): Promise<undefined>
  send<Req, Res>(api: ApiDefinition<Req, Res>, request: Req, options?: SendOptions): Promise<Res>
  async send<Req, Res>(
    api: ApiDefinition<Req, Res>,
    request: Req,
    options: SendOptions = {},
  ): Promise<Res | undefined> {
    if (this.state !== 'ready') throw this.#notConnected()
    return this.#request(api, request, options)
  }

  /**
   * Closes the socket at once. In-flight and queued requests fail with KafkaJSConnectionClosedError;
   * resolves when the socket is closed. Safe to call in any state, any number of times.
   */
  close(): Promise<void> {
    this.#shutdown(
      new KafkaJSConnectionClosedError(`Connection to ${this.broker} was closed`, { broker: this.broker }),
      true,
    )
    return this.#socketClosed
  }

  async #establish(): Promise<void> {
    this.#state.transition('connecting', 'connect()')
    let authenticating = false
    try {
      await this.#openSocket()
      this.#state.transition('negotiating', 'socket connected')
      await this.#negotiateApiVersions()
      const { authenticator } = this.#options
      if (authenticator !== undefined) {
        this.#assertOpen()
        this.#state.transition('authenticating', 'API versions negotiated')
        authenticating = true
        this.#scheduleReauthentication(await authenticator(this.#authenticationContext(false)))
      }
      this.#assertOpen()
      this.#state.transition('ready', authenticator === undefined ? 'API versions negotiated' : 'authenticated')
    } catch (error) {
      // whatever failed the handshake (socket error, timeout, protocol error, the authenticator's
      // error) is what connect() rejects with; an error of unknown kind is wrapped to name the broker
      const failure =
        error instanceof KafkaJSError
          ? error
          : new KafkaJSConnectionError(`Connection to ${this.broker} failed: ${String(error)}`, {
              broker: this.broker,
              cause: error,
              retriable: false,
            })
      this.#shutdown(failure)
      // what a custom SASL mechanism throws reaches the caller as thrown, as in KafkaJS
      throw authenticating ? error : failure
    }
  }

  /** Resolves once the socket is connected; a socket error, close() or the connection timeout rejects. */
  #openSocket(): Promise<void> {
    const { host, port, ssl, connectionTimeout } = this.#options
    if (ssl === undefined) this.#streamHead = Buffer.alloc(0)
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // KafkaJS's text; the broker is in `broker`, the time allowed in the connectionTimeout option
        this.#logError('Connection timeout')
        this.#shutdown(new KafkaJSConnectionError('Connection timeout', { broker: this.broker }))
      }, connectionTimeout)
      const done = (): void => {
        clearTimeout(timer)
        this.#socketWait = undefined
      }
      this.#socketWait = {
        resolve: () => {
          done()
          resolve()
        },
        reject: (error) => {
          done()
          reject(error)
        },
      }
      try {
        const onConnect = (): void => this.#socketWait?.resolve()
        const { socketFactory } = this.#options
        this.#attach(
          socketFactory === defaultSocketFactory && ssl === undefined
            ? plainSocketReadingInto(host, port, onConnect, {
                buffer: () => this.#decoder.readBuffer(),
                read: (n, buffer) => this.#onRead(n, buffer),
              })
            : socketFactory({ host, port, ssl, onConnect }),
        )
      } catch (error) {
        // Node's errors need not be this realm's Error (a vm context, as under jest): read the message by shape
        const text = typeof error === 'object' && error !== null && 'message' in error ? error.message : error
        const message = `Failed to connect: ${String(text)}`
        this.#shutdown(new KafkaJSConnectionError(message, { broker: this.broker, cause: error }))
      }
    })
  }

  #attach(socket: net.Socket): void {
    this.#socket = socket
    this.#socketClosed = new Promise((resolve) => socket.once('close', () => resolve()))
    socket.setNoDelay(true)
    socket.setKeepAlive(true)
    socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    socket.on('error', (error: Error) => {
      const failure = this.#socketError(error)
      this.#logError(failure.message, { stack: error.stack })
      this.#shutdown(failure)
    })
    socket.on('close', () => {
      this.#shutdown(new KafkaJSConnectionClosedError('Closed connection', { host: this.host, port: this.port }))
    })
  }

  async #negotiateApiVersions(): Promise<void> {
    let version = ApiVersions.maxVersion
    const request = ApiVersions.createRequest({
      clientSoftwareName: CLIENT_SOFTWARE_NAME,
      clientSoftwareVersion: VERSION,
    })
    for (;;) {
      const requested = version
      const response = await this.#request(ApiVersions, request, {
        version: requested,
        // a broker that does not know `requested` answers in v0 (with UNSUPPORTED_VERSION and its own
        // range for ApiVersions), as that is the one format every client can read
        decode: (frame) => {
          try {
            return decodeResponseFrame(ApiVersions, requested, frame)
          } catch (error) {
            if (requested === 0) throw error
            return decodeResponseFrame(ApiVersions, 0, frame)
          }
        },
      })
      if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
        const advertised = response.apiKeys.find((k) => k.apiKey === ApiVersions.apiKey)
        const next = advertised === undefined ? 0 : Math.min(advertised.maxVersion, ApiVersions.maxVersion)
        if (next >= version) throw protocolError(response.errorCode, `ApiVersions v${version} to ${this.broker}`)
        this.#options.logger.debug(`ApiVersions v${version} unsupported by ${this.broker}, retrying with v${next}`)
        version = next
        continue
      }
      if (response.errorCode !== ErrorCode.NONE) {
        throw protocolError(response.errorCode, `ApiVersions v${version} to ${this.broker}`)
      }
      this.#apiVersions = new Map(
        response.apiKeys.map((k) => [k.apiKey, { minVersion: k.minVersion, maxVersion: k.maxVersion }]),
      )
      this.#apiVersionsResponse = response
      return
    }
  }

  #authenticationContext(reauthentication: boolean): AuthenticationContext {
    return {
      broker: this.broker,
      host: this.host,
      port: this.port,
      reauthentication,
      versionFor: (api) => this.versionFor(api),
      send: async (api, request, options = {}) => {
        const open = reauthentication
          ? this.state === 'ready' && this.#reauthenticating !== undefined
          : this.state === 'authenticating'
        if (!open) throw this.#notReady('authentication is over')
        // behind requests already in flight, which the broker answers first (invariant 7)
        const timeout = (options.timeout ?? this.#options.requestTimeout) + this.#longestInFlightWait()
        return this.#request(api, request, { ...options, timeout, priority: true })
      },
    }
  }

  /** Plans the next re-authentication from the session the broker granted (invariant 7). */
  #scheduleReauthentication(outcome: Awaited<ReturnType<Authenticator>>): void {
    const lifetime = outcome?.sessionLifetimeMs ?? 0
    if (lifetime <= 0) {
      this.#reauthenticateAt = undefined
      return
    }
    // a broker refuses a re-authentication that begins within a second of the previous one
    const delay = Math.max(Math.floor(lifetime * (0.85 + 0.1 * Math.random())), MIN_REAUTHENTICATION_INTERVAL)
    this.#reauthenticateAt = Date.now() + delay
  }

  #reauthenticationDue(): boolean {
    return (
      this.#reauthenticateAt !== undefined &&
      this.#reauthenticating === undefined &&
      this.state === 'ready' &&
      this.#queue.length > 0 &&
      Date.now() >= this.#reauthenticateAt
    )
  }

  #startReauthentication(): void {
    const authenticator = this.#options.authenticator
    if (authenticator === undefined) return
    this.#options.logger.debug(`Re-authenticating with ${this.broker}`, {
      broker: this.broker,
      inFlight: this.#inFlight.size,
    })
    // deferred a tick so that #reauthenticating is set before the authenticator's first send
    const run = Promise.resolve().then(async () => {
      const outcome = await authenticator(this.#authenticationContext(true))
      this.#assertOpen()
      this.#scheduleReauthentication(outcome)
    })
    this.#reauthenticating = run
    run.then(
      () => {
        this.#reauthenticating = undefined
        this.#pump()
      },
      (error: unknown) => {
        this.#reauthenticating = undefined
        this.#shutdown(
          error instanceof KafkaJSError
            ? error
            : new KafkaJSConnectionError(`Re-authentication with ${this.broker} failed: ${String(error)}`, {
                broker: this.broker,
                cause: error,
                retriable: false,
              }),
        )
      },
    )
  }

  /** The longest time a request in flight may still take, in ms. */
  #longestInFlightWait(): number {
    const now = Date.now()
    let longest = 0
    for (const pending of this.#inFlight.values()) {
      longest = Math.max(longest, pending.createdAt + pending.timeout - now)
    }
    return longest
  }

  /** The one path every request takes: encode, queue, write when a slot is free, await the response. */
  #request<Req, Res>(
    api: ApiDefinition<Req, Res>,
    request: Req,
    options: SendOptions & { decode?: (frame: Buffer) => Res; priority?: boolean },
  ): Promise<Res> {
    const version = options.version ?? this.versionFor(api)
    if (options.version !== undefined) this.#checkVersion(api, version)
    const timeout = durationOption(
      'timeout',
      options.timeout,
      requestNetworkTimeout(api, request, this.#options.requestTimeout, options.brokerWaitMs),
    )
    const correlationId = this.#nextCorrelationId
    this.#nextCorrelationId = correlationId === INT32_MAX ? 0 : correlationId + 1
    if (!requestsTraced()) return this.#enqueue(api, request, options, version, timeout, correlationId)
    return traceRequest(
      {
        clientId: this.#observedClientId,
        client: this.#observer?.client,
        broker: this.broker,
        host: this.host,
        port: this.port,
        apiKey: api.apiKey,
        apiName: api.name,
        apiVersion: version,
        correlationId,
        expectResponse: options.expectResponse ?? true,
      },
      () => this.#enqueue(api, request, options, version, timeout, correlationId),
    )
  }

  /** #request's second half: encodes, queues and writes (the part a request trace encloses). */
  #enqueue<Req, Res>(
    api: ApiDefinition<Req, Res>,
    request: Req,
    options: SendOptions & { decode?: (frame: Buffer) => Res; priority?: boolean },
    version: number,
    timeout: number,
    correlationId: number,
  ): Promise<Res> {
    const frame = encodeRequestChunks(api, version, correlationId, this.#options.clientId, request)
    let size = 0
    for (const chunk of frame) size += chunk.length
    return new Promise<Res>((resolve, reject) => {
      const pending: PendingRequest = {
        correlationId,
        api,
        version,
        frame,
        size,
        expectResponse: options.expectResponse ?? true,
        decode: options.decode ?? ((f) => decodeResponseFrame(api, version, f)),
        resolve: resolve as (value: unknown) => void,
        reject,
        createdAt: Date.now(),
        timeout,
        timer: undefined,
        sentAt: undefined,
        settled: false,
        throttleMark: this.#throttle.elapsed(),
        throttleWait: undefined,
      }
      // enforceRequestTimeout: false spares the requests of a ready connection, not the handshake's
      if (this.#options.enforceRequestTimeout || options.priority || this.state !== 'ready') {
        pending.timer = setTimeout(() => this.#onTimeout(pending), timeout)
      }
      const waiting = this.#waiting
      if (options.priority) this.#authQueue.push(pending)
      else this.#queue.push(pending)
      // a request written at once never waited: measured from before it was queued (invariant 8)
      this.#writeQueued()
      this.#reportQueueSize(waiting)
    })
  }

  /**
   * An explicitly requested version must lie in both ranges; on the client side up to the newest
   * version the schema defines, so that a caller can reach a version Kafka still marks unstable.
   */
  #checkVersion(api: VersionedApi & { latestVersion: number }, version: number): void {
    const negotiated = this.#apiVersions
    const range = negotiated?.get(api.apiKey)
    const inClient = Number.isInteger(version) && version >= api.minVersion && version <= api.latestVersion
    // before ApiVersions has answered, only the client's range is known
    const inBroker =
      negotiated === undefined || (range !== undefined && version >= range.minVersion && version <= range.maxVersion)
    if (inClient && inBroker) return
    const brokerSays =
      negotiated === undefined
        ? 'has not said yet'
        : range === undefined
          ? 'none'
          : `v${range.minVersion}-v${range.maxVersion}`
    throw new KafkaJSServerDoesNotSupportApiKey(
      `${api.name} v${version} cannot be sent to ${this.broker}: the client supports ` +
        `v${api.minVersion}-v${api.latestVersion}, the broker ${brokerSays}`,
      { apiKey: api.apiKey, apiName: api.name },
    )
  }

  /** Requests waiting to be written. */
  get #waiting(): number {
    return this.#queue.length + this.#authQueue.length
  }

  /** Writes what it can of the queues and reports a changed queue size. */
  #pump(): void {
    const waiting = this.#waiting
    this.#writeQueued()
    this.#reportQueueSize(waiting)
  }

  /**
   * Writes queued requests while the in-flight limit (invariant 3), the throttle (invariant 10) and
   * the socket's buffer (invariant 11) allow.
   */
  #writeQueued(): void {
    const socket = this.#socket
    if (socket === undefined || !WRITABLE_STATES.has(this.state)) return
    if (this.#reauthenticationDue()) this.#startReauthentication()
    while (this.#inFlight.size < this.#options.maxInFlightRequests) {
      const queue = this.#nextQueue()
      const pending = queue?.peek()
      if (queue === undefined || pending === undefined) return
      if (pending.settled) {
        queue.shift()
        continue
      }
      if (!this.#hasWriteRoom(socket, pending.size)) return
      queue.shift()
      pending.sentAt = Date.now()
      pending.throttleWait = this.#throttle.elapsed(pending.sentAt) - pending.throttleMark
      if (pending.expectResponse) {
        this.#inFlight.set(pending.correlationId, pending)
        writeFrame(socket, pending.frame, this.#onWritten)
      } else {
        writeFrame(socket, pending.frame, (error) => {
          this.#onWritten()
          if (error) {
            this.#settle(pending, this.#closeError ?? this.#socketError(error))
            return
          }
          this.#reportResponse(pending, 0)
          this.#settle(pending, undefined, undefined)
        })
      }
    }
  }

  /** The queue to write from next: the authenticator's, else #queue unless held (invariants 7 and 10). */
  #nextQueue(): Fifo<PendingRequest> | undefined {
    if (this.#authQueue.length > 0) return this.#authQueue
    if (this.#reauthenticating !== undefined || this.#queue.length === 0) return undefined
    const now = Date.now()
    if (!this.#throttle.isThrottled(now)) return this.#queue
    if (this.#throttleTimer === undefined) {
      this.#throttleTimer = setTimeout(() => {
        this.#throttleTimer = undefined
        this.#pump()
      }, this.#throttle.until - now)
    }
    return undefined
  }

  /**
   * Whether the socket's buffer takes `size` more bytes now; if not, writing resumes when a write
   * the kernel took completes (invariant 11).
   */
  #hasWriteRoom(socket: net.Socket, size: number): boolean {
    const buffered = socket.writableLength
    if (buffered === 0 || buffered + size <= this.#options.maxBufferedWriteBytes) return true
    this.#writeAwaited = true
    return false
  }

  /** A request's bytes went to the kernel: the buffer has room again for what waited on it. */
  readonly #onWritten = (): void => {
    if (!this.#writeAwaited) return
    this.#writeAwaited = false
    this.#pump()
  }

  /** A response asked the client to hold its requests to this broker for `throttleMs` (invariant 10). */
  #onThrottle(pending: PendingRequest, throttleMs: number): void {
    this.#throttle.throttle(throttleMs)
    // KafkaJS's entry
    this.#options.logger.debug(`Client side throttling in effect for ${throttleMs}ms`, {
      broker: this.broker,
      clientId: this.#options.clientId,
    })
    const observer = this.#observer
    if (observer?.observesThrottles !== true || observer.onRequestThrottle === undefined) return
    const onRequestThrottle = observer.onRequestThrottle.bind(observer)
    this.#tellObserver(() =>
      onRequestThrottle({
        ...this.#recordOf(pending),
        throttleTimeMs: throttleMs,
        throttledUntil: this.#throttle.until,
      }),
    )
  }

  #onData(chunk: Buffer): void {
    if (this.#streamHead !== undefined && this.#answeredByTls(chunk)) return
    this.#deliver(undefined, chunk)
  }

  /** A socket reading into the decoder's buffers (plainSocketReadingInto) read `n` bytes into `buffer`. */
  #onRead(n: number, buffer: Buffer): void {
    if (this.state === 'closed') return
    if (this.#streamHead !== undefined && this.#answeredByTls(buffer.subarray(0, n))) return
    this.#deliver(n, undefined)
  }

  /** Hands #onFrame the frames completed by `read` bytes read into the decoder's buffer, or by `chunk`. */
  #deliver(read: number | undefined, chunk: Buffer | undefined): void {
    let frames: readonly Buffer[]
    try {
      frames = read !== undefined ? this.#decoder.commit(read) : this.#decoder.push(chunk!)
    } catch (error) {
      this.#shutdown(this.#streamError(error))
      return
    }
    // a frame can close the connection (invariant 4); the frames after it then belong to no one
    for (const frame of frames) {
      if (this.state === 'closed') return
      this.#onFrame(frame)
    }
  }

  #onFrame(frame: Buffer): void {
    let correlationId: number
    try {
      correlationId = readCorrelationId(frame)
    } catch (error) {
      this.#shutdown(this.#streamError(error))
      return
    }
    const oldest = this.#inFlight.values().next().value
    if (oldest === undefined || oldest.correlationId !== correlationId) {
      const expected = oldest === undefined ? 'none in flight' : `expected ${oldest.correlationId}`
      this.#shutdown(this.#streamError(`a response carries correlation id ${correlationId}, ${expected}`))
      return
    }
    this.#inFlight.delete(correlationId)
    this.#reportResponse(oldest, frame.length)
    let response: unknown
    try {
      response = oldest.decode(frame)
    } catch (error) {
      // the frame boundary held, so only this request is lost; the stream stays usable
      this.#settle(oldest, error instanceof Error ? error : new KafkaJSDecodeError(String(error)))
      this.#pump()
      return
    }
    const throttleMs = clientThrottleMs(oldest.api.name, oldest.version, response)
    if (throttleMs > 0) this.#onThrottle(oldest, throttleMs)
    this.#settle(oldest, undefined, response)
    this.#pump()
  }

  /**
   * Whether the stream starts with a TLS record: plaintext sent to a TLS listener, which answers with
   * an alert. Shuts the connection down when it does.
   */
  #answeredByTls(chunk: Buffer): boolean {
    const head = Buffer.concat([this.#streamHead!, chunk.subarray(0, 3)])
    if (head.length < 3) {
      this.#streamHead = head
      return false
    }
    this.#streamHead = undefined
    if (!looksLikeTlsRecord(head)) return false
    this.#shutdown(tlsListenerError(this.host, this.port))
    return true
  }

  #onTimeout(pending: PendingRequest): void {
    if (pending.settled) return
    const now = Date.now()
    // the time a throttle held the request back is not counted (invariant 10)
    const throttled = pending.throttleWait ?? this.#throttle.elapsed(now) - pending.throttleMark
    const deadline = pending.createdAt + pending.timeout + throttled
    if (throttled > 0 && deadline > now) {
      pending.timer = setTimeout(() => this.#onTimeout(pending), deadline - now)
      return
    }
    const label = requestLabel(pending)
    const error = new KafkaJSRequestTimeoutError(`Request ${label} timed out`, {
      broker: this.broker,
      correlationId: pending.correlationId,
      createdAt: pending.createdAt,
      sentAt: pending.sentAt,
      pendingDuration: now - pending.createdAt,
    })
    const wasInFlight = this.#inFlight.delete(pending.correlationId)
    this.#reportTimeout(pending, now)
    this.#settle(pending, error)
    if (wasInFlight) {
      this.#shutdown(
        new KafkaJSConnectionClosedError(`Connection to ${this.broker} closed: request ${label} timed out`, {
          broker: this.broker,
          cause: error,
        }),
      )
    }
  }

  #settle(pending: PendingRequest, error: Error | undefined, response?: unknown): void {
    if (pending.settled) return
    pending.settled = true
    clearTimeout(pending.timer)
    if (error === undefined) pending.resolve(response)
    else pending.reject(error)
  }

  /**
   * Moves to closed and fails everything outstanding (invariant 6). The first error to arrive wins.
   * `requested`: by close(), not by a failure.
   */
  #shutdown(error: KafkaJSError, requested = false): void {
    if (this.state === 'closed') return
    this.#closeError = error
    this.#state.transition('closed', error.message)
    clearTimeout(this.#throttleTimer)
    this.#throttleTimer = undefined
    this.#socketWait?.reject(error)
    const socket = this.#socket
    if (socket !== undefined) {
      // late 'error' events after destroy must not become unhandled errors
      socket.on('error', () => {})
      socket.destroy()
    }
    const inFlight = [...this.#inFlight.values()]
    this.#inFlight.clear()
    for (const pending of inFlight) this.#settle(pending, error)
    const queued =
      error instanceof KafkaJSConnectionClosedError
        ? error
        : new KafkaJSConnectionClosedError(`Connection to ${this.broker} closed: ${error.message}`, {
            broker: this.broker,
            cause: error,
          })
    const waiting = this.#waiting
    for (const pending of [...this.#authQueue.drain(), ...this.#queue.drain()]) this.#settle(pending, queued)
    this.#reportQueueSize(requested ? waiting : undefined)
  }

  #reportResponse(pending: PendingRequest, size: number): void {
    const observer = this.#observer
    if (observer === undefined || !observer.observesRequests) return
    const sentAt = pending.sentAt ?? pending.createdAt
    this.#tellObserver(() =>
      observer.onRequest({
        ...this.#recordOf(pending),
        sentAt,
        pendingDuration: sentAt - pending.createdAt,
        duration: Date.now() - sentAt,
        size,
      }),
    )
  }

  #reportTimeout(pending: PendingRequest, now: number): void {
    const observer = this.#observer
    if (observer === undefined || !observer.observesTimeouts) return
    const { createdAt, sentAt } = pending
    this.#tellObserver(() =>
      observer.onRequestTimeout({
        ...this.#recordOf(pending),
        sentAt: sentAt ?? null,
        pendingDuration: (sentAt ?? now) - createdAt,
      }),
    )
  }

  /** What every record of a request says, built only for an observer that wants it. */
  #recordOf(pending: PendingRequest): RequestIdentity {
    return {
      apiKey: pending.api.apiKey,
      apiName: kafkajsApiName(pending.api.apiKey, pending.api.name),
      apiVersion: pending.version,
      broker: this.broker,
      clientId: this.#observedClientId,
      correlationId: pending.correlationId,
      createdAt: pending.createdAt,
    }
  }

  /** Reports the number of requests waiting to be written if it is no longer `before` (always without). */
  #reportQueueSize(before: number | undefined): void {
    const observer = this.#observer
    if (observer === undefined || !observer.observesQueueSize) return
    const queueSize = this.#waiting
    if (queueSize === before) return
    this.#tellObserver(() =>
      observer.onRequestQueueSize({ broker: this.broker, clientId: this.#observedClientId, queueSize }),
    )
  }

  /** An observer's failure is logged: it must never break the request stream it watches. */
  #tellObserver(report: () => void): void {
    try {
      report()
    } catch (error) {
      this.#options.logger.error(`Request observer failed: ${errorMessage(error)}`, {
        broker: this.broker,
      })
    }
  }

  /** A response stream that cannot be followed any more (bad frame size, foreign correlation id). */
  #streamError(problem: unknown): KafkaJSDecodeError {
    const detail = errorMessage(problem)
    return new KafkaJSDecodeError(`Invalid response stream from ${this.broker}: ${detail}`, {
      cause: problem instanceof Error ? problem : undefined,
    })
  }

  /** KafkaJS's connection entries: ERROR, with the broker and client id. */
  #logError(message: string, extra: Record<string, unknown> = {}): void {
    this.#options.logger.error(message, { broker: this.broker, clientId: this.#options.clientId, ...extra })
  }

  #socketError(error: Error): KafkaJSConnectionError {
    const tls = classifyTlsSocketError(error, this.broker, this.#options.ssl !== undefined)
    if (tls !== undefined) return tls
    return new KafkaJSConnectionError(`Connection error: ${error.message}`, {
      broker: this.broker,
      cause: error,
    })
  }

  #assertOpen(): void {
    if (this.state === 'closed') throw this.#closeError!
  }

  /** The connection cannot do `what` in its state (a caller's mistake, or a race with close). */
  #notReady(what: string): KafkaJSConnectionError {
    if (this.state === 'closed') {
      return new KafkaJSConnectionClosedError(`Connection to ${this.broker} is closed: ${what}`, {
        broker: this.broker,
        cause: this.#closeError,
      })
    }
    return new KafkaJSConnectionError(`Not connected to ${this.broker} (${this.state}): ${what}`, {
      broker: this.broker,
    })
  }

  /** KafkaJS's error for a request on a connection that is not (or no longer) connected. */
  #notConnected(): KafkaJSConnectionError {
    return new KafkaJSConnectionError('Not connected', { broker: this.broker, cause: this.#closeError })
  }
}

/** e.g. "Metadata(key: 3, version: 12)", as KafkaJS names a request in its errors (GroupCoordinator for key 10). */
function requestLabel(pending: PendingRequest): string {
  const { apiKey, name } = pending.api
  return `${kafkajsApiName(apiKey, name)}(key: ${apiKey}, version: ${pending.version})`
}
