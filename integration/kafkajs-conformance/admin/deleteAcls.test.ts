// KafkaJS 2.2.4 src/admin/__tests__/deleteAcls.spec.js, as a SASL PLAIN user against the ACL
// authorizer: argument checks (KafkaJS's texts) and deleting alice's ACL of a DENY bob / ALLOW
// alice pair, answered per filter with the ACLs deleted; describeAcls finds none afterwards.

import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type Admin,
  ResourcePatternTypes,
} from '../../../src/index.js'
import { secureRandom } from '../helpers.js'
import { aclWith, allowedOn, denyBobAllowAlice, saslKafkaFor } from './acl-fixtures.js'
import { Admins, expectKafkaJSValidation } from './admin-helpers.js'

describe('Admin deleteAcls (KafkaJS src/admin/__tests__/deleteAcls.spec.js)', () => {
  const admins = new Admins()
  let admin: Admin

  beforeEach(async () => {
    admin = admins.admin(saslKafkaFor('test'))
    await admin.connect()
  })
  afterEach(() => admins.disconnectAll())

  test('throws an error if the acl filter array is invalid', async () => {
    await expectKafkaJSValidation(
      admin.deleteAcls({ filters: 'this-is-not-an-array' as never }),
      'Invalid ACL Filter array this-is-not-an-array',
    )
  })

  const invalid: Array<[string, Record<string, unknown>, (filter: Record<string, unknown>) => string]> = [
    [
      'resource name',
      { resourceName: 123 },
      () => 'Invalid ACL Filter array, the resourceNames have to be a valid string',
    ],
    ['principal name', { principal: 123 }, () => 'Invalid ACL Filter array, the principals have to be a valid string'],
    ['host name', { host: 123 }, () => 'Invalid ACL Filter array, the hosts have to be a valid string'],
    ['resource type', { resourceType: 123 }, (f) => `Invalid resource type 123: ${JSON.stringify(f)}`],
    [
      'resource pattern type',
      { resourcePatternType: 123 },
      (f) => `Invalid resource pattern type 123: ${JSON.stringify(f)}`,
    ],
    ['permission type', { permissionType: 123 }, (f) => `Invalid permission type 123: ${JSON.stringify(f)}`],
    ['operation type', { operation: 123 }, (f) => `Invalid operation type 123: ${JSON.stringify(f)}`],
  ]
  for (const [what, override, message] of invalid) {
    test(`throws an error if the ${what} is invalid`, async () => {
      const filter = aclWith(override)
      await expectKafkaJSValidation(admin.deleteAcls({ filters: [filter as never] }), message(filter))
    })
  }

  test('applies and deletes acl', async () => {
    const topicName = `test-topic-${secureRandom()}`
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: topicName, numPartitions: 1, replicationFactor: 2 }],
    })
    await expect(admin.createAcls({ acl: denyBobAllowAlice(topicName) })).resolves.toEqual(true)
    const deleted = await admin.deleteAcls({ filters: [allowedOn(topicName)] })
    // exactly KafkaJS's result: no throttleTime beside the filter responses
    expect(Object.keys(deleted)).toEqual(['filterResponses'])
    expect(deleted).toMatchObject({
      filterResponses: [
        {
          errorCode: 0,
          errorMessage: null,
          matchingAcls: [
            {
              errorCode: 0,
              errorMessage: null,
              resourceType: AclResourceTypes.TOPIC,
              resourceName: topicName,
              resourcePatternType: ResourcePatternTypes.LITERAL,
              principal: 'User:alice',
              host: '*',
              operation: AclOperationTypes.ALL,
              permissionType: AclPermissionTypes.ALLOW,
            },
          ],
        },
      ],
    })
    await expect(admin.describeAcls(allowedOn(topicName))).resolves.toMatchObject({ resources: [] })
  })
})
