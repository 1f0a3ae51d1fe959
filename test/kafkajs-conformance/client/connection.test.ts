// KafkaJS 2.2.4 src/network/connection.spec.js and src/network/requestQueue/socketRequest.spec.js,
// the part a real broker cannot be made to do: not answering a request in time, closing the
// connection under a request. Checked through the public Kafka object against a framing-only fake
// server (test/network/fake-server.ts); what a real broker does is in
// integration/kafkajs-conformance/client/connection.test.ts.

import {
  type Admin,
  Kafka,
  type KafkaConfig,
  KafkaJSConnectionClosedError,
  KafkaJSRequestTimeoutError,
  logLevel,
} from '../../../src/index.js'
import { FindCoordinator } from '../../../src/protocol/generated/find-coordinator.js'
import {
  createMetadataResponseMetadataResponseBroker as broker,
  Metadata,
} from '../../../src/protocol/generated/metadata.js'
import { FakeServer, type ReceivedRequest } from '../../network/fake-server.js'

let server: FakeServer
const admins: Admin[] = []
/** Metadata requests after the first (bootstrap): what the test does with them. */
let onLaterMetadata: (request: ReceivedRequest) => void

beforeEach(async () => {
  server = await FakeServer.start()
  server.advertise(Metadata)
  let seen = 0
  server.handlers.set(Metadata.apiKey, (request) => {
    if (seen++ === 0) answerMetadata(request)
    else onLaterMetadata(request)
  })
})

afterEach(async () => {
  for (const admin of admins.splice(0)) await admin.disconnect()
  await server.close()
})

function answerMetadata(request: ReceivedRequest): void {
  const response = Metadata.createResponse({
    clusterId: 'fake',
    controllerId: 1,
    brokers: [broker({ nodeId: 1, host: '127.0.0.1', port: server.port })],
  })
  server.reply(request, Metadata, response)
}

async function connectedAdmin(config: Partial<KafkaConfig> = {}): Promise<Admin> {
  const admin = new Kafka({
    brokers: [server.broker],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    ...config,
  }).admin()
  admins.push(admin)
  await admin.connect()
  return admin
}

/** The first error of `kind` among `error`, its causes and (for an aggregate) the errors it holds. */
function causeOf<T>(error: unknown, kind: abstract new (...args: never[]) => T): T | undefined {
  if (!(error instanceof Error)) return undefined
  if (error instanceof kind) return error
  const held = 'errors' in error && Array.isArray(error.errors) ? (error.errors as unknown[]) : []
  for (const next of [error.cause, ...held]) {
    const found = causeOf(next, kind)
    if (found !== undefined) return found
  }
  return undefined
}

describe('Network > Connection (KafkaJS src/network/connection.spec.js, fake server)', () => {
  test('respect the requestTimeout: KafkaJSRequestTimeoutError "Request <ApiName>(key: N, version: N) timed out"', async () => {
    onLaterMetadata = () => {}
    const admin = await connectedAdmin({ requestTimeout: 50 })
    const error = await admin.listTopics().catch((e: unknown) => e)
    const timeout = causeOf(error, KafkaJSRequestTimeoutError)
    expect(timeout).toBeInstanceOf(KafkaJSRequestTimeoutError)
    const version = server.received(Metadata).at(-1)?.apiVersion
    expect(timeout).toMatchObject({
      name: 'KafkaJSRequestTimeoutError',
      message: `Request Metadata(key: 3, version: ${version}) timed out`,
      retriable: true,
      broker: server.broker,
      correlationId: expect.any(Number),
      createdAt: expect.any(Number),
      sentAt: expect.any(Number),
      pendingDuration: expect.any(Number),
    })
  })

  test('enforceRequestTimeout: false lets a request wait past requestTimeout for its response', async () => {
    let answered = false
    onLaterMetadata = (request) => {
      // answered well after requestTimeout; the request must still be waiting for it
      setTimeout(() => {
        answered = true
        answerMetadata(request)
      }, 1000)
    }
    // the handshake stays bounded by requestTimeout (kafkit's connections), so it leaves room for a loaded machine
    const admin = await connectedAdmin({ requestTimeout: 400, enforceRequestTimeout: false })
    await expect(admin.listTopics()).resolves.toEqual([])
    expect(answered).toBe(true)
  })

  test('a broker closing the connection under a request fails it with KafkaJSConnectionClosedError "Closed connection"', async () => {
    onLaterMetadata = (request) => request.socket.destroy()
    const admin = await connectedAdmin()
    const error = await admin.listTopics().catch((e: unknown) => e)
    const closed = causeOf(error, KafkaJSConnectionClosedError)
    expect(closed).toMatchObject({
      name: 'KafkaJSConnectionClosedError',
      message: 'Closed connection',
      retriable: true,
      host: '127.0.0.1',
      port: server.port,
      broker: server.broker,
    })
  })
})

describe('Network > RequestQueue > SocketRequest (KafkaJS src/network/requestQueue/socketRequest.spec.js, fake server)', () => {
  test("a timed-out request is named with KafkaJS's API name: GroupCoordinator(key: 10, ...) for FindCoordinator", async () => {
    server.serve(FindCoordinator, () => undefined)
    onLaterMetadata = answerMetadata
    const admin = await connectedAdmin({ requestTimeout: 50 })
    const error = await admin.describeGroups(['g']).catch((e: unknown) => e)
    const timeout = causeOf(error, KafkaJSRequestTimeoutError)
    const version = server.received(FindCoordinator).at(-1)?.apiVersion
    expect(timeout?.message).toBe(`Request GroupCoordinator(key: 10, version: ${version}) timed out`)
  })
})
