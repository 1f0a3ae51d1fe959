// An in-process fake Kafka cluster for unit tests (the idea of franz-go's kfake): N nodes listening
// on 127.0.0.1, speaking the generated protocol, answering from a model of the cluster
// (model.ts: topics, partition logs, producer state, transactions, committed offsets), and letting
// a test script any request's answer (interceptions.ts) and await requests as they arrive.
//
// Invariants:
// 1. Each connection's answers are written in the order its requests arrived (Kafka's order, which
//    the client checks); an answer held back holds back the ones behind it, a dropped one all of them.
// 2. Every decoded request is logged (received()) before it is handled, and the promises of
//    request() resolve in arrival order; nothing waits on a timer except a scripted delayMs.
// 3. A request the fake cannot take (unknown API key, version outside the advertised range, a body
//    that does not decode) closes its connection, as a broker does; ApiVersions outside its range
//    is answered at v0 with UNSUPPORTED_VERSION, as Kafka does.
// 4. close() destroys every connection and server, aborts long polls and scripted delays, and rejects
//    request() promises still waiting; it rethrows the first error a handler threw, so a bug in the
//    fake fails the test that met it.

import net from 'node:net'
import { FrameDecoder } from '../../src/network/frame-decoder.js'
import type { ApiDefinition } from '../../src/protocol/api.js'
import { ApiVersions } from '../../src/protocol/generated/api-versions.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import { Reader } from '../../src/protocol/primitives/reader.js'
import { decodeRecords } from '../../src/protocol/records/decode-records.js'
import type { DecodedRecordBatch } from '../../src/protocol/records/types.js'
import type { ApiHandler, HandlerModule, HandlerVersions, RegisteredHandler, RequestContext } from './handler.js'
import { coreHandlers } from './handlers/index.js'
import { Interception, type InterceptSpec, type ReceivedRequest } from './interceptions.js'
import { ClusterModel } from './model.js'
import { type RequestFrame, readRequestFrame, responseFrame } from './wire.js'

export interface FakeClusterOptions {
  /** Number of nodes, with ids 1..n (default 1). */
  nodes?: number
  /** Topics to create: name -> partition count. */
  topics?: Record<string, number>
  /** Metadata requests that allow it create unknown topics (default true, as Kafka's default). */
  autoCreateTopics?: boolean
  /** Partitions of auto-created topics (default 1). */
  defaultPartitions?: number
  /** The finalized transaction.version advertised in ApiVersions (default: none, i.e. transactions v1). */
  transactionVersion?: number
  /** Duplicates answered with DUPLICATE_SEQUENCE_NUMBER rather than success (see PartitionLog). */
  duplicateSequenceError?: boolean
  /** More handler modules, installed after the core ones (they may replace them). */
  modules?: HandlerModule[]
}

export interface FakeNode {
  id: number
  host: string
  port: number
  /** host:port, for a client's brokers list. */
  address: string
}

interface FakeConnection {
  id: number
  node: number
  socket: net.Socket
  /** Settles when every answer so far was written (see invariant 1). */
  tail: Promise<void>
  abort: AbortController
}

interface RequestWaiter {
  apiKey: number
  node: number | undefined
  n: number
  resolve: (request: ReceivedRequest) => void
  reject: (error: Error) => void
}

type Outcome = Buffer | 'disconnect' | undefined

export interface DecodedMessage {
  offset: bigint
  key: string | null
  value: string | null
  headers: Record<string, string>
}

export class FakeCluster {
  readonly model: ClusterModel
  readonly nodes: FakeNode[] = []
  readonly transactionVersion: number | undefined
  readonly #servers: net.Server[] = []
  readonly #connections = new Set<FakeConnection>()
  readonly #handlers = new Map<number, RegisteredHandler>()
  #interceptions: Interception[] = []
  readonly #received: ReceivedRequest[] = []
  #waiters: RequestWaiter[] = []
  readonly #handlerErrors: unknown[] = []
  readonly #closing = new AbortController()
  #nextConnectionId = 1

  private constructor(options: FakeClusterOptions) {
    const count = options.nodes ?? 1
    this.model = new ClusterModel({
      nodeIds: Array.from({ length: count }, (_, i) => i + 1),
      autoCreateTopics: options.autoCreateTopics ?? true,
      defaultPartitions: options.defaultPartitions ?? 1,
      duplicateSequenceError: options.duplicateSequenceError ?? false,
    })
    this.transactionVersion = options.transactionVersion
    for (const install of [...coreHandlers, ...(options.modules ?? [])]) install(this)
    for (const [name, partitions] of Object.entries(options.topics ?? {})) this.model.createTopic(name, partitions)
  }

