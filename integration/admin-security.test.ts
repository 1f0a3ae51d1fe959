import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Admin } from '../src/admin/admin.js'
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type KafkaJSAdminItemError,
  type KafkaJSAggregateError,
  KafkaJSProtocolError,
  KafkaJSSASLAuthenticationError,
  QuotaMatchTypes,
  ResourcePatternTypes,
  ScramMechanisms,
} from '../src/index.js'
import { type KafkaTestCluster, runKafkaTool, startKafka } from '../src/testing/index.js'
import { connectedAdmin, eventually, uniqueName } from './admin-helpers.js'
import { usesExternalCluster } from './helpers/brokers.js'

jest.setTimeout(180_000)

// ACLs, SCRAM credentials and quotas on a broker of its own: StandardAuthorizer with the
// plaintext (ANONYMOUS) client as super user, and a SASL_PLAINTEXT listener on which the users
// created here log in with Java's own client.
const describeIfOwnBroker = usesExternalCluster() ? describe.skip : describe

describeIfOwnBroker('admin ACLs, SCRAM credentials and quotas (broker with an authorizer)', () => {
  let cluster: KafkaTestCluster
  let admin: Admin
  let dir: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kafkit-admin-security-'))
    cluster = await startKafka({
      brokerConfig: {
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users': 'User:ANONYMOUS',
      },
      security: { listeners: ['SASL_PLAINTEXT'], saslMechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-512'] },
    })
    admin = await connectedAdmin(cluster.brokers)
  })

  afterAll(async () => {
    await admin?.disconnect()
    await cluster?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  /** Lists topics with Java's TopicCommand, logged in over SASL/SCRAM as `user`. */
  async function listTopicsAs(user: string, password: string, mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512') {
    const file = join(dir, `${uniqueName(user)}.properties`)
    writeFileSync(
      file,
      [
        'security.protocol=SASL_PLAINTEXT',
        `sasl.mechanism=${mechanism}`,
        `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${password}";`,
      ].join('\n'),
    )
    const bootstrap = cluster.listeners.SASL_PLAINTEXT!.join(',')
    return runKafkaTool('org.apache.kafka.tools.TopicCommand', [
      '--bootstrap-server',
      bootstrap,
      '--command-config',
      file,
      '--list',
    ])
  }

  const anyFilter = {
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  }

  /**
   * Waits until the broker's authorizer shows `count` ACLs matching the filter: ACL changes reach
   * it when it replays the metadata log, shortly after the controller answered.
   */
  const aclsSettle = (
    filter: Partial<typeof anyFilter> & { resourceName?: string; principal?: string },
    count: number,
  ) =>
    eventually(
      () => admin.describeAcls({ ...anyFilter, ...filter }),
      (r) => r.resources.flatMap((x) => x.acls).length === count,
    )

  it('createAcls, describeAcls and deleteAcls round-trip ACLs', async () => {
    const topic = uniqueName('adm-acl')
    const acl = [
      {
        resourceType: AclResourceTypes.TOPIC,
        resourceName: topic,
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal: 'User:bob',
        host: '*',
        operation: AclOperationTypes.ALL,
        permissionType: AclPermissionTypes.DENY,
      },
      {
        resourceType: AclResourceTypes.TOPIC,
        resourceName: topic,
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal: 'User:alice',
        host: '*',
        operation: AclOperationTypes.ALL,
        permissionType: AclPermissionTypes.ALLOW,
      },
    ]
    expect(await admin.createAcls({ acl })).toBe(true)
    await aclsSettle({ resourceName: topic }, 2)
    const described = await admin.describeAcls({
      ...anyFilter,
      resourceName: topic,
      resourceType: AclResourceTypes.TOPIC,
      resourcePatternType: ResourcePatternTypes.LITERAL,
    })
    expect(Object.keys(described)).toEqual(['resources']) // KafkaJS's result: no errorCode or throttleTime
    expect(described.resources).toHaveLength(1)
    expect(described.resources[0]).toMatchObject({
      resourceType: AclResourceTypes.TOPIC,
      resourceName: topic,
      resourcePatternType: ResourcePatternTypes.LITERAL,
    })
    expect(described.resources[0]!.acls).toEqual(
      expect.arrayContaining([
        { principal: 'User:bob', host: '*', operation: AclOperationTypes.ALL, permissionType: AclPermissionTypes.DENY },
        {
          principal: 'User:alice',
          host: '*',
          operation: AclOperationTypes.ALL,
          permissionType: AclPermissionTypes.ALLOW,
        },
      ]),
    )
    // a principal filter narrows the answer
    const bobs = await admin.describeAcls({ ...anyFilter, resourceName: topic, principal: 'User:bob' })
    expect(bobs.resources.flatMap((r) => r.acls.map((a) => a.principal))).toEqual(['User:bob'])

    const deleted = await admin.deleteAcls({
      filters: [{ ...anyFilter, resourceType: AclResourceTypes.TOPIC, resourceName: topic, principal: 'User:alice' }],
    })
    expect(deleted.filterResponses).toEqual([
      {
        errorCode: 0,
        errorMessage: null,
        matchingAcls: [
          {
            errorCode: 0,
            errorMessage: null,
            resourceType: AclResourceTypes.TOPIC,
            resourceName: topic,
            resourcePatternType: ResourcePatternTypes.LITERAL,
            principal: 'User:alice',
            host: '*',
            operation: AclOperationTypes.ALL,
            permissionType: AclPermissionTypes.ALLOW,
          },
        ],
      },
    ])
    const after = await aclsSettle({ resourceName: topic }, 1)
    expect(after.resources.flatMap((r) => r.acls.map((a) => a.principal))).toEqual(['User:bob'])
  })

  it("runs KafkaJS's documented ACL examples (create, delete, describe) unchanged but the import", async () => {
    // (the documentation's `resourceName: 'topic-name,` misses its closing quote; closed here)
    const acl = [
      {
        resourceType: AclResourceTypes.TOPIC,
        resourceName: 'topic-name',
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal: 'User:bob',
        host: '*',
        operation: AclOperationTypes.ALL,
        permissionType: AclPermissionTypes.DENY,
      },
      {
        resourceType: AclResourceTypes.TOPIC,
        resourceName: 'topic-name',
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal: 'User:alice',
        host: '*',
        operation: AclOperationTypes.ALL,
        permissionType: AclPermissionTypes.ALLOW,
      },
    ]

    await admin.createAcls({ acl })

    await aclsSettle({ resourceName: 'topic-name' }, 2)
    const described = await admin.describeAcls({
      resourceName: 'topic-name',
      resourceType: AclResourceTypes.TOPIC,
      host: '*',
      permissionType: AclPermissionTypes.ALLOW,
      operation: AclOperationTypes.ANY,
      resourcePatternTypeFilter: ResourcePatternTypes.LITERAL,
    })
    expect(described.resources).toEqual([
      {
        resourceType: AclResourceTypes.TOPIC,
        resourceName: 'topic-name',
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
    ])

    const aclFilter = {
      resourceName: 'topic-name',
      resourceType: AclResourceTypes.TOPIC,
      host: '*',
      permissionType: AclPermissionTypes.ALLOW,
      operation: AclOperationTypes.ANY,
      resourcePatternType: ResourcePatternTypes.LITERAL,
    }

    const deleted = await admin.deleteAcls({ filters: [aclFilter] })
    expect(deleted.filterResponses[0]!.matchingAcls).toEqual([
      {
        errorCode: 0,
        errorMessage: null,
        resourceType: AclResourceTypes.TOPIC,
        resourceName: 'topic-name',
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal: 'User:alice',
        host: '*',
        operation: AclOperationTypes.ALL,
        permissionType: AclPermissionTypes.ALLOW,
      },
    ])
  })

  it('names each ACL the broker refuses while creating the others', async () => {
    const topic = uniqueName('adm-acl-mixed')
    const good = {
      resourceType: AclResourceTypes.TOPIC,
      resourceName: topic,
      resourcePatternType: ResourcePatternTypes.PREFIXED,
      principal: 'User:carol',
      host: '*',
      operation: AclOperationTypes.READ,
      permissionType: AclPermissionTypes.ALLOW,
    }
    const bad = { ...good, resourceType: AclResourceTypes.CLUSTER, resourceName: 'not-the-cluster' }
    const error = await admin.createAcls({ acl: [good, bad] }).catch((e: unknown) => e)
    // as KafkaJS: the first refused ACL's KafkaJSProtocolError; `detail` names it with the broker's reason
    expect(error).toBeInstanceOf(KafkaJSProtocolError)
    expect(error).toMatchObject({ type: 'INVALID_REQUEST' })
    expect((error as KafkaJSProtocolError).detail).toContain(
      'ALLOW User:carol READ from * on CLUSTER not-the-cluster (PREFIXED)',
    )
    expect((error as KafkaJSProtocolError).detail).toMatch(/kafka-cluster/)
    const created = await aclsSettle({ principal: 'User:carol' }, 1)
    expect(created.resources.map((r) => [r.resourceName, r.resourcePatternType])).toEqual([
      [topic, ResourcePatternTypes.PREFIXED],
    ])
    // KafkaJS checks only types and enum values; the broker refuses what no ACL can be
    await expect(admin.createAcls({ acl: [{ ...good, operation: AclOperationTypes.ANY }] })).rejects.toThrow(
      KafkaJSProtocolError,
    )
    await expect(admin.createAcls({ acl: [{ ...good, principal: 'carol' }] })).rejects.toThrow(KafkaJSProtocolError)
    await expect(admin.createAcls({ acl: [{ ...good, operation: 99 as never }] })).rejects.toThrow(
      `Invalid operation type 99: ${JSON.stringify({ ...good, operation: 99 })}`,
    )
  })

  it('SCRAM credentials: created, described, used to log in, deleted', async () => {
    const user = uniqueName('alice')
    await admin.alterUserScramCredentials({
      upsertions: [
        { user, mechanism: ScramMechanisms.SCRAM_SHA_256, iterations: 8192, password: 'pw-256' },
        { user, mechanism: 'SCRAM-SHA-512', password: 'pw-512' },
      ],
    })
    // credentials, too, reach the broker when it replays the metadata log
    const described = await eventually(
      () => admin.describeUserScramCredentials([user]),
      (r) => r.users[0]?.credentialInfos.length === 2,
    )
    expect(described.users).toEqual([
      {
        user,
        credentialInfos: expect.arrayContaining([
          { mechanism: ScramMechanisms.SCRAM_SHA_256, iterations: 8192 },
          { mechanism: ScramMechanisms.SCRAM_SHA_512, iterations: 4096 },
        ]),
      },
    ])
    expect((await admin.describeUserScramCredentials()).users.map((u) => u.user)).toContain(user)

    // Java's client logs in with the passwords we salted and hashed; a wrong one is refused
    const visible = uniqueName('adm-visible')
    await admin.createTopics({ topics: [{ topic: visible }, { topic: uniqueName('adm-hidden') }] })
    await admin.createAcls({
      acl: [
        {
          resourceType: AclResourceTypes.TOPIC,
          resourceName: visible,
          resourcePatternType: ResourcePatternTypes.LITERAL,
          principal: `User:${user}`,
          host: '*',
          operation: AclOperationTypes.DESCRIBE,
          permissionType: AclPermissionTypes.ALLOW,
        },
      ],
    })
    await aclsSettle({ principal: `User:${user}` }, 1)
    const [as256, as512, wrong] = await Promise.all([
      listTopicsAs(user, 'pw-256', 'SCRAM-SHA-256'),
      listTopicsAs(user, 'pw-512', 'SCRAM-SHA-512'),
      listTopicsAs(user, 'pw-512', 'SCRAM-SHA-256'),
    ])
    expect(as256.exitCode).toBe(0)
    // the ACL shows this user exactly the one topic it may describe
    expect(as256.stdout.trim().split('\n')).toEqual([visible])
    expect(as512.exitCode).toBe(0)
    expect(wrong.exitCode).not.toBe(0)
    expect(wrong.stdout + wrong.stderr).toMatch(/Authentication failed/)

    // and kafkit's own client logs in with them too
    for (const [mechanism, password] of [
      ['scram-sha-256', 'pw-256'],
      ['scram-sha-512', 'pw-512'],
    ] as const) {
      const asUser = await connectedAdmin(cluster.listeners.SASL_PLAINTEXT!, 1, {
        mechanism,
        username: user,
        password,
      })
      expect(await asUser.listTopics()).toEqual([visible])
      await asUser.disconnect()
    }
    await expect(
      connectedAdmin(cluster.listeners.SASL_PLAINTEXT!, 1, {
        mechanism: 'scram-sha-256',
        username: user,
        password: 'pw-512',
      }),
    ).rejects.toThrow(KafkaJSSASLAuthenticationError)

    await admin.alterUserScramCredentials({ deletions: [{ user, mechanism: ScramMechanisms.SCRAM_SHA_512 }] })
    const after = await eventually(
      () => admin.describeUserScramCredentials([user]),
      (r) => r.users[0]?.credentialInfos.length === 1,
    )
    expect(after.users[0]!.credentialInfos).toEqual([{ mechanism: ScramMechanisms.SCRAM_SHA_256, iterations: 8192 }])
    const deleted = await listTopicsAs(user, 'pw-512', 'SCRAM-SHA-512')
    expect(deleted.stdout + deleted.stderr).toMatch(/Authentication failed/)
  })

  it('names the users it cannot describe or change', async () => {
    const nobody = uniqueName('nobody')
    const error = await admin.describeUserScramCredentials([nobody]).catch((e: unknown) => e)
    const [item] = (error as KafkaJSAggregateError).errors as KafkaJSAdminItemError[]
    expect(item!.item).toEqual({ user: nobody })
    expect(item!.type).toBe('RESOURCE_NOT_FOUND')
    const deletion = await admin
      .alterUserScramCredentials({ deletions: [{ user: nobody, mechanism: ScramMechanisms.SCRAM_SHA_256 }] })
      .catch((e: unknown) => e)
    expect(((deletion as KafkaJSAggregateError).errors[0] as KafkaJSAdminItemError).item).toEqual({ user: nobody })
    await expect(
      admin.alterUserScramCredentials({
        upsertions: [{ user: 'x', mechanism: ScramMechanisms.SCRAM_SHA_256, iterations: 100, password: 'p' }],
      }),
    ).rejects.toThrow(/iterations must be an integer between 4096 and 16384/)
  })

  it('client quotas: set, read back, removed; a bad key is named with its entity', async () => {
    const user = uniqueName('quota-user')
    await admin.alterClientQuotas({
      entries: [
        {
          entity: { user },
          ops: [
            { key: 'producer_byte_rate', value: 1024 },
            { key: 'request_percentage', value: 50 },
          ],
        },
        { entity: { user, 'client-id': 'app' }, ops: [{ key: 'consumer_byte_rate', value: 4096 }] },
      ],
    })
    const read = () => admin.describeClientQuotas({ components: [{ entityType: 'user', match: user }] })
    // quotas reach the broker's cache when it replays the metadata log
    const { entries } = await eventually(read, (r) => r.entries.length === 2)
    expect(entries).toEqual(
      expect.arrayContaining([
        { entity: { user }, values: { producer_byte_rate: 1024, request_percentage: 50 } },
        { entity: { user, 'client-id': 'app' }, values: { consumer_byte_rate: 4096 } },
      ]),
    )
    const strict = await admin.describeClientQuotas({ components: [{ entityType: 'user', match: user }], strict: true })
    expect(strict.entries).toEqual([{ entity: { user }, values: { producer_byte_rate: 1024, request_percentage: 50 } }])

    await admin.alterClientQuotas({
      entries: [{ entity: { 'client-id': null }, ops: [{ key: 'consumer_byte_rate', value: 2048 }] }],
    })
    const defaults = await eventually(
      () =>
        admin.describeClientQuotas({ components: [{ entityType: 'client-id', matchType: QuotaMatchTypes.DEFAULT }] }),
      (r) => r.entries.length === 1,
    )
    expect(defaults.entries).toEqual([{ entity: { 'client-id': null }, values: { consumer_byte_rate: 2048 } }])

    await admin.alterClientQuotas({
      entries: [
        { entity: { user }, ops: [{ key: 'producer_byte_rate', remove: true }] },
        { entity: { 'client-id': null }, ops: [{ key: 'consumer_byte_rate', remove: true }] },
      ],
    })
    const userOnly = (r: Awaited<ReturnType<typeof read>>) => r.entries.find((e) => Object.keys(e.entity).length === 1)
    const removed = await eventually(read, (r) => userOnly(r)?.values.producer_byte_rate === undefined)
    expect(removed.entries).toEqual(expect.arrayContaining([{ entity: { user }, values: { request_percentage: 50 } }]))

    const error = await admin
      .alterClientQuotas({
        entries: [
          { entity: { user }, ops: [{ key: 'no_such_quota', value: 1 }] },
          { entity: { user: `${user}-2` }, ops: [{ key: 'producer_byte_rate', value: 1 }] },
        ],
      })
      .catch((e: unknown) => e)
    const [item] = (error as KafkaJSAggregateError).errors as KafkaJSAdminItemError[]
    expect(item!.item).toEqual({ entity: `user=${user}` })
    expect(item!.type).toBe('INVALID_REQUEST')
    const other = await eventually(
      () => admin.describeClientQuotas({ components: [{ entityType: 'user', match: `${user}-2` }] }),
      (r) => r.entries.length === 1,
    )
    expect(other.entries).toEqual([{ entity: { user: `${user}-2` }, values: { producer_byte_rate: 1 } }])
  })
})

describe('admin ACLs on a broker without an authorizer', () => {
  it('fail with SECURITY_DISABLED', async () => {
    const admin = await connectedAdmin()
    try {
      const error = await admin
        .describeAcls({
          resourceType: AclResourceTypes.ANY,
          resourcePatternType: ResourcePatternTypes.ANY,
          operation: AclOperationTypes.ANY,
          permissionType: AclPermissionTypes.ANY,
        })
        .catch((e: unknown) => e)
      expect((error as { type?: string }).type).toBe('SECURITY_DISABLED')
    } finally {
      await admin.disconnect()
    }
  })
})
