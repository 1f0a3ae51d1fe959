// The options of startKafka and their validation. Validation is strict and names the offending
// option, so a typo in a test's setup fails at once instead of as a broker that never starts.

import { KafkaJSInvalidArgumentError } from '../errors.js'
import type { TestCertificateAuthority } from './test-certificates.js'
import { chooseKafkaVersion, isKafkaVersionAtLeast, isValidKafkaVersion } from './version.js'

/** Client listeners that can be added next to the always-present PLAINTEXT one. */
export type SecureListener = 'SASL_PLAINTEXT' | 'SSL' | 'SASL_SSL'
export type ListenerName = 'PLAINTEXT' | SecureListener
export type TestSaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER'

export interface KafkaTestUser {
  username: string
  password: string
}

export type TestClientAuth = 'none' | 'requested' | 'required'

/** TLS of the SSL and SASL_SSL listeners. */
export interface KafkaTestTlsOptions {
  /** The CA (PEM) that signs the broker and client certificates; made with openssl when omitted. */
  ca?: TestCertificateAuthority
  /** Whether the broker asks clients for a certificate (mutual TLS). Default 'none'. */
  clientAuth?: TestClientAuth
}

export interface KafkaTestSecurityOptions {
  /** Listeners to open besides PLAINTEXT (which stays: the controller and inter-broker traffic use it). */
  listeners: SecureListener[]
  /**
   * SASL mechanisms the SASL listeners accept. Default: PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512.
   * OAUTHBEARER uses Kafka's unsecured validator: unsigned JWTs with `sub` and `exp` claims.
   */
  saslMechanisms?: TestSaslMechanism[]
  /** Users accepted by every enabled mechanism (PLAIN via JAAS, SCRAM created at format time). */
  users?: KafkaTestUser[]
  tls?: KafkaTestTlsOptions
}

export type KafkaRuntime = 'jvm' | 'container'

export interface StartKafkaOptions {
  /** Number of combined broker+controller nodes. Default 1. */
  nodes?: 1 | 3
  /** Apache Kafka release. Default: env KAFKA_VERSION, else the pinned version. */
  version?: string
  /** Extra broker settings (server.properties keys) applied to every node. */
  brokerConfig?: Record<string, string>
  /**
   * Settings of one node (node ids are 1..nodes), merged over brokerConfig; called once per node at
   * start. For what differs between nodes, e.g. a rack per node: `(id) => ({ 'broker.rack': 'rack-' + id })`.
   */
  nodeConfig?: (nodeId: number) => Record<string, string>
  security?: KafkaTestSecurityOptions
  /** Feature levels set when formatting storage, e.g. { 'share.version': 1 }. */
  features?: Record<string, number>
  /**
   * Share groups (KIP-932, Kafka 4.1+). Default true: enabled wherever the release has them (4.2 and
   * later enable them on a fresh cluster, 4.1 is formatted with share.version=1). false formats the
   * storage with share.version=0, a cluster without share groups. true on a release before 4.1 is
   * refused. See shareGroupSettings for the broker settings that come with them.
   */
  shareGroups?: boolean
  /** 'jvm' (default) runs local JVMs; 'container' runs apache/kafka (default when KAFKIT_TEST_CONTAINER=1). */
  runtime?: KafkaRuntime
  /** How long to wait for the cluster to accept clients. Default 120 000 ms. */
  startTimeoutMs?: number
  /** Where broker jars are cached. Default: env KAFKIT_CACHE_DIR, else ~/.cache/kafkit. */
  cacheDir?: string
  /**
   * Leave the JVMs running when this process exits (the CLI uses this). The caller must stop them:
   * `stop()` on the handle or stopDetachedKafka() with its state.
   */
  detached?: boolean
}

export interface NormalizedSecurity {
  listeners: SecureListener[]
  saslMechanisms: TestSaslMechanism[]
  users: KafkaTestUser[]
  /** Present when there is an SSL or SASL_SSL listener. */
  tls?: { clientAuth: TestClientAuth; ca?: TestCertificateAuthority }
}

export interface NormalizedStartOptions {
  nodes: 1 | 3
  version: string
  brokerConfig: Record<string, string>
  /** brokerConfig with nodeConfig(id) merged over it, by node id. */
  nodeBrokerConfig: ReadonlyMap<number, Record<string, string>>
  security: NormalizedSecurity | undefined
  features: Record<string, number>
  /** Whether the cluster serves share groups (from shareGroups and the release). */
  shareGroups: boolean
  runtime: KafkaRuntime
  startTimeoutMs: number
  cacheDir: string | undefined
  detached: boolean
}

