// SASL PLAIN (RFC 4616): one message, authzid NUL username NUL password. Only safe over TLS, since
// the password crosses the wire as is. KafkaJS's `aws` mechanism is the same kind of message with
// four fields (authzid, access key id, secret access key, session token).

import type { SaslExchange } from './sasl-exchange.js'

export function plainMessage(credentials: {
  authorizationIdentity: string
  username: string
  password: string
}): Buffer {
  const { authorizationIdentity, username, password } = credentials
  return Buffer.from(`${authorizationIdentity}\0${username}\0${password}`, 'utf8')
}

export async function authenticatePlain(
  exchange: SaslExchange,
  credentials: { authorizationIdentity: string; username: string; password: string },
): Promise<void> {
  exchange.addSecret(credentials.password)
  await exchange.round(plainMessage(credentials))
}

export async function authenticateAws(
  exchange: SaslExchange,
  credentials: { authorizationIdentity: string; accessKeyId: string; secretAccessKey: string; sessionToken: string },
): Promise<void> {
  const { authorizationIdentity, accessKeyId, secretAccessKey, sessionToken } = credentials
  exchange.addSecret(secretAccessKey)
  exchange.addSecret(sessionToken)
  await exchange.round(
    Buffer.from(`${authorizationIdentity}\0${accessKeyId}\0${secretAccessKey}\0${sessionToken}`, 'utf8'),
  )
}
