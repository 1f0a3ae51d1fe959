// Every API, every version, request and response: size equals the bytes written, and reading what
// was written gives back the value, with every field the version carries set to a non-default value.

import type { AnyApiDefinition } from '../../src/protocol/api.js'
import { allApis } from '../../src/protocol/generated/index.js'
import { Reader } from '../../src/protocol/primitives/reader.js'
import { apiCodec, encodeWith, type SideCodec } from './api-codec.js'
import { loadSchema, Random, ValueFactory } from './schema-values.js'

function roundTrip(codec: SideCodec, value: unknown, v: number): void {
  // encodeWith fails unless exactly the sized number of bytes was written
  const r = new Reader(encodeWith(codec, value, v))
  const back = codec.read(r, v)
  expect(r.remaining()).toBe(0)
  expect(back).toStrictEqual(value)
}

const cases: [string, number, AnyApiDefinition][] = []
for (const api of allApis) {
  for (let v = api.minVersion; v <= api.latestVersion; v++) cases.push([api.name, v, api])
}

describe.each(cases)('%s v%i', (name, v, api) => {
  it.each(['Request', 'Response'] as const)('round-trips a %s with every field set', (side) => {
    const values = new ValueFactory(loadSchema(`${name}${side}`), `${name}${side}`, new Random(api.apiKey * 100 + v))
    const codec = apiCodec(api, side)
    for (let i = 0; i < 3; i++) roundTrip(codec, values.root(v), v)
    roundTrip(codec, codec.create(), v)
  })
})
