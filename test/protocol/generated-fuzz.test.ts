// Hostile input: random bytes, truncated and corrupted encodings fed to every decoder at every
// version either decode or throw KafkaJSDecodeError; nothing else escapes, nothing hangs, and array
// counts larger than the input allow are rejected before any allocation.

import { KafkaJSDecodeError } from '../../src/errors.js'
import type { AnyApiDefinition } from '../../src/protocol/api.js'
import { allApis, allEmbeddedStructures, Metadata } from '../../src/protocol/generated/index.js'
import { Reader } from '../../src/protocol/primitives/reader.js'
import { Writer } from '../../src/protocol/primitives/writer.js'
import { loadSchema, Random, ValueFactory } from './schema-values.js'

function decodesOrRejects(decode: () => unknown): void {
  try {
    decode()
  } catch (err) {
    if (!(err instanceof KafkaJSDecodeError)) throw err
  }
}

function inputsFrom(valid: Buffer, random: Random): Buffer[] {
  const inputs: Buffer[] = []
  for (let i = 0; i < 12; i++) inputs.push(random.bytes(random.int(0, 48)))
  // all-ones bytes make every length and count as large as it can be
  inputs.push(Buffer.alloc(32, 0xff))
  const cuts = valid.length <= 64 ? valid.length : 32
  for (let i = 0; i < cuts; i++) inputs.push(valid.subarray(0, random.int(0, valid.length - 1)))
  for (let i = 0; i < 8 && valid.length > 0; i++) {
    const corrupt = Buffer.from(valid.toString('hex'), 'hex')
    corrupt[random.int(0, corrupt.length - 1)] = random.int(0, 255)
    inputs.push(corrupt)
  }
  return inputs
}

const cases: [string, number, AnyApiDefinition][] = allApis.flatMap((api) => {
  const out: [string, number, AnyApiDefinition][] = []
  for (let v = api.minVersion; v <= api.latestVersion; v++) out.push([api.name, v, api])
  return out
})

describe.each(cases)('%s v%i', (name, v, api) => {
  it('decodes or rejects random, truncated and corrupted responses and requests', () => {
    const random = new Random(api.apiKey * 1000 + v)
    const response = new ValueFactory(loadSchema(`${name}Response`), `${name}Response`, random).root(v)
    const responseBytes = Buffer.alloc(api.sizeResponse(response, v))
    api.writeResponse(new Writer(0, responseBytes), response, v)
    for (const input of inputsFrom(responseBytes, random))
      decodesOrRejects(() => api.readResponse(new Reader(input), v))

    const request = new ValueFactory(loadSchema(`${name}Request`), `${name}Request`, random).root(v)
    const requestBytes = Buffer.alloc(api.sizeRequest(request, v))
    api.writeRequest(new Writer(0, requestBytes), request, v)
    for (const input of inputsFrom(requestBytes, random)) decodesOrRejects(() => api.readRequest(new Reader(input), v))
  })
})

describe('embedded structures', () => {
  it.each(allEmbeddedStructures.map((d) => [d.name, d] as const))('%s decodes or rejects hostile input', (_, def) => {
    const random = new Random(def.name.length * 31)
    for (let v = def.minVersion; v <= def.maxVersion; v++) {
      const value = new ValueFactory(loadSchema(def.name), def.name, random).root(v)
      const bytes = Buffer.alloc(def.size(value, v))
      def.write(new Writer(0, bytes), value, v)
      for (const input of inputsFrom(bytes, random)) decodesOrRejects(() => def.read(new Reader(input), v))
    }
  })
})

describe('allocation guard', () => {
  it('rejects a huge array count before allocating', () => {
    // Metadata v12 response: throttle time, then a compact brokers array claiming 2^31 elements
    const hostile = Buffer.from([0, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x08, 0])
    expect(() => Metadata.readResponse(new Reader(hostile), 12)).toThrow(/cannot fit/)
    const classic = Buffer.from([0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 0])
    expect(() => Metadata.readResponse(new Reader(classic), 5)).toThrow(/cannot fit/)
  })

  it('rejects a tagged-field count larger than the input', () => {
    // ApiVersions v3 request: two empty compact strings, then a tag count of 2^28
    const hostile = Buffer.from([1, 1, 0x80, 0x80, 0x80, 0x80, 0x01])
    expect(() => allApis.find((a) => a.name === 'ApiVersions')!.readRequest(new Reader(hostile), 3)).toThrow(
      KafkaJSDecodeError,
    )
  })
})
