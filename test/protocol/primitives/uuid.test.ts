import { KafkaJSInvalidArgumentError } from '../../../src/errors.js'
import { Reader } from '../../../src/protocol/primitives/reader.js'
import { uuidFromBytes, uuidToBytes, ZERO_UUID } from '../../../src/protocol/primitives/uuid.js'
import { Writer } from '../../../src/protocol/primitives/writer.js'

describe('uuid', () => {
  // Java: new Uuid(0x0102030405060708L, 0x090a0b0c0d0e0f10L).toString()
  const bytes = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex')
  const text = 'AQIDBAUGBwgJCgsMDQ4PEA'

  it("uses Kafka's text form: 22 characters of URL-safe base64 without padding", () => {
    expect(uuidFromBytes(bytes, 0)).toBe(text)
    expect(uuidFromBytes(Buffer.alloc(16), 0)).toBe(ZERO_UUID)
    expect(uuidFromBytes(Buffer.alloc(16, 0xff), 0)).toBe('_____________________w')
  })

  it('round-trips through the writer and the reader', () => {
    const w = new Writer(16)
    w.uuid(text)
    expect(w.assertEnd()).toStrictEqual(bytes)
    expect(new Reader(bytes).uuid()).toBe(text)
  })

  it('rejects text that is not 16 bytes of base64url', () => {
    const target = Buffer.alloc(16)
    expect(() => uuidToBytes('short', target, 0)).toThrow(KafkaJSInvalidArgumentError)
    expect(() => uuidToBytes('AQIDBAUGBwgJCgsMDQ4PEA==', target, 0)).toThrow(KafkaJSInvalidArgumentError)
    expect(() => uuidToBytes('!!!!!!!!!!!!!!!!!!!!!!', target, 0)).toThrow(KafkaJSInvalidArgumentError)
  })
})
