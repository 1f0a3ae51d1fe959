// Builds each node's server.properties (KRaft, combined broker+controller). Pure: ports, paths and
// options in, ordered settings out, so the unit tests can check every line without a JVM.

import { KafkaJSInvariantViolation } from '../errors.js'
import { type NormalizedSecurity, type SecureListener, SHARE_GROUPS_SINCE } from './options.js'
import type { TestCertificates } from './test-certificates.js'
import { isKafkaVersionAtLeast, parseKafkaVersion } from './version.js'

export const LOOPBACK = '127.0.0.1'

export interface NodeAddresses {
  id: number
  /** PLAINTEXT client port; also the inter-broker listener. */
  port: number
  controllerPort: number
  /** Ports of the extra client listeners (security.listeners). */
  securePorts: Partial<Record<SecureListener, number>>
}

export interface ServerPropertiesInput {
  node: NodeAddresses
  /** Every node of the cluster, this one included: they are all voters. */
  cluster: readonly NodeAddresses[]
  dataDir: string
  version: string
  brokerConfig: Record<string, string>
  security: NormalizedSecurity | undefined
  /** Certificates of the SSL and SASL_SSL listeners; required when security lists one. */
  certificates?: TestCertificates
}

export type Settings = ReadonlyArray<readonly [key: string, value: string]>

/**
 * Settings every test cluster shares, whatever runs it (local JVM or container): replication sized to
 * the node count, single-partition internal topics (quick to create on a small machine) and no
 * initial rebalance delay.
 */
export function clusterDefaults(nodes: number, version: string): Record<string, string> {
  const replication = String(nodes >= 3 ? 3 : 1)
  const minIsr = String(nodes >= 3 ? 2 : 1)
  const defaults: Record<string, string> = {
    'num.partitions': '1',
    'offsets.topic.replication.factor': replication,
    'offsets.topic.num.partitions': '1',
    'transaction.state.log.replication.factor': replication,
    'transaction.state.log.min.isr': minIsr,
    'transaction.state.log.num.partitions': '1',
    'share.coordinator.state.topic.replication.factor': replication,
    'share.coordinator.state.topic.min.isr': minIsr,
    'share.coordinator.state.topic.num.partitions': '1',
    'group.initial.rebalance.delay.ms': '0',
  }
  // 4.x serves the KIP-848 consumer protocol by default (4.4 deprecates this setting); 3.x has to be told
  if (parseKafkaVersion(version).major < 4) defaults['group.coordinator.rebalance.protocols'] = 'classic,consumer'
  if (isKafkaVersionAtLeast(version, SHARE_GROUPS_SINCE)) Object.assign(defaults, SHARE_GROUP_TEST_SETTINGS)
  return defaults
}

/**
 * Share group settings of a test cluster (Kafka 4.1+). The broker's own floors keep a group's
 * record lock at 15 s or more and its heartbeats 5 s apart; a test wants to see a lock expire, and
 * a member join, within a second or two. Only the floors and the heartbeat interval change: a
 * group's lock stays 30 s (group.share.record.lock.duration.ms) unless the test sets the group
 * config share.record.lock.duration.ms lower.
 */
export const SHARE_GROUP_TEST_SETTINGS: Readonly<Record<string, string>> = {
  'group.share.min.record.lock.duration.ms': '1000',
  'group.share.min.heartbeat.interval.ms': '1000',
  'group.share.heartbeat.interval.ms': '1000',
}

