// KafkaJS 2.2.4 src/admin/__tests__/listTopics.spec.js: listTopics lists the topics created. As in
// the spec, the admin is never connect()ed: KafkaJS's admin connects on its first call.

import type { Admin } from '../../../src/index.js'
import { secureRandom } from '../helpers.js'
import { Admins } from './admin-helpers.js'

describe('Admin listTopics (KafkaJS src/admin/__tests__/listTopics.spec.js)', () => {
  const admins = new Admins()
  let admin: Admin
  let existingTopicNames: string[]

  beforeEach(async () => {
    admin = admins.admin()
    existingTopicNames = [1, 2, 3].map(() => `test-topic-${secureRandom()}`)
    await admin.createTopics({ topics: existingTopicNames.map((topic) => ({ topic })) })
  })
  afterEach(async () => {
    await admin.deleteTopics({ topics: existingTopicNames })
    await admins.disconnectAll()
  })

  test('list topics', async () => {
    await expect(admin.listTopics()).resolves.toEqual(expect.arrayContaining(existingTopicNames))
  })
})
