// KafkaJS 2.2.4 src/admin/__tests__/createAcls.spec.js, as SASL PLAIN users against the ACL
// authorizer: argument checks (KafkaJS's texts), ACLs that deny bob and allow alice a topic
// (fetchTopicMetadata fails for bob with KafkaJS's TOPIC_AUTHORIZATION_FAILED text, works for
// alice), and a producer denied one topic still producing to an allowed one.

import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  KafkaJSProtocolError,
  ResourcePatternTypes,
} from '../../../src/index.js'
import { secureRandom } from '../helpers.js'
import { aclWith, denyBobAllowAlice, saslKafkaFor } from './acl-fixtures.js'
import { Admins, expectKafkaJSValidation } from './admin-helpers.js'

describe('Admin createAcls (KafkaJS src/admin/__tests__/createAcls.spec.js)', () => {
  const admins = new Admins()
  afterEach(() => admins.disconnectAll())

  const connected = async (user: 'test' | 'bob' | 'alice') => {
    const admin = admins.admin(saslKafkaFor(user))
    await admin.connect()
    return admin
  }

  test('throws an error if the acl array is invalid', async () => {
    const admin = await connected('test')
    await expectKafkaJSValidation(
      admin.createAcls({ acl: 'this-is-not-an-array' as never }),
      'Invalid ACL array this-is-not-an-array',
    )
  })

  const invalid: Array<[string, Record<string, unknown>, (entry: Record<string, unknown>) => string]> = [
    ['resource name', { resourceName: 123 }, () => 'Invalid ACL array, the resourceNames have to be a valid string'],
    ['principal name', { principal: 123 }, () => 'Invalid ACL array, the principals have to be a valid string'],
    ['host name', { host: 123 }, () => 'Invalid ACL array, the hosts have to be a valid string'],
    ['resource type', { resourceType: 123 }, (e) => `Invalid resource type 123: ${JSON.stringify(e)}`],
    [
      'resource pattern type',
      { resourcePatternType: 123 },
      (e) => `Invalid resource pattern type 123: ${JSON.stringify(e)}`,
    ],
    ['permission type', { permissionType: 123 }, (e) => `Invalid permission type 123: ${JSON.stringify(e)}`],
    ['operation type', { operation: 123 }, (e) => `Invalid operation type 123: ${JSON.stringify(e)}`],
  ]
  for (const [what, override, message] of invalid) {
    test(`throws an error if the ${what} is invalid`, async () => {
      const admin = await connected('test')
      const entry = aclWith(override)
      await expectKafkaJSValidation(admin.createAcls({ acl: [entry as never] }), message(entry))
    })
  }

  test('checks topic access: bob is denied the topic, alice may read its metadata', async () => {
    const topicName = `test-topic-${secureRandom()}`
    const admin = await connected('test')
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: topicName, numPartitions: 1, replicationFactor: 2 }],
    })
    await expect(admin.createAcls({ acl: denyBobAllowAlice(topicName) })).resolves.toEqual(true)

    const bob = await connected('bob')
    const error = await bob.fetchTopicMetadata({ topics: [topicName] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSProtocolError)
    expect(error).toMatchObject({
      message: 'Not authorized to access topics: [Topic authorization failed]',
      type: 'TOPIC_AUTHORIZATION_FAILED',
      code: 29,
    })

    const alice = await connected('alice')
    await expect(alice.fetchTopicMetadata({ topics: [topicName] })).resolves.toBeTruthy()
  })

  test('can produce to allowed topic after failing to produce to not-allowed topic', async () => {
    const allowedTopic = `allowed-${secureRandom()}`
    const notAllowedTopic = `disallowed-${secureRandom()}`
    const admin = await connected('test')
    await admin.createTopics({
      waitForLeaders: true,
      topics: [allowedTopic, notAllowedTopic].map((topic) => ({ topic, numPartitions: 1 })),
    })
    const writeBy = (topic: string, permissionType: 2 | 3) => ({
      resourceType: AclResourceTypes.TOPIC,
      resourceName: topic,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: 'User:bob',
      host: '*',
      operation: AclOperationTypes.WRITE,
      permissionType,
    })
    await admin.createAcls({
      acl: [writeBy(notAllowedTopic, AclPermissionTypes.DENY), writeBy(allowedTopic, AclPermissionTypes.ALLOW)],
    })

    const producer = admins.track(saslKafkaFor('bob').producer())
    await producer.connect()
    await expect(producer.send({ topic: allowedTopic, messages: [{ value: 'hello' }] })).resolves.toBeDefined()
    await expect(producer.send({ topic: notAllowedTopic, messages: [{ value: 'whoops' }] })).rejects.toBeDefined()
    await expect(producer.send({ topic: allowedTopic, messages: [{ value: 'world' }] })).resolves.toBeDefined()
  })
})
