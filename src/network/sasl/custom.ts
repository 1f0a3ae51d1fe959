// A mechanism kafkit does not build in, through KafkaJS's custom mechanism interface: the
// mechanism's `authenticationProvider` gets `saslAuthenticate`, which sends one SaslAuthenticate
// round, so packages written for KafkaJS (AWS MSK IAM and others) plug in unchanged.

import type { Logger } from '../logger.js'
import type { SaslExchange } from './sasl-exchange.js'
import type { AuthenticationProviderArgs, CustomSASLOptions, SaslAuthenticateArgs } from './sasl-options.js'

export async function authenticateCustom(
  exchange: SaslExchange,
  provider: CustomSASLOptions['authenticationProvider'],
  target: { host: string; port: number; logger: Logger },
): Promise<void> {
  const saslAuthenticate = async <ParseResult>({
    request,
    response,
  }: SaslAuthenticateArgs<ParseResult>): Promise<ParseResult | undefined> => {
    const answer = await exchange.round(await request.encode())
    if (response === undefined) return undefined
    return response.parse(await response.decode(answer))
  }
  const args: AuthenticationProviderArgs = { ...target, saslAuthenticate }
  const authenticator = provider(args)
  if (typeof authenticator?.authenticate !== 'function') {
    throw exchange.error('the authenticationProvider did not return an object with an authenticate() method')
  }
  await authenticator.authenticate()
}
