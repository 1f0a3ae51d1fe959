import { Cluster } from '../../../src/cluster/cluster.js'
import type { Logger } from '../../../src/common/logger.js'
import {
  KafkaJSConnectionClosedError,
  KafkaJSProtocolError,
  KafkaJSSASLAuthenticationError,
} from '../../../src/errors.js'
import { Connection } from '../../../src/network/connection.js'
import type { ConnectionOptions } from '../../../src/network/connection-options.js'
import type { AuthenticationProviderArgs, SASLOptions } from '../../../src/network/sasl/sasl-options.js'
import { SaslAuthenticate } from '../../../src/protocol/generated/sasl-authenticate.js'
import { SaslHandshake } from '../../../src/protocol/generated/sasl-handshake.js'
import { type FakeServer, fakeServerPerTest } from '../fake-server.js'
import { serveSasl } from './fake-sasl.js'
import { type ScramServerState, scramServerFinal, scramServerFirst } from './scram-server.js'

const PASSWORD = 'alice-very-secret'
const TOKEN = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.'

let server: FakeServer
const track = fakeServerPerTest((started) => {
  server = started
})
/** Every log line of the test (message and extra), to check that no secret is ever logged. */
let logged: string[]
let logger: Logger

beforeEach(() => {
  logged = []
  const record = (message: string, extra?: Record<string, unknown>) => {
    logged.push(`${message} ${JSON.stringify(extra ?? {})}`)
  }
  logger = { error: record, warn: record, info: record, debug: record }
})

afterEach(() => {
  for (const line of logged) {
    expect(line).not.toContain(PASSWORD)
    expect(line).not.toContain(TOKEN)
  }
})

function connection(options: Partial<ConnectionOptions>): Connection {
  const c = new Connection({ host: '127.0.0.1', port: server.port, logger, ...options })
  track(c)
  return c
}

/** connect()'s error: a KafkaJSSASLAuthenticationError unless `kind` says which other error KafkaJS has there. */
async function failure<E extends Error = KafkaJSSASLAuthenticationError>(
  c: Connection,
  kind: abstract new (...args: never[]) => E = KafkaJSSASLAuthenticationError as never,
): Promise<E> {
  const error = await c.connect().catch((e: unknown) => e)
  expect(error).toBeInstanceOf(kind)
  expect(c.state).toBe('closed')
  return error as E
}

const plain: SASLOptions = { mechanism: 'plain', username: 'alice', password: PASSWORD }

describe('handshake', () => {
  test('SaslHandshake v1 names the mechanism, then SaslAuthenticate carries PLAIN', async () => {
    const sasl = serveSasl(server, { authenticate: () => ({}) })
    await connection({ sasl: plain }).connect()
    expect(sasl.handshakes).toEqual(['PLAIN'])
    expect(server.received(SaslHandshake).map((r) => r.apiVersion)).toEqual([1])
    expect(server.received(SaslAuthenticate).map((r) => r.apiVersion)).toEqual([SaslAuthenticate.maxVersion])
    expect(sasl.rounds).toEqual([Buffer.from(`\0alice\0${PASSWORD}`)])
  })

  test('a mechanism the broker does not enable fails with KafkaJS protocol error, detail naming what it enables', async () => {
    serveSasl(server, { enabled: ['PLAIN', 'SCRAM-SHA-256'], authenticate: () => ({}) })
    const error = await failure(
      connection({ sasl: { mechanism: 'scram-sha-512', username: 'a', password: PASSWORD } }),
      KafkaJSProtocolError,
    )
    expect(error).toMatchObject({
      message: 'The broker does not support the requested SASL mechanism',
      type: 'UNSUPPORTED_SASL_MECHANISM',
      code: 33,
      retriable: false,
      detail: `broker ${server.broker} does not enable SCRAM-SHA-512; it enables PLAIN, SCRAM-SHA-256`,
    })
    expect(server.received(SaslAuthenticate)).toHaveLength(0)
  })

  test('a listener without SASL answers ILLEGAL_SASL_STATE, and the error says so', async () => {
    serveSasl(server, { handshakeError: 34, authenticate: () => ({}) })
    const error = await failure(connection({ sasl: plain }), KafkaJSProtocolError)
    expect(error).toMatchObject({ message: 'Request is not valid given the current SASL state', code: 34 })
    expect(error.detail).toMatch(/the listener does not use SASL; is it a PLAINTEXT or SSL/)
  })

  test('a broker without SaslAuthenticate is refused before anything is sent', async () => {
    server.advertise(SaslHandshake)
    const error = await failure(connection({ sasl: plain }))
    expect(error.message).toMatch(/does not support SaslAuthenticate \(Kafka 1.0 or newer is needed\)/)
    expect(server.received(SaslHandshake)).toHaveLength(0)
  })
})