export const DEFAULT_SASL_MECHANISMS: readonly TestSaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']
export const SUPPORTED_SASL_MECHANISMS: readonly TestSaslMechanism[] = [...DEFAULT_SASL_MECHANISMS, 'OAUTHBEARER']
const CLIENT_AUTH_VALUES: readonly TestClientAuth[] = ['none', 'requested', 'required']
export const DEFAULT_TEST_USERS: readonly KafkaTestUser[] = [{ username: 'kafkit', password: 'kafkit-secret' }]

/** Settings the harness derives itself; overriding them would break ports, storage or the quorum. */
export const HARNESS_OWNED_SETTINGS: readonly string[] = [
  'process.roles',
  'node.id',
  'broker.id',
  'controller.quorum.voters',
  'controller.quorum.bootstrap.servers',
  'controller.listener.names',
  'listeners',
  'advertised.listeners',
  'listener.security.protocol.map',
  'inter.broker.listener.name',
  'log.dirs',
  'log.dir',
  'metadata.log.dir',
]

const OPTION_KEYS = new Set([
  'nodes',
  'version',
  'brokerConfig',
  'nodeConfig',
  'security',
  'features',
  'shareGroups',
  'runtime',
  'startTimeoutMs',
  'cacheDir',
  'detached',
])
const SECURITY_KEYS = new Set(['listeners', 'saslMechanisms', 'users', 'tls'])
const SECURE_LISTENERS: readonly SecureListener[] = ['SASL_PLAINTEXT', 'SSL', 'SASL_SSL']
// Users end up inside a JAAS config string and a StorageTool --add-scram argument; characters that
// would need quoting there are refused rather than escaped.
const CREDENTIAL_PATTERN = /^[A-Za-z0-9._~!@#$%^&*+-]+$/
const FEATURE_PATTERN = /^[a-z][a-z0-9._-]*$/

export function normalizeStartOptions(
  options: StartKafkaOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): NormalizedStartOptions {
  if (typeof options !== 'object' || options === null) {
    throw new KafkaJSInvalidArgumentError('startKafka options must be an object')
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new KafkaJSInvalidArgumentError(
        `startKafka: unknown option "${key}" (known: ${[...OPTION_KEYS].join(', ')})`,
      )
    }
  }
  const nodes = options.nodes ?? 1
  if (nodes !== 1 && nodes !== 3) {
    throw new KafkaJSInvalidArgumentError(`startKafka: nodes must be 1 or 3, got ${JSON.stringify(options.nodes)}`)
  }
  const version = chooseKafkaVersion(options.version, env)
  if (!isValidKafkaVersion(version)) {
    throw new KafkaJSInvalidArgumentError(
      `startKafka: version must be a release such as "4.4.0", got ${JSON.stringify(version)}` +
        (options.version === undefined ? ' (from KAFKA_VERSION)' : ''),
    )
  }
  const runtime = options.runtime ?? (env.KAFKIT_TEST_CONTAINER === '1' ? 'container' : 'jvm')
  if (runtime !== 'jvm' && runtime !== 'container') {
    throw new KafkaJSInvalidArgumentError(`startKafka: runtime must be "jvm" or "container", got ${String(runtime)}`)
  }
  const startTimeoutMs = options.startTimeoutMs ?? 120_000
  if (!Number.isInteger(startTimeoutMs) || startTimeoutMs <= 0) {
    throw new KafkaJSInvalidArgumentError(
      `startKafka: startTimeoutMs must be a positive integer, got ${startTimeoutMs}`,
    )
  }
  if (options.cacheDir !== undefined && (typeof options.cacheDir !== 'string' || options.cacheDir === '')) {
    throw new KafkaJSInvalidArgumentError('startKafka: cacheDir must be a non-empty path')
  }
  if (options.detached !== undefined && typeof options.detached !== 'boolean') {
    throw new KafkaJSInvalidArgumentError('startKafka: detached must be a boolean')
  }
  const brokerConfig = validateBrokerConfig(options.brokerConfig ?? {}, 'brokerConfig')
  const features = validateFeatures(options.features ?? {})
  const shareGroups = shareGroupFeature(options.shareGroups, version, features)
  return {
    nodes,
    version,
    brokerConfig,
    nodeBrokerConfig: perNodeBrokerConfig(nodes, brokerConfig, options.nodeConfig),
    security: options.security === undefined ? undefined : normalizeSecurity(options.security),
    features,
    shareGroups,
    runtime,
    startTimeoutMs,
    cacheDir: options.cacheDir,
    detached: options.detached ?? false,
  }
}

