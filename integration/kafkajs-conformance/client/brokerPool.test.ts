// KafkaJS 2.2.4 src/cluster/__tests__/brokerPool.spec.js, what a client object shows of it: connect()
// goes on to another seed broker after a connection error, connecting again after disconnect()
// starts from the seeds afresh, and the metadata names every broker of the cluster. The spec's other
// checks are of the pool's internals (which Broker object is the seed, hasConnectedBrokers, how
// refreshMetadataIfNecessary is called, broker objects replaced on an address change); kafkit's
// pool is unit-tested in test/network/broker-pool.test.ts and test/cluster/cluster.test.ts.

import * as net from 'node:net'
import type { Admin } from '../../../src/index.js'
import { conformanceCluster, createKafka } from '../helpers.js'

/** An address nothing listens on. */
async function deadAddress(): Promise<string> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `127.0.0.1:${port}`
}

/** The addresses that accept a connection now (a fresh cluster has all of them up). */
async function live(addresses: readonly string[]): Promise<string[]> {
  const up = await Promise.all(
    addresses.map(
      (address) =>
        new Promise<boolean>((resolve) => {
          const [host, port] = address.split(':')
          const socket = net.connect(Number(port), host)
          socket.once('connect', () => {
            socket.destroy()
            resolve(true)
          })
          socket.once('error', () => resolve(false))
        }),
    ),
  )
  return addresses.filter((_, i) => up[i])
}

describe('Cluster > BrokerPool (KafkaJS src/cluster/__tests__/brokerPool.spec.js)', () => {
  let admin: Admin | undefined

  afterEach(async () => {
    await admin?.disconnect()
    admin = undefined
  })

  test('#connect selects a different seed broker on connection errors', async () => {
    const dead = await deadAddress()
    // KafkaJS's pool rotates to the next seed on each retry; two dead seeds before the live ones
    admin = createKafka({ brokers: [dead, dead, ...conformanceCluster().plaintext] }).admin()
    await admin.connect()
    await expect(admin.listTopics()).resolves.toEqual(expect.any(Array))
  })

  test('#disconnect erases the pool: connect() afterwards works again from the seeds', async () => {
    admin = createKafka().admin()
    await admin.connect()
    await admin.disconnect()
    await admin.connect()
    await expect(admin.listTopics()).resolves.toEqual(expect.any(Array))
  })

  test('#refreshMetadata: the broker list holds every broker, the seed included', async () => {
    const listeners = conformanceCluster().plaintext
    const [seed] = await live(listeners)
    admin = createKafka({ brokers: [seed!] }).admin()
    await admin.connect()
    const { brokers } = await admin.describeCluster()
    // every broker that is up, learnt from one seed
    expect(brokers.map((b) => `${b.host}:${b.port}`).sort()).toEqual((await live(listeners)).sort())
  })
})
