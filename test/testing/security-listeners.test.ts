// The broker side of the security listeners: TLS and OAUTHBEARER settings, and the test CA.

import { X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KafkaJSInvariantViolation } from '../../src/errors.js'
import { normalizeStartOptions } from '../../src/testing/options.js'
import {
  buildServerProperties,
  type NodeAddresses,
  pemOnOneLine,
  scramFormatArguments,
  tlsSettings,
} from '../../src/testing/server-properties.js'
import { createTestCertificates, type TestCertificates } from '../../src/testing/test-certificates.js'

const ports: NodeAddresses = {
  id: 1,
  port: 9001,
  controllerPort: 9101,
  securePorts: { SASL_PLAINTEXT: 9201, SSL: 9301, SASL_SSL: 9401 },
}

const fakeCertificates: TestCertificates = {
  ca: { certificate: '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n', privateKey: 'k' },
  broker: {
    certificate: '-----BEGIN CERTIFICATE-----\nYnJv\na2Vy\n-----END CERTIFICATE-----\n',
    privateKey: '-----BEGIN PRIVATE KEY-----\nS0VZ\n-----END PRIVATE KEY-----\n',
  },
  client: { certificate: 'c', privateKey: 'k' },
}

function settingsFor(security: ReturnType<typeof normalizeStartOptions>['security']) {
  return Object.fromEntries(
    buildServerProperties({
      node: ports,
      cluster: [ports],
      dataDir: '/d',
      version: '4.3.1',
      brokerConfig: {},
      security,
      certificates: fakeCertificates,
    }),
  )
}

test('every TLS listener gets the broker key store, the CA trust store (inline PEM) and client authentication', () => {
  const { security } = normalizeStartOptions({
    security: { listeners: ['SASL_PLAINTEXT', 'SSL', 'SASL_SSL'], tls: { clientAuth: 'requested' } },
  })
  const settings = settingsFor(security)
  expect(settings.listeners).toBe(
    'PLAINTEXT://127.0.0.1:9001,CONTROLLER://127.0.0.1:9101,SASL_PLAINTEXT://127.0.0.1:9201,' +
      'SSL://127.0.0.1:9301,SASL_SSL://127.0.0.1:9401',
  )
  for (const listener of ['ssl', 'sasl_ssl']) {
    const prefix = `listener.name.${listener}.ssl`
    expect(settings[`${prefix}.keystore.type`]).toBe('PEM')
    expect(settings[`${prefix}.keystore.certificate.chain`]).toBe(
      '-----BEGIN CERTIFICATE----- YnJva2Vy-----END CERTIFICATE-----',
    )
    expect(settings[`${prefix}.keystore.key`]).toBe('-----BEGIN PRIVATE KEY----- S0VZ-----END PRIVATE KEY-----')
    expect(settings[`${prefix}.truststore.type`]).toBe('PEM')
    expect(settings[`${prefix}.truststore.certificates`]).toBe(
      '-----BEGIN CERTIFICATE----- Q0E=-----END CERTIFICATE-----',
    )
    expect(settings[`${prefix}.client.auth`]).toBe('requested')
  }
  expect(Object.keys(settings).filter((k) => k.startsWith('listener.name.sasl_plaintext.ssl'))).toEqual([])
})

test('client authentication is off unless asked for', () => {
  const { security } = normalizeStartOptions({ security: { listeners: ['SSL'] } })
  expect(settingsFor(security)['listener.name.ssl.ssl.client.auth']).toBe('none')
})

test('TLS listeners without certificates are a harness bug, not a broker that starts without TLS', () => {
  const { security } = normalizeStartOptions({ security: { listeners: ['SSL'] } })
  expect(() => tlsSettings(security!, undefined)).toThrow(KafkaJSInvariantViolation)
})

test('OAUTHBEARER gets a login module (and the unsecured validator by default), never SCRAM users', () => {
  const { security } = normalizeStartOptions({
    security: {
      listeners: ['SASL_PLAINTEXT', 'SASL_SSL'],
      saslMechanisms: ['SCRAM-SHA-256', 'OAUTHBEARER'],
      users: [{ username: 'alice', password: 'alice-secret' }],
    },
  })
  const settings = settingsFor(security)
  expect(settings['sasl.enabled.mechanisms']).toBe('SCRAM-SHA-256,OAUTHBEARER')
  for (const listener of ['sasl_plaintext', 'sasl_ssl']) {
    expect(settings[`listener.name.${listener}.oauthbearer.sasl.jaas.config`]).toBe(
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="kafkit-broker";',
    )
  }
  expect(scramFormatArguments(security)).toEqual(['--add-scram', 'SCRAM-SHA-256=[name=alice,password=alice-secret]'])
})

test('pemOnOneLine keeps a space after each BEGIN line and joins the rest', () => {
  expect(pemOnOneLine('-----BEGIN X-----\r\nAB\r\nCD\r\n-----END X-----\r\n')).toBe(
    '-----BEGIN X----- ABCD-----END X-----',
  )
})

describe('createTestCertificates', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kafkit-certs-test-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('a CA signs a broker certificate for localhost and 127.0.0.1 and a client certificate', async () => {
    const certificates = await createTestCertificates(join(dir, 'made'))
    const ca = new X509Certificate(certificates.ca.certificate)
    const broker = new X509Certificate(certificates.broker.certificate)
    const client = new X509Certificate(certificates.client.certificate)
    expect(ca.ca).toBe(true)
    expect(broker.verify(ca.publicKey)).toBe(true)
    expect(client.verify(ca.publicKey)).toBe(true)
    expect(broker.checkHost('localhost')).toBe('localhost')
    expect(broker.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(broker.checkHost('kafka.example.com')).toBeUndefined()
    expect(client.subject).toBe('CN=kafkit-client')
    expect(certificates.broker.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/)

    // a CA given by the caller signs the next ones
    const again = await createTestCertificates(join(dir, 'given'), { ca: certificates.ca })
    expect(again.ca.certificate).toBe(certificates.ca.certificate)
    expect(new X509Certificate(again.broker.certificate).verify(ca.publicKey)).toBe(true)
  })

  test('without openssl on PATH the error says how to get it', async () => {
    await expect(createTestCertificates(join(dir, 'none'), { env: { PATH: '' } })).rejects.toThrow(
      /openssl is not on PATH.*apt-get install -y openssl/,
    )
  })
})
