// The server side of SCRAM (RFC 5802), written from the RFC for the unit tests: it checks a client
// proof and signs the conversation, so the client can be tested against an implementation that
// shares none of its code. Kafka's own server is exercised by the integration tests.

import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'

export interface ScramServerState {
  readonly hash: 'sha256' | 'sha512'
  readonly clientFirstBare: string
  readonly message: string
  readonly nonce: string
  readonly saltedPassword: Buffer
}

export function scramServerFirst(
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
  clientFirst: string,
  options: { password: string; iterations: number },
): ScramServerState {
  const hash = mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512'
  // the GS2 header is "n," [a=authzid] ","; the bare message follows its second comma
  const bareStart = clientFirst.indexOf(',', clientFirst.indexOf(',') + 1) + 1
  const clientFirstBare = clientFirst.slice(bareStart)
  const clientNonce = /(?:^|,)r=([^,]+)/.exec(clientFirstBare)![1]!
  const nonce = clientNonce + randomBytes(8).toString('hex')
  const salt = randomBytes(16)
  const length = hash === 'sha256' ? 32 : 64
  const saltedPassword = pbkdf2Sync(options.password, salt, options.iterations, length, hash)
  const message = `r=${nonce},s=${salt.toString('base64')},i=${options.iterations}`
  return { hash, clientFirstBare, message, nonce, saltedPassword }
}

export function scramServerFinal(
  state: ScramServerState,
  clientFinal: string,
  options: { forgeSignature?: boolean } = {},
): { proofValid: boolean; message: string } {
  const withoutProof = clientFinal.slice(0, clientFinal.lastIndexOf(',p='))
  const proof = Buffer.from(clientFinal.slice(clientFinal.lastIndexOf(',p=') + 3), 'base64')
  const authMessage = `${state.clientFirstBare},${state.message},${withoutProof}`
  const hmac = (key: Buffer, data: string) => createHmac(state.hash, key).update(data).digest()
  const storedKey = createHash(state.hash).update(hmac(state.saltedPassword, 'Client Key')).digest()
  const signature = hmac(storedKey, authMessage)
  const clientKey = Buffer.from(proof.map((b, i) => b ^ signature[i]!))
  const proofValid = createHash(state.hash).update(clientKey).digest().equals(storedKey)
  const serverSignature = hmac(hmac(state.saltedPassword, 'Server Key'), authMessage)
  if (options.forgeSignature) serverSignature[0]! ^= 1
  return { proofValid, message: `v=${serverSignature.toString('base64')}` }
}
