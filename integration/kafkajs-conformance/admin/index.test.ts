// KafkaJS 2.2.4 src/admin/index.spec.js (and its snapshot): the admin's logger (the KafkaJS logger's
// six functions), connect and disconnect events, the admin.network.request event of the first
// request (ApiVersions), admin.network.request_timeout with a 1 ms requestTimeout, and on()
// refusing an unknown event name with KafkaJS's text.
// Not encoded: "emits the request queue size event" gives the admin's cluster maxInFlightRequests: 1
// through createCluster, an internal; kafka.admin() takes no such option (in KafkaJS neither), and
// without a limit no request ever waits, so no queue size is reported.

import { type InstrumentationEvent, KafkaJSNonRetriableError } from '../../../src/index.js'
import { createKafka, secureRandom, slowFirstResponses } from '../helpers.js'
import { Admins } from './admin-helpers.js'

describe('Admin (KafkaJS src/admin/index.spec.js)', () => {
  const admins = new Admins()
  afterEach(() => admins.disconnectAll())

  test('gives access to its logger (the snapshot: debug, error, info, namespace, setLogLevel, warn)', () => {
    const logger = admins.admin().logger()
    const functions = ['debug', 'error', 'info', 'namespace', 'setLogLevel', 'warn']
    for (const name of functions) expect(typeof (logger as unknown as Record<string, unknown>)[name]).toBe('function')
    expect(Object.keys(logger).sort()).toEqual(functions)
  })

  test('emits connection events', async () => {
    const admin = admins.admin()
    const connect = jest.fn()
    const disconnect = jest.fn()
    admin.on(admin.events.CONNECT, connect)
    admin.on(admin.events.DISCONNECT, disconnect)
    await admin.connect()
    expect(connect).toHaveBeenCalled()
    await admin.disconnect()
    expect(disconnect).toHaveBeenCalled()
  })

  test('emits the request event', async () => {
    const admin = admins.admin()
    const events: InstrumentationEvent<unknown>[] = []
    admin.on(admin.events.REQUEST, (e) => void events.push(e as InstrumentationEvent<unknown>))
    await admin.connect()
    expect(events.find((e) => (e.payload as { apiName: string }).apiName === 'ApiVersions')).toEqual({
      id: expect.any(Number),
      timestamp: expect.any(Number),
      type: 'admin.network.request',
      payload: {
        apiKey: expect.any(Number),
        apiName: 'ApiVersions',
        apiVersion: expect.any(Number),
        broker: expect.any(String),
        clientId: expect.any(String),
        correlationId: expect.any(Number),
        createdAt: expect.any(Number),
        duration: expect.any(Number),
        pendingDuration: expect.any(Number),
        sentAt: expect.any(Number),
        size: expect.any(Number),
      },
    })
  })

  test('emits the request timeout event', async () => {
    const admin = admins.admin(
      createKafka({
        requestTimeout: 1,
        enforceRequestTimeout: true,
        retry: { retries: 0 },
        // the broker's answers are held back, so a request times out however fast the broker is
        socketFactory: slowFirstResponses(),
      } as never),
    )
    const timeouts: InstrumentationEvent<unknown>[] = []
    admin.on(admin.events.REQUEST_TIMEOUT, (e) => void timeouts.push(e as InstrumentationEvent<unknown>))
    // every call may time out, the connection's own requests too: try until one reports it
    for (let attempt = 0; attempt < 20 && timeouts.length === 0; attempt++) {
      await admin
        .createTopics({ waitForLeaders: false, topics: [{ topic: `test-topic-${secureRandom()}` }] })
        .catch(() => undefined)
    }
    expect(timeouts[0]).toEqual({
      id: expect.any(Number),
      timestamp: expect.any(Number),
      type: 'admin.network.request_timeout',
      payload: {
        apiKey: expect.any(Number),
        apiName: expect.any(String),
        apiVersion: expect.any(Number),
        broker: expect.any(String),
        clientId: expect.any(String),
        correlationId: expect.any(Number),
        createdAt: expect.any(Number),
        pendingDuration: expect.any(Number),
        sentAt: expect.any(Number),
      },
    })
  })

  test('on throws an error when provided with an invalid event name', () => {
    const admin = admins.admin()
    expect(() => admin.on('NON_EXISTENT_EVENT' as never, () => {})).toThrow(KafkaJSNonRetriableError)
    expect(() => admin.on('NON_EXISTENT_EVENT' as never, () => {})).toThrow(/Event name should be one of admin.events./)
  })
})