describe('refusals', () => {
  test('a wrong password fails with the broker message, the mechanism and the broker, nothing retried', async () => {
    serveSasl(server, {
      authenticate: () => ({ errorCode: 58, errorMessage: 'Authentication failed: Invalid username or password' }),
    })
    const cluster = new Cluster({ brokers: [server.broker], sasl: plain, logger, retry: { retries: 5 } })
    const error = await cluster.connect().catch((e: unknown) => e)
    await cluster.disconnect()
    expect(error).toBeInstanceOf(KafkaJSSASLAuthenticationError)
    expect((error as Error).message).toBe(
      'SASL PLAIN authentication failed: Authentication failed: Invalid username or password',
    )
    expect(error).toMatchObject({ mechanism: 'PLAIN', broker: server.broker, type: 'SASL_AUTHENTICATION_FAILED' })
    // one attempt: a refused login is not a broker being down
    expect(server.received(SaslHandshake)).toHaveLength(1)
  })

  test('a broker message that echoes the secret is blanked out', async () => {
    serveSasl(server, { authenticate: () => ({ errorCode: 58, errorMessage: `bad password ${PASSWORD}!` }) })
    const error = await failure(connection({ sasl: plain }))
    expect(error.message).toContain('bad password [redacted]!')
    expect(error.message).not.toContain(PASSWORD)
  })

  test('an error code without a message is named', async () => {
    serveSasl(server, { authenticate: () => ({ errorCode: 58 }) })
    const error = await failure(connection({ sasl: plain }))
    // KafkaJS's text for the code when the broker gives none
    expect(error.message).toBe('SASL PLAIN authentication failed: SASL Authentication failed')
  })
})

describe('SCRAM', () => {
  function scramBroker(mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512', options: { forgeSignature?: boolean } = {}) {
    let state: ScramServerState | undefined
    return serveSasl(server, {
      authenticate: (bytes, round) => {
        if (round === 0) {
          state = scramServerFirst(mechanism, bytes.toString(), { password: PASSWORD, iterations: 4096 })
          return { authBytes: Buffer.from(state.message) }
        }
        const verdict = scramServerFinal(state!, bytes.toString(), options)
        if (!verdict.proofValid) return { errorCode: 58, errorMessage: 'invalid credentials' }
        return { authBytes: Buffer.from(verdict.message), sessionLifetimeMs: 0n }
      },
    })
  }

  test.each(['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)('%s logs in in two rounds', async (mechanism) => {
    const sasl = scramBroker(mechanism)
    const c = connection({
      sasl: { mechanism: mechanism.toLowerCase() as 'scram-sha-256', username: 'alice', password: PASSWORD },
    })
    await c.connect()
    expect(c.state).toBe('ready')
    expect(sasl.rounds).toHaveLength(2)
    expect(sasl.rounds[0]!.toString()).toMatch(/^n,,n=alice,r=[A-Za-z0-9_-]{43}$/)
  })

  test('a server that cannot prove it knows the credentials fails the login', async () => {
    scramBroker('SCRAM-SHA-256', { forgeSignature: true })
    const error = await failure(
      connection({ sasl: { mechanism: 'scram-sha-256', username: 'alice', password: PASSWORD } }),
    )
    expect(error.message).toBe(
      'SASL SCRAM SHA256 authentication failed: Invalid server signature in server final message',
    )
    expect(error).toMatchObject({ mechanism: 'SCRAM-SHA-256', broker: server.broker })
  })

  test('a wrong password is refused by the server', async () => {
    scramBroker('SCRAM-SHA-512')
    const error = await failure(
      connection({ sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'nope' } }),
    )
    expect(error.message).toBe('SASL SCRAM SHA512 authentication failed: invalid credentials')
  })
})

