// TLS, SASL and re-authentication against one real broker that serves every security listener:
// SASL_PLAINTEXT and SASL_SSL with PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER (Kafka's
// unsecured JWT validator), SSL asking for (not requiring) client certificates, and sessions that
// the broker ends after REAUTH_MS unless the client re-authenticates (connections.max.reauth.ms).
// One JVM serves the whole file; topics are named per test.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type tls from 'node:tls'
import { Kafka, type KafkaConfig } from '../src/client/kafka.js'
import { Cluster } from '../src/cluster/cluster.js'
import type { LogEntry } from '../src/common/kafka-logger.js'
import { logLevel } from '../src/common/kafka-logger.js'
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  KafkaJSConnectionClosedError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSSASLAuthenticationError,
  KafkaJSTLSError,
  ResourcePatternTypes,
} from '../src/index.js'
import { createSaslAuthenticator } from '../src/network/sasl/index.js'
import type { SASLConfig } from '../src/network/sasl/sasl-options.js'
import { Metadata } from '../src/protocol/generated/metadata.js'
import { type KafkaTestCluster, type SecureListener, startKafka } from '../src/testing/index.js'
import { runCommand } from '../src/testing/run-command.js'
import { waitFor } from '../test/helpers/wait.js'
import { usesExternalCluster } from './helpers/brokers.js'
import { capturingLogCreator, consumeValues, fetchValues, unsecuredJwt } from './security-helpers.js'

const describeLocal = usesExternalCluster() ? describe.skip : describe

