import { Writer } from '../../src/protocol/primitives/writer.js'
import {
  apiVersionsV0Request,
  metadataV4Request,
  parseApiVersionsV0,
  parseMetadataV4Brokers,
} from '../../src/testing/probe.js'

test('ApiVersions v0 request: size, key 18, version 0, correlation id, client id, empty body', () => {
  const frame = apiVersionsV0Request(7)
  const clientId = 'kafkit-testing'
  expect(frame.readInt32BE(0)).toBe(frame.length - 4)
  expect(frame.readInt16BE(4)).toBe(18)
  expect(frame.readInt16BE(6)).toBe(0)
  expect(frame.readInt32BE(8)).toBe(7)
  expect(frame.readInt16BE(12)).toBe(clientId.length)
  expect(frame.subarray(14).toString()).toBe(clientId)
})

test('Metadata v4 request asks for no topics without auto-creation', () => {
  const frame = metadataV4Request(9)
  expect(frame.readInt16BE(4)).toBe(3)
  expect(frame.readInt16BE(6)).toBe(4)
  expect([...frame.subarray(frame.length - 5)]).toEqual([0, 0, 0, 0, 0])
})

test('parseApiVersionsV0 reads the ranges and checks the correlation id', () => {
  const w = new Writer(4 + 2 + 4 + 12)
  w.int32(5)
  w.int16(0)
  w.int32(2)
  for (const [key, min, max] of [
    [18, 0, 4],
    [3, 0, 13],
  ] as const) {
    w.int16(key)
    w.int16(min)
    w.int16(max)
  }
  const frame = w.assertEnd()
  expect(parseApiVersionsV0(frame, 5)).toEqual([
    { apiKey: 18, minVersion: 0, maxVersion: 4 },
    { apiKey: 3, minVersion: 0, maxVersion: 13 },
  ])
  expect(() => parseApiVersionsV0(frame, 6)).toThrow(/correlation id 5, expected 6/)
})

test('parseMetadataV4Brokers reads the broker list', () => {
  const host = '127.0.0.1'
  const w = new Writer(4 + 4 + 4 + 2 * (4 + 2 + host.length + 4 + 2))
  w.int32(1)
  w.int32(0)
  w.int32(2)
  for (const [id, port] of [
    [1, 9092],
    [2, 9093],
  ] as const) {
    w.int32(id)
    w.string(host)
    w.int32(port)
    w.string(null)
  }
  expect(parseMetadataV4Brokers(w.assertEnd(), 1)).toEqual([
    { nodeId: 1, host, port: 9092 },
    { nodeId: 2, host, port: 9093 },
  ])
})
