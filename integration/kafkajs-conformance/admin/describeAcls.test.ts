// KafkaJS 2.2.4 src/admin/__tests__/describeAcls.spec.js, as a SASL PLAIN user against the ACL
// authorizer: argument checks (KafkaJS's texts, which differ from createAcls' and deleteAcls') and
// finding alice's ACL of a DENY bob / ALLOW alice pair.

import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type Admin,
  ResourcePatternTypes,
} from '../../../src/index.js'
import { secureRandom } from '../helpers.js'
import { aclWith, allowedOn, denyBobAllowAlice, describeAclsOnceListed, saslKafkaFor } from './acl-fixtures.js'
import { Admins, expectKafkaJSValidation } from './admin-helpers.js'

describe('Admin describeAcls (KafkaJS src/admin/__tests__/describeAcls.spec.js)', () => {
  const admins = new Admins()
  let admin: Admin

  beforeEach(async () => {
    admin = admins.admin(saslKafkaFor('test'))
    await admin.connect()
  })
  afterEach(() => admins.disconnectAll())

  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['resource name', { resourceName: 123 }, 'Invalid resourceName, the resourceName have to be a valid string'],
    ['principal name', { principal: 123 }, 'Invalid principal, the principal have to be a valid string'],
    ['host name', { host: 123 }, 'Invalid host, the host have to be a valid string'],
    ['resource type', { resourceType: 123 }, 'Invalid resource type 123'],
    ['resource pattern type', { resourcePatternType: 123 }, 'Invalid resource pattern filter type 123'],
    ['permission type', { permissionType: 123 }, 'Invalid permission type 123'],
    ['operation type', { operation: 123 }, 'Invalid operation type 123'],
  ]
  for (const [what, override, message] of invalid) {
    test(`throws an error if the ${what} is invalid`, async () => {
      await expectKafkaJSValidation(admin.describeAcls(aclWith(override) as never), message)
    })
  }

  test('creates and queries acl', async () => {
    const topicName = `test-topic-${secureRandom()}`
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: topicName, numPartitions: 1, replicationFactor: 2 }],
    })
    await expect(admin.createAcls({ acl: denyBobAllowAlice(topicName) })).resolves.toEqual(true)
    await expect(describeAclsOnceListed(admin, allowedOn(topicName))).resolves.toMatchObject({
      resources: [
        {
          resourceType: AclResourceTypes.TOPIC,
          resourceName: topicName,
          resourcePatternType: ResourcePatternTypes.LITERAL,
          acls: [
            {
              principal: 'User:alice',
              host: '*',
              operation: AclOperationTypes.ALL,
              permissionType: AclPermissionTypes.ALLOW,
            },
          ],
        },
      ],
    })
    // exactly KafkaJS's result: no throttleTime, errorCode or errorMessage beside the resources
    expect(Object.keys(await admin.describeAcls(allowedOn(topicName)))).toEqual(['resources'])
  })
})
