// KafkaJS 2.2.4 src/admin/__tests__/describeConfigs.spec.js: argument checks (KafkaJS's texts), all
// and selected configs of a topic, and a topic and a broker resource in one call.
// Not encoded: "retries if the controller has moved" mocks cluster internals (findControllerBroker);
// kafkit sends configs to any broker (KRaft forwards them to the controller), so NOT_CONTROLLER
// never reaches it; a lost connection's retry is driven from a fake broker in test/admin/retries.test.ts.

import { ConfigResourceTypes, type DescribeConfigResponse } from '../../../src/index.js'
import { createTopic, secureRandom } from '../helpers.js'
import { Admins, expectKafkaJSValidation, nodeIds } from './admin-helpers.js'

const topicEntries = (response: DescribeConfigResponse) =>
  response.resources.find((r) => r.resourceType === ConfigResourceTypes.TOPIC)?.configEntries ?? []

describe('Admin describeConfigs (KafkaJS src/admin/__tests__/describeConfigs.spec.js)', () => {
  const admins = new Admins()
  let topicName: string

  beforeEach(() => {
    topicName = `test-topic-${secureRandom()}`
  })
  afterEach(() => admins.disconnectAll())

  const describe_ = (resources: unknown) =>
    admins.admin().describeConfigs({ resources: resources as never, includeSynonyms: false })

  test('throws an error if the resources array is invalid', async () => {
    await expectKafkaJSValidation(describe_(null), 'Invalid resources array null')
    await expectKafkaJSValidation(describe_('this-is-not-an-array'), 'Invalid resources array this-is-not-an-array')
  })

  test('throws an error if the resources array is empty', async () => {
    await expectKafkaJSValidation(describe_([]), 'Resources array cannot be empty')
  })

  test('throws an error if there are invalid resource types', async () => {
    await expectKafkaJSValidation(
      describe_([{ type: ConfigResourceTypes.TOPIC }, { type: 1999 }]),
      'Invalid resource type 1999: {"type":1999}',
    )
  })

  test('throws an error if there are blank resource names', async () => {
    await expectKafkaJSValidation(
      describe_([
        { type: ConfigResourceTypes.TOPIC, name: 'abc' },
        { type: ConfigResourceTypes.TOPIC, name: null },
      ]),
      'Invalid resource name null: {"type":2,"name":null}',
    )
  })

  test('throws an error if there are invalid resource names', async () => {
    await expectKafkaJSValidation(
      describe_([
        { type: ConfigResourceTypes.TOPIC, name: 'abc' },
        { type: ConfigResourceTypes.TOPIC, name: 123 },
      ]),
      'Invalid resource name 123: {"type":2,"name":123}',
    )
  })

  test('throws an error if there are invalid resource configNames', async () => {
    await expectKafkaJSValidation(
      describe_([
        { type: ConfigResourceTypes.TOPIC, name: 'abc', configNames: [] },
        { type: ConfigResourceTypes.TOPIC, name: 'def', configNames: 123 },
      ]),
      'Invalid resource configNames 123: {"type":2,"name":"def","configNames":123}',
    )
  })

  test('describe all configs', async () => {
    await createTopic({ topic: topicName })
    const admin = admins.admin()
    await admin.connect()
    const response = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topicName }],
      includeSynonyms: false,
    })
    expect(topicEntries(response).length).toBeGreaterThan(1)
    // exactly KafkaJS's result: no throttleTime beside the resources
    expect(Object.keys(response)).toEqual(['resources'])
  })

  test('describe selected configs', async () => {
    await createTopic({ topic: topicName })
    const admin = admins.admin()
    await admin.connect()
    const response = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topicName, configNames: ['cleanup.policy'] }],
      includeSynonyms: false,
    })
    const entries = topicEntries(response)
    expect(entries.length).toEqual(1)
    expect(entries.find((c) => c.configName === 'cleanup.policy')?.configValue).toEqual('delete')
  })

  test('describe broker configs', async () => {
    await createTopic({ topic: topicName })
    const admin = admins.admin()
    await admin.connect()
    const broker = String((await nodeIds(admin))[1])
    const response = await admin.describeConfigs({
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topicName, configNames: ['cleanup.policy'] },
        { type: ConfigResourceTypes.BROKER, name: broker },
      ],
      includeSynonyms: false,
    })
    expect(response.resources.length).toEqual(2)
  })
})
