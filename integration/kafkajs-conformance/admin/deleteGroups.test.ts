// KafkaJS 2.2.4 src/admin/__tests__/deleteGroups.spec.js: deleting no group ([]), a group with a
// running member (KafkaJSDeleteGroupsError naming it, each error a KafkaJSProtocolError), a stopped
// group (deleted, gone from listGroups), and a missing group beside an existing one (the existing
// one deleted, the error naming the missing one). Also KafkaJS's argument checks.

import { type Admin, type Consumer, KafkaJSDeleteGroupsError, KafkaJSProtocolError } from '../../../src/index.js'
import { secureRandom } from '../helpers.js'
import { Admins, expectKafkaJSValidation, groupThatConsumed } from './admin-helpers.js'

describe('Admin deleteGroups (KafkaJS src/admin/__tests__/deleteGroups.spec.js)', () => {
  const admins = new Admins()
  let admin: Admin
  let consumer: Consumer
  let groupId: string

  beforeEach(async () => {
    groupId = `consumer-group-id-${secureRandom()}`
    admin = admins.admin()
    await admin.connect()
    consumer = await groupThatConsumed(admins, groupId)
    expect((await admin.listGroups()).groups).toEqual(expect.arrayContaining([expect.objectContaining({ groupId })]))
  })
  afterEach(() => admins.disconnectAll())

  const deleteError = async (ids: string[]): Promise<KafkaJSDeleteGroupsError> => {
    const error = await admin.deleteGroups(ids).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSDeleteGroupsError)
    expect(error).toMatchObject({ name: 'KafkaJSDeleteGroupsError', message: 'Error in DeleteGroups' })
    const groups = (error as KafkaJSDeleteGroupsError).groups
    for (const group of groups) expect(group.error).toBeInstanceOf(KafkaJSProtocolError)
    return error as KafkaJSDeleteGroupsError
  }

  test('throws an error if the groupIds are invalid', async () => {
    await expectKafkaJSValidation(admin.deleteGroups(null as never), 'Invalid groupIds array null')
    await expectKafkaJSValidation(admin.deleteGroups([groupId, 1] as never), 'Invalid groupId name: true')
  })

  test('delete empty groups', async () => {
    await expect(admin.deleteGroups([])).resolves.toEqual([])
  })

  test('delete groups that is still connected', async () => {
    const error = await deleteError([groupId])
    expect(error.groups).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          groupId,
          errorCode: 68,
          error: expect.objectContaining({ type: 'NON_EMPTY_GROUP' }),
        }),
      ]),
    )
  })

  test('delete groups', async () => {
    await consumer.stop()
    await expect(admin.deleteGroups([groupId])).resolves.toEqual(
      expect.arrayContaining([expect.objectContaining({ groupId })]),
    )
    expect((await admin.listGroups()).groups).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ groupId })]),
    )
  })

  test('delete one group that does not exist and one that exists', async () => {
    await consumer.stop()
    const nonExistingGroupId = `consumer-group-id-${secureRandom()}`
    const error = await deleteError([groupId, nonExistingGroupId])
    expect(error.groups).toEqual([expect.objectContaining({ groupId: nonExistingGroupId })])
    expect((await admin.listGroups()).groups).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ groupId })]),
    )
  })
})
