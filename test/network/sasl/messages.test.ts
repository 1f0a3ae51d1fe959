import { oauthBearerMessage } from '../../../src/network/sasl/oauthbearer.js'
import { plainMessage } from '../../../src/network/sasl/plain.js'

test('PLAIN is authzid NUL username NUL password (RFC 4616)', () => {
  expect(plainMessage({ authorizationIdentity: '', username: 'alice', password: 'pw' })).toEqual(
    Buffer.from('\0alice\0pw'),
  )
  expect(plainMessage({ authorizationIdentity: 'admin', username: 'alice', password: 'pässword' })).toEqual(
    Buffer.from('admin\0alice\0pässword', 'utf8'),
  )
})

describe('OAUTHBEARER client message (RFC 7628, KIP-342 extensions)', () => {
  test('token only', () => {
    expect(oauthBearerMessage({ value: 'eyJ.eyJ.' }, '').toString()).toBe('n,,\x01auth=Bearer eyJ.eyJ.\x01\x01')
  })

  test('with an authorization identity and extensions, in the order given', () => {
    const message = oauthBearerMessage(
      { value: 'abc-_~+/==', extensions: { logicalCluster: 'lkc-1', traceId: 'x y' } },
      'bob',
    )
    expect(message.toString()).toBe('n,a=bob,\x01auth=Bearer abc-_~+/==\x01logicalCluster=lkc-1\x01traceId=x y\x01\x01')
  })

  test.each([
    [{ value: '' }, /non-empty token/],
    [{ value: 'has space' }, /an invalid token/],
    [{ value: 'a\x01b' }, /an invalid token/],
    [{}, /got undefined/],
    [{ value: 't', extensions: { auth: 'x' } }, /"auth" must be letters only and not "auth"/],
    [{ value: 't', extensions: { 'bad-key': 'x' } }, /"bad-key"/],
    [{ value: 't', extensions: { k: '\x01' } }, /extension k must be a non-empty string of printable ASCII/],
    [{ value: 't', extensions: { k: '' } }, /extension k must be/],
    [{ value: 't', extensions: [] }, /extensions must be an object/],
  ])('refuses %j without showing the token', (token, message) => {
    expect(() => oauthBearerMessage(token as { value: string }, '')).toThrow(message)
  })
})
