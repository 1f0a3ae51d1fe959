// A local TCP server that speaks Kafka's framing (size prefix, request header, correlation ids) and
// answers ApiVersions, for testing the connection's mechanics: framing, pipelining, timeouts, close.
// It is not a broker and the tests that use it claim nothing about broker behaviour; those live in
// integration/, against real Kafka.

import net from 'node:net'
import type { Connection } from '../../src/network/connection.js'
import { FrameDecoder } from '../../src/network/frame-decoder.js'
import type { ApiDefinition } from '../../src/protocol/api.js'
import { ApiVersions } from '../../src/protocol/generated/api-versions.js'
import { Reader } from '../../src/protocol/primitives/reader.js'
import { type RequestFrame, readRequestFrame, responseFrame } from '../fake-broker/wire.js'

/** A made-up API for tests: the request carries an int32, the response echoes it. */
export interface EchoMessage {
  value: number
}

export const Echo: ApiDefinition<EchoMessage, EchoMessage> = {
  apiKey: 1000,
  name: 'Echo',
  minVersion: 0,
  maxVersion: 3,
  latestVersion: 3,
  firstFlexibleVersion: -1,
  routing: 'any',
  requestHeaderVersion: () => 1,
  responseHeaderVersion: () => 0,
  createRequest: (fields) => ({ value: 0, ...fields }),
  createResponse: (fields) => ({ value: 0, ...fields }),
  sizeRequest: () => 4,
  writeRequest: (w, m) => w.int32(m.value),
  readRequest: (r) => ({ value: r.int32() }),
  sizeResponse: () => 4,
  writeResponse: (w, m) => w.int32(m.value),
  readResponse: (r) => ({ value: r.int32() }),
}

export interface ReceivedRequest extends RequestFrame {
  socket: net.Socket
}

/** What a handler does with a request: answer it (now or later), or nothing. */
export type Handler = (request: ReceivedRequest, server: FakeServer) => void

export class FakeServer {
  readonly requests: ReceivedRequest[] = []
  readonly sockets = new Set<net.Socket>()
  /** Per API key; ApiVersions has a default that advertises `apiVersions`. */
  readonly handlers = new Map<number, Handler>()
  /** The ranges advertised by the default ApiVersions handler. */
  apiVersions: { apiKey: number; minVersion: number; maxVersion: number }[] = [
    { apiKey: ApiVersions.apiKey, minVersion: 0, maxVersion: 4 },
    { apiKey: Echo.apiKey, minVersion: 0, maxVersion: 2 },
  ]
  #server: net.Server
  port = 0

  private constructor() {
    this.#server = net.createServer((socket) => this.#accept(socket))
    this.handlers.set(ApiVersions.apiKey, (req) => {
      const response = ApiVersions.createResponse({ apiKeys: this.apiVersions })
      this.reply(req, ApiVersions, response, req.apiVersion)
    })
    this.handlers.set(Echo.apiKey, (req) => this.reply(req, Echo, { value: echoed(req) }))
  }

  static async start(): Promise<FakeServer> {
    const server = new FakeServer()
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve))
    server.port = (server.#server.address() as net.AddressInfo).port
    return server
  }

  get broker(): string {
    return `127.0.0.1:${this.port}`
  }

  /** Advertises `api` in ApiVersions with the given range (default: the client's whole range). */
  advertise(
    api: { apiKey: number; minVersion: number; maxVersion: number },
    min = api.minVersion,
    max = api.maxVersion,
  ): void {
    this.apiVersions = this.apiVersions.filter((k) => k.apiKey !== api.apiKey)
    this.apiVersions.push({ apiKey: api.apiKey, minVersion: min, maxVersion: max })
  }

  /**
   * Answers `api` with what `respond` returns for the decoded request (nothing when it returns
   * undefined), and advertises the client's range for it unless a range is advertised already.
   */
  serve<Req, Res>(api: ApiDefinition<Req, Res>, respond: (request: Req, version: number) => Res | undefined): void {
    if (!this.apiVersions.some((k) => k.apiKey === api.apiKey)) this.advertise(api)
    this.handlers.set(api.apiKey, (req) => {
      const response = respond(api.readRequest(new Reader(req.body), req.apiVersion), req.apiVersion)
      if (response !== undefined) this.reply(req, api, response)
    })
  }

  /** Requests received for one API. */
  received(api: { apiKey: number }): ReceivedRequest[] {
    return this.requests.filter((r) => r.apiKey === api.apiKey)
  }

  /** The frame of a response: size, correlation id, (header v1: empty tagged fields), body. */
  frame<Res>(req: ReceivedRequest, api: ApiDefinition<unknown, Res>, response: Res, version = req.apiVersion): Buffer {
    return responseFrame(req.correlationId, api, response, version)
  }

  reply<Res>(req: ReceivedRequest, api: ApiDefinition<unknown, Res>, response: Res, version?: number): void {
    req.socket.write(this.frame(req, api, response, version))
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #accept(socket: net.Socket): void {
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => {})
    const decoder = new FrameDecoder()
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        const request = { ...readRequestFrame(frame), socket }
        this.requests.push(request)
        this.handlers.get(request.apiKey)?.(request, this)
      }
    })
  }
}

/** The value an Echo request carries. */
export function echoed(req: ReceivedRequest): number {
  return Echo.readRequest(new Reader(req.body), req.apiVersion).value
}

/**
 * One FakeServer per test of the calling file: started before each test (handed to `started`), and
 * after each, the connections given to the returned `track` are closed, then the server.
 */
export function fakeServerPerTest(started: (server: FakeServer) => void): (connection: Connection) => Connection {
  let server: FakeServer | undefined
  const connections: Connection[] = []
  beforeEach(async () => {
    server = await FakeServer.start()
    started(server)
  })
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((c) => c.close()))
    await server?.close()
  })
  return (connection) => {
    connections.push(connection)
    return connection
  }
}