export function buildServerProperties(input: ServerPropertiesInput): Settings {
  const { node, cluster, security } = input
  const listenerNames = ['PLAINTEXT', 'CONTROLLER', ...(security?.listeners ?? [])] as const
  const portOf = (name: (typeof listenerNames)[number]): number => {
    if (name === 'PLAINTEXT') return node.port
    if (name === 'CONTROLLER') return node.controllerPort
    const port = node.securePorts[name]
    if (port === undefined) throw new KafkaJSInvariantViolation(`node ${node.id} has no port for listener ${name}`)
    return port
  }
  const clientListeners = listenerNames.filter((name) => name !== 'CONTROLLER')
  const settings: Array<[string, string]> = [
    ['process.roles', 'broker,controller'],
    ['node.id', String(node.id)],
    ['controller.quorum.voters', cluster.map((n) => `${n.id}@${LOOPBACK}:${n.controllerPort}`).join(',')],
    ['listeners', listenerNames.map((name) => `${name}://${LOOPBACK}:${portOf(name)}`).join(',')],
    ['advertised.listeners', clientListeners.map((name) => `${name}://${LOOPBACK}:${portOf(name)}`).join(',')],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['controller.listener.names', 'CONTROLLER'],
    [
      'listener.security.protocol.map',
      'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    ],
    ['log.dirs', input.dataDir],
  ]
  for (const [key, value] of Object.entries(clusterDefaults(cluster.length, input.version))) settings.push([key, value])
  if (security) settings.push(...saslSettings(security), ...tlsSettings(security, input.certificates))
  return applyOverrides(settings, input.brokerConfig)
}

/** JAAS and mechanism settings for every SASL listener; PLAIN users live in the JAAS line. */
export function saslSettings(security: NormalizedSecurity): Array<[string, string]> {
  const saslListeners = security.listeners.filter((l) => l.startsWith('SASL_'))
  if (saslListeners.length === 0) return []
  const settings: Array<[string, string]> = [['sasl.enabled.mechanisms', security.saslMechanisms.join(',')]]
  for (const listener of saslListeners) {
    const prefix = `listener.name.${listener.toLowerCase()}`
    for (const mechanism of security.saslMechanisms) {
      const key = `${prefix}.${mechanism.toLowerCase()}.sasl.jaas.config`
      if (mechanism === 'PLAIN') {
        const users = security.users.map((u) => `user_${u.username}="${u.password}"`).join(' ')
        settings.push([key, `org.apache.kafka.common.security.plain.PlainLoginModule required ${users};`])
      } else if (mechanism === 'OAUTHBEARER') {
        // without a server callback handler Kafka validates tokens with its unsecured validator
        // (unsigned JWTs, checked for exp and sub), which is what tests want; the login options
        // are the broker's own token, needed only to build the login module
        settings.push([key, OAUTHBEARER_JAAS])
      } else {
        settings.push([key, 'org.apache.kafka.common.security.scram.ScramLoginModule required;'])
      }
    }
  }
  return settings
}

const OAUTHBEARER_JAAS =
  'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="kafkit-broker";'

/**
 * Key store (broker certificate and key), trust store (the CA, for client certificates) and client
 * authentication for every TLS listener, as inline PEM (ssl.keystore.type=PEM).
 */
export function tlsSettings(
  security: NormalizedSecurity,
  certificates: TestCertificates | undefined,
): Array<[string, string]> {
  const tlsListeners = security.listeners.filter((l) => l === 'SSL' || l === 'SASL_SSL')
  if (tlsListeners.length === 0) return []
  if (certificates === undefined) {
    throw new KafkaJSInvariantViolation(`listeners ${tlsListeners.join(', ')} need certificates`)
  }
  const settings: Array<[string, string]> = []
  for (const listener of tlsListeners) {
    const prefix = `listener.name.${listener.toLowerCase()}.ssl`
    settings.push(
      [`${prefix}.keystore.type`, 'PEM'],
      [`${prefix}.keystore.certificate.chain`, pemOnOneLine(certificates.broker.certificate)],
      [`${prefix}.keystore.key`, pemOnOneLine(certificates.broker.privateKey)],
      [`${prefix}.truststore.type`, 'PEM'],
      [`${prefix}.truststore.certificates`, pemOnOneLine(certificates.ca.certificate)],
      [`${prefix}.client.auth`, security.tls?.clientAuth ?? 'none'],
    )
  }
  return settings
}

/**
 * PEM blocks as one properties line. Kafka's PEM reader wants whitespace after each BEGIN line and
 * ignores line breaks in the base64, so the header, a space and the joined base64 parse back.
 */
export function pemOnOneLine(pem: string): string {
  const lines = pem
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
  return lines.map((line) => (line.startsWith('-----BEGIN') ? `${line} ` : line)).join('')
}

/** StorageTool arguments that create the SCRAM users in the metadata log at format time. */
export function scramFormatArguments(security: NormalizedSecurity | undefined): string[] {
  if (!security?.listeners.some((l) => l.startsWith('SASL_'))) return []
  const args: string[] = []
  for (const mechanism of security.saslMechanisms) {
    if (!mechanism.startsWith('SCRAM-')) continue
    for (const user of security.users) {
      args.push('--add-scram', `${mechanism}=[name=${user.username},password=${user.password}]`)
    }
  }
  return args
}

/** Later settings win; an override of an existing key replaces it in place so the file stays readable. */
export function applyOverrides(settings: Settings, overrides: Record<string, string>): Settings {
  const result = settings.map(([k, v]) => [k, v] as [string, string])
  for (const [key, value] of Object.entries(overrides)) {
    const existing = result.find(([k]) => k === key)
    if (existing) existing[1] = value
    else result.push([key, value])
  }
  return result
}

/** Java properties text. Values are written verbatim except backslashes, which properties files treat as escapes. */
export function renderProperties(settings: Settings): string {
  return `${settings.map(([key, value]) => `${key}=${value.replaceAll('\\', '\\\\')}`).join('\n')}\n`
}