function perNodeBrokerConfig(
  nodes: number,
  brokerConfig: Record<string, string>,
  nodeConfig: StartKafkaOptions['nodeConfig'],
): Map<number, Record<string, string>> {
  if (nodeConfig !== undefined && typeof nodeConfig !== 'function') {
    throw new KafkaJSInvalidArgumentError(
      "startKafka: nodeConfig must be a function from a node id to that node's settings",
    )
  }
  const byNode = new Map<number, Record<string, string>>()
  for (let id = 1; id <= nodes; id++) {
    const own = nodeConfig === undefined ? {} : validateBrokerConfig(nodeConfig(id), `nodeConfig(${id})`)
    byNode.set(id, { ...brokerConfig, ...own })
  }
  return byNode
}

/** `label` names the option in messages: brokerConfig, or nodeConfig(2) for node 2's settings. */
function validateBrokerConfig(config: Record<string, string>, label: string): Record<string, string> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new KafkaJSInvalidArgumentError(`startKafka: ${label} must be an object of string settings`)
  }
  for (const [key, value] of Object.entries(config)) {
    if (!/^[A-Za-z0-9._-]+$/.test(key)) {
      throw new KafkaJSInvalidArgumentError(`startKafka: ${label} key ${JSON.stringify(key)} is not a setting name`)
    }
    if (HARNESS_OWNED_SETTINGS.includes(key)) {
      throw new KafkaJSInvalidArgumentError(
        `startKafka: ${label} cannot set "${key}": the harness derives it from nodes, ports and security`,
      )
    }
    if (typeof value !== 'string') {
      throw new KafkaJSInvalidArgumentError(
        `startKafka: ${label} "${key}" must be a string, got ${typeof value} (write ${JSON.stringify(String(value))})`,
      )
    }
    if (/[\r\n]/.test(value)) {
      throw new KafkaJSInvalidArgumentError(`startKafka: ${label} "${key}" must be a single line`)
    }
  }
  return { ...config }
}

function validateFeatures(features: Record<string, number>): Record<string, number> {
  if (typeof features !== 'object' || features === null || Array.isArray(features)) {
    throw new KafkaJSInvalidArgumentError('startKafka: features must be an object such as { "share.version": 1 }')
  }
  for (const [name, level] of Object.entries(features)) {
    if (!FEATURE_PATTERN.test(name)) {
      throw new KafkaJSInvalidArgumentError(`startKafka: feature name ${JSON.stringify(name)} is not valid`)
    }
    if (!Number.isInteger(level) || level < 0 || level > 32767) {
      throw new KafkaJSInvalidArgumentError(`startKafka: feature "${name}" level must be an integer 0..32767`)
    }
  }
  return { ...features }
}

/** The release that first serves share groups at the protocol versions kafkit speaks (ShareFetch v1). */
export const SHARE_GROUPS_SINCE = '4.1'
/** The last release whose fresh clusters leave share groups off (share.version 0) unless told. */
const SHARE_GROUPS_OPT_IN_BEFORE = '4.2'
const SHARE_VERSION = 'share.version'

/**
 * Whether the cluster serves share groups, setting the share.version feature in `features` where
 * the release needs telling: 1 on 4.1 (off by default there), 0 when shareGroups is false.
 */
function shareGroupFeature(requested: boolean | undefined, version: string, features: Record<string, number>): boolean {
  if (requested !== undefined && typeof requested !== 'boolean') {
    throw new KafkaJSInvalidArgumentError(`startKafka: shareGroups must be a boolean, got ${String(requested)}`)
  }
  const explicit = features[SHARE_VERSION]
  const supported = isKafkaVersionAtLeast(version, SHARE_GROUPS_SINCE)
  if (requested === true && !supported) {
    throw new KafkaJSInvalidArgumentError(
      `startKafka: shareGroups needs Kafka ${SHARE_GROUPS_SINCE} or newer, not ${version}`,
    )
  }
  if (explicit !== undefined && requested !== undefined && requested !== explicit > 0) {
    throw new KafkaJSInvalidArgumentError(
      `startKafka: shareGroups ${requested} contradicts features["${SHARE_VERSION}"] ${explicit}`,
    )
  }
  if (!supported) return false
  if (explicit !== undefined) return explicit > 0
  if (requested === false) {
    features[SHARE_VERSION] = 0
    return false
  }
  if (!isKafkaVersionAtLeast(version, SHARE_GROUPS_OPT_IN_BEFORE)) features[SHARE_VERSION] = 1
  return true
}

