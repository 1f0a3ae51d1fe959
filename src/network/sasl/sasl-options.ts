// The `sasl` option in KafkaJS's shape: PLAIN, SCRAM-SHA-256/512, OAUTHBEARER and KafkaJS's `aws` built in, any other
// mechanism through KafkaJS's `authenticationProvider` interface, or a function returning one of
// these at each (re)authentication so that rotated credentials are picked up. Checked here with
// messages that name the field but never repeat a secret.

import type { Logger } from '../../common/logger.js'
import { KafkaJSInvalidArgumentError } from '../../errors.js'

/**
 * `sasl` for PLAIN; the API reference shows it within SASLOptions.
 * @inline
 */
export interface PlainSASLOptions {
  mechanism: 'plain' | 'PLAIN'
  username: string
  password: string
  /** Act as this identity (the SASL authzid); the broker must allow it. */
  authorizationIdentity?: string
}

/**
 * `sasl` for SCRAM-SHA-256 and SCRAM-SHA-512; the API reference shows it within SASLOptions.
 * @inline
 */
export interface ScramSASLOptions {
  mechanism: 'scram-sha-256' | 'scram-sha-512' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'
  username: string
  password: string
  authorizationIdentity?: string
}

/**
 * KafkaJS's `aws` mechanism: one message of authzid NUL access key NUL secret key NUL session token,
 * for brokers that run a matching server-side SASL plugin (handshake name "AWS"). Amazon MSK's IAM
 * access control uses another mechanism (AWS_MSK_IAM), a custom one.
 * @inline
 */
