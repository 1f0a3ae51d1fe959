// KafkaJS 2.2.4 src/admin/__tests__/alterConfigs.spec.js: alterConfigs' argument checks (KafkaJS's
// texts), altering a topic's config, validateOnly, and a call mixing a topic and a broker resource.
// Not encoded: "retries if the controller has moved" mocks cluster internals (findControllerBroker);
// kafkit sends configs to any broker (KRaft forwards them to the controller), so NOT_CONTROLLER
// never reaches it; a lost connection's retry is driven from a fake broker in test/admin/retries.test.ts.

import { type Admin, ConfigResourceTypes, type DescribeConfigResponse } from '../../../src/index.js'
import { createTopic, secureRandom } from '../helpers.js'
import { Admins, expectKafkaJSValidation, nodeIds } from './admin-helpers.js'

const configValue = (response: DescribeConfigResponse, name: string): string | null | undefined =>
  response.resources
    .find((r) => r.resourceType === ConfigResourceTypes.TOPIC)
    ?.configEntries.find((c) => c.configName === name)?.configValue

describe('Admin alterConfigs (KafkaJS src/admin/__tests__/alterConfigs.spec.js)', () => {
  const admins = new Admins()
  let topicName: string

  beforeEach(() => {
    topicName = `test-topic-${secureRandom()}`
  })
  afterEach(() => admins.disconnectAll())

  const cleanupPolicy = async (admin: Admin): Promise<string | null | undefined> =>
    configValue(
      await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topicName, configNames: ['cleanup.policy'] }],
        includeSynonyms: false,
      }),
      'cleanup.policy',
    )

  test('throws an error if the resources array is invalid', async () => {
    const admin = admins.admin()
    await expectKafkaJSValidation(admin.alterConfigs({ resources: null as never }), 'Invalid resources array null')
    await expectKafkaJSValidation(
      admin.describeConfigs({ resources: 'this-is-not-an-array' as never, includeSynonyms: false }),
      'Invalid resources array this-is-not-an-array',
    )
  })

  test('throws an error if the resources array is empty', async () => {
    await expectKafkaJSValidation(admins.admin().alterConfigs({ resources: [] }), 'Resources array cannot be empty')
  })

  test('throws an error if there are invalid resource types', async () => {
    const resources = [{ type: ConfigResourceTypes.TOPIC }, { type: 1999 }] as never
    await expectKafkaJSValidation(
      admins.admin().alterConfigs({ resources }),
      'Invalid resource type 1999: {"type":1999}',
    )
  })

  test('throws an error if there are blank resource names', async () => {
    const resources = [
      { type: ConfigResourceTypes.TOPIC, name: 'abc' },
      { type: ConfigResourceTypes.TOPIC, name: null },
    ] as never
    await expectKafkaJSValidation(
      admins.admin().alterConfigs({ resources }),
      'Invalid resource name null: {"type":2,"name":null}',
    )
  })

  test('throws an error if there are invalid resource names', async () => {
    const resources = [
      { type: ConfigResourceTypes.TOPIC, name: 'abc' },
      { type: ConfigResourceTypes.TOPIC, name: 123 },
    ] as never
    await expectKafkaJSValidation(
      admins.admin().alterConfigs({ resources }),
      'Invalid resource name 123: {"type":2,"name":123}',
    )
  })

  test('throws an error if there are invalid resource configEntries', async () => {
    const resources = [
      { type: ConfigResourceTypes.TOPIC, name: 'abc', configEntries: [] },
      { type: ConfigResourceTypes.TOPIC, name: 'def', configEntries: 123 },
    ] as never
    await expectKafkaJSValidation(
      admins.admin().alterConfigs({ resources }),
      'Invalid resource configEntries 123: {"type":2,"name":"def","configEntries":123}',
    )
  })

  test('throws an error if there are invalid resource configEntry values', async () => {
    const resources = [
      { type: ConfigResourceTypes.TOPIC, name: 'abc', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      { type: ConfigResourceTypes.TOPIC, name: 'def', configEntries: [{}] },
    ] as never
    await expectKafkaJSValidation(
      admins.admin().alterConfigs({ resources }),
      'Invalid resource config value: {"type":2,"name":"def","configEntries":[{}]}',
    )
  })

  test('alter configs', async () => {
    await createTopic({ topic: topicName })
    const admin = admins.admin()
    await admin.connect()
    expect(await cleanupPolicy(admin)).toEqual('delete')
    const response = await admin.alterConfigs({
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topicName,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    })
    expect(await cleanupPolicy(admin)).toEqual('compact')
    // exactly KafkaJS's result: no throttleTime beside the resources
    expect(Object.keys(response)).toEqual(['resources'])
  })

  test('does not alter configs with validateOnly=true', async () => {
    await createTopic({ topic: topicName })
    const admin = admins.admin()
    await admin.connect()
    expect(await cleanupPolicy(admin)).toEqual('delete')
    await admin.alterConfigs({
      validateOnly: true,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topicName,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    })
    expect(await cleanupPolicy(admin)).toEqual('delete')
  })

  test('alter broker configs: a topic and a broker resource in one call answer one entry each', async () => {
    await createTopic({ topic: topicName })
    const admin = admins.admin()
    await admin.connect()
    const broker = String((await nodeIds(admin))[1])
    const response = await admin.alterConfigs({
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topicName,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
        // a broker's log.cleanup.policy synonym, settable per broker at runtime
        {
          type: ConfigResourceTypes.BROKER,
          name: broker,
          configEntries: [{ name: 'log.cleanup.policy', value: 'delete' }],
        },
      ],
    })
    expect(response.resources.length).toEqual(2)
  })
})