  static async start(options: FakeClusterOptions = {}): Promise<FakeCluster> {
    const cluster = new FakeCluster(options)
    for (const id of cluster.model.nodeIds) {
      const server = net.createServer((socket) => cluster.#accept(id, socket))
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const { port } = server.address() as net.AddressInfo
      cluster.#servers.push(server)
      cluster.nodes.push({ id, host: '127.0.0.1', port, address: `127.0.0.1:${port}` })
    }
    return cluster
  }

  /** Every node's address, for `new Kafka({ brokers })`. */
  get brokers(): string[] {
    return this.nodes.map((n) => n.address)
  }

  node(id: number): FakeNode {
    const node = this.nodes.find((n) => n.id === id)
    if (node === undefined) throw new Error(`no node ${id}`)
    return node
  }

  /** Registers (or replaces) the handler of `api`, advertised in ApiVersions with `versions`. */
  handle<Req, Res>(api: ApiDefinition<Req, Res>, handler: ApiHandler<Req, Res>, versions: HandlerVersions = {}): void {
    this.#handlers.set(api.apiKey, {
      api,
      handler,
      minVersion: versions.minVersion ?? api.minVersion,
      maxVersion: versions.maxVersion ?? api.maxVersion,
    } as RegisteredHandler)
  }

  /** Changes the version range ApiVersions advertises for a handled API (for version-negotiation tests). */
  advertise(api: { apiKey: number }, minVersion: number, maxVersion: number): void {
    const registered = this.#handlers.get(api.apiKey)
    if (registered === undefined) throw new Error(`API ${api.apiKey} has no handler`)
    registered.minVersion = minVersion
    registered.maxVersion = maxVersion
  }

  /** What ApiVersions advertises: every handled API with its range. */
  advertised(): { apiKey: number; minVersion: number; maxVersion: number }[] {
    return [...this.#handlers.values()].map(({ api, minVersion, maxVersion }) => ({
      apiKey: api.apiKey,
      minVersion,
      maxVersion,
    }))
  }

  /** Scripts the answers to requests of `api` (see InterceptSpec); the newest interception is consulted last. */
  intercept<Req, Res>(api: ApiDefinition<Req, Res>, spec: InterceptSpec<Req, Res>): Interception<Req, Res> {
    const interception = new Interception<Req, Res>(api.apiKey, spec)
    this.#interceptions.push(interception as unknown as Interception)
    return interception
  }

  /** The requests of `api` received so far (optionally only those to `node`), decoded, in arrival order. */
  received<Req>(api: ApiDefinition<Req, unknown>, node?: number): ReceivedRequest<Req>[] {
    return this.#received.filter(
      (r) => r.apiKey === api.apiKey && (node === undefined || r.node === node),
    ) as ReceivedRequest<Req>[]
  }

  /** Resolves with the `n`th request of `api` (1-based; optionally counting only those to `node`) once it arrived. */
  request<Req>(api: ApiDefinition<Req, unknown>, n = 1, node?: number): Promise<ReceivedRequest<Req>> {
    const arrived = this.received(api, node)[n - 1]
    if (arrived !== undefined) return Promise.resolve(arrived)
    if (this.#closing.signal.aborted) return Promise.reject(new Error('the fake cluster is closed'))
    const arrival = new Promise<ReceivedRequest<Req>>((resolve, reject) => {
      this.#waiters.push({ apiKey: api.apiKey, node, n, resolve: resolve as RequestWaiter['resolve'], reject })
    })
    // a wait the test abandoned must not fail the run as an unhandled rejection when close() ends it
    arrival.catch(() => {})
    return arrival
  }

  /** Closes every connection (to `node` only, when given): the client sees its connections drop. */
  disconnect(node?: number): void {
    for (const connection of this.#connections) {
      if (node === undefined || connection.node === node) connection.socket.destroy()
    }
  }

  /** The batches of a partition's log, decoded (control batches included). */
  async batches(topic: string, partition: number): Promise<DecodedRecordBatch[]> {
    const log = this.model.partition(topic, partition)
    if (log === undefined) throw new Error(`no partition ${topic}-${partition}`)
    const { batches } = await decodeRecords(Buffer.concat(log.batches.map((b) => b.header.bytes)))
    return batches
  }

  /** The records of a partition's log (not the control records), with keys, values and headers as UTF-8. */
  async messages(topic: string, partition: number): Promise<DecodedMessage[]> {
    const out: DecodedMessage[] = []
    for (const batch of await this.batches(topic, partition)) {
      if (batch.isControlBatch) continue
      for (const record of batch.records) {
        out.push({
          offset: record.offset,
          key: record.key?.toString() ?? null,
          value: record.value?.toString() ?? null,
          headers: Object.fromEntries(record.headers.map((h) => [h.key, h.value?.toString() ?? ''])),
        })
      }
    }
    return out
  }

  async close(): Promise<void> {
    this.#closing.abort()
    for (const waiter of this.#waiters) waiter.reject(new Error('the fake cluster closed before the request came'))
    this.#waiters = []
    for (const connection of this.#connections) connection.socket.destroy()
    await Promise.all(this.#servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
    if (this.#handlerErrors.length > 0) throw this.#handlerErrors[0]
  }

  #accept(node: number, socket: net.Socket): void {
    const abort = new AbortController()
    const connection: FakeConnection = { id: this.#nextConnectionId++, node, socket, tail: Promise.resolve(), abort }
    this.#connections.add(connection)
    socket.on('close', () => {
      abort.abort()
      this.#connections.delete(connection)
    })
    socket.on('error', () => {})
    const decoder = new FrameDecoder()
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) this.#onFrame(connection, frame)
      } catch {
        socket.destroy()
      }
    })
  }

  #onFrame(connection: FakeConnection, frame: Buffer): void {
    const header = readRequestFrame(frame)
    const registered = this.#handlers.get(header.apiKey)
    if (registered === undefined) throw new Error(`no handler for API ${header.apiKey}`)
    if (header.apiVersion < registered.minVersion || header.apiVersion > registered.maxVersion) {
      if (header.apiKey !== ApiVersions.apiKey) throw new Error(`unsupported version ${header.apiVersion}`)
      const refusal = ApiVersions.createResponse({
        errorCode: ErrorCode.UNSUPPORTED_VERSION,
        apiKeys: this.advertised(),
      })
      this.#enqueue(connection, Promise.resolve(responseFrame(header.correlationId, ApiVersions, refusal, 0)))
      return
    }
    const received = this.#log(connection, header, registered)
    const candidates = this.#interceptions.filter((i) => i.matches(received))
    const acting = candidates.find((i) => i.actsOnRequest)
    acting?.use(received)
    this.#enqueue(connection, this.#answer(connection, registered, received, candidates, acting?.spec))
  }

  #log(connection: FakeConnection, header: RequestFrame, registered: RegisteredHandler): ReceivedRequest {
    const received: ReceivedRequest = {
      apiKey: header.apiKey,
      apiName: registered.api.name,
      node: connection.node,
      version: header.apiVersion,
      correlationId: header.correlationId,
      clientId: header.clientId,
      request: registered.api.readRequest(new Reader(header.body), header.apiVersion),
      connectionId: connection.id,
    }
    this.#received.push(received)
    this.#waiters = this.#waiters.filter((w) => {
      const arrived = this.#received.filter((r) => r.apiKey === w.apiKey && (w.node === undefined || r.node === w.node))
      if (arrived.length < w.n) return true
      w.resolve(arrived[w.n - 1]!)
      return false
    })
    return received
  }

  #enqueue(connection: FakeConnection, answer: Promise<Outcome>): void {
    connection.tail = connection.tail
      .then(() => answer)
      .then(
        (outcome) => {
          if (connection.socket.destroyed) return
          if (outcome === 'disconnect') connection.socket.destroy()
          else if (outcome !== undefined) connection.socket.write(outcome)
        },
        (error: unknown) => {
          this.#handlerErrors.push(error)
          connection.socket.destroy()
        },
      )
  }

  async #answer(
    connection: FakeConnection,
    registered: RegisteredHandler,
    received: ReceivedRequest,
    candidates: Interception[],
    spec: InterceptSpec<unknown, unknown> | undefined,
  ): Promise<Outcome> {
    const signal = AbortSignal.any([connection.abort.signal, this.#closing.signal])
    const ctx: RequestContext<unknown, unknown> = {
      cluster: this,
      state: this.model,
      received,
      request: received.request,
      node: received.node,
      version: received.version,
      signal,
      scriptedError: (topic, partition) => scriptedError(candidates, received, topic, partition),
      modelAnswer: async () => registered.handler(ctx),
    }
    const lost = spec?.drop === true || spec?.disconnect === true
    let response: unknown
    if (!lost || spec?.process === true) {
      response = spec?.respond !== undefined ? await spec.respond(received.request, ctx) : await registered.handler(ctx)
    }
    if (spec?.disconnect === true) return 'disconnect'
    if (spec?.drop === true) return new Promise<never>(() => {})
    if (spec?.hold !== undefined) await spec.hold.catch(() => undefined)
    if (spec?.delayMs !== undefined) await abortableDelay(spec.delayMs, signal)
    if (response === undefined || signal.aborted) return undefined
    return responseFrame(received.correlationId, registered.api, response, received.version)
  }
}

function scriptedError(
  candidates: readonly Interception[],
  received: ReceivedRequest,
  topic: string | undefined,
  partition: number | undefined,
): number | undefined {
  for (const interception of candidates) {
    const { errorCode } = interception.spec
    if (errorCode === undefined || !interception.coversPartition(topic, partition)) continue
    if (interception.remaining <= 0 && !interception.hits.includes(received)) continue
    interception.use(received)
    return errorCode
  }
  return undefined
}

/** Resolves after `ms`, or at once when `signal` aborts (the timer does not outlive the cluster). */
function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done)
  })
}