function normalizeSecurity(security: KafkaTestSecurityOptions): NormalizedSecurity {
  if (typeof security !== 'object' || security === null) {
    throw new KafkaJSInvalidArgumentError('startKafka: security must be an object')
  }
  for (const key of Object.keys(security)) {
    if (!SECURITY_KEYS.has(key)) {
      throw new KafkaJSInvalidArgumentError(
        `startKafka: unknown security option "${key}" (known: ${[...SECURITY_KEYS].join(', ')})`,
      )
    }
  }
  const { listeners } = security
  if (!Array.isArray(listeners) || listeners.length === 0) {
    throw new KafkaJSInvalidArgumentError(
      `startKafka: security.listeners must list at least one of ${SECURE_LISTENERS.join(', ')}`,
    )
  }
  for (const listener of listeners) {
    if (!SECURE_LISTENERS.includes(listener)) {
      throw new KafkaJSInvalidArgumentError(
        `startKafka: security.listeners has ${JSON.stringify(listener)}; expected ${SECURE_LISTENERS.join(', ')}`,
      )
    }
  }
  if (new Set(listeners).size !== listeners.length) {
    throw new KafkaJSInvalidArgumentError('startKafka: security.listeners lists a listener twice')
  }
  const tls = normalizeTls(security.tls, listeners)
  const saslMechanisms = security.saslMechanisms ?? [...DEFAULT_SASL_MECHANISMS]
  if (!Array.isArray(saslMechanisms) || saslMechanisms.length === 0) {
    throw new KafkaJSInvalidArgumentError(
      `startKafka: security.saslMechanisms must list at least one of ${SUPPORTED_SASL_MECHANISMS.join(', ')}`,
    )
  }
  for (const mechanism of saslMechanisms) {
    if (!SUPPORTED_SASL_MECHANISMS.includes(mechanism)) {
      throw new KafkaJSInvalidArgumentError(
        `startKafka: security.saslMechanisms has ${JSON.stringify(mechanism)}; ` +
          `supported: ${SUPPORTED_SASL_MECHANISMS.join(', ')}`,
      )
    }
  }
  const users = security.users ?? DEFAULT_TEST_USERS.map((u) => ({ ...u }))
  if (!Array.isArray(users) || users.length === 0) {
    throw new KafkaJSInvalidArgumentError('startKafka: security.users must list at least one user')
  }
  const seen = new Set<string>()
  for (const user of users) {
    for (const field of ['username', 'password'] as const) {
      const value = user?.[field]
      if (typeof value !== 'string' || !CREDENTIAL_PATTERN.test(value)) {
        throw new KafkaJSInvalidArgumentError(
          `startKafka: security.users ${field} ${JSON.stringify(value)} must be non-empty and use only ` +
            'letters, digits and ._~!@#$%^&*+-',
        )
      }
    }
    if (seen.has(user.username)) {
      throw new KafkaJSInvalidArgumentError(`startKafka: security.users lists "${user.username}" twice`)
    }
    seen.add(user.username)
  }
  return {
    listeners: [...listeners],
    saslMechanisms: [...saslMechanisms],
    users: users.map((u) => ({ username: u.username, password: u.password })),
    ...(tls !== undefined && { tls }),
  }
}

function normalizeTls(
  tls: KafkaTestTlsOptions | undefined,
  listeners: readonly SecureListener[],
): NormalizedSecurity['tls'] {
  const tlsListeners = listeners.filter((l) => l === 'SSL' || l === 'SASL_SSL')
  if (tlsListeners.length === 0) {
    if (tls !== undefined) {
      throw new KafkaJSInvalidArgumentError('startKafka: security.tls needs an SSL or SASL_SSL listener')
    }
    return undefined
  }
  if (tls !== undefined && (typeof tls !== 'object' || tls === null)) {
    throw new KafkaJSInvalidArgumentError('startKafka: security.tls must be an object')
  }
  for (const key of Object.keys(tls ?? {})) {
    if (key !== 'ca' && key !== 'clientAuth') {
      throw new KafkaJSInvalidArgumentError(`startKafka: unknown security.tls option "${key}" (known: ca, clientAuth)`)
    }
  }
  const clientAuth = tls?.clientAuth ?? 'none'
  if (!CLIENT_AUTH_VALUES.includes(clientAuth)) {
    throw new KafkaJSInvalidArgumentError(
      `startKafka: security.tls.clientAuth must be one of ${CLIENT_AUTH_VALUES.join(', ')}, got ${JSON.stringify(clientAuth)}`,
    )
  }
  const ca = tls?.ca
  if (ca !== undefined) {
    const isPem = (value: unknown, kind: string): boolean =>
      typeof value === 'string' && value.includes('-----BEGIN') && value.includes(kind)
    if (!isPem(ca?.certificate, 'CERTIFICATE') || !isPem(ca?.privateKey, 'PRIVATE KEY')) {
      throw new KafkaJSInvalidArgumentError(
        'startKafka: security.tls.ca must be { certificate, privateKey } in PEM (BEGIN CERTIFICATE / BEGIN PRIVATE KEY)',
      )
    }
    return { clientAuth, ca: { certificate: ca.certificate, privateKey: ca.privateKey } }
  }
  return { clientAuth }
}
