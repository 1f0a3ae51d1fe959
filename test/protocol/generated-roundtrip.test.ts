// Every API, every version, request and response: size equals the bytes written, and reading what
// was written gives back the value, with every field the version carries set to a non-default value.

import type { AnyApiDefinition } from '../../src/protocol/api.js'
import { allApis } from '../../src/protocol/generated/index.js'
import { Reader } from '../../src/protocol/primitives/reader.js'
import { Writer } from '../../src/protocol/primitives/writer.js'
import { loadSchema, Random, ValueFactory } from './schema-values.js'

function roundTrip(
  value: unknown,
  v: number,
  size: (s: unknown, v: number) => number,
  write: (w: Writer, s: unknown, v: number) => void,
  read: (r: Reader, v: number) => unknown,
): void {
  const n = size(value, v)
  const w = new Writer(n)
  write(w, value, v)
  const bytes = w.assertEnd(n)
  const r = new Reader(bytes)
  const back = read(r, v)
  expect(r.remaining()).toBe(0)
  expect(back).toStrictEqual(value)
}

const cases: [string, AnyApiDefinition, number][] = []
for (const api of allApis) {
  for (let v = api.minVersion; v <= api.latestVersion; v++) cases.push([api.name, api, v])
}

describe.each(cases)('%s v%i', (name, api, v) => {
  const requestValues = new ValueFactory(
    loadSchema(`${name}Request`),
    `${name}Request`,
    new Random(api.apiKey * 100 + v),
  )
  const responseValues = new ValueFactory(
    loadSchema(`${name}Response`),
    `${name}Response`,
    new Random(api.apiKey * 100 + v + 50),
  )

  it('round-trips a request', () => {
    for (let i = 0; i < 3; i++) {
      roundTrip(
        requestValues.root(v),
        v,
        (s, v) => api.sizeRequest(s, v),
        (w, s, v) => api.writeRequest(w, s, v),
        (r, v) => api.readRequest(r, v),
      )
    }
  })

  it('round-trips a response', () => {
    for (let i = 0; i < 3; i++) {
      roundTrip(
        responseValues.root(v),
        v,
        (s, v) => api.sizeResponse(s, v),
        (w, s, v) => api.writeResponse(w, s, v),
        (r, v) => api.readResponse(r, v),
      )
    }
  })

  it('round-trips the defaults', () => {
    roundTrip(
      api.createRequest(),
      v,
      (s, v) => api.sizeRequest(s, v),
      (w, s, v) => api.writeRequest(w, s, v),
      (r, v) => api.readRequest(r, v),
    )
    roundTrip(
      api.createResponse(),
      v,
      (s, v) => api.sizeResponse(s, v),
      (w, s, v) => api.writeResponse(w, s, v),
      (r, v) => api.readResponse(r, v),
    )
  })
})
