// Re-authentication (KIP-368) on the connection: when, in which order against requests in flight,
// and what a failed one does. The broker's side is tested against real Kafka in integration/.

import { KafkaJSSASLAuthenticationError } from '../../../src/errors.js'
import { Connection } from '../../../src/network/connection.js'
import type { ConnectionOptions } from '../../../src/network/connection-options.js'
import type { SASLOptions } from '../../../src/network/sasl/sasl-options.js'
import { SaslAuthenticate } from '../../../src/protocol/generated/sasl-authenticate.js'
import { SaslHandshake } from '../../../src/protocol/generated/sasl-handshake.js'
import { waitFor } from '../../helpers/wait.js'
import { Echo, echoed, type FakeServer, fakeServerPerTest, type ReceivedRequest } from '../fake-server.js'
import { serveSasl } from './fake-sasl.js'

let server: FakeServer
const track = fakeServerPerTest((started) => {
  server = started
})

const plain: SASLOptions = { mechanism: 'plain', username: 'alice', password: 'alice-secret' }

async function connected(options: Partial<ConnectionOptions> = {}): Promise<Connection> {
  const c = new Connection({ host: '127.0.0.1', port: server.port, sasl: plain, ...options })
  track(c)
  await c.connect()
  return c
}

/**
 * Waits until the session is past its renewal point: 95% of `lifetime` at the latest, and never
 * sooner than the 1.1 s after the previous authentication that brokers require.
 */
function sessionRenewalDue(lifetime: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(lifetime, 1100) + 10))
}

/** The API keys the server received after the first `skip` requests, by name. */
function trafficAfter(skip: number): string[] {
  return server.requests.slice(skip).map((r) => (r.apiKey === Echo.apiKey ? `Echo(${echoed(r)})` : `key ${r.apiKey}`))
}

test('a session with a lifetime is renewed before the next request, which then goes out', async () => {
  const sasl = serveSasl(server, { authenticate: () => ({ sessionLifetimeMs: 100n }) })
  const c = await connected()
  expect(sasl.handshakes).toHaveLength(1)
  await sessionRenewalDue(100)
  const before = server.requests.length
  await expect(c.send(Echo, { value: 7 })).resolves.toEqual({ value: 7 })
  expect(trafficAfter(before)).toEqual([`key ${SaslHandshake.apiKey}`, `key ${SaslAuthenticate.apiKey}`, 'Echo(7)'])
  expect(sasl.handshakes).toEqual(['PLAIN', 'PLAIN'])
  expect(c.state).toBe('ready')
})

test('a session shorter than a second is renewed no sooner than brokers accept (a second after the last login)', async () => {
  const sasl = serveSasl(server, { authenticate: () => ({ sessionLifetimeMs: 200n }) })
  const c = await connected()
  await new Promise((resolve) => setTimeout(resolve, 400))
  await c.send(Echo, { value: 1 })
  expect(sasl.handshakes).toHaveLength(1)
  await sessionRenewalDue(200)
  await c.send(Echo, { value: 2 })
  expect(sasl.handshakes).toHaveLength(2)
})

test('no renewal when the broker grants a session without expiry', async () => {
  const sasl = serveSasl(server, { authenticate: () => ({ sessionLifetimeMs: 0n }) })
  const c = await connected()
  await sessionRenewalDue(100)
  await c.send(Echo, { value: 1 })
  expect(sasl.handshakes).toHaveLength(1)
})

test('requests in flight keep going; new ones wait until the re-authentication is done', async () => {
  const sasl = serveSasl(server, { authenticate: () => ({ sessionLifetimeMs: 150n }) })
  const held: ReceivedRequest[] = []
  server.handlers.set(Echo.apiKey, (req) => held.push(req))
  const c = await connected()
  // one request goes out and stays in flight across the renewal point
  const inFlight = c.send(Echo, { value: 1 })
  await waitFor(() => held.length === 1, 'the first Echo at the server', 10000, 5)
  await sessionRenewalDue(150)
  // the broker answers in order, so the SASL answers must wait behind the Echo in flight
  sasl.hold = true
  const before = server.requests.length
  const queued = c.send(Echo, { value: 2 })
  await waitFor(() => sasl.held === 1, 'the held SASL request', 10000, 5)
  expect(trafficAfter(before)).toEqual([`key ${SaslHandshake.apiKey}`])
  server.reply(held[0]!, Echo, { value: 1 })
  await expect(inFlight).resolves.toEqual({ value: 1 })
  // the request sent after the renewal point is not written while the conversation runs
  sasl.release()
  await waitFor(() => held.length === 2, 'the second Echo at the server', 10000, 5)
  expect(trafficAfter(before)).toEqual([`key ${SaslHandshake.apiKey}`, `key ${SaslAuthenticate.apiKey}`, 'Echo(2)'])
  server.reply(held[1]!, Echo, { value: 2 })
  await expect(queued).resolves.toEqual({ value: 2 })
  expect(c.state).toBe('ready')
})

test('the credentials provider is asked again at each re-authentication', async () => {
  let calls = 0
  const passwords: string[] = []
  serveSasl(server, {
    authenticate: (bytes) => {
      passwords.push(bytes.toString().split('\0')[2]!)
      return { sessionLifetimeMs: 100n }
    },
  })
  const c = await connected({ sasl: async () => ({ ...plain, password: `rotated-${++calls}` }) as SASLOptions })
  await sessionRenewalDue(100)
  await c.send(Echo, { value: 1 })
  await sessionRenewalDue(100)
  await c.send(Echo, { value: 2 })
  expect(passwords).toEqual(['rotated-1', 'rotated-2', 'rotated-3'])
})

test('a refused re-authentication closes the connection with the authentication error', async () => {
  let logins = 0
  serveSasl(server, {
    authenticate: () =>
      ++logins === 1 ? { sessionLifetimeMs: 100n } : { errorCode: 58, errorMessage: 'password changed' },
  })
  const c = await connected()
  await sessionRenewalDue(100)
  const error = await c.send(Echo, { value: 1 }).catch((e: unknown) => e)
  // the Echo was never written: it fails as queued work of a closed connection, caused by the refusal
  expect(c.state).toBe('closed')
  expect((error as Error & { cause: unknown }).cause).toBeInstanceOf(KafkaJSSASLAuthenticationError)
  expect((error as Error).message).toMatch(/SASL PLAIN authentication failed: password changed$/)
  expect(server.received(Echo)).toHaveLength(0)
})
