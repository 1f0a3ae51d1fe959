// SASL for broker connections: the `sasl` option's types and the authenticator built from it.

export { createSaslAuthenticator, DEFAULT_AUTHENTICATION_TIMEOUT } from './sasl-authenticator.js'
export type {
  AuthenticationProviderArgs,
  Authenticator,
  AwsSASLOptions,
  CustomSASLOptions,
  Mechanism,
  OauthbearerProviderResponse,
  OauthbearerSASLOptions,
  PlainSASLOptions,
  SASLConfig,
  SASLMechanism,
  SASLOptions,
  SASLOptionsProvider,
  SaslAuthenticateArgs,
  SaslAuthenticationRequest,
  SaslAuthenticationResponse,
  ScramSASLOptions,
} from './sasl-options.js'
export { checkSaslConfig } from './sasl-options.js'
