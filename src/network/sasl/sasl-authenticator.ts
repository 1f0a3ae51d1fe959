// The connection's authenticator for the `sasl` option: SaslHandshake names the mechanism, then the
// mechanism's SaslAuthenticate rounds, and the session lifetime the broker granted goes back to the
// connection, which authenticates again before it ends (KIP-368). The same function runs for the
// first authentication and every re-authentication, reading the options afresh each time.

import { errorMessage } from '../../common/error-message.js'
import { inNamespace, type Logger } from '../../common/logger.js'
import { KafkaJSSASLAuthenticationError } from '../../errors.js'
import { ErrorCode, protocolError } from '../../protocol/generated/errors.js'
import { SaslAuthenticate } from '../../protocol/generated/sasl-authenticate.js'
import { SaslHandshake } from '../../protocol/generated/sasl-handshake.js'
import type { AuthenticationContext, AuthenticationOutcome, Authenticator } from '../connection-options.js'
import { authenticateCustom } from './custom.js'
import { authenticateOauthBearer } from './oauthbearer.js'
import { authenticateAws, authenticatePlain } from './plain.js'
import { SaslExchange } from './sasl-exchange.js'
import { type ResolvedSasl, resolveSasl, type SASLConfig } from './sasl-options.js'
import { authenticateScram } from './scram.js'

/** KafkaJS's default authenticationTimeout: the time allowed for each SASL request, in ms. */
export const DEFAULT_AUTHENTICATION_TIMEOUT = 10000

export interface SaslAuthenticatorOptions {
  sasl: SASLConfig
  authenticationTimeout: number
  logger: Logger
}

export function createSaslAuthenticator(options: SaslAuthenticatorOptions): Authenticator {
  return async (context) => {
    const sasl = await currentOptions(options.sasl, context)
    const exchange = new SaslExchange(context, sasl.mechanism, options.authenticationTimeout)
    await handshake(context, exchange, options.authenticationTimeout)
    // KafkaJS's namespace for a mechanism's entries; its built-in mechanisms log their failure there
    const logger = inNamespace(options.logger, `SaslAuthenticator-${sasl.mechanism}`)
    try {
      // what a custom mechanism or an oauthBearerProvider throws reaches the caller as thrown, as in KafkaJS
      await runMechanism(sasl, exchange, context, logger)
    } catch (error) {
      if (sasl.kind !== 'custom' && error instanceof KafkaJSSASLAuthenticationError) {
        logger.error(error.message, { broker: context.broker })
      }
      throw error
    }
    const outcome: AuthenticationOutcome = { sessionLifetimeMs: exchange.sessionLifetimeMs }
    const lifetime = exchange.sessionLifetimeMs > 0 ? `session lifetime ${exchange.sessionLifetimeMs} ms` : 'no expiry'
    logger.debug(
      `SASL ${sasl.mechanism} ${context.reauthentication ? 're-authentication' : 'authentication'} with ` +
        `broker ${context.broker} succeeded (${lifetime})`,
      { broker: context.broker, mechanism: sasl.mechanism, sessionLifetimeMs: exchange.sessionLifetimeMs },
    )
    return outcome
  }
}

/** The options for this authentication: the object given, or what the provider returns now. */
async function currentOptions(config: SASLConfig, context: AuthenticationContext): Promise<ResolvedSasl> {
  let options: unknown = config
  if (typeof config === 'function') {
    try {
      options = await config()
    } catch (error) {
      throw new KafkaJSSASLAuthenticationError(
        `SASL authentication with broker ${context.broker} failed: the sasl provider function threw ` +
          errorMessage(error),
        { broker: context.broker, cause: error },
      )
    }
  }
  try {
    return resolveSasl(options)
  } catch (error) {
    throw new KafkaJSSASLAuthenticationError(
      `SASL authentication with broker ${context.broker} failed: ${errorMessage(error)}`,
      { broker: context.broker, cause: error },
    )
  }
}

async function handshake(context: AuthenticationContext, exchange: SaslExchange, timeout: number): Promise<void> {
  // SaslHandshake v1 announces SaslAuthenticate framing (Kafka 1.0+); the raw framing of v0 is not spoken
  let version = 0
  try {
    context.versionFor(SaslAuthenticate)
    version = context.versionFor(SaslHandshake)
  } catch (error) {
    throw exchange.error('the broker does not support SaslAuthenticate (Kafka 1.0 or newer is needed)', {
      cause: error,
    })
  }
  if (version < 1) throw exchange.error('the broker offers SaslHandshake v0 only (Kafka 1.0 or newer is needed)')
  const request = SaslHandshake.createRequest({ mechanism: exchange.mechanism })
  const response = await context.send(SaslHandshake, request, { version, timeout })
  if (response.errorCode === ErrorCode.NONE) return
  // KafkaJS fails with the protocol error itself (UNSUPPORTED_SASL_MECHANISM: "The broker does not
  // support the requested SASL mechanism"); kafkit's explanation is its detail
  if (response.errorCode === ErrorCode.UNSUPPORTED_SASL_MECHANISM) {
    const enabled = response.mechanisms.length > 0 ? response.mechanisms.join(', ') : 'none'
    throw protocolError(
      response.errorCode,
      `broker ${context.broker} does not enable ${exchange.mechanism}; it enables ${enabled}`,
    )
  }
  if (response.errorCode === ErrorCode.ILLEGAL_SASL_STATE && !context.reauthentication) {
    // what a listener without SASL (PLAINTEXT, SSL) answers to a SaslHandshake
    throw protocolError(
      response.errorCode,
      `broker ${context.broker}: the listener does not use SASL; is it a PLAINTEXT or SSL listener?`,
    )
  }
  throw protocolError(response.errorCode, `SaslHandshake to ${context.broker}`)
}

function runMechanism(
  sasl: ResolvedSasl,
  exchange: SaslExchange,
  context: AuthenticationContext,
  logger: Logger,
): Promise<void> {
  switch (sasl.kind) {
    case 'plain':
      return authenticatePlain(exchange, sasl)
    case 'scram':
      return authenticateScram(exchange, sasl.mechanism, sasl)
    case 'oauthbearer':
      return authenticateOauthBearer(exchange, sasl.oauthBearerProvider, sasl.authorizationIdentity)
    case 'aws':
      return authenticateAws(exchange, sasl)
    case 'incomplete':
      // KafkaJS's check, made when authenticating
      return Promise.reject(
        new KafkaJSSASLAuthenticationError(sasl.message, { mechanism: sasl.mechanism, broker: context.broker }),
      )
    case 'custom':
      return authenticateCustom(exchange, sasl.authenticationProvider, {
        host: context.host,
        port: context.port,
        logger,
      })
  }
}
