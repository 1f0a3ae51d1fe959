// KafkaJS 2.2.4 src/admin/__tests__/listGroups.spec.js: a group whose consumer joined and consumed
// is listed by listGroups, as exactly KafkaJS's { groupId, protocolType }; the group's state and
// type are kafkit's, asked for with { includeStateAndType: true }.

import type { ListGroupsOptions } from '../../../src/index.js'
import { secureRandom } from '../helpers.js'
import { Admins, groupThatConsumed } from './admin-helpers.js'

describe('Admin listGroups (KafkaJS src/admin/__tests__/listGroups.spec.js)', () => {
  const admins = new Admins()
  afterEach(() => admins.disconnectAll())

  /** A new group that consumed, and what listGroups(options) answers afterwards. */
  async function listAfterConsuming(options?: ListGroupsOptions) {
    const groupId = `consumer-group-id-${secureRandom()}`
    const admin = admins.admin()
    await admin.connect()
    await groupThatConsumed(admins, groupId)
    const { groups } = await admin.listGroups(options)
    return { groupId, groups }
  }

  test('list groups', async () => {
    const { groupId, groups } = await listAfterConsuming()
    expect(groups).toEqual(expect.arrayContaining([expect.objectContaining({ groupId, protocolType: 'consumer' })]))
  })

  test('each group has exactly KafkaJS fields (groupId, protocolType)', async () => {
    const { groupId, groups } = await listAfterConsuming()
    expect(groups.find((g) => g.groupId === groupId)).toEqual({ groupId, protocolType: 'consumer' })
  })

  test('kafkit: includeStateAndType adds the group state and type', async () => {
    const { groupId, groups } = await listAfterConsuming({ includeStateAndType: true })
    expect(groups.find((g) => g.groupId === groupId)).toEqual({
      groupId,
      protocolType: 'consumer',
      groupState: 'Stable',
      groupType: expect.any(String),
    })
  })
})
