// KafkaJS 2.2.4 src/admin/__tests__/describeCluster.spec.js: every broker of the cluster with its
// node id, host and port, the cluster id, and a controller that is one of the brokers.

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
})
