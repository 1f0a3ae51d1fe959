import { resolveRetryOptions } from '../../src/common/backoff.js'
import { silentLogger } from '../../src/common/logger.js'
import { KafkaJSBrokerNotFound, KafkaJSConnectionClosedError, KafkaJSConnectionError } from '../../src/errors.js'
import { BrokerPool } from '../../src/network/broker-pool.js'
import { ApiVersions } from '../../src/protocol/generated/api-versions.js'
import { FakeServer } from './fake-server.js'
import { closedPort } from './ports.js'

let servers: FakeServer[] = []
let pool: BrokerPool

beforeEach(() => {
  pool = new BrokerPool({
    connection: { clientId: 'pool-test' },
    reconnectBackoff: resolveRetryOptions({ initialRetryTime: 1, maxRetryTime: 5 }),
    logger: silentLogger,
  })
})

afterEach(async () => {
  await pool.close()
  await Promise.all(servers.map((s) => s.close()))
  servers = []
})

async function server(): Promise<FakeServer> {
  const s = await FakeServer.start()
  servers.push(s)
  return s
}

test('one connection per node, shared by concurrent callers and reused', async () => {
  const s = await server()
  pool.setBrokers([{ nodeId: 1, host: '127.0.0.1', port: s.port }])
  const [a, b] = await Promise.all([pool.connection(1), pool.connection(1)])
  expect(a).toBe(b)
  expect(await pool.connection(1)).toBe(a)
  expect(s.received(ApiVersions)).toHaveLength(1)
  expect(pool.readyConnection(1)).toBe(a)
})

test('a lost connection is replaced on next use', async () => {
  const s = await server()
  pool.setBrokers([{ nodeId: 1, host: '127.0.0.1', port: s.port }])
  const first = await pool.connection(1)
  await first.close()
  const second = await pool.connection(1)
  expect(second).not.toBe(first)
  expect(second.isReady).toBe(true)
})

test('a node whose address changes loses its old connection; a node dropped from metadata loses it too', async () => {
  const [s1, s2] = [await server(), await server()]
  pool.setBrokers([
    { nodeId: 1, host: '127.0.0.1', port: s1.port },
    { nodeId: 2, host: '127.0.0.1', port: s2.port },
  ])
  const old1 = await pool.connection(1)
  const old2 = await pool.connection(2)
  pool.setBrokers([{ nodeId: 1, host: '127.0.0.1', port: s2.port }])
  expect(old1.state).toBe('closed')
  expect(old2.state).toBe('closed')
  expect((await pool.connection(1)).port).toBe(s2.port)
  await expect(pool.connection(2)).rejects.toBeInstanceOf(KafkaJSBrokerNotFound)
})

test('a failed connect is reported naming host:port, and retried (after backoff) on the next call', async () => {
  const port = await closedPort()
  pool.setBrokers([{ nodeId: 1, host: '127.0.0.1', port }])
  for (let attempt = 0; attempt < 3; attempt++) {
    const error = await pool.connection(1).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSConnectionError)
    expect((error as Error).message).toContain(`127.0.0.1:${port}`)
  }
  const s = await server()
  pool.addBroker({ nodeId: 1, host: '127.0.0.1', port: s.port })
  expect((await pool.connection(1)).isReady).toBe(true)
})

test('a seed connection is adopted by the node at the same address instead of opening a second one', async () => {
  const s = await server()
  const seed = await pool.connectTo('127.0.0.1', s.port)
  pool.setBrokers([{ nodeId: 7, host: '127.0.0.1', port: s.port }])
  pool.adopt(seed)
  expect(await pool.connection(7)).toBe(seed)
  expect(s.received(ApiVersions)).toHaveLength(1)
})

test('a seed connection no node matches is closed', async () => {
  const s = await server()
  const seed = await pool.connectTo('127.0.0.1', s.port)
  pool.setBrokers([{ nodeId: 7, host: 'localhost', port: s.port }])
  pool.adopt(seed)
  expect(seed.state).toBe('closed')
})

test('close() closes every connection and refuses new ones', async () => {
  const s = await server()
  pool.setBrokers([{ nodeId: 1, host: '127.0.0.1', port: s.port }])
  const c = await pool.connection(1)
  await pool.close()
  expect(c.state).toBe('closed')
  await expect(pool.connection(1)).rejects.toBeInstanceOf(KafkaJSConnectionClosedError)
})

test('an unknown node id is KafkaJSBrokerNotFound', async () => {
  await expect(pool.connection(42)).rejects.toThrow('Broker 42 not found in the cached metadata')
})
