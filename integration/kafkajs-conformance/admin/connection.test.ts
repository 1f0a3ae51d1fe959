// KafkaJS 2.2.4 src/admin/__tests__/connection.spec.js: an admin client connects over SSL and over
// SASL_SSL with each SASL mechanism. Here each connection is also used for a request, so that a
// handshake that only seemed to succeed cannot pass.

import { type Admin, KafkaJSSASLAuthenticationError } from '../../../src/index.js'
import { createSaslKafka, createSslKafka, type SaslMechanism } from '../helpers.js'

describe('Admin (KafkaJS src/admin/__tests__/connection.spec.js)', () => {
  let admin: Admin | undefined

  afterEach(async () => {
    await admin?.disconnect()
    admin = undefined
  })

  test('supports SSL connections', async () => {
    admin = createSslKafka().admin()
    await admin.connect()
    await expect(admin.describeCluster()).resolves.toMatchObject({ brokers: expect.any(Array) })
  })

  const mechanisms: SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512']
  for (const mechanism of mechanisms) {
    test(`supports SASL ${mechanism} connections`, async () => {
      admin = createSaslKafka(mechanism).admin()
      await admin.connect()
      const { brokers } = await admin.describeCluster()
      expect(brokers).toHaveLength(3)
    })

    test(`fails SASL ${mechanism} with wrong credentials with KafkaJSSASLAuthenticationError`, async () => {
      admin = createSaslKafka(mechanism, { username: 'wrong', password: 'wrong' }, { retry: { retries: 0 } }).admin()
      await expect(admin.connect()).rejects.toBeInstanceOf(KafkaJSSASLAuthenticationError)
    })
  }
})
