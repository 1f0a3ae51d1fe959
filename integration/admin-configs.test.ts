import type { Admin } from '../src/admin/admin.js'
import { AlterConfigOpTypes, ConfigResourceTypes, ConfigSource, KafkaJSProtocolError } from '../src/index.js'
import { connectedAdmin, eventually, uniqueName } from './admin-helpers.js'

jest.setTimeout(60_000)

describe('admin configs (real broker)', () => {
  let admin: Admin

  beforeAll(async () => {
    admin = await connectedAdmin()
  })

  afterAll(async () => {
    await admin.disconnect()
  })

  /**
   * A topic's config entry; with `expected`, read again until it has that value (a change reaches
   * the broker that answers when it replays the metadata log, shortly after the controller answered).
   */
  async function topicConfig(topic: string, name: string, expected?: string) {
    const read = async () => {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [name] }],
      })
      return resources[0]!.configEntries.find((e) => e.configName === name)
    }
    return expected === undefined ? read() : eventually(read, (e) => e?.configValue === expected)
  }

  it('describeConfigs returns every config of a topic in KafkaJS shape, or only the named ones', async () => {
    const topic = uniqueName('adm-cfg-describe')
    await admin.createTopics({ topics: [{ topic }] })
    const all = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    })
    expect(all.resources).toHaveLength(1)
    expect(all.resources[0]).toMatchObject({
      errorCode: 0,
      resourceName: topic,
      resourceType: ConfigResourceTypes.TOPIC,
    })
    expect(all.resources[0]!.configEntries.length).toBeGreaterThan(20)
    expect(all.resources[0]!.configEntries.find((e) => e.configName === 'cleanup.policy')).toEqual({
      configName: 'cleanup.policy',
      configValue: 'delete',
      readOnly: false,
      isDefault: true,
      configSource: ConfigSource.DEFAULT_CONFIG,
      isSensitive: false,
      configSynonyms: [],
    })
    const some = await admin.describeConfigs({
      includeSynonyms: true,
      includeDocumentation: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }],
    })
    const [entry] = some.resources[0]!.configEntries
    expect(entry!.configName).toBe('cleanup.policy')
    expect(entry!.configSynonyms).toEqual([
      { configName: 'log.cleanup.policy', configValue: 'delete', configSource: ConfigSource.DEFAULT_CONFIG },
    ])
    expect(entry!.documentation).toMatch(/retention policy/)
  })

  it('alterConfigs sets topic configs, read back with describeConfigs', async () => {
    const topic = uniqueName('adm-cfg-alter')
    await admin.createTopics({ topics: [{ topic }] })
    const response = await admin.alterConfigs({
      validateOnly: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ],
    })
    expect(response.resources).toEqual([
      { errorCode: 0, errorMessage: null, resourceName: topic, resourceType: ConfigResourceTypes.TOPIC },
    ])
    expect(await topicConfig(topic, 'cleanup.policy', 'compact')).toMatchObject({
      configValue: 'compact',
      isDefault: false,
      configSource: ConfigSource.TOPIC_CONFIG,
    })
    // validateOnly changes nothing
    await admin.alterConfigs({
      validateOnly: true,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] },
      ],
    })
    expect((await topicConfig(topic, 'cleanup.policy', 'compact'))!.configValue).toBe('compact')
  })

  it('incrementalAlterConfigs sets, appends, subtracts and deletes single configs', async () => {
    const topic = uniqueName('adm-cfg-incr')
    await admin.createTopics({ topics: [{ topic }] })
    const resource = (configEntries: Array<{ name: string; value?: string; operation?: 0 | 1 | 2 | 3 }>) => ({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries }],
    })
    await admin.incrementalAlterConfigs(
      resource([
        { name: 'retention.ms', value: '3600000' },
        { name: 'cleanup.policy', value: 'compact', operation: AlterConfigOpTypes.APPEND },
      ]),
    )
    expect((await topicConfig(topic, 'retention.ms', '3600000'))!.configValue).toBe('3600000')
    expect((await topicConfig(topic, 'cleanup.policy', 'delete,compact'))!.configValue).toBe('delete,compact')
    await admin.incrementalAlterConfigs(
      resource([{ name: 'cleanup.policy', value: 'delete', operation: AlterConfigOpTypes.SUBTRACT }]),
    )
    expect((await topicConfig(topic, 'cleanup.policy', 'compact'))!.configValue).toBe('compact')
    // retention.ms untouched by the other changes, then back to its default
    expect((await topicConfig(topic, 'retention.ms', '3600000'))!.configValue).toBe('3600000')
    await admin.incrementalAlterConfigs(resource([{ name: 'retention.ms', operation: AlterConfigOpTypes.DELETE }]))
    expect(await topicConfig(topic, 'retention.ms', '604800000')).toMatchObject({
      configValue: '604800000',
      isDefault: true,
    })
  })

  it("reads and changes a broker's own config on that broker", async () => {
    const broker = { type: ConfigResourceTypes.BROKER, name: '1' }
    const before = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ ...broker, configNames: ['log.cleaner.backoff.ms'] }],
    })
    expect(before.resources[0]!.configEntries[0]).toMatchObject({ configValue: '15000', isDefault: true })
    await admin.incrementalAlterConfigs({
      resources: [{ ...broker, configEntries: [{ name: 'log.cleaner.backoff.ms', value: '14000' }] }],
    })
    const backoff = async () => {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ ...broker, configNames: ['log.cleaner.backoff.ms'] }],
      })
      return resources[0]!.configEntries[0]!
    }
    // the broker applies dynamic configs when it replays the metadata log, shortly after the answer
    expect(await eventually(backoff, (e) => e.configValue === '14000')).toMatchObject({
      configValue: '14000',
      configSource: ConfigSource.DYNAMIC_BROKER_CONFIG,
    })
    await admin.incrementalAlterConfigs({
      resources: [
        { ...broker, configEntries: [{ name: 'log.cleaner.backoff.ms', operation: AlterConfigOpTypes.DELETE }] },
      ],
    })
    expect((await eventually(backoff, (e) => e.configValue === '15000')).configValue).toBe('15000')
    const loggers = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.BROKER_LOGGER, name: '1' }],
    })
    expect(loggers.resources[0]!.configEntries.map((e) => e.configName)).toContain('root')
  })

  it('names each resource that fails while the others are applied', async () => {
    const good = uniqueName('adm-cfg-good')
    const missing = uniqueName('adm-cfg-missing')
    await admin.createTopics({ topics: [{ topic: good }] })
    const error = await admin
      .incrementalAlterConfigs({
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: good, configEntries: [{ name: 'retention.ms', value: '1000' }] },
          { type: ConfigResourceTypes.TOPIC, name: missing, configEntries: [{ name: 'retention.ms', value: '1' }] },
        ],
      })
      .catch((e: unknown) => e)
    // as KafkaJS's config calls: the first refused resource's KafkaJSProtocolError, `detail` naming it
    expect(error).toBeInstanceOf(KafkaJSProtocolError)
    expect(error).toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' })
    expect((error as KafkaJSProtocolError).detail).toContain(`TOPIC "${missing}"`)
    expect((await topicConfig(good, 'retention.ms', '1000'))!.configValue).toBe('1000')

    const unknownKey = await admin
      .alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: good, configEntries: [{ name: 'no.such', value: '1' }] }],
      })
      .catch((e: unknown) => e)
    expect(unknownKey).toMatchObject({ name: 'KafkaJSProtocolError', type: 'INVALID_CONFIG' })

    const describeMissing = await admin
      .describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: missing }] })
      .catch((e: unknown) => e)
    expect(describeMissing).toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' })
    expect((describeMissing as KafkaJSProtocolError).detail).toContain(`TOPIC "${missing}"`)
  })

  it('refuses bad resources before any request', async () => {
    await expect(
      admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 99 as never, name: 'x' }] }),
    ).rejects.toThrow('Invalid resource type 99: {"type":99,"name":"x"}')
    await expect(
      admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: 'one' }] }),
    ).rejects.toThrow(/node id/)
    await expect(
      admin.incrementalAlterConfigs({
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: 't', configEntries: [{ name: 'a', operation: 7 as never }] },
        ],
      }),
    ).rejects.toThrow(/TOPIC "t": config a: operation must be one of SET/)
  })
})
