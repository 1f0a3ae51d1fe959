import { KafkaJSInvalidArgumentError } from '../../src/errors.js'
import { normalizeStartOptions, type StartKafkaOptions } from '../../src/testing/options.js'
import { DEFAULT_KAFKA_VERSION, isKafkaVersionAtLeast, parseKafkaVersion } from '../../src/testing/version.js'

const noEnv = {}

describe('normalizeStartOptions', () => {
  test('defaults: one node, the pinned version, local JVMs', () => {
    expect(normalizeStartOptions({}, noEnv)).toEqual({
      nodes: 1,
      version: DEFAULT_KAFKA_VERSION,
      brokerConfig: {},
      nodeBrokerConfig: new Map([[1, {}]]),
      security: undefined,
      features: {},
      shareGroups: true,
      runtime: 'jvm',
      startTimeoutMs: 120_000,
      cacheDir: undefined,
      detached: false,
    })
    expect(DEFAULT_KAFKA_VERSION).toBe('4.4.0')
  })

  test('share groups: on by default from 4.1 (4.1 is told with share.version=1), off with shareGroups false (share.version=0)', () => {
    const share = (options: StartKafkaOptions) => {
      const { shareGroups, features } = normalizeStartOptions(options, noEnv)
      return { shareGroups, features }
    }
    expect(share({ version: '4.4.0' })).toEqual({ shareGroups: true, features: {} })
    expect(share({ version: '4.2.2' })).toEqual({ shareGroups: true, features: {} })
    expect(share({ version: '4.1.1' })).toEqual({ shareGroups: true, features: { 'share.version': 1 } })
    expect(share({ version: '4.4.0', shareGroups: false })).toEqual({
      shareGroups: false,
      features: { 'share.version': 0 },
    })
    expect(share({ version: '4.0.1' })).toEqual({ shareGroups: false, features: {} })
    expect(share({ version: '3.9.2', shareGroups: false })).toEqual({ shareGroups: false, features: {} })
    expect(share({ version: '4.4.0', features: { 'share.version': 1 } })).toEqual({
      shareGroups: true,
      features: { 'share.version': 1 },
    })
  })

  test('KAFKA_VERSION and KAFKIT_TEST_CONTAINER choose the version and the runtime; options win', () => {
    const env = { KAFKA_VERSION: '3.9.1', KAFKIT_TEST_CONTAINER: '1' }
    expect(normalizeStartOptions({}, env)).toMatchObject({ version: '3.9.1', runtime: 'container' })
    expect(normalizeStartOptions({ version: '4.0.0', runtime: 'jvm' }, env)).toMatchObject({
      version: '4.0.0',
      runtime: 'jvm',
    })
  })

  test.each<[string, unknown, RegExp]>([
    ['nodes', { nodes: 2 }, /nodes must be 1 or 3, got 2/],
    ['version', { version: 'latest' }, /version must be a release such as "4.4.0", got "latest"/],
    ['unknown option', { node: 3 }, /unknown option "node"/],
    ['runtime', { runtime: 'docker' }, /runtime must be "jvm" or "container"/],
    ['timeout', { startTimeoutMs: 0 }, /startTimeoutMs must be a positive integer/],
    ['owned setting', { brokerConfig: { listeners: 'x' } }, /cannot set "listeners"/],
    ['non-string setting', { brokerConfig: { 'num.partitions': 3 } }, /"num.partitions" must be a string.*write "3"/],
    ['multi-line setting', { brokerConfig: { a: 'x\ny' } }, /"a" must be a single line/],
    ['node config not a function', { nodeConfig: { 'broker.rack': 'r' } }, /nodeConfig must be a function/],
    [
      'owned node setting',
      { nodes: 3, nodeConfig: (id: number) => (id === 2 ? { 'node.id': '7' } : {}) },
      /nodeConfig\(2\) cannot set "node.id"/,
    ],
    [
      'non-string node setting',
      { nodeConfig: () => ({ 'broker.rack': 1 }) },
      /nodeConfig\(1\) "broker.rack" must be a string/,
    ],
    ['feature level', { features: { 'share.version': 1.5 } }, /feature "share.version" level must be an integer/],
    ['shareGroups type', { shareGroups: 'yes' }, /shareGroups must be a boolean, got yes/],
    ['shareGroups on 3.9', { version: '3.9.2', shareGroups: true }, /shareGroups needs Kafka 4.1 or newer, not 3.9.2/],
    [
      'shareGroups against features',
      { shareGroups: false, features: { 'share.version': 2 } },
      /shareGroups false contradicts features\["share.version"\] 2/,
    ],
    ['no listeners', { security: { listeners: [] } }, /security.listeners must list at least one/],
    ['bad listener', { security: { listeners: ['SASL'] } }, /security.listeners has "SASL"/],
    ['bad mechanism', { security: { listeners: ['SASL_PLAINTEXT'], saslMechanisms: ['GSSAPI'] } }, /"GSSAPI"/],
    [
      'quote in password',
      { security: { listeners: ['SASL_PLAINTEXT'], users: [{ username: 'a', password: 'x"y' }] } },
      /password "x\\"y" must be non-empty/,
    ],
    [
      'duplicate user',
      {
        security: {
          listeners: ['SASL_PLAINTEXT'],
          users: [
            { username: 'a', password: 'p' },
            { username: 'a', password: 'q' },
          ],
        },
      },
      /lists "a" twice/,
    ],
  ])('rejects a bad %s with a precise message', (_what, options, message) => {
    expect(() => normalizeStartOptions(options as StartKafkaOptions, noEnv)).toThrow(KafkaJSInvalidArgumentError)
    expect(() => normalizeStartOptions(options as StartKafkaOptions, noEnv)).toThrow(message)
  })

  test('a bad KAFKA_VERSION is reported as coming from the environment', () => {
    expect(() => normalizeStartOptions({}, { KAFKA_VERSION: '4.x' })).toThrow(/got "4.x" \(from KAFKA_VERSION\)/)
  })

  test('TLS listeners get client authentication off unless told otherwise, and a CA made at start', () => {
    expect(normalizeStartOptions({ security: { listeners: ['SSL'] } }, noEnv).security?.tls).toEqual({
      clientAuth: 'none',
    })
    const ca = { certificate: '-----BEGIN CERTIFICATE-----x', privateKey: '-----BEGIN PRIVATE KEY-----y' }
    expect(
      normalizeStartOptions({ security: { listeners: ['SASL_SSL'], tls: { clientAuth: 'required', ca } } }, noEnv)
        .security?.tls,
    ).toEqual({ clientAuth: 'required', ca })
  })

  test.each([
    [
      { listeners: ['SASL_PLAINTEXT'], tls: { clientAuth: 'required' } },
      /security.tls needs an SSL or SASL_SSL listener/,
    ],
    [{ listeners: ['SSL'], tls: { clientAuth: 'always' } }, /clientAuth must be one of none, requested, required/],
    [{ listeners: ['SSL'], tls: { ca: { certificate: 'x', privateKey: 'y' } } }, /security.tls.ca must be/],
    [{ listeners: ['SSL'], tls: { keystore: 'x' } }, /unknown security.tls option "keystore"/],
    [
      { listeners: ['SASL_PLAINTEXT'], saslMechanisms: ['GSSAPI'] },
      /supported: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER/,
    ],
  ])('refuses security %j', (security, message) => {
    expect(() => normalizeStartOptions({ security } as StartKafkaOptions, noEnv)).toThrow(KafkaJSInvalidArgumentError)
    expect(() => normalizeStartOptions({ security } as StartKafkaOptions, noEnv)).toThrow(message)
  })

  test('SASL_PLAINTEXT gets every mechanism and a default user unless told otherwise', () => {
    expect(normalizeStartOptions({ security: { listeners: ['SASL_PLAINTEXT'] } }, noEnv).security).toEqual({
      listeners: ['SASL_PLAINTEXT'],
      saslMechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
      users: [{ username: 'kafkit', password: 'kafkit-secret' }],
    })
  })
})

test('parseKafkaVersion', () => {
  expect(parseKafkaVersion('3.9.1')).toEqual({ major: 3, minor: 9, patch: 1 })
  expect(() => parseKafkaVersion('3.9')).toThrow(KafkaJSInvalidArgumentError)
})

test('isKafkaVersionAtLeast compares major, then minor; the patch does not matter', () => {
  expect(isKafkaVersionAtLeast('3.9.2', '4.0')).toBe(false)
  expect(isKafkaVersionAtLeast('4.0.0', '4.0')).toBe(true)
  expect(isKafkaVersionAtLeast('4.1.9', '4.2')).toBe(false)
  expect(isKafkaVersionAtLeast('4.2.0', '4.2')).toBe(true)
  expect(isKafkaVersionAtLeast('4.4.0', '3.9')).toBe(true)
  expect(isKafkaVersionAtLeast('5.0.0', '4.2')).toBe(true)
})
