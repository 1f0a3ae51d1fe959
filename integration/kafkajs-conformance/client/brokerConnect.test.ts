// KafkaJS 2.2.4 src/broker/__tests__/connect.spec.js: a broker connection over PLAINTEXT, SASL
// PLAIN and SCRAM, parallel connects over SCRAM, and the errors of a SASL mechanism the broker does
// not enable and of a user-provided authenticator. Checked through the client objects' connect().
// The spec's checks of Broker.isConnected(), the loaded API versions and the session lifetime are of
// internals no client object exposes; the session's renewal is tested in integration/security.test.ts.

import { type Admin, KafkaJSProtocolError, type Producer } from '../../../src/index.js'
import { conformanceCluster, createKafka, createSaslKafka, type SaslMechanism } from '../helpers.js'

describe('Broker > connect (KafkaJS src/broker/__tests__/connect.spec.js)', () => {
  const clients: Array<Producer | Admin> = []

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.disconnect()))
  })

  function track<T extends Producer | Admin>(client: T): T {
    clients.push(client)
    return client
  }

  test('establish the connection', async () => {
    const admin = track(createKafka().admin())
    await admin.connect()
    await expect(admin.describeCluster()).resolves.toMatchObject({ brokers: expect.any(Array) })
  })

  test("throws if the mechanism isn't supported by the server", async () => {
    const admin = track(
      createSaslKafka('plain', undefined, {
        sasl: {
          mechanism: 'fake-mechanism',
          authenticationProvider: () => ({
            authenticate: async () => {
              throw new Error('🥸')
            },
          }),
        },
      }).admin(),
    )
    const error = await admin.connect().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSProtocolError)
    expect(error).toMatchObject({
      message: 'The broker does not support the requested SASL mechanism',
      type: 'UNSUPPORTED_SASL_MECHANISM',
      code: 33,
      retriable: false,
    })
  })

  test('user provided authenticator overrides built in ones (its error is what connect() rejects with)', async () => {
    const thrown = new Error('test error')
    const admin = track(
      createSaslKafka('plain', undefined, {
        sasl: {
          mechanism: 'PLAIN',
          authenticationProvider: () => ({
            authenticate: async () => {
              throw thrown
            },
          }),
        },
      }).admin(),
    )
    await expect(admin.connect()).rejects.toBe(thrown)
  })

  const mechanisms: SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512']
  for (const mechanism of mechanisms) {
    test(`authenticate with SASL ${mechanism} if configured`, async () => {
      const admin = track(createSaslKafka(mechanism).admin())
      await admin.connect()
      await expect(admin.listTopics()).resolves.toEqual(expect.any(Array))
    })
  }

  test('parallel calls to connect using SCRAM', async () => {
    const producer = track(createSaslKafka('scram-sha-256').producer())
    await Promise.all([
      producer.connect(),
      producer.connect(),
      producer.connect(),
      producer.connect(),
      producer.connect(),
    ])
    // the connection is usable once they all resolved
    const admin = track(createSaslKafka('scram-sha-256').admin())
    await Promise.all([admin.connect(), admin.connect(), admin.connect()])
    await expect(admin.listTopics()).resolves.toEqual(expect.any(Array))
  })

  test("a wrong password: KafkaJSSASLAuthenticationError with KafkaJS's text per mechanism", async () => {
    const wrong = { username: conformanceCluster().users.scram.username, password: 'not-the-password' }
    const texts: Record<SaslMechanism, RegExp> = {
      plain: /^SASL PLAIN authentication failed: /,
      'scram-sha-256': /^SASL SCRAM SHA256 authentication failed: /,
      'scram-sha-512': /^SASL SCRAM SHA512 authentication failed: /,
    }
    for (const mechanism of mechanisms) {
      const admin = track(createSaslKafka(mechanism, wrong).admin())
      const error = await admin.connect().catch((e: unknown) => e)
      expect(error).toMatchObject({ name: 'KafkaJSSASLAuthenticationError', retriable: false })
      expect((error as Error).message).toMatch(texts[mechanism])
      expect((error as Error).message).not.toContain('not-the-password')
    }
  })
})
