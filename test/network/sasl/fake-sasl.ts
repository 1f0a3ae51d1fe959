// SaslHandshake and SaslAuthenticate on the framing-only fake server, scripted per test. Like the
// fake server itself it is not a broker: it lets the unit tests drive the client's side of the
// conversation (errors, challenges, session lifetimes); Kafka's side is tested in integration/.

import { SaslAuthenticate, type SaslAuthenticateResponse } from '../../../src/protocol/generated/sasl-authenticate.js'
import { SaslHandshake } from '../../../src/protocol/generated/sasl-handshake.js'
import { Reader } from '../../../src/protocol/primitives/reader.js'
import type { FakeServer, ReceivedRequest } from '../fake-server.js'

export interface SaslLog {
  /** Mechanism names of every SaslHandshake, in order. */
  handshakes: string[]
  /** authBytes of every SaslAuthenticate, in order. */
  rounds: Buffer[]
}

export interface FakeSasl extends SaslLog {
  /** While true, SASL requests are held until release() (to order them behind other responses). */
  hold: boolean
  release(): void
  held: number
}

export function serveSasl(
  server: FakeServer,
  options: {
    enabled?: string[]
    handshakeError?: number
    /** The answer to one SaslAuthenticate round; `round` counts from 0 within one conversation. */
    authenticate: (authBytes: Buffer, round: number) => Partial<SaslAuthenticateResponse>
  },
): FakeSasl {
  const enabled = options.enabled ?? ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER']
  const pending: (() => void)[] = []
  let round = 0
  const state: FakeSasl = {
    handshakes: [],
    rounds: [],
    hold: false,
    held: 0,
    release() {
      state.hold = false
      for (const answer of pending.splice(0)) answer()
      state.held = 0
    },
  }
  const answerLater = (answer: () => void): void => {
    if (state.hold) {
      pending.push(answer)
      state.held++
    } else answer()
  }
  server.advertise(SaslHandshake)
  server.advertise(SaslAuthenticate)
  server.handlers.set(SaslHandshake.apiKey, (req: ReceivedRequest) => {
    const { mechanism } = SaslHandshake.readRequest(new Reader(req.body), req.apiVersion)
    state.handshakes.push(mechanism)
    round = 0
    const errorCode = options.handshakeError ?? (enabled.includes(mechanism) ? 0 : 33)
    answerLater(() => server.reply(req, SaslHandshake, { errorCode, mechanisms: enabled }))
  })
  server.handlers.set(SaslAuthenticate.apiKey, (req: ReceivedRequest) => {
    const { authBytes } = SaslAuthenticate.readRequest(new Reader(req.body), req.apiVersion)
    state.rounds.push(Buffer.from(authBytes))
    const answer = SaslAuthenticate.createResponse({ errorMessage: null, ...options.authenticate(authBytes, round++) })
    answerLater(() => server.reply(req, SaslAuthenticate, answer))
  })
  return state
}
