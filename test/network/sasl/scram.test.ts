import { ScramClient, ScramProtocolError } from '../../../src/network/sasl/scram.js'
import { scramServerFinal, scramServerFirst } from './scram-server.js'

// RFC 7677 section 3: user "user", password "pencil"
const RFC7677 = {
  clientNonce: 'rOprNGfwEbeRWgbNEkqO',
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
}

const credentials = { username: 'user', password: 'pencil', authorizationIdentity: '' }

test('SCRAM-SHA-256 reproduces the RFC 7677 exchange byte for byte and accepts its server signature', async () => {
  const client = new ScramClient('SCRAM-SHA-256', credentials, RFC7677.clientNonce)
  expect(client.clientFirstMessage().toString()).toBe(RFC7677.clientFirst)
  const final = await client.clientFinalMessage(Buffer.from(RFC7677.serverFirst))
  expect(final.toString()).toBe(RFC7677.clientFinal)
  expect(() => client.verifyServerFinal(Buffer.from(RFC7677.serverFinal))).not.toThrow()
})

test('a wrong server signature fails the login', async () => {
  const client = new ScramClient('SCRAM-SHA-256', credentials, RFC7677.clientNonce)
  await client.clientFinalMessage(Buffer.from(RFC7677.serverFirst))
  const forged = Buffer.from(RFC7677.serverFinal.replace('6rri', '6rrj'))
  expect(() => client.verifyServerFinal(forged)).toThrow('Invalid server signature in server final message')
  expect(() => client.verifyServerFinal(Buffer.from('v=AAAA'))).toThrow(
    'Invalid server signature in server final message',
  )
  expect(() => client.verifyServerFinal(Buffer.from('e=invalid-proof'))).toThrow('invalid-proof')
  expect(() => client.verifyServerFinal(Buffer.from('x=1'))).toThrow(/has no signature/)
})

test('the server signature is checked only after the proof was computed', () => {
  const client = new ScramClient('SCRAM-SHA-512', credentials)
  expect(() => client.verifyServerFinal(Buffer.from(RFC7677.serverFinal))).toThrow(ScramProtocolError)
})

test.each([
  [
    'a nonce that does not extend ours',
    'r=other-nonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    'Invalid server nonce, it does not start with the client nonce',
  ],
  [
    'our nonce unchanged',
    'r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    'Invalid server nonce, it does not start with the client nonce',
  ],
  [
    'too few iterations',
    'r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1024',
    'Requested iterations 1024 is less than the minimum 4096',
  ],
  ['too many iterations', 'r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=999999999', /999999999/],
  ['no salt', 'r=rOprNGfwEbeRWgbNEkqOx,i=4096', /lacks the nonce, salt or iteration count/],
  ['an empty salt', 'r=rOprNGfwEbeRWgbNEkqOx,s=,i=4096', /salt is empty/],
  ['a mandatory extension', 'm=ext,r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096', /extension/],
  ['garbage', 'not scram', /not a list of SCRAM attributes/],
])('a server-first message with %s is refused', async (_what, serverFirst, message) => {
  const client = new ScramClient('SCRAM-SHA-256', credentials, RFC7677.clientNonce)
  await expect(client.clientFinalMessage(Buffer.from(serverFirst))).rejects.toThrow(message)
})

test('names with "," and "=" are escaped, and the authorization identity goes into the GS2 header', async () => {
  const client = new ScramClient(
    'SCRAM-SHA-512',
    { username: 'a,b=c', password: 'pw', authorizationIdentity: 'admin' },
    'nonce',
  )
  expect(client.clientFirstMessage().toString()).toBe('n,a=admin,n=a=2Cb=3Dc,r=nonce')
  const final = await client.clientFinalMessage(Buffer.from('r=nonce-server,s=c2FsdA==,i=4096'))
  // c= carries the GS2 header, base64
  expect(final.toString()).toMatch(/^c=bixhPWFkbWluLA==,r=nonce-server,p=/)
})

test.each(['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)(
  '%s agrees with an independent server implementation both ways',
  async (mechanism) => {
    const client = new ScramClient(mechanism, credentials)
    const first = client.clientFirstMessage().toString()
    const server = scramServerFirst(mechanism, first, { password: 'pencil', iterations: 4096 })
    const final = await client.clientFinalMessage(Buffer.from(server.message))
    const verdict = scramServerFinal(server, final.toString())
    expect(verdict.proofValid).toBe(true)
    expect(() => client.verifyServerFinal(Buffer.from(verdict.message))).not.toThrow()
  },
)

test('each conversation draws a fresh nonce', () => {
  const nonces = new Set(
    Array.from(
      { length: 20 },
      () => /r=([^,]+)/.exec(new ScramClient('SCRAM-SHA-256', credentials).clientFirstMessage().toString())![1],
    ),
  )
  expect(nonces.size).toBe(20)
  for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/)
})
