// SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) without channel binding, as Kafka's
// ScramSaslServer expects: client-first, server-first, client-final with the proof, and a
// server-final whose signature must prove that the server knows the credentials too.

import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import type { SaslExchange } from './sasl-exchange.js'

const pbkdf2Async = promisify(pbkdf2)

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512'

const DIGEST: Record<ScramMechanism, { hash: 'sha256' | 'sha512'; length: number }> = {
  'SCRAM-SHA-256': { hash: 'sha256', length: 32 },
  'SCRAM-SHA-512': { hash: 'sha512', length: 64 },
}

/**
 * Kafka's bounds (ScramMechanism.minIterations/maxIterations): fewer is weak, and a server asking
 * for many more would make the client burn CPU on its behalf.
 */
export const SCRAM_MIN_ITERATIONS = 4096
export const SCRAM_MAX_ITERATIONS = 16384

/** Thrown for a server message that breaks the protocol; the caller turns it into an authentication error. */
export class ScramProtocolError extends Error {}

export interface ScramCredentials {
  username: string
  password: string
  authorizationIdentity: string
}

/** One SCRAM conversation. The nonce is injectable only so that RFC test vectors can be replayed. */
export class ScramClient {
  readonly #mechanism: ScramMechanism
  readonly #credentials: ScramCredentials
  readonly #clientNonce: string
  readonly #gs2Header: string
  readonly #clientFirstBare: string
  #expectedServerSignature: Buffer | undefined

  constructor(mechanism: ScramMechanism, credentials: ScramCredentials, clientNonce = newNonce()) {
    this.#mechanism = mechanism
    this.#credentials = credentials
    this.#clientNonce = clientNonce
    const authzid = credentials.authorizationIdentity
    this.#gs2Header = `n,${authzid === '' ? '' : `a=${saslName(authzid)}`},`
    this.#clientFirstBare = `n=${saslName(credentials.username)},r=${clientNonce}`
  }

  clientFirstMessage(): Buffer {
    return Buffer.from(this.#gs2Header + this.#clientFirstBare, 'utf8')
  }

  /** Computes the proof from the server's first message; remembers the signature the server must send. */
  async clientFinalMessage(serverFirst: Buffer): Promise<Buffer> {
    const serverFirstText = serverFirst.toString('utf8')
    const attributes = parseAttributes(serverFirstText)
    if (attributes.has('m')) throw new ScramProtocolError('the server requires an extension this client does not know')
    const nonce = attributes.get('r')
    const saltText = attributes.get('s')
    const iterationsText = attributes.get('i')
    if (nonce === undefined || saltText === undefined || iterationsText === undefined) {
      throw new ScramProtocolError('the server-first message lacks the nonce, salt or iteration count')
    }
    if (!nonce.startsWith(this.#clientNonce) || nonce.length === this.#clientNonce.length) {
      throw new ScramProtocolError('Invalid server nonce, it does not start with the client nonce')
    }
    if (!/^\d{1,9}$/.test(iterationsText)) throw new ScramProtocolError('the iteration count is not a number')
    const iterations = Number(iterationsText)
    if (iterations < SCRAM_MIN_ITERATIONS) {
      throw new ScramProtocolError(
        `Requested iterations ${iterations} is less than the minimum ${SCRAM_MIN_ITERATIONS}`,
      )
    }
    if (iterations > SCRAM_MAX_ITERATIONS) {
      throw new ScramProtocolError(
        `the server asks for ${iterations} iterations, outside ${SCRAM_MIN_ITERATIONS}..${SCRAM_MAX_ITERATIONS}`,
      )
    }
    const salt = Buffer.from(saltText, 'base64')
    if (salt.length === 0) throw new ScramProtocolError('the salt is empty')

    const { hash, length } = DIGEST[this.#mechanism]
    // Kafka's ScramFormatter normalizes the password to its UTF-8 bytes, nothing more (no SASLprep)
    const saltedPassword = await pbkdf2Async(
      Buffer.from(this.#credentials.password, 'utf8'),
      salt,
      iterations,
      length,
      hash,
    )
    const clientKey = hmac(hash, saltedPassword, 'Client Key')
    const storedKey = createHash(hash).update(clientKey).digest()
    const clientFinalWithoutProof = `c=${Buffer.from(this.#gs2Header, 'utf8').toString('base64')},r=${nonce}`
    const authMessage = `${this.#clientFirstBare},${serverFirstText},${clientFinalWithoutProof}`
    const clientSignature = hmac(hash, storedKey, authMessage)
    const proof = Buffer.alloc(clientKey.length)
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ clientSignature[i]!
    const serverKey = hmac(hash, saltedPassword, 'Server Key')
    this.#expectedServerSignature = hmac(hash, serverKey, authMessage)
    return Buffer.from(`${clientFinalWithoutProof},p=${proof.toString('base64')}`, 'utf8')
  }

  /** Throws unless the server-final message carries the signature only the real server can compute. */
  verifyServerFinal(serverFinal: Buffer): void {
    const expected = this.#expectedServerSignature
    if (expected === undefined) throw new ScramProtocolError('server-final message before the client-final one')
    const attributes = parseAttributes(serverFinal.toString('utf8'))
    const error = attributes.get('e')
    // KafkaJS's text is the server's error as it is
    if (error !== undefined) throw new ScramProtocolError(error)
    const verifier = attributes.get('v')
    if (verifier === undefined) throw new ScramProtocolError('the server-final message has no signature')
    const signature = Buffer.from(verifier, 'base64')
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
      throw new ScramProtocolError('Invalid server signature in server final message')
    }
  }
}

export async function authenticateScram(
  exchange: SaslExchange,
  mechanism: ScramMechanism,
  credentials: ScramCredentials,
): Promise<void> {
  exchange.addSecret(credentials.password)
  const client = new ScramClient(mechanism, credentials)
  try {
    const serverFirst = await exchange.round(client.clientFirstMessage())
    const serverFinal = await exchange.round(await client.clientFinalMessage(serverFirst))
    client.verifyServerFinal(serverFinal)
  } catch (error) {
    if (error instanceof ScramProtocolError) throw exchange.error(error.message)
    throw error
  }
}

/** A fresh client nonce from the CSPRNG: 32 random bytes, printable and free of commas. */
function newNonce(): string {
  return randomBytes(32).toString('base64url')
}

function hmac(hash: string, key: Buffer, data: string): Buffer {
  return createHmac(hash, key).update(data, 'utf8').digest()
}

/** RFC 5802 saslname: "," and "=" are escaped as =2C and =3D. */
function saslName(name: string): string {
  return name.replaceAll('=', '=3D').replaceAll(',', '=2C')
}

/** "a=1,b=2" into a map; a value may itself contain "=" (base64). */
function parseAttributes(message: string): Map<string, string> {
  const attributes = new Map<string, string>()
  for (const part of message.split(',')) {
    const eq = part.indexOf('=')
    if (eq !== 1) throw new ScramProtocolError('a server message is not a list of SCRAM attributes')
    attributes.set(part[0]!, part.slice(2))
  }
  return attributes
}
