// SASL PLAIN (RFC 4616): one message, authzid NUL username NUL password. Only safe over TLS, since
// the password crosses the wire as is.

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