export interface AwsSASLOptions {
  mechanism: 'aws' | 'AWS'
  authorizationIdentity: string
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

/** What an OAUTHBEARER token provider returns (KafkaJS `OauthbearerProviderResponse`). */
export interface OauthbearerProviderResponse {
  /** The token (typically a JWT), sent as `auth=Bearer <value>`. */
  value: string
  /** SASL extensions (KIP-342) sent with the token, e.g. { logicalCluster: 'lkc-123' }. */
  extensions?: Record<string, string>
}

/**
 * `sasl` for OAUTHBEARER; the API reference shows it within SASLOptions.
 * @inline
 */
export interface OauthbearerSASLOptions {
  mechanism: 'oauthbearer' | 'OAUTHBEARER'
  /** Called at each (re)authentication, so a refreshed token is used from the next one on. */
  oauthBearerProvider: () => OauthbearerProviderResponse | Promise<OauthbearerProviderResponse>
  authorizationIdentity?: string
}

/** One SaslAuthenticate round as a custom mechanism sees it (KafkaJS `saslAuthenticate` argument). */
export interface SaslAuthenticateArgs<ParseResult> {
  request: SaslAuthenticationRequest
  response?: SaslAuthenticationResponse<ParseResult>
}

export interface SaslAuthenticationRequest {
  encode: () => Buffer | Promise<Buffer>
}

export interface SaslAuthenticationResponse<ParseResult> {
  decode: (rawResponse: Buffer) => Buffer | Promise<Buffer>
  parse: (data: Buffer) => ParseResult
}

/**
 * KafkaJS's namespaced logger, as a custom mechanism gets it.
 * @inline
 */
export interface ProviderLogger extends Logger {
  namespace(namespace: string, logLevel?: number): ProviderLogger
  setLogLevel(logLevel: number): void
}

/** What KafkaJS hands a custom mechanism's `authenticationProvider`. */
export interface AuthenticationProviderArgs {
  host: string
  port: number
  logger: ProviderLogger
  /** Sends `request.encode()` in a SaslAuthenticate request and returns `response.parse(response.decode(bytes))`. */
  saslAuthenticate: <ParseResult>(args: SaslAuthenticateArgs<ParseResult>) => Promise<ParseResult | undefined>
}

/** A custom mechanism's per-connection authenticator (KafkaJS `Authenticator`). */
export interface Authenticator {
  authenticate: () => Promise<void>
}

/**
 * A mechanism kafkit does not build in, e.g. AWS_MSK_IAM (KafkaJS `Mechanism`).
 * @inline
 */
export interface CustomSASLOptions {
  /** The name sent in SaslHandshake, as the broker enables it (`sasl.enabled.mechanisms`). */
  mechanism: string
  authenticationProvider: (args: AuthenticationProviderArgs) => Authenticator
}

/** KafkaJS's name for a custom mechanism's options. */
export type Mechanism = CustomSASLOptions

export type SASLOptions =
  | PlainSASLOptions
  | ScramSASLOptions
  | OauthbearerSASLOptions
  | AwsSASLOptions
  | CustomSASLOptions

/** Returns the options to use for the next (re)authentication: rotated secrets are picked up there. */
export type SASLOptionsProvider = () => SASLOptions | Promise<SASLOptions>

export type SASLConfig = SASLOptions | SASLOptionsProvider

export type SASLMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer' | 'aws'

/** The options of one authentication, checked, with the mechanism in the broker's spelling. */
export type ResolvedSasl =
  | { kind: 'plain'; mechanism: 'PLAIN'; username: string; password: string; authorizationIdentity: string }
  | {
      kind: 'scram'
      mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512'
      username: string
      password: string
      authorizationIdentity: string
    }
  | {
      kind: 'oauthbearer'
      mechanism: 'OAUTHBEARER'
      oauthBearerProvider: OauthbearerSASLOptions['oauthBearerProvider']
      authorizationIdentity: string
    }
  | {
      kind: 'aws'
      mechanism: 'AWS'
      authorizationIdentity: string
      accessKeyId: string
      secretAccessKey: string
      sessionToken: string
    }
  | { kind: 'custom'; mechanism: string; authenticationProvider: CustomSASLOptions['authenticationProvider'] }
  /** Options KafkaJS accepts at construction and refuses when authenticating, with `message`. */
  | { kind: 'incomplete'; mechanism: string; message: string }

export const BUILT_IN_MECHANISMS: readonly string[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER', 'AWS']

// Kafka's SaslHandshake carries the name as a string; SASL names are upper-case letters, digits, - and _
const MECHANISM_NAME = /^[A-Za-z0-9_-]{1,20}$/

function invalid(message: string): never {
  throw new KafkaJSInvalidArgumentError(`sasl: ${message}`)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Checks the `sasl` option at construction: an options object fully, a provider function only for
 * being one (what it returns is checked at each authentication by resolveSasl).
 */
export function checkSaslConfig(config: unknown): asserts config is SASLConfig {
  if (typeof config === 'function') return
  resolveSasl(config)
}

/** Checks one set of options and normalizes the mechanism name. Messages never include a secret. */
export function resolveSasl(options: unknown): ResolvedSasl {
  if (!isRecord(options)) {
    invalid(`must be an object such as { mechanism: 'scram-sha-512', username, password }, got ${describe(options)}`)
  }
  const { mechanism } = options
  if (typeof mechanism !== 'string' || !MECHANISM_NAME.test(mechanism)) {
    invalid(
      `mechanism must be one of plain, scram-sha-256, scram-sha-512, oauthbearer, aws or a custom mechanism's name, ` +
        `got ${describe(mechanism)}`,
    )
  }
  if (options.authenticationProvider !== undefined) {
    if (typeof options.authenticationProvider !== 'function') {
      invalid(`authenticationProvider must be a function, got ${describe(options.authenticationProvider)}`)
    }
    return {
      kind: 'custom',
      mechanism: mechanism.toUpperCase(),
      authenticationProvider: options.authenticationProvider as CustomSASLOptions['authenticationProvider'],
    }
  }
  const upper = mechanism.toUpperCase()
  const authorizationIdentity = optionalName(options.authorizationIdentity, 'authorizationIdentity')
  switch (upper) {
    case 'PLAIN':
    case 'SCRAM-SHA-256':
    case 'SCRAM-SHA-512': {
      if (options.username == null || options.password == null) {
        const prefix = upper === 'PLAIN' ? 'SASL Plain' : `SASL SCRAM SHA${upper.slice(-3)} authentication`
        return { kind: 'incomplete', mechanism: upper, message: `${prefix}: Invalid username or password` }
      }
      const username = options.username
      // empty strings go to the broker, which refuses them, as in KafkaJS
      if (typeof username !== 'string') invalid(`username must be a string for ${upper}, got ${describe(username)}`)
      // the password's value is never shown, only what is wrong with it
      if (typeof options.password !== 'string') {
        invalid(`password must be a string for ${upper} (got ${typeofValue(options.password)})`)
      }
      if (upper === 'PLAIN' && (username.includes('\0') || options.password.includes('\0'))) {
        invalid('PLAIN username and password cannot contain a NUL character')
      }
      if (upper === 'PLAIN') {
        return { kind: 'plain', mechanism: 'PLAIN', username, password: options.password, authorizationIdentity }
      }
      return { kind: 'scram', mechanism: upper, username, password: options.password, authorizationIdentity }
    }
    case 'OAUTHBEARER':
      if (options.oauthBearerProvider == null) {
        return {
          kind: 'incomplete',
          mechanism: upper,
          message: 'SASL OAUTHBEARER: Missing OAuth bearer token provider',
        }
      }
      if (typeof options.oauthBearerProvider !== 'function') {
        invalid(
          `oauthBearerProvider must be a function returning { value: token }, got ${describe(options.oauthBearerProvider)}`,
        )
      }
      return {
        kind: 'oauthbearer',
        mechanism: 'OAUTHBEARER',
        oauthBearerProvider: options.oauthBearerProvider as OauthbearerSASLOptions['oauthBearerProvider'],
        authorizationIdentity,
      }
    case 'AWS':
      return resolveAws(options)
    default:
      invalid(
        `mechanism ${JSON.stringify(mechanism)} is not built in (${BUILT_IN_MECHANISMS.join(', ')}); ` +
          'a custom mechanism needs an authenticationProvider',
      )
  }
}

// KafkaJS checks the three credentials when authenticating, in this order, with these texts
const AWS_REQUIRED = ['authorizationIdentity', 'accessKeyId', 'secretAccessKey'] as const

function resolveAws(options: Record<string, unknown>): ResolvedSasl {
  for (const field of AWS_REQUIRED) {
    if (!options[field]) return { kind: 'incomplete', mechanism: 'AWS', message: `SASL AWS-IAM: Missing ${field}` }
  }
  const [authorizationIdentity, accessKeyId, secretAccessKey] = AWS_REQUIRED.map((field) => {
    const value = options[field]
    // the values are never shown: two of them are secrets
    if (typeof value !== 'string') invalid(`${field} must be a string for aws (got ${typeofValue(value)})`)
    return value
  }) as [string, string, string]
  const sessionToken = options.sessionToken ?? ''
  if (typeof sessionToken !== 'string')
    invalid(`sessionToken must be a string for aws (got ${typeofValue(sessionToken)})`)
  return { kind: 'aws', mechanism: 'AWS', authorizationIdentity, accessKeyId, secretAccessKey, sessionToken }
}

function optionalName(value: unknown, field: string): string {
  if (value === undefined || value === null) return ''
  if (typeof value !== 'string') invalid(`${field} must be a string, got ${describe(value)}`)
  return value
}

function typeofValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  return `a ${typeof value}`
}

/** A non-secret field's value as shown in a message. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (isRecord(value)) return 'an object'
  return String(value)
}
