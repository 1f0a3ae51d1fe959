// A throwaway certificate authority for a test cluster's TLS listeners, made at run time with the
// openssl command line: a broker certificate valid for localhost and 127.0.0.1, and a client
// certificate for mutual TLS, all signed by the CA. Nothing long-lived is committed or cached.

import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { KafkaTestingError } from './errors.js'
import { findOnPath } from './executables.js'
import { runCommand } from './run-command.js'

/** PEM text of a CA certificate and its private key. */
export interface TestCertificateAuthority {
  certificate: string
  privateKey: string
}

/** What a test needs to reach the cluster's TLS listeners; the fields fit tls.connect options. */
export interface KafkaTestTlsMaterial {
  /** PEM of the CA that signed the broker's certificate: `ssl: { ca: [cluster.tls.ca] }`. */
  ca: string
  /** A client certificate (PEM) signed by the same CA, for mutual TLS: `ssl: { ca, cert, key }`. */
  cert: string
  /** The client certificate's private key (PEM, unencrypted). */
  key: string
  /** The principal the broker derives from the client certificate, for ACLs. */
  clientPrincipal: string
}

/** Everything the brokers and the tests use, as PEM text. */
export interface TestCertificates {
  ca: TestCertificateAuthority
  broker: { certificate: string; privateKey: string }
  client: { certificate: string; privateKey: string }
}

export const TEST_CLIENT_COMMON_NAME = 'kafkit-client'
/** Host names and addresses the broker certificate is valid for. */
export const TEST_BROKER_SUBJECT_ALT_NAMES = 'DNS:localhost,IP:127.0.0.1'
// a few days: long enough for any test run, short enough that a leaked one is soon worthless
const VALIDITY_DAYS = '3'
const OPENSSL_TIMEOUT_MS = 60_000
// P-256 keys are made in milliseconds, where RSA keys take noticeable CPU on a small machine
const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

export class OpenSslError extends KafkaTestingError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, 'ERR_OPENSSL', options)
  }
}

/**
 * Makes the CA (unless one is given), the broker's and the client's certificates in `dir`, which
 * the caller removes with the cluster's folder.
 */
export async function createTestCertificates(
  dir: string,
  options: { ca?: TestCertificateAuthority; env?: NodeJS.ProcessEnv } = {},
): Promise<TestCertificates> {
  const openssl = findOnPath('openssl', options.env)
  if (openssl === undefined) {
    throw new OpenSslError(
      'openssl is not on PATH; kafkit/testing makes the TLS listeners a test CA with it. ' +
        'Install it (Debian/Ubuntu: apt-get install -y openssl) or pass security.tls.ca',
    )
  }
  mkdirSync(dir, { recursive: true })
  const path = (name: string): string => join(dir, name)
  const run = async (args: string[]): Promise<void> => {
    const result = await runCommand(openssl, args, { cwd: dir, timeoutMs: OPENSSL_TIMEOUT_MS })
    if (result.exitCode !== 0) {
      throw new OpenSslError(`openssl ${args[0]} failed (exit ${result.exitCode}): ${result.stderr.trim()}`)
    }
  }

  if (options.ca === undefined) {
    await run([
      'req',
      '-x509',
      ...KEY_ARGS,
      '-keyout',
      path('ca.key'),
      '-out',
      path('ca.pem'),
      '-days',
      VALIDITY_DAYS,
      '-subj',
      '/CN=kafkit test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ])
  } else {
    writeFileSync(path('ca.pem'), options.ca.certificate)
    writeFileSync(path('ca.key'), options.ca.privateKey, { mode: 0o600 })
  }

  const issue = async (name: string, commonName: string, extensions: string): Promise<void> => {
    await run([
      'req',
      ...KEY_ARGS,
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.csr`),
      '-subj',
      `/CN=${commonName}`,
    ])
    writeFileSync(path(`${name}.ext`), extensions)
    await run([
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      '-CA',
      path('ca.pem'),
      '-CAkey',
      path('ca.key'),
      '-set_serial',
      `0x${randomBytes(12).toString('hex')}`,
      '-days',
      VALIDITY_DAYS,
      '-extfile',
      path(`${name}.ext`),
      '-out',
      path(`${name}.pem`),
    ])
  }
  await issue(
    'broker',
    'localhost',
    `subjectAltName=${TEST_BROKER_SUBJECT_ALT_NAMES}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`,
  )
  await issue('client', TEST_CLIENT_COMMON_NAME, 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n')

  const read = (name: string): string => readFileSync(path(name), 'utf8')
  return {
    ca: { certificate: read('ca.pem'), privateKey: read('ca.key') },
    broker: { certificate: read('broker.pem'), privateKey: read('broker.key') },
    client: { certificate: read('client.pem'), privateKey: read('client.key') },
  }
}

/** The part of the certificates a test gets: the CA to trust and the client's certificate. */
export function tlsMaterialForClients(certificates: TestCertificates): KafkaTestTlsMaterial {
  return {
    ca: certificates.ca.certificate,
    cert: certificates.client.certificate,
    key: certificates.client.privateKey,
    clientPrincipal: `User:CN=${TEST_CLIENT_COMMON_NAME}`,
  }
}
