// KafkaJS 2.2.4 src/admin/__tests__/describeCluster.spec.js: every broker of the cluster with its
// node id, host and port, the cluster id, and a controller that is one of the brokers. Each broker
// has exactly KafkaJS's fields; the rack is kafkit's, asked for with { includeRack: true }.

import { Admins } from './admin-helpers.js'

describe('Admin describeCluster (KafkaJS src/admin/__tests__/describeCluster.spec.js)', () => {
  const admins = new Admins()
  afterEach(() => admins.disconnectAll())

  test('retrieves metadata for all brokers in the cluster', async () => {
    const admin = admins.admin()
    await admin.connect()
    const { brokers, clusterId, controller } = await admin.describeCluster()
    expect(brokers).toHaveLength(3)
    expect(brokers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nodeId: expect.any(Number), host: expect.any(String), port: expect.any(Number) }),
      ]),
    )
    expect(clusterId).toEqual(expect.any(String))
    expect(brokers.map(({ nodeId }) => nodeId)).toContain(controller)
  })

  test('each broker has exactly KafkaJS fields (nodeId, host, port)', async () => {
    const admin = admins.admin()
    await admin.connect()
    const { brokers } = await admin.describeCluster()
    for (const broker of brokers) expect(Object.keys(broker).sort()).toEqual(['host', 'nodeId', 'port'])
  })

  test('kafkit: includeRack adds each broker rack (null without broker.rack)', async () => {
    const admin = admins.admin()
    await admin.connect()
    const { brokers } = await admin.describeCluster({ includeRack: true })
    expect(brokers).toHaveLength(3)
    for (const broker of brokers) {
      expect(broker).toEqual({
        nodeId: expect.any(Number),
        host: expect.any(String),
        port: expect.any(Number),
        rack: null,
      })
    }
  })
})
