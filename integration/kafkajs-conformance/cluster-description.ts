// The conformance cluster: how it is started and the description workers read. KafkaJS's specs ran
// against three brokers with PLAINTEXT, SSL and SASL_SSL listeners, SASL users for PLAIN and SCRAM,
// an ACL authorizer that allows everything no ACL covers, two partitions per auto-created topic and
// replication factor 2 by default; the same settings here, on 127.0.0.1 with ports chosen at start.

import { type KafkaTestCluster, startKafka } from '../../src/testing/index.js'

export interface ConformanceUser {
  username: string
  password: string
}

export interface ConformanceClusterDescription {
  version: string
  plaintext: string[]
  ssl: string[]
  saslSsl: string[]
  /** PEM of the CA that signed the brokers' certificates (valid for localhost and 127.0.0.1). */
  ca: string
  users: { plain: ConformanceUser; scram: ConformanceUser; bob: ConformanceUser; alice: ConformanceUser }
}

export const CONFORMANCE_USERS: ConformanceClusterDescription['users'] = {
  /** KafkaJS's SASL PLAIN test user. */
  plain: { username: 'test', password: 'testtest' },
  /** KafkaJS's SCRAM user (KafkaJS used one password per mechanism; one serves both here). */
  scram: { username: 'testscram', password: 'testtestscram' },
  /** Users the ACL specs grant and deny access to. */
  bob: { username: 'bob', password: 'bobbob' },
  alice: { username: 'alice', password: 'alicealice' },
}

export async function startConformanceCluster(options: {
  detached: boolean
}): Promise<{ cluster: KafkaTestCluster; description: ConformanceClusterDescription }> {
  const cluster = await startKafka({
    nodes: 3,
    detached: options.detached,
    security: {
      listeners: ['SSL', 'SASL_SSL'],
      saslMechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
      users: Object.values(CONFORMANCE_USERS),
    },
    brokerConfig: {
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      // the controllers and brokers talk to each other over PLAINTEXT, as ANONYMOUS
      'super.users': 'User:ANONYMOUS',
      'allow.everyone.if.no.acl.found': 'true',
      'auto.create.topics.enable': 'true',
      'num.partitions': '2',
      'default.replication.factor': '2',
    },
  })
  const tls = cluster.tls
  if (tls === undefined) throw new Error('the conformance cluster started without TLS material')
  const description: ConformanceClusterDescription = {
    version: cluster.version,
    plaintext: cluster.brokers,
    ssl: cluster.listeners.SSL ?? [],
    saslSsl: cluster.listeners.SASL_SSL ?? [],
    ca: tls.ca,
    users: CONFORMANCE_USERS,
  }
  return { cluster, description }
}
