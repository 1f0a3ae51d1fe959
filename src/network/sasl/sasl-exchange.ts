// One SASL conversation on one connection: the SaslAuthenticate rounds a mechanism drives, the
// session lifetime the broker grants (SaslAuthenticate v1+), and the errors, in KafkaJS's words
// ("SASL PLAIN authentication failed: <why>"), carrying the mechanism and the broker, with any
// secret of this conversation blanked out.

import { KafkaJSProtocolError, KafkaJSSASLAuthenticationError } from '../../errors.js'
import { ErrorCode, errorByCode, protocolError } from '../../protocol/generated/errors.js'
import { SaslAuthenticate } from '../../protocol/generated/sasl-authenticate.js'
import type { AuthenticationContext } from '../connection-options.js'

/** Secrets shorter than this are not searched for: blanking every "a" of a message helps no one. */
const MIN_REDACTED_LENGTH = 4

export class SaslExchange {
  readonly mechanism: string
  readonly broker: string
  readonly #context: AuthenticationContext
  readonly #timeout: number
  readonly #secrets: string[] = []
  /** From the last SaslAuthenticate response; 0 when the session does not expire (or before v1). */
  sessionLifetimeMs = 0

  constructor(context: AuthenticationContext, mechanism: string, timeout: number) {
    this.#context = context
    this.mechanism = mechanism
    this.broker = context.broker
    this.#timeout = timeout
  }

  /** Registers a value that must never appear in a message this conversation produces. */
  addSecret(secret: string): void {
    if (secret.length >= MIN_REDACTED_LENGTH) this.#secrets.push(secret)
  }

  /**
   * Sends one client message; resolves with the server's answer or throws a typed error. A refusal
   * reads as in KafkaJS: the broker's own message for SASL_AUTHENTICATION_FAILED, KafkaJS's text for
   * other codes. The protocol error is the cause; `note` (what the mechanism knows) is its detail.
   */
  async round(bytes: Buffer, note?: string): Promise<Buffer> {
    const response = await this.#context.send(SaslAuthenticate, SaslAuthenticate.createRequest({ authBytes: bytes }), {
      timeout: this.#timeout,
    })
    if (response.errorCode !== 0) {
      const type = errorByCode(response.errorCode).name
      const refusal = protocolError(response.errorCode, note)
      const said =
        response.errorCode === ErrorCode.SASL_AUTHENTICATION_FAILED && response.errorMessage
          ? new KafkaJSProtocolError({ ...refusal, message: response.errorMessage }, { kafkaType: type, detail: note })
          : refusal
      throw this.error(said.message, { type, cause: said })
    }
    // int64 on the wire; a lifetime beyond 2^53 ms is "never" for any practical purpose
    const lifetime = response.sessionLifetimeMs
    this.sessionLifetimeMs = lifetime > 0n && lifetime < BigInt(Number.MAX_SAFE_INTEGER) ? Number(lifetime) : 0
    return response.authBytes
  }

  /** KafkaJS's KafkaJSSASLAuthenticationError: "<prefix> failed: <detail>"; mechanism and broker as properties. */
  error(detail: string, options: { type?: string; cause?: unknown } = {}): KafkaJSSASLAuthenticationError {
    return new KafkaJSSASLAuthenticationError(this.redact(`${saslErrorPrefix(this.mechanism)} failed: ${detail}`), {
      mechanism: this.mechanism,
      broker: this.broker,
      type: options.type,
      cause: options.cause,
    })
  }

  redact(text: string): string {
    let out = text
    for (const secret of this.#secrets) out = out.split(secret).join('[redacted]')
    return out
  }
}

/** How KafkaJS names a mechanism's authentication in its errors: "SASL SCRAM SHA256 authentication". */
export function saslErrorPrefix(mechanism: string): string {
  if (mechanism === 'AWS') return 'SASL AWS-IAM authentication'
  const scram = /^SCRAM-SHA-(256|512)$/.exec(mechanism)
  return `SASL ${scram === null ? mechanism : `SCRAM SHA${scram[1]}`} authentication`
}