describe('OAUTHBEARER', () => {
  test('sends the provider token and its extensions', async () => {
    const sasl = serveSasl(server, { authenticate: () => ({}) })
    const c = connection({
      sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: TOKEN, extensions: { a: 'b' } }) },
    })
    await c.connect()
    expect(sasl.rounds.map((b) => b.toString())).toEqual([`n,,\x01auth=Bearer ${TOKEN}\x01a=b\x01\x01`])
  })

  test('a rejected token: the error challenge is acknowledged with %x01 and its status reported', async () => {
    const sasl = serveSasl(server, {
      authenticate: (_bytes, round) =>
        round === 0
          ? { authBytes: Buffer.from('{"status":"invalid_token"}') }
          : { errorCode: 58, errorMessage: 'Authentication failed: token expired' },
    })
    const error = await failure(
      connection({ sasl: { mechanism: 'oauthbearer', oauthBearerProvider: () => ({ value: TOKEN }) } }),
    )
    expect(sasl.rounds[1]).toEqual(Buffer.from([1]))
    expect(error.message).toBe('SASL OAUTHBEARER authentication failed: Authentication failed: token expired')
    // the challenge is the refusal's detail
    expect((error.cause as KafkaJSProtocolError).detail).toBe('{"status":"invalid_token"}')
    expect(error.message).not.toContain(TOKEN)
  })

  test('a provider that throws fails connect() with its error (as KafkaJS); no or an empty token fails the authentication', async () => {
    serveSasl(server, { authenticate: () => ({}) })
    const thrown = await failure(
      connection({
        sasl: {
          mechanism: 'oauthbearer',
          oauthBearerProvider: async () => {
            throw new Error('identity provider unreachable')
          },
        },
      }),
      Error,
    )
    expect(thrown).toMatchObject({ name: 'Error', message: 'identity provider unreachable' })
    const none = await failure(
      connection({ sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({}) as { value: string } } }),
    )
    expect(none).toBeInstanceOf(KafkaJSSASLAuthenticationError)
    expect(none.message).toBe('SASL OAUTHBEARER: Invalid OAuth bearer token')
    const empty = await failure(
      connection({ sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: '' }) } }),
    )
    expect(empty.message).toMatch(/must resolve \{ value: token \} with a non-empty token/)
  })
})

describe('custom mechanisms (KafkaJS authenticationProvider)', () => {
  // the framing of KafkaJS mechanisms, as AWS MSK IAM packages write and read it: a 4-byte length, then the token
  const framed = (token: string): Buffer => {
    const body = Buffer.from(token)
    const out = Buffer.alloc(4 + body.length)
    out.writeUInt32BE(body.length, 0)
    body.copy(out, 4)
    return out
  }

  test('get host, port, logger and saslAuthenticate, which speaks KafkaJS framing and sends the bare token', async () => {
    const sasl = serveSasl(server, {
      enabled: ['AWS_MSK_IAM'],
      authenticate: () => ({ authBytes: Buffer.from('{"version":"2020_10_22"}') }),
    })
    let args: AuthenticationProviderArgs | undefined
    let parsed: unknown
    const c = connection({
      sasl: {
        mechanism: 'AWS_MSK_IAM',
        authenticationProvider: (a) => {
          args = a
          return {
            authenticate: async () => {
              parsed = await a.saslAuthenticate({
                request: { encode: () => framed('{"signed":true}') },
                response: {
                  decode: (raw) => raw.subarray(4, 4 + raw.readInt32BE(0)),
                  parse: (data) => JSON.parse(data.toString()) as unknown,
                },
              })
            },
          }
        },
      },
    })
    await c.connect()
    expect(sasl.handshakes).toEqual(['AWS_MSK_IAM'])
    expect(sasl.rounds).toEqual([Buffer.from('{"signed":true}')])
    expect(args).toMatchObject({ host: '127.0.0.1', port: server.port })
    expect(typeof args!.logger.info).toBe('function')
    expect(parsed).toEqual({ version: '2020_10_22' })
  })

  test("the provider's logger has KafkaJS's Logger surface, and writes to the connection's logger", async () => {
    serveSasl(server, { enabled: ['CUSTOM'], authenticate: () => ({}) })
    const c = connection({
      sasl: {
        mechanism: 'CUSTOM',
        authenticationProvider: ({ logger: providerLogger, saslAuthenticate }) => ({
          authenticate: async () => {
            // what mechanisms written for KafkaJS may call: namespace() and setLogLevel() besides the writers
            providerLogger.namespace('Mechanism').info('from the mechanism', { step: 1 })
            providerLogger.setLogLevel(5)
            providerLogger.warn('second')
            await saslAuthenticate({ request: { encode: () => Buffer.from([0, 0, 0, 1, 42]) } })
          },
        }),
      },
    })
    await c.connect()
    expect(logged).toContain('from the mechanism {"step":1}')
    expect(logged).toContain('second {}')
  })

  test('a token without the length prefix is refused before anything is sent', async () => {
    const sasl = serveSasl(server, { enabled: ['CUSTOM'], authenticate: () => ({}) })
    const error = await failure(
      connection({
        sasl: {
          mechanism: 'CUSTOM',
          authenticationProvider: ({ saslAuthenticate }) => ({
            authenticate: async () => {
              await saslAuthenticate({ request: { encode: () => Buffer.from('bare token') } })
            },
          }),
        },
      }),
    )
    expect(error.message).toMatch(/returned 10 bytes whose 4-byte length prefix says \d+/)
    expect(sasl.rounds).toEqual([])
  })

  test("a mechanism's own error fails connect() as thrown, as in KafkaJS", async () => {
    serveSasl(server, { enabled: ['CUSTOM'], authenticate: () => ({}) })
    const error = await failure(
      connection({
        sasl: {
          mechanism: 'custom',
          authenticationProvider: () => ({
            authenticate: async () => {
              throw new Error('could not sign the request')
            },
          }),
        },
      }),
      Error,
    )
    expect(error).toMatchObject({ name: 'Error', message: 'could not sign the request' })
    expect(error).not.toBeInstanceOf(KafkaJSSASLAuthenticationError)
  })
})

