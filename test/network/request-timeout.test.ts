import { BROKER_WAIT_MARGIN, brokerWaitMs, requestNetworkTimeout } from '../../src/network/request-timeout.js'
import { allApis, Fetch, JoinGroup, Produce, SyncGroup } from '../../src/protocol/generated/index.js'

// The request fields that name a time, and which of them ask the broker to wait (request-timeout.ts).
const TIME_FIELDS = ['maxWaitMs', 'timeoutMs', 'rebalanceTimeoutMs', 'sessionTimeoutMs', 'transactionTimeoutMs']

/** Every API whose request carries a broker wait, with the field that carries it. */
const WAITS: Record<string, string> = {
  Produce: 'timeoutMs',
  Fetch: 'maxWaitMs',
  ListOffsets: 'timeoutMs',
  JoinGroup: 'rebalanceTimeoutMs',
  CreateTopics: 'timeoutMs',
  DeleteTopics: 'timeoutMs',
  DeleteRecords: 'timeoutMs',
  CreatePartitions: 'timeoutMs',
  ElectLeaders: 'timeoutMs',
  AlterPartitionReassignments: 'timeoutMs',
  ListPartitionReassignments: 'timeoutMs',
  UpdateFeatures: 'timeoutMs',
  ShareFetch: 'maxWaitMs',
  AddRaftVoter: 'timeoutMs',
}

describe('brokerWaitMs: the wait each API asks of the broker, from its request fields', () => {
  // every API a client can send, so that a schema gaining a wait field shows up here
  const named = allApis.filter((api) => Object.keys(api.createRequest()).some((field) => TIME_FIELDS.includes(field)))

  test.each(named.map((api) => [api.name, api] as const))('%s', (name, api) => {
    const fields = Object.keys(api.createRequest()).filter((field) => TIME_FIELDS.includes(field))
    const times = Object.fromEntries(fields.map((field, i) => [field, 1000 * (i + 1)]))
    // a Produce's default acks (0) asks for nothing: the acks 0 case has its own test
    const request = api.createRequest(name === 'Produce' ? { ...times, acks: -1 } : times)
    const waitField = WAITS[name]
    expect(brokerWaitMs(api, request)).toBe(waitField === undefined ? undefined : request[waitField])
  })

  test('every API in the table has its wait field', () => {
    const byName = new Map(allApis.map((api) => [api.name, api]))
    for (const [name, field] of Object.entries(WAITS)) {
      expect(Object.keys(byName.get(name)?.createRequest() ?? {})).toContain(field)
    }
    expect(named.map((api) => api.name).sort()).toEqual(
      [...Object.keys(WAITS), 'ConsumerGroupHeartbeat', 'InitProducerId', 'StreamsGroupHeartbeat'].sort(),
    )
  })

  test('APIs without a time field ask for no wait', () => {
    for (const api of allApis.filter((a) => !named.includes(a))) {
      expect(brokerWaitMs(api, api.createRequest())).toBeUndefined()
    }
  })

  test('a Produce with acks 0 asks for no wait: the broker does not answer it', () => {
    expect(brokerWaitMs(Produce, Produce.createRequest({ acks: 0, timeoutMs: 30000 }))).toBeUndefined()
    expect(brokerWaitMs(Produce, Produce.createRequest({ acks: 1, timeoutMs: 30000 }))).toBe(30000)
    expect(brokerWaitMs(Produce, Produce.createRequest({ acks: -1, timeoutMs: 30000 }))).toBe(30000)
  })

  test("a JoinGroup without a rebalance timeout waits its session timeout (v0's meaning)", () => {
    expect(brokerWaitMs(JoinGroup, JoinGroup.createRequest({ sessionTimeoutMs: 10000, rebalanceTimeoutMs: -1 }))).toBe(
      10000,
    )
    expect(
      brokerWaitMs(JoinGroup, JoinGroup.createRequest({ sessionTimeoutMs: 10000, rebalanceTimeoutMs: 60000 })),
    ).toBe(60000)
  })
})

describe('requestNetworkTimeout', () => {
  test('a request without a wait gets requestTimeout', () => {
    expect(requestNetworkTimeout(SyncGroup, SyncGroup.createRequest(), 30000)).toBe(30000)
    expect(requestNetworkTimeout(Produce, Produce.createRequest({ acks: 0, timeoutMs: 30000 }), 30000)).toBe(30000)
    expect(requestNetworkTimeout(SyncGroup, SyncGroup.createRequest(), 1)).toBe(1)
  })

  test('a request with a wait gets the wait plus requestTimeout', () => {
    expect(requestNetworkTimeout(Fetch, Fetch.createRequest({ maxWaitMs: 5000 }), 30000)).toBe(35000)
    expect(requestNetworkTimeout(Produce, Produce.createRequest({ acks: -1, timeoutMs: 30000 }), 30000)).toBe(60000)
  })

  test('a wait the request does not carry (SyncGroup) counts as the request fields do', () => {
    expect(requestNetworkTimeout(SyncGroup, SyncGroup.createRequest(), 30000, 60000)).toBe(90000)
  })

  test('on top of a wait, at least BROKER_WAIT_MARGIN however small requestTimeout is', () => {
    expect(requestNetworkTimeout(Fetch, Fetch.createRequest({ maxWaitMs: 100 }), 1000)).toBe(100 + BROKER_WAIT_MARGIN)
    expect(requestNetworkTimeout(Produce, Produce.createRequest({ acks: -1, timeoutMs: 0 }), 1)).toBe(
      BROKER_WAIT_MARGIN,
    )
  })

  test('never longer than a timer can wait', () => {
    const join = JoinGroup.createRequest({ rebalanceTimeoutMs: 2 ** 31 - 1 })
    expect(requestNetworkTimeout(JoinGroup, join, 30000)).toBe(2 ** 31 - 1)
  })

  // the figures the call sites computed by hand before the derivation: never shorter now
  test.each([1, 1000, 4999, 5000, 30000, 120000])(
    'never shorter than the old hand-made figures (requestTimeout %i)',
    (rt) => {
      for (const wait of [0, 100, 5000, 30000, 300000]) {
        // Fetch and the admin requests: requestTimeout + wait
        expect(requestNetworkTimeout(Fetch, Fetch.createRequest({ maxWaitMs: wait }), rt)).toBeGreaterThanOrEqual(
          rt + wait,
        )
        // Produce with acks: max(requestTimeout, ackTimeout + 5000)
        expect(
          requestNetworkTimeout(Produce, Produce.createRequest({ acks: -1, timeoutMs: wait }), rt),
        ).toBeGreaterThanOrEqual(Math.max(rt, wait + 5000))
        // JoinGroup and SyncGroup: rebalanceTimeout + 5000
        const join = JoinGroup.createRequest({ rebalanceTimeoutMs: wait, sessionTimeoutMs: wait })
        expect(requestNetworkTimeout(JoinGroup, join, rt)).toBeGreaterThanOrEqual(wait + 5000)
        expect(requestNetworkTimeout(SyncGroup, SyncGroup.createRequest(), rt, wait)).toBeGreaterThanOrEqual(
          wait + 5000,
        )
      }
    },
  )
})
