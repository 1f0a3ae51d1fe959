// SASL OAUTHBEARER (RFC 7628) as Kafka speaks it (KIP-255, extensions from KIP-342): one client
// message with the bearer token and the extensions. A broker that rejects the token answers with a
// JSON error instead of failing at once; RFC 7628 has the client acknowledge it with a lone %x01,
// after which the broker fails the authentication with its reason.

import { errorMessage } from '../../common/error-message.js'
import { KafkaJSInvalidArgumentError, KafkaJSSASLAuthenticationError } from '../../errors.js'
import type { SaslExchange } from './sasl-exchange.js'
import type { OauthbearerProviderResponse } from './sasl-options.js'

const SEPARATOR = '\x01'
// RFC 6750 b64token, the token syntax of the Authorization: Bearer header
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/
// Kafka's SaslExtensions rules (OAuthBearerClientInitialResponse): letters for keys, printable
// ASCII, space and tabs/line breaks for values; "auth" is reserved for the token itself
const EXTENSION_KEY = /^[A-Za-z]+$/
const EXTENSION_VALUE = /^[\x21-\x7E \t\r\n]+$/

/** The client's one message. Throws KafkaJSInvalidArgumentError, never showing the token, on bad input. */
export function oauthBearerMessage(token: OauthbearerProviderResponse, authorizationIdentity: string): Buffer {
  const value: unknown = token?.value
  if (typeof value !== 'string' || !TOKEN.test(value)) {
    throw new KafkaJSInvalidArgumentError(
      'sasl: oauthBearerProvider must resolve { value: token } with a non-empty token of the RFC 6750 ' +
        `characters (letters, digits, -._~+/ and trailing =); got ${typeof value === 'string' ? 'an invalid token' : typeof value}`,
    )
  }
  const extensions = token.extensions ?? {}
  if (typeof extensions !== 'object' || extensions === null || Array.isArray(extensions)) {
    throw new KafkaJSInvalidArgumentError('sasl: oauthBearerProvider extensions must be an object of strings')
  }
  const pairs = Object.entries(extensions).map(([key, extension]) => {
    if (!EXTENSION_KEY.test(key) || key === 'auth') {
      throw new KafkaJSInvalidArgumentError(
        `sasl: OAUTHBEARER extension name ${JSON.stringify(key)} must be letters only and not "auth"`,
      )
    }
    if (typeof extension !== 'string' || !EXTENSION_VALUE.test(extension)) {
      throw new KafkaJSInvalidArgumentError(
        `sasl: OAUTHBEARER extension ${key} must be a non-empty string of printable ASCII characters`,
      )
    }
    return `${key}=${extension}`
  })
  const authzid = authorizationIdentity === '' ? '' : `a=${authorizationIdentity}`
  const extensionPart = pairs.length === 0 ? '' : SEPARATOR + pairs.join(SEPARATOR)
  return Buffer.from(`n,${authzid},${SEPARATOR}auth=Bearer ${value}${extensionPart}${SEPARATOR}${SEPARATOR}`, 'utf8')
}

export async function authenticateOauthBearer(
  exchange: SaslExchange,
  provider: () => OauthbearerProviderResponse | Promise<OauthbearerProviderResponse>,
  authorizationIdentity: string,
): Promise<void> {
  // what the provider throws reaches the caller as thrown, as in KafkaJS
  const token = await provider()
  if (token?.value == null) {
    throw new KafkaJSSASLAuthenticationError('SASL OAUTHBEARER: Invalid OAuth bearer token', {
      mechanism: exchange.mechanism,
      broker: exchange.broker,
    })
  }
  if (typeof token.value === 'string') exchange.addSecret(token.value)
  let message: Buffer
  try {
    message = oauthBearerMessage(token, authorizationIdentity)
  } catch (error) {
    throw exchange.error(errorMessage(error))
  }
  const answer = await exchange.round(message)
  if (answer.length === 0) return
  // the broker's error challenge, e.g. {"status":"invalid_token"}: acknowledge it to get the verdict
  const challenge = answer.toString('utf8')
  await exchange.round(Buffer.from(SEPARATOR, 'utf8'), challenge)
  throw exchange.error(`the broker rejected the token (${challenge})`)
}
