import { normalizeStartOptions } from '../../src/testing/options.js'
import {
  applyOverrides,
  buildServerProperties,
  clusterDefaults,
  type NodeAddresses,
  renderProperties,
  scramFormatArguments,
} from '../../src/testing/server-properties.js'

const node = (id: number, extra: Partial<NodeAddresses> = {}): NodeAddresses => ({
  id,
  port: 9000 + id,
  controllerPort: 9100 + id,
  securePorts: {},
  ...extra,
})

function asObject(settings: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  return Object.fromEntries(settings)
}

describe('buildServerProperties', () => {
  test('a single node is a combined broker and controller on loopback', () => {
    const settings = asObject(
      buildServerProperties({
        node: node(1),
        cluster: [node(1)],
        dataDir: '/tmp/k/node-1/data',
        version: '4.3.1',
        brokerConfig: {},
        security: undefined,
      }),
    )
    expect(settings).toEqual({
      'process.roles': 'broker,controller',
      'node.id': '1',
      'controller.quorum.voters': '1@127.0.0.1:9101',
      listeners: 'PLAINTEXT://127.0.0.1:9001,CONTROLLER://127.0.0.1:9101',
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:9001',
      'inter.broker.listener.name': 'PLAINTEXT',
      'controller.listener.names': 'CONTROLLER',
      'listener.security.protocol.map':
        'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
      'log.dirs': '/tmp/k/node-1/data',
      'num.partitions': '1',
      'offsets.topic.replication.factor': '1',
      'offsets.topic.num.partitions': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      'transaction.state.log.num.partitions': '1',
      'share.coordinator.state.topic.replication.factor': '1',
      'share.coordinator.state.topic.min.isr': '1',
      'share.coordinator.state.topic.num.partitions': '1',
      'group.initial.rebalance.delay.ms': '0',
      'group.share.min.record.lock.duration.ms': '1000',
      'group.share.min.heartbeat.interval.ms': '1000',
      'group.share.heartbeat.interval.ms': '1000',
    })
  })

  test('three nodes all list every voter and replicate internal topics three ways', () => {
    const cluster = [node(1), node(2), node(3)]
    const second = asObject(
      buildServerProperties({
        node: cluster[1]!,
        cluster,
        dataDir: '/d2',
        version: '4.3.1',
        brokerConfig: {},
        security: undefined,
      }),
    )
    expect(second['node.id']).toBe('2')
    expect(second['controller.quorum.voters']).toBe('1@127.0.0.1:9101,2@127.0.0.1:9102,3@127.0.0.1:9103')
    expect(second.listeners).toBe('PLAINTEXT://127.0.0.1:9002,CONTROLLER://127.0.0.1:9102')
    expect(second['offsets.topic.replication.factor']).toBe('3')
    expect(second['transaction.state.log.replication.factor']).toBe('3')
    expect(second['transaction.state.log.min.isr']).toBe('2')
    expect(second['share.coordinator.state.topic.min.isr']).toBe('2')
  })

  test('3.x is told to serve the KIP-848 consumer protocol; 4.x serves it by default and 4.4 deprecates the setting', () => {
    expect(clusterDefaults(1, '3.9.2')['group.coordinator.rebalance.protocols']).toBe('classic,consumer')
    expect(clusterDefaults(1, '4.3.1')['group.coordinator.rebalance.protocols']).toBeUndefined()
    expect(clusterDefaults(1, '4.4.0')['group.coordinator.rebalance.protocols']).toBeUndefined()
  })

  test('4.1 and later let a share group lock records and heartbeat for about a second; older releases get no share settings', () => {
    for (const version of ['4.1.0', '4.2.2', '4.4.0']) {
      expect(clusterDefaults(1, version)).toMatchObject({
        'group.share.min.record.lock.duration.ms': '1000',
        'group.share.min.heartbeat.interval.ms': '1000',
        'group.share.heartbeat.interval.ms': '1000',
      })
    }
    for (const version of ['3.9.2', '4.0.1']) {
      expect(Object.keys(clusterDefaults(1, version)).filter((k) => k.startsWith('group.share.'))).toEqual([])
    }
  })

  test('brokerConfig replaces a default in place and appends new settings', () => {
    const settings = buildServerProperties({
      node: node(1),
      cluster: [node(1)],
      dataDir: '/d',
      version: '4.3.1',
      brokerConfig: { 'num.partitions': '3', 'auto.create.topics.enable': 'false' },
      security: undefined,
    })
    const keys = settings.map(([k]) => k)
    expect(keys.indexOf('num.partitions')).toBe(keys.indexOf('log.dirs') + 1)
    expect(asObject(settings)['num.partitions']).toBe('3')
    expect(settings.at(-1)).toEqual(['auto.create.topics.enable', 'false'])
  })

  test('nodeConfig gives each node its own settings, merged over brokerConfig', () => {
    const options = normalizeStartOptions(
      {
        nodes: 3,
        brokerConfig: {
          'replica.selector.class': 'org.apache.kafka.common.replica.RackAwareReplicaSelector',
          'broker.rack': 'shared',
        },
        nodeConfig: (id): Record<string, string> => (id === 3 ? {} : { 'broker.rack': `rack-${id - 1}` }),
      },
      {},
    )
    const cluster = [node(1), node(2), node(3)]
    const propertiesOf = (id: number): Record<string, string> =>
      asObject(
        buildServerProperties({
          node: node(id),
          cluster,
          dataDir: `/d/${id}`,
          version: options.version,
          brokerConfig: options.nodeBrokerConfig.get(id)!,
          security: undefined,
        }),
      )
    expect([1, 2, 3].map((id) => propertiesOf(id)['broker.rack'])).toEqual(['rack-0', 'rack-1', 'shared'])
    for (const id of [1, 2, 3]) {
      expect(propertiesOf(id)).toMatchObject({
        'node.id': String(id),
        'replica.selector.class': 'org.apache.kafka.common.replica.RackAwareReplicaSelector',
      })
    }
    expect(options.brokerConfig).toEqual({
      'replica.selector.class': 'org.apache.kafka.common.replica.RackAwareReplicaSelector',
      'broker.rack': 'shared',
    })
  })

  test('SASL_PLAINTEXT adds a listener, JAAS per mechanism and PLAIN users', () => {
    const { security } = normalizeStartOptions({
      security: {
        listeners: ['SASL_PLAINTEXT'],
        users: [
          { username: 'alice', password: 'alice-secret' },
          { username: 'bob', password: 'b0b!' },
        ],
      },
    })
    const settings = asObject(
      buildServerProperties({
        node: node(1, { securePorts: { SASL_PLAINTEXT: 9201 } }),
        cluster: [node(1, { securePorts: { SASL_PLAINTEXT: 9201 } })],
        dataDir: '/d',
        version: '4.3.1',
        brokerConfig: {},
        security,
      }),
    )
    expect(settings.listeners).toBe(
      'PLAINTEXT://127.0.0.1:9001,CONTROLLER://127.0.0.1:9101,SASL_PLAINTEXT://127.0.0.1:9201',
    )
    expect(settings['advertised.listeners']).toBe('PLAINTEXT://127.0.0.1:9001,SASL_PLAINTEXT://127.0.0.1:9201')
    expect(settings['inter.broker.listener.name']).toBe('PLAINTEXT')
    expect(settings['sasl.enabled.mechanisms']).toBe('PLAIN,SCRAM-SHA-256,SCRAM-SHA-512')
    expect(settings['listener.name.sasl_plaintext.plain.sasl.jaas.config']).toBe(
      'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret" user_bob="b0b!";',
    )
    expect(settings['listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config']).toBe(
      'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    )
    expect(settings['listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config']).toBe(
      'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    )
    expect(scramFormatArguments(security)).toEqual([
      '--add-scram',
      'SCRAM-SHA-256=[name=alice,password=alice-secret]',
      '--add-scram',
      'SCRAM-SHA-256=[name=bob,password=b0b!]',
      '--add-scram',
      'SCRAM-SHA-512=[name=alice,password=alice-secret]',
      '--add-scram',
      'SCRAM-SHA-512=[name=bob,password=b0b!]',
    ])
  })

  test('only the mechanisms asked for are enabled, and PLAIN alone needs no SCRAM users', () => {
    const { security } = normalizeStartOptions({
      security: { listeners: ['SASL_PLAINTEXT'], saslMechanisms: ['PLAIN'] },
    })
    const settings = asObject(
      buildServerProperties({
        node: node(1, { securePorts: { SASL_PLAINTEXT: 9201 } }),
        cluster: [node(1, { securePorts: { SASL_PLAINTEXT: 9201 } })],
        dataDir: '/d',
        version: '4.3.1',
        brokerConfig: {},
        security,
      }),
    )
    expect(settings['sasl.enabled.mechanisms']).toBe('PLAIN')
    expect(Object.keys(settings).filter((k) => k.includes('scram'))).toEqual([])
    expect(scramFormatArguments(security)).toEqual([])
    expect(scramFormatArguments(undefined)).toEqual([])
  })
})

describe('renderProperties', () => {
  test('writes key=value lines and escapes backslashes', () => {
    expect(
      renderProperties([
        ['log.dirs', 'C:\\kafka\\data'],
        ['a', 'b=c'],
      ]),
    ).toBe('log.dirs=C:\\\\kafka\\\\data\na=b=c\n')
  })

  test('applyOverrides leaves its input untouched', () => {
    const base = [['a', '1'] as const]
    expect(applyOverrides(base, { a: '2' })).toEqual([['a', '2']])
    expect(base).toEqual([['a', '1']])
  })
})
