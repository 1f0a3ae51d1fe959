import { Kafka } from '../../../src/client/kafka.js'
import { KafkaJSInvalidArgumentError } from '../../../src/errors.js'
import { checkSaslConfig, resolveSasl } from '../../../src/network/sasl/sasl-options.js'

const SECRET = 'correct-horse-battery-staple'

describe('resolveSasl', () => {
  test.each([
    ['plain', 'PLAIN', 'plain'],
    ['PLAIN', 'PLAIN', 'plain'],
    ['scram-sha-256', 'SCRAM-SHA-256', 'scram'],
    ['SCRAM-SHA-512', 'SCRAM-SHA-512', 'scram'],
  ])('%s is built in as %s', (mechanism, name, kind) => {
    expect(resolveSasl({ mechanism, username: 'alice', password: SECRET })).toMatchObject({
      kind,
      mechanism: name,
      username: 'alice',
      password: SECRET,
      authorizationIdentity: '',
    })
  })

  test('oauthbearer needs a provider function', () => {
    const oauthBearerProvider = async () => ({ value: 'token' })
    expect(resolveSasl({ mechanism: 'oauthbearer', oauthBearerProvider })).toMatchObject({
      kind: 'oauthbearer',
      mechanism: 'OAUTHBEARER',
    })
    expect(() => resolveSasl({ mechanism: 'oauthbearer', oauthBearerProvider: 'x' })).toThrow(
      /oauthBearerProvider must be a function/,
    )
    // none at all: KafkaJS accepts the options and refuses them when authenticating, with its text
    expect(resolveSasl({ mechanism: 'oauthbearer' })).toEqual({
      kind: 'incomplete',
      mechanism: 'OAUTHBEARER',
      message: 'SASL OAUTHBEARER: Missing OAuth bearer token provider',
    })
  })

  test('a mechanism with an authenticationProvider is custom, whatever its name', () => {
    const authenticationProvider = () => ({ authenticate: async () => {} })
    expect(resolveSasl({ mechanism: 'AWS_MSK_IAM', authenticationProvider })).toEqual({
      kind: 'custom',
      mechanism: 'AWS_MSK_IAM',
      authenticationProvider,
    })
    expect(resolveSasl({ mechanism: 'plain', authenticationProvider })).toMatchObject({ kind: 'custom' })
  })

  test.each([
    [null, /must be an object/],
    [{ username: 'a', password: 'b' }, /mechanism must be one of/],
    [{ mechanism: 'gssapi' }, /"gssapi" is not built in .* a custom mechanism needs an authenticationProvider/],
    [{ mechanism: 'plain', username: 5, password: 'x' }, /username must be a string for PLAIN, got 5/],
    [{ mechanism: 'scram-sha-256', username: 'a', password: true }, /password must be a string .* \(got a boolean\)/],
    [{ mechanism: 'scram-sha-256', username: 'a', password: 42 }, /password must be .* \(got a number\)/],
    [{ mechanism: 'plain', username: 'a\0b', password: 'x' }, /cannot contain a NUL/],
    [{ mechanism: 'plain', username: 'a', password: 'x', authorizationIdentity: 3 }, /authorizationIdentity must be/],
    [{ mechanism: 'x', authenticationProvider: 'no' }, /authenticationProvider must be a function/],
  ])('refuses %j with a precise message', (options, message) => {
    expect(() => resolveSasl(options)).toThrow(KafkaJSInvalidArgumentError)
    expect(() => resolveSasl(options)).toThrow(message)
  })

  test('no message repeats the password', () => {
    const bad = [
      { mechanism: 'gssapi', username: 'alice', password: SECRET },
      { mechanism: 'plain', username: 7, password: SECRET },
      { mechanism: 'plain', username: `a\0`, password: SECRET },
    ]
    for (const options of bad) {
      let message = ''
      try {
        resolveSasl(options)
      } catch (error) {
        message = (error as Error).message
      }
      expect(message).not.toBe('')
      expect(message).not.toContain(SECRET)
    }
  })
})

test('checkSaslConfig takes a provider function as is and checks an object fully', () => {
  expect(() => checkSaslConfig(async () => ({ mechanism: 'plain', username: 'a', password: 'b' }))).not.toThrow()
  expect(() => checkSaslConfig({ mechanism: 'plain', username: 'a', password: 'b' })).not.toThrow()
  expect(() => checkSaslConfig({ mechanism: 'plain', username: 'a', password: 5 })).toThrow(KafkaJSInvalidArgumentError)
})

test('the Kafka constructor refuses bad sasl options at once, without repeating the password', () => {
  const construct = () =>
    new Kafka({ brokers: ['b:9092'], sasl: { mechanism: 'scram-sha-1', username: 'a', password: SECRET } as never })
  expect(construct).toThrow(KafkaJSInvalidArgumentError)
  expect(construct).toThrow(/sasl: mechanism "scram-sha-1" is not built in/)
  let message = ''
  try {
    construct()
  } catch (error) {
    message = (error as Error).message
  }
  expect(message).not.toContain(SECRET)
  expect(() => new Kafka({ brokers: ['b:9092'], authenticationTimeout: 0 })).toThrow(
    /authenticationTimeout must be an integer between 1 and/,
  )
})

test.each([
  [{ mechanism: 'plain', password: 'x' }, 'PLAIN', 'SASL Plain: Invalid username or password'],
  [{ mechanism: 'plain', username: 'a' }, 'PLAIN', 'SASL Plain: Invalid username or password'],
  [
    { mechanism: 'scram-sha-256', username: 'a' },
    'SCRAM-SHA-256',
    'SASL SCRAM SHA256 authentication: Invalid username or password',
  ],
  [
    { mechanism: 'scram-sha-512', password: 'x' },
    'SCRAM-SHA-512',
    'SASL SCRAM SHA512 authentication: Invalid username or password',
  ],
])(
  'missing credentials %j are accepted, and refused when authenticating with KafkaJS text',
  (options, mechanism, message) => {
    expect(resolveSasl(options)).toEqual({ kind: 'incomplete', mechanism, message })
  },
)

test('empty credentials are accepted: the broker refuses them, as with KafkaJS', () => {
  expect(resolveSasl({ mechanism: 'plain', username: '', password: '' })).toMatchObject({ kind: 'plain' })
})