describe('credential providers', () => {
  test('a sasl function is asked at each authentication, so a rotated password is used from then on', async () => {
    const passwords: string[] = []
    const sasl = serveSasl(server, {
      authenticate: (bytes) => {
        passwords.push(bytes.toString().split('\0')[2]!)
        return {}
      },
    })
    let version = 0
    const provider = async (): Promise<SASLOptions> => ({
      mechanism: 'plain',
      username: 'alice',
      password: `${PASSWORD}-${++version}`,
    })
    await connection({ sasl: provider }).connect()
    await connection({ sasl: provider }).connect()
    expect(passwords).toEqual([`${PASSWORD}-1`, `${PASSWORD}-2`])
    expect(sasl.handshakes).toEqual(['PLAIN', 'PLAIN'])
  })

  test('what a provider returns is checked like the option itself', async () => {
    serveSasl(server, { authenticate: () => ({}) })
    const error = await failure(
      connection({
        sasl: async () => ({ mechanism: 'plain', username: 'alice', password: 5 }) as unknown as SASLOptions,
      }),
    )
    expect(error.message).toMatch(/failed: sasl: password must be a string for PLAIN \(got a number\)/)
  })

  test("missing credentials fail the authentication with KafkaJS's text, nothing sent", async () => {
    serveSasl(server, { authenticate: () => ({}) })
    const error = await failure(
      connection({ sasl: { mechanism: 'plain', username: 'alice' } as unknown as SASLOptions }),
    )
    expect(error).toMatchObject({ message: 'SASL Plain: Invalid username or password', retriable: false })
    expect(server.received(SaslAuthenticate)).toHaveLength(0)
  })

  test('sasl and authenticator together are refused at construction', () => {
    expect(() => connection({ sasl: plain, authenticator: async () => {} })).toThrow(/cannot both be given/)
  })
})

// KafkaJS 2.2.4's built-in `aws` mechanism (src/broker/saslAuthenticator/awsIam.js): no Apache Kafka
// broker enables it without a server plugin, so it is driven here against the fake server
describe('aws (KafkaJS built-in)', () => {
  const aws = {
    mechanism: 'aws',
    authorizationIdentity: 'AIDAEXAMPLE',
    accessKeyId: 'AKIAEXAMPLE',
    secretAccessKey: PASSWORD,
  } as const

  test('SaslHandshake names AWS; one round carries authzid, key id, secret and session token', async () => {
    const sasl = serveSasl(server, { enabled: ['AWS'], authenticate: () => ({}) })
    await connection({ sasl: aws }).connect()
    await connection({ sasl: { ...aws, sessionToken: 'session-token' } }).connect()
    expect(sasl.handshakes).toEqual(['AWS', 'AWS'])
    expect(sasl.rounds).toEqual([
      Buffer.from(`AIDAEXAMPLE\0AKIAEXAMPLE\0${PASSWORD}\0`),
      Buffer.from(`AIDAEXAMPLE\0AKIAEXAMPLE\0${PASSWORD}\0session-token`),
    ])
  })

  test("a refusal reads as KafkaJS's, with the secret blanked out", async () => {
    serveSasl(server, {
      enabled: ['AWS'],
      authenticate: () => ({ errorCode: 58, errorMessage: `no access for secret ${PASSWORD}` }),
    })
    const error = await failure(connection({ sasl: aws }))
    expect(error.message).toBe('SASL AWS-IAM authentication failed: no access for secret [redacted]')
    expect(error).toMatchObject({ mechanism: 'AWS', retriable: false })
  })

  test.each(['authorizationIdentity', 'accessKeyId', 'secretAccessKey'] as const)(
    "a missing %s fails the authentication with KafkaJS's text, nothing sent",
    async (field) => {
      serveSasl(server, { enabled: ['AWS'], authenticate: () => ({}) })
      const error = await failure(connection({ sasl: { ...aws, [field]: '' } }))
      expect(error).toMatchObject({ message: `SASL AWS-IAM: Missing ${field}`, retriable: false })
      expect(server.received(SaslAuthenticate)).toHaveLength(0)
    },
  )
})

test('a connection closed during the authentication fails with the connection error, not an authentication one', async () => {
  serveSasl(server, { authenticate: () => ({}) })
  server.handlers.set(SaslAuthenticate.apiKey, (req) => req.socket.destroy())
  const error = await connection({ sasl: plain })
    .connect()
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(KafkaJSConnectionClosedError)
})
