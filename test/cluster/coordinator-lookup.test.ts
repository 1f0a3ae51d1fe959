import { CoordinatorLookup, CoordinatorType } from '../../src/cluster/coordinator-lookup.js'
import { resolveRetryOptions } from '../../src/common/backoff.js'
import { silentLogger } from '../../src/common/logger.js'
import { KafkaJSProtocolError } from '../../src/errors.js'
import type { BrokerAddress } from '../../src/network/broker-pool.js'
import { Connection } from '../../src/network/connection.js'
import { protocolError } from '../../src/protocol/generated/errors.js'
import {
  createFindCoordinatorResponseCoordinator as coordinator,
  FindCoordinator,
  type FindCoordinatorRequest,
} from '../../src/protocol/generated/find-coordinator.js'
import { FakeServer } from '../network/fake-server.js'

let server: FakeServer
let connection: Connection
let found: BrokerAddress[]
let requests: { version: number; request: FindCoordinatorRequest }[]

beforeEach(async () => {
  server = await FakeServer.start()
  found = []
  requests = []
})

afterEach(async () => {
  await connection?.close()
  await server.close()
})

/** A lookup against the fake server, which advertises FindCoordinator up to `maxVersion`. */
async function lookup(maxVersion: number, answer: (key: string, attempt: number) => number = () => 0) {
  server.advertise(FindCoordinator, 0, maxVersion)
  const attempts = new Map<string, number>()
  const reply = (key: string) => {
    const attempt = attempts.get(key) ?? 0
    attempts.set(key, attempt + 1)
    const errorCode = answer(key, attempt)
    return { key, errorCode, errorMessage: null, nodeId: errorCode ? -1 : 1, host: '127.0.0.1', port: server.port }
  }
  server.serve(FindCoordinator, (request, version) => {
    requests.push({ version, request })
    if (version >= 4)
      return FindCoordinator.createResponse({ coordinators: request.coordinatorKeys.map((k) => coordinator(reply(k))) })
    const { key: _key, ...single } = reply(request.key)
    return FindCoordinator.createResponse(single)
  })
  connection = new Connection({ host: '127.0.0.1', port: server.port })
  await connection.connect()
  return new CoordinatorLookup({
    anyConnection: async () => connection,
    onCoordinator: (address) => found.push(address),
    retry: resolveRetryOptions({ initialRetryTime: 1, maxRetryTime: 2, retries: 3 }),
    logger: silentLogger,
  })
}

test('v4+: many keys go in one request, and each result is cached', async () => {
  const l = await lookup(6)
  const results = await l.findAll(CoordinatorType.GROUP, ['a', 'b', 'c'])
  expect([...results.keys()]).toEqual(['a', 'b', 'c'])
  expect(requests).toHaveLength(1)
  expect(requests[0]!.version).toBe(6)
  expect(requests[0]!.request).toMatchObject({ keyType: 0, coordinatorKeys: ['a', 'b', 'c'] })
  expect(results.get('b')!.coordinator).toEqual({ nodeId: 1, host: '127.0.0.1', port: server.port })
  expect(found).toHaveLength(3)
  await l.find(CoordinatorType.GROUP, 'b')
  expect(requests).toHaveLength(1)
})

test('before v4: one request per key, with the key type', async () => {
  const l = await lookup(3)
  await l.findAll(CoordinatorType.TRANSACTION, ['t1', 't2'])
  expect(requests.map((r) => [r.version, r.request.key, r.request.keyType]).sort()).toEqual([
    [3, 't1', 1],
    [3, 't2', 1],
  ])
})

test('COORDINATOR_LOAD_IN_PROGRESS and COORDINATOR_NOT_AVAILABLE are retried, only for the keys that got them', async () => {
  const l = await lookup(6, (key, attempt) => (key === 'slow' && attempt < 2 ? (attempt === 0 ? 14 : 15) : 0))
  const results = await l.findAll(CoordinatorType.GROUP, ['fast', 'slow'])
  expect(results.get('slow')!.coordinator!.nodeId).toBe(1)
  expect(requests.map((r) => r.request.coordinatorKeys)).toEqual([['fast', 'slow'], ['slow'], ['slow']])
})

test('a non-retriable error fails its key only, with the protocol error naming the key', async () => {
  const l = await lookup(6, (key) => (key === 'denied' ? 30 : 0))
  const results = await l.findAll(CoordinatorType.GROUP, ['ok', 'denied'])
  expect(results.get('ok')!.coordinator).toBeDefined()
  const error = results.get('denied')!.error as KafkaJSProtocolError
  expect(error).toBeInstanceOf(KafkaJSProtocolError)
  expect(error.type).toBe('GROUP_AUTHORIZATION_FAILED')
  expect(error.detail).toContain('group denied')
  await expect(l.find(CoordinatorType.GROUP, 'denied')).rejects.toBeInstanceOf(KafkaJSProtocolError)
})

test('NOT_COORDINATOR from the coordinator invalidates the cached entry; the next find asks again', async () => {
  const l = await lookup(6)
  await l.find(CoordinatorType.GROUP, 'g')
  expect(l.invalidateOnError(CoordinatorType.GROUP, 'g', protocolError(27))).toBe(false)
  expect(l.cached(CoordinatorType.GROUP, 'g')).toBeDefined()
  expect(l.invalidateOnError(CoordinatorType.GROUP, 'g', protocolError(16))).toBe(true)
  expect(l.cached(CoordinatorType.GROUP, 'g')).toBeUndefined()
  await l.find(CoordinatorType.GROUP, 'g')
  expect(requests).toHaveLength(2)
})

test('retries used up: the key fails with the last error wrapped', async () => {
  const l = await lookup(6, () => 15)
  await expect(l.find(CoordinatorType.GROUP, 'never')).rejects.toThrow('The group coordinator is not available')
  expect(requests).toHaveLength(4)
})
