import { KafkaJSInvalidArgumentError } from '../../src/errors.js'
import { toOutgoingRecord } from '../../src/producer/messages.js'

const NOW = 1700000000000
const where = (): string => 'm'

describe('toOutgoingRecord', () => {
  test('keeps strings (the encoder writes them as UTF-8) and Buffers, and stamps the send time', () => {
    const value = Buffer.from([1, 2, 3])
    const r = toOutgoingRecord({ key: 'cl\u00e9', value }, where, NOW)
    expect(r.key).toBe('cl\u00e9')
    expect(r.value).toBe(value)
    expect(r.timestamp).toBe(NOW)
    expect(r.headers).toEqual([])
  })

  test('null value is a tombstone; a missing key is null', () => {
    expect(toOutgoingRecord({ value: null }, where, NOW)).toMatchObject({ key: null, value: null })
  })

  test('header arrays become one header per element, in order; undefined values are skipped', () => {
    const r = toOutgoingRecord(
      { value: 'v', headers: { a: ['1', Buffer.from('2')], b: 'x', c: undefined } },
      where,
      NOW,
    )
    expect(r.headers).toEqual([
      { key: 'a', value: Buffer.from('1') },
      { key: 'a', value: Buffer.from('2') },
      { key: 'b', value: Buffer.from('x') },
    ])
  })

  test("timestamps are KafkaJS's string milliseconds or numbers", () => {
    expect(toOutgoingRecord({ value: 'v', timestamp: '1600000000000' }, where, NOW).timestamp).toBe(1600000000000)
    expect(toOutgoingRecord({ value: 'v', timestamp: 1600000000001 }, where, NOW).timestamp).toBe(1600000000001)
  })

  test.each([
    [{ key: 'k' }, /messages\[0\] has no value; use null for a tombstone/],
    [{ value: 5 }, /messages\[0\].value must be a string, a Buffer or null, got number/],
    [{ value: 'v', key: {} }, /messages\[0\].key must be a string, a Buffer or null, got object/],
    [{ value: 'v', headers: { h: 5 } }, /messages\[0\].headers.h must be a string, a Buffer or null/],
    [{ value: 'v', headers: [] }, /messages\[0\].headers must be an object of header values/],
    [
      { value: 'v', timestamp: 'yesterday' },
      /messages\[0\].timestamp must be milliseconds since the epoch, got "yesterday"/,
    ],
  ])('%j is refused naming the field', (message, error) => {
    expect(() => toOutgoingRecord(message as never, () => 'messages[0]', NOW)).toThrow(KafkaJSInvalidArgumentError)
    expect(() => toOutgoingRecord(message as never, () => 'messages[0]', NOW)).toThrow(error)
  })
})
