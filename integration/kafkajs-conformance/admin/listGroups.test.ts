// KafkaJS 2.2.4 src/admin/__tests__/listGroups.spec.js: a group whose consumer joined and consumed
// is listed by listGroups.

import { secureRandom } from '../helpers.js'
import { Admins, groupThatConsumed } from './admin-helpers.js'

describe('Admin listGroups (KafkaJS src/admin/__tests__/listGroups.spec.js)', () => {
  const admins = new Admins()
  afterEach(() => admins.disconnectAll())

  test('list groups', async () => {
    const groupId = `consumer-group-id-${secureRandom()}`
    const admin = admins.admin()
    await admin.connect()
    await groupThatConsumed(admins, groupId)
    const { groups } = await admin.listGroups()
    expect(groups).toEqual(expect.arrayContaining([expect.objectContaining({ groupId, protocolType: 'consumer' })]))
  })
})
