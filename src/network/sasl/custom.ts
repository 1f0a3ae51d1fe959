// A mechanism kafkit does not build in, through KafkaJS's custom mechanism interface: the
// mechanism's `authenticationProvider` gets `saslAuthenticate`, which sends one SaslAuthenticate
// round, so packages written for KafkaJS (AWS MSK IAM and others) plug in unchanged.
//
// KafkaJS keeps the framing of the SASL exchange before SaslAuthenticate existed (KIP-152): the
// bytes `request.encode()` returns, and those `response.decode()` receives, carry the token after a
// 4-byte big-endian length. The same framing is kept here, and removed on the wire.

import type { Logger } from '../../common/logger.js'
import type { SaslExchange } from './sasl-exchange.js'
import type {
  AuthenticationProviderArgs,
  CustomSASLOptions,
  ProviderLogger,
  SaslAuthenticateArgs,
} from './sasl-options.js'

const LENGTH_PREFIX = 4

export async function authenticateCustom(
  exchange: SaslExchange,
  provider: CustomSASLOptions['authenticationProvider'],
  target: { host: string; port: number; logger: Logger },
): Promise<void> {
  const saslAuthenticate = async <ParseResult>({
    request,
    response,
  }: SaslAuthenticateArgs<ParseResult>): Promise<ParseResult | undefined> => {
    const answer = await exchange.round(unframe(exchange, await request.encode()))
    if (response === undefined) return undefined
    return response.parse(await response.decode(frame(answer)))
  }
  const args: AuthenticationProviderArgs = { ...target, logger: providerLogger(target.logger), saslAuthenticate }
  const authenticator = provider(args)
  if (typeof authenticator?.authenticate !== 'function') {
    throw exchange.error('the authenticationProvider did not return an object with an authenticate() method')
  }
  await authenticator.authenticate()
}

/**
 * The connection's logger with the whole of KafkaJS's Logger, which mechanisms written for KafkaJS are
 * typed against: the client's loggers have namespace() and setLogLevel(), a plain sink gets stand-ins.
 */
function providerLogger(
  logger: Logger & { namespace?(namespace: string): Logger; setLogLevel?(logLevel: number): void },
): ProviderLogger {
  return {
    error: (message, extra) => logger.error(message, extra),
    warn: (message, extra) => logger.warn(message, extra),
    info: (message, extra) => logger.info(message, extra),
    debug: (message, extra) => logger.debug(message, extra),
    namespace: (namespace) => providerLogger(logger.namespace?.(namespace) ?? logger),
    setLogLevel: (logLevel) => logger.setLogLevel?.(logLevel),
  }
}

/** The token inside KafkaJS's framing: a 4-byte big-endian length, then that many bytes. */
function unframe(exchange: SaslExchange, encoded: unknown): Buffer {
  if (!Buffer.isBuffer(encoded) || encoded.length < LENGTH_PREFIX) {
    throw exchange.error('request.encode() must return a Buffer: a 4-byte length, then the token (KafkaJS framing)')
  }
  const length = encoded.readUInt32BE(0)
  if (length !== encoded.length - LENGTH_PREFIX) {
    throw exchange.error(
      `request.encode() returned ${encoded.length} bytes whose 4-byte length prefix says ${length}: ` +
        'a mechanism must frame its token as KafkaJS mechanisms do',
    )
  }
  return encoded.subarray(LENGTH_PREFIX)
}

function frame(token: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(LENGTH_PREFIX + token.length)
  framed.writeUInt32BE(token.length, 0)
  token.copy(framed, LENGTH_PREFIX)
  return framed
}
