// One SASL conversation on one connection: the SaslAuthenticate rounds a mechanism drives, the
// session lifetime the broker grants (SaslAuthenticate v1+), and the errors that name the mechanism
// and the broker with any secret of this conversation blanked out.

import { KafkaJSSASLAuthenticationError } from '../../errors.js'
import { errorByCode } from '../../protocol/generated/errors.js'
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
   * Sends one client message; resolves with the server's answer or throws a typed error, with
   * `note` (what the mechanism knows about the refusal) appended to its message.
   */
  async round(bytes: Buffer, note?: string): Promise<Buffer> {
    const response = await this.#context.send(SaslAuthenticate, SaslAuthenticate.createRequest({ authBytes: bytes }), {
      timeout: this.#timeout,
    })
    if (response.errorCode !== 0) {
      const type = errorByCode(response.errorCode).name
      const said = response.errorMessage ? `: ${response.errorMessage}` : ` (${type})`
      const noted = note === undefined || said.includes(note) ? '' : ` (${note})`
      throw this.error(`the broker refused${said}${noted}`, { type })
    }
    // int64 on the wire; a lifetime beyond 2^53 ms is "never" for any practical purpose
    const lifetime = response.sessionLifetimeMs
    this.sessionLifetimeMs = lifetime > 0n && lifetime < BigInt(Number.MAX_SAFE_INTEGER) ? Number(lifetime) : 0
    return response.authBytes
  }

  /** A KafkaJSSASLAuthenticationError naming this mechanism and broker, secrets blanked out. */
  error(detail: string, options: { type?: string; cause?: unknown } = {}): KafkaJSSASLAuthenticationError {
    return new KafkaJSSASLAuthenticationError(
      this.redact(`SASL ${this.mechanism} authentication with broker ${this.broker} failed: ${detail}`),
      { mechanism: this.mechanism, broker: this.broker, type: options.type, cause: options.cause },
    )
  }

  redact(text: string): string {
    let out = text
    for (const secret of this.#secrets) out = out.split(secret).join('[redacted]')
    return out
  }
}