/** Polls until `probe` returns something truthy (a state the test waits for), and returns it. */
async function until<T>(probe: () => T | undefined | false): Promise<T> {
  for (;;) {
    const value = probe()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
const SLOW = 180_000
/**
 * Session lifetime the broker grants SASL connections: short, so that tests see several renewals, yet
 * long enough that the 5-15% of it left after a renewal is due (Java's 85-95% rule) covers a request's
 * trip to the broker on a loaded 2-core CI machine (at 3000 ms, CI saw a send arrive after expiry).
 */
const REAUTH_MS = 8000
const USER = { username: 'alice', password: 'alice-secret-2718' }
/** The user of the examples in docs/security.md. */
const DOCS_USER = { username: 'orders', password: 'orders-secret-31415' }
/** A topic only the client certificate's principal may use (ACL), to prove the broker saw the certificate. */
const MTLS_TOPIC = 'security-mtls-only'

type Mechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer'

describeLocal('security against a real broker', () => {
  let cluster: KafkaTestCluster
  let nextId = 0

  beforeAll(async () => {
    cluster = await startKafka({
      security: {
        listeners: ['SASL_PLAINTEXT', 'SSL', 'SASL_SSL'],
        saslMechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'],
        users: [USER, DOCS_USER],
        tls: { clientAuth: 'requested' },
      },
      brokerConfig: {
        'connections.max.reauth.ms': String(REAUTH_MS),
        // ACLs only where a test creates them: everything else stays open
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'allow.everyone.if.no.acl.found': 'true',
      },
    })
  }, SLOW)

  afterAll(async () => {
    await cluster?.stop()
  }, SLOW)

  const trust = (): tls.ConnectionOptions => ({ ca: [cluster.tls!.ca] })
  const withClientCertificate = (): tls.ConnectionOptions => ({
    ca: [cluster.tls!.ca],
    cert: cluster.tls!.cert,
    key: cluster.tls!.key,
  })

  function saslFor(mechanism: Mechanism, password = USER.password): SASLConfig {
    if (mechanism === 'oauthbearer') {
      return {
        mechanism,
        oauthBearerProvider: async () => ({ value: unsecuredJwt(USER.username, 60), extensions: { traceId: 't1' } }),
      }
    }
    const { username } = USER
    return mechanism === 'plain' ? { mechanism, username, password } : { mechanism, username, password }
  }

  function kafka(listener: SecureListener, options: Partial<KafkaConfig> = {}): Kafka {
    return new Kafka({
      clientId: `security-test-${++nextId}`,
      brokers: cluster.listeners[listener]!,
      connectionTimeout: 10_000,
      logLevel: logLevel.NOTHING,
      ...options,
    })
  }

  /** Admin, producer and consumer over one transport: what every secured client must manage. */
  async function roundTrip(client: Kafka, listener: SecureListener, topic: string): Promise<void> {
    const admin = client.admin()
    const producer = client.producer()
    try {
      await admin.connect()
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })).toBe(true)
      expect(await admin.listTopics()).toContain(topic)
      // the broker advertises the listener the client came in on
      const description = await admin.describeCluster()
      expect(description.brokers.map((b) => `${b.host}:${b.port}`)).toEqual(cluster.listeners[listener])

      await producer.connect()
      const sent = await producer.send({ topic, messages: ['one', 'two', 'three'].map((value) => ({ value })) })
      expect(sent.map((r) => r.baseOffset)).toEqual(['0'])

      expect(await consumeValues(client, topic, (v) => v.length >= 3)).toEqual(['one', 'two', 'three'])
      const offsets = await admin.fetchTopicOffsets(topic)
      expect(offsets).toEqual([expect.objectContaining({ partition: 0, high: '3', low: '0' })])
    } finally {
      await Promise.all([admin.disconnect(), producer.disconnect()])
    }
  }

  describe('produce, consume and admin over each transport', () => {
    test(
      'TLS',
      async () => {
        await roundTrip(kafka('SSL', { ssl: trust() }), 'SSL', 'security-tls')
      },
      SLOW,
    )

    test(
      'TLS with a client certificate: the broker authorizes by the certificate principal',
      async () => {
        const withCert = kafka('SSL', { ssl: withClientCertificate() })
        await roundTrip(withCert, 'SSL', 'security-tls-client-cert')

        // an ACL for the certificate's principal only: without the certificate the broker sees ANONYMOUS
        const admin = withCert.admin()
        await admin.connect()
        try {
          await admin.createAcls({
            acl: [
              {
                resourceType: AclResourceTypes.TOPIC,
                resourceName: MTLS_TOPIC,
                resourcePatternType: ResourcePatternTypes.LITERAL,
                principal: cluster.tls!.clientPrincipal,
                host: '*',
                operation: AclOperationTypes.ALL,
                permissionType: AclPermissionTypes.ALLOW,
              },
            ],
          })
          await admin.createTopics({ topics: [{ topic: MTLS_TOPIC, numPartitions: 1 }], waitForLeaders: true })
        } finally {
          await admin.disconnect()
        }
        const allowed = withCert.producer()
        const anonymous = kafka('SSL', { ssl: trust(), retry: { retries: 1 } }).producer()
        try {
          await allowed.connect()
          await expect(allowed.send({ topic: MTLS_TOPIC, messages: [{ value: 'by certificate' }] })).resolves.toEqual([
            expect.objectContaining({ errorCode: 0, baseOffset: '0' }),
          ])
          await anonymous.connect()
          const refused = await anonymous
            .send({ topic: MTLS_TOPIC, messages: [{ value: 'anonymous' }], acks: -1 })
            .catch((e: unknown) => e)
          expect(refused).toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' })
        } finally {
          await Promise.all([allowed.disconnect(), anonymous.disconnect()])
        }
      },
      SLOW,
    )

    const mechanisms: Mechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer']
    for (const listener of ['SASL_PLAINTEXT', 'SASL_SSL'] as const) {
      for (const mechanism of mechanisms) {
        test(
          `${mechanism} over ${listener}`,
          async () => {
            const client = kafka(listener, {
              sasl: saslFor(mechanism),
              ...(listener === 'SASL_SSL' && { ssl: trust() }),
            })
            await roundTrip(client, listener, `security-${mechanism}-${listener.toLowerCase()}`)
          },
          SLOW,
        )
      }
    }
  })

  describe("failures: typed, with KafkaJS's classes and texts", () => {
    /** Connects an admin client (default retries) and returns what it failed with and after how many handshakes. */
    async function connectFailure(client: Kafka): Promise<Error> {
      const admin = client.admin()
      const error = await admin.connect().then(
        () => new Error('connect() succeeded'),
        (e: unknown) => e as Error,
      )
      await admin.disconnect()
      return error
    }

    test.each([
      [
        'plain',
        'SASL_PLAINTEXT',
        /^SASL PLAIN authentication failed: Authentication failed: Invalid username or password$/,
      ],
      [
        'scram-sha-256',
        'SASL_PLAINTEXT',
        /^SASL SCRAM SHA256 authentication failed: .*invalid credentials with SASL mechanism SCRAM-SHA-256$/,
      ],
      [
        'scram-sha-512',
        'SASL_SSL',
        /^SASL SCRAM SHA512 authentication failed: .*invalid credentials with SASL mechanism SCRAM-SHA-512$/,
      ],
    ] as const)(
      'a wrong %s password over %s',
      async (mechanism, listener, detail) => {
        const error = await connectFailure(
          kafka(listener, {
            sasl: saslFor(mechanism, 'not-the-password'),
            ...(listener === 'SASL_SSL' && { ssl: trust() }),
          }),
        )
        expect(error).toBeInstanceOf(KafkaJSSASLAuthenticationError)
        expect(error).toMatchObject({
          mechanism: mechanism.toUpperCase(),
          broker: cluster.listeners[listener]![0],
          type: 'SASL_AUTHENTICATION_FAILED',
          retriable: false,
        })
        expect(error.message).toMatch(detail)
        expect(error.message).not.toContain('not-the-password')
      },
      SLOW,
    )

    test(
      'a mechanism the broker does not enable',
      async () => {
        const error = await connectFailure(
          kafka('SASL_PLAINTEXT', {
            sasl: {
              mechanism: 'AWS_MSK_IAM',
              authenticationProvider: () => ({ authenticate: async () => {} }),
            },
          }),
        )
        // KafkaJS fails with the protocol error; kafkit's detail names what the broker enables
        expect(error).toBeInstanceOf(KafkaJSProtocolError)
        expect(error).toMatchObject({
          type: 'UNSUPPORTED_SASL_MECHANISM',
          message: 'The broker does not support the requested SASL mechanism',
        })
        const detail = (error as KafkaJSProtocolError).detail ?? ''
        const enabled = /does not enable AWS_MSK_IAM; it enables (.*)$/.exec(detail)?.[1]?.split(', ')
        expect(enabled?.sort()).toEqual(['OAUTHBEARER', 'PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])
      },
      SLOW,
    )

    test(
      'an expired OAUTHBEARER token',
      async () => {
        const token = unsecuredJwt(USER.username, -60)
        const error = await connectFailure(
          kafka('SASL_SSL', {
            ssl: trust(),
            sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: token }) },
          }),
        )
        expect(error).toBeInstanceOf(KafkaJSSASLAuthenticationError)
        expect(error).toMatchObject({ mechanism: 'OAUTHBEARER', type: 'SASL_AUTHENTICATION_FAILED' })
        expect(error.message).toMatch(/^SASL OAUTHBEARER authentication failed: /)
        // the broker's challenge is the refusal's detail
        expect((error.cause as KafkaJSProtocolError).detail).toMatch(/invalid_token/)
        expect(error.message).not.toContain(token)
      },
      SLOW,
    )

    // TLS problems are connection errors, retried as KafkaJS retries them; one retry keeps these short
    const once = { retry: { retries: 1, initialRetryTime: 50 } }

    /** The KafkaJSTLSError a TLS failure ends in: KafkaJS's KafkaJSNumberOfRetriesExceeded, caused by it. */
    function tlsFailure(error: Error): KafkaJSTLSError {
      expect(error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded)
      expect(error.cause).toBeInstanceOf(KafkaJSTLSError)
      expect(error.cause).toMatchObject({ name: 'KafkaJSConnectionError', retriable: true, message: error.message })
      return error.cause as KafkaJSTLSError
    }

    test(
      'an untrusted certificate',
      async () => {
        const cause = tlsFailure(await connectFailure(kafka('SSL', { ssl: true, ...once })))
        expect(cause).toMatchObject({ reason: 'untrusted-certificate' })
        expect(cluster.listeners.SSL).toContain(cause.broker)
        expect(cause.message).toMatch(/^Connection error: /)
        expect(cause.detail).toMatch(/give its CA in ssl.ca/)
      },
      SLOW,
    )

    test(
      'a certificate for another host name',
      async () => {
        const error = await connectFailure(
          kafka('SSL', { ssl: { ...trust(), servername: 'kafka.example.com' }, ...once }),
        )
        expect(tlsFailure(error)).toMatchObject({
          reason: 'hostname-mismatch',
          tlsCode: 'ERR_TLS_CERT_ALTNAME_INVALID',
          code: 'ERR_TLS_CERT_ALTNAME_INVALID',
        })
      },
      SLOW,
    )

    test.each(['SSL', 'SASL_SSL'] as const)(
      'plaintext against the %s listener',
      async (listener) => {
        const sasl = listener === 'SASL_SSL' ? { sasl: saslFor('plain') } : {}
        const error = await connectFailure(kafka(listener, { ...sasl, ...once }))
        // KafkaJS's KafkaJSConnectionClosedError, caused by kafkit's diagnosis
        expect(error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded)
        expect(error.cause).toBeInstanceOf(KafkaJSConnectionClosedError)
        expect(error.cause).toMatchObject({ message: 'Closed connection', retriable: true })
        const diagnosis = (error.cause as Error).cause as KafkaJSTLSError
        expect(diagnosis).toMatchObject({ reason: 'listener-requires-tls' })
        expect(diagnosis.detail).toMatch(/the broker answered with TLS; this is an SSL or SASL_SSL listener: set ssl/)
      },
      SLOW,
    )

    test(
      'TLS against a plaintext listener',
      async () => {
        const error = await connectFailure(kafka('SASL_PLAINTEXT', { ssl: trust(), sasl: saslFor('plain'), ...once }))
        expect(tlsFailure(error)).toMatchObject({ reason: 'listener-is-plaintext' })
      },
      SLOW,
    )

    test(
      'SASL against a listener without SASL',
      async () => {
        const error = await connectFailure(kafka('SSL', { ssl: trust(), sasl: saslFor('scram-sha-256') }))
        // KafkaJS fails with the broker's ILLEGAL_SASL_STATE; kafkit's detail says what is likely wrong
        expect(error).toBeInstanceOf(KafkaJSProtocolError)
        expect(error).toMatchObject({ type: 'ILLEGAL_SASL_STATE', code: 34 })
        expect((error as KafkaJSProtocolError).detail).toMatch(/the listener does not use SASL/)
      },
      SLOW,
    )
  })

  describe('re-authentication (KIP-368)', () => {
    test(
      'without it the broker closes the connection once the session is over (the control for the next test)',
      async () => {
        const inner = createSaslAuthenticator({
          sasl: saslFor('scram-sha-256'),
          authenticationTimeout: 10_000,
          logger: { error() {}, warn() {}, info() {}, debug() {} },
        })
        const forgetful = new Cluster({
          brokers: cluster.listeners.SASL_PLAINTEXT!,
          // authenticates but does not tell the connection how long the session lasts
          authenticator: async (context) => {
            await inner(context)
          },
        })
        try {
          await forgetful.connect()
          const connection = await forgetful.anyConnection()
          await connection.send(Metadata, Metadata.createRequest({ topics: [] }))
          // wait out the session the broker granted
          await new Promise((resolve) => setTimeout(resolve, REAUTH_MS + 500))
          await expect(connection.send(Metadata, Metadata.createRequest({ topics: [] }))).rejects.toBeInstanceOf(
            KafkaJSConnectionClosedError,
          )
        } finally {
          await forgetful.disconnect()
        }
      },
      SLOW,
    )

    test(
      'a request in flight when the renewal starts is answered, then the renewal, then the requests behind it',
      async () => {
        const topic = 'security-reauthentication-in-flight'
        const entries: LogEntry[] = []
        const client = kafka('SASL_PLAINTEXT', {
          sasl: saslFor('scram-sha-256'),
          logLevel: logLevel.DEBUG,
          logCreator: capturingLogCreator(entries),
        })
        const admin = client.admin()
        await admin.connect()
        await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
        await admin.disconnect()
        const reader = client.createCluster('reader', { allowAutoTopicCreation: false })
        const producer = client.producer()
        try {
          await reader.connect()
          await reader.refreshMetadata([topic])
          const connection = await reader.connectionToLeader(topic, 0)
          const renewalsBefore = entries.filter((e) => /^Re-authenticating/.test(e.log.message)).length
          // a long poll on the empty topic stays in flight until a record arrives
          const polling = fetchValues(reader, topic, (values) => values.length >= 1, { maxWaitMs: 60_000 })
          await until(() => connection.pendingRequests === 1)
          // past the renewal point (95% of the session at the latest) the next request starts a renewal
          await new Promise((resolve) => setTimeout(resolve, REAUTH_MS))
          const behind = connection.send(Metadata, Metadata.createRequest({ topics: [] }))
          const renewal = await until(() =>
            entries.find((e, i) => i >= renewalsBefore && /^Re-authenticating/.test(e.log.message)),
          )
          expect(renewal.log.inFlight).toBe(1)
          // the broker answers in order: the poll first (a record ends it), then the SASL exchange
          await producer.connect()
          await producer.send({ topic, messages: [{ value: 'ends the poll' }] })
          expect(await polling).toEqual(['ends the poll'])
          await expect(behind).resolves.toMatchObject({ brokers: [expect.anything()] })
          expect(entries.some((e) => /^SASL SCRAM-SHA-256 re-authentication .* succeeded/.test(e.log.message))).toBe(
            true,
          )
          expect(connection.state).toBe('ready')
        } finally {
          await Promise.all([reader.disconnect(), producer.disconnect()])
        }
      },
      SLOW,
    )

    test(
      'a producer and a consumer keep running across several re-authentications and nothing is lost',
      async () => {
        const topic = 'security-reauthentication'
        const entries: LogEntry[] = []
        const logging = { logLevel: logLevel.DEBUG, logCreator: capturingLogCreator(entries) }
        const producing = kafka('SASL_SSL', { ssl: trust(), sasl: saslFor('scram-sha-512'), ...logging })
        const consuming = kafka('SASL_PLAINTEXT', { sasl: saslFor('oauthbearer'), ...logging })
        const admin = producing.admin()
        await admin.connect()
        await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
        await admin.disconnect()

        const messages = (pattern: RegExp) => entries.filter((e) => pattern.test(e.log.message))
        const renewals = (mechanism: string) =>
          messages(new RegExp(`^SASL ${mechanism} re-authentication .* succeeded`))
        const producer = producing.producer()
        await producer.connect()
        entries.length = 0

        // senders keep several requests in flight while the sessions are renewed underneath them;
        // the consumer (its own group, from the beginning) runs all along and must end with every
        // acknowledged message
        const sent: string[] = []
        let sending = true
        const senders = Array.from({ length: 4 }, async (_, sender) => {
          for (let i = 0; sending; i++) {
            const value = `${sender}-${i}`
            await producer.send({ topic, messages: [{ value }] })
            sent.push(value)
          }
        })
        // every send settled: only then is sent.length final
        let allSent = false
        let closed: LogEntry[] = []
        const consumed = consumeValues(consuming, topic, (values) => allSent && values.length >= sent.length, {
          // connections closed while the clients ran, before their own disconnects close them
          beforeDisconnect: () => {
            closed = messages(/-> closed/)
          },
        })
        await waitFor(
          () => renewals('SCRAM-SHA-512').length >= 3 && renewals('OAUTHBEARER').length >= 3,
          'three re-authentications with each mechanism',
          60000,
          100,
        )
        sending = false
        await Promise.all(senders)
        allSent = true
        const received = await consumed
        await producer.disconnect()

        expect(closed).toEqual([])
        expect(received).toHaveLength(sent.length)
        expect(new Set(received)).toEqual(new Set(sent))
        // each sender's messages in the order it sent them
        for (let sender = 0; sender < 4; sender++) {
          const own = (values: string[]) => values.filter((v) => v.startsWith(`${sender}-`))
          expect(own(received)).toEqual(own(sent))
        }
        // both clients renewed their sessions at least three times while the messages flowed
        expect(renewals('SCRAM-SHA-512').length).toBeGreaterThanOrEqual(3)
        expect(renewals('OAUTHBEARER').length).toBeGreaterThanOrEqual(3)
        // no log line carries a secret
        const logged = JSON.stringify(entries)
        expect(logged).not.toContain(USER.password)
      },
      SLOW,
    )
  })

  describe('docs/security.md', () => {
    test(
      'every JavaScript example connects and lists topics, with only the broker addresses changed',
      async () => {
        const docs = readFileSync(join(__dirname, '..', 'docs', 'security.md'), 'utf8')
        const examples = [...docs.matchAll(/```js\n([\s\S]*?)```/g)]
          .map((m) => m[1]!)
          .filter((code) => code.includes('new Kafka('))
        const dir = mkdtempSync(join(tmpdir(), 'kafkit-security-docs-'))
        try {
          writeFileSync(join(dir, 'ca.pem'), cluster.tls!.ca)
          writeFileSync(join(dir, 'client.pem'), cluster.tls!.cert)
          writeFileSync(join(dir, 'client.key'), cluster.tls!.key)
          const result = await runCommand(process.execPath, [join(__dirname, 'security-docs-runner.cjs')], {
            env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'), KAFKA_PASSWORD: DOCS_USER.password },
            input: JSON.stringify({
              examples,
              listeners: cluster.listeners,
              certificateDir: dir,
              password: DOCS_USER.password,
              token: unsecuredJwt(DOCS_USER.username, 300),
            }),
            timeoutMs: 120_000,
          })
          expect(result.stderr).toBe('')
          const outcomes = JSON.parse(result.stdout) as { ok: boolean; listener?: string; error?: string }[]
          expect(outcomes).toEqual(examples.map(() => expect.objectContaining({ ok: true })))
          // TLS alone, TLS with SASL, SASL alone: each kind of listener has an example
          expect(new Set(outcomes.map((o) => o.listener))).toEqual(new Set(['SSL', 'SASL_SSL', 'SASL_PLAINTEXT']))
          expect(examples.length).toBeGreaterThanOrEqual(7)
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      },
      SLOW,
    )
  })
})
