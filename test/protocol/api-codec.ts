// One side (request or response) of a generated API as a single codec, for tests that treat both
// sides alike.

import type { AnyApiDefinition } from '../../src/protocol/api.js'
import type { Reader } from '../../src/protocol/primitives/reader.js'
import { Writer } from '../../src/protocol/primitives/writer.js'

export type Side = 'Request' | 'Response'

export interface SideCodec {
  create(): Record<string, unknown>
  size(value: unknown, version: number): number
  write(w: Writer, value: unknown, version: number): void
  read(r: Reader, version: number): Record<string, unknown>
}

export function apiCodec(api: AnyApiDefinition, side: Side): SideCodec {
  return side === 'Request'
    ? {
        create: () => api.createRequest(),
        size: (s, v) => api.sizeRequest(s, v),
        write: (w, s, v) => api.writeRequest(w, s, v),
        read: (r, v) => api.readRequest(r, v),
      }
    : {
        create: () => api.createResponse(),
        size: (s, v) => api.sizeResponse(s, v),
        write: (w, s, v) => api.writeResponse(w, s, v),
        read: (r, v) => api.readResponse(r, v),
      }
}

/** Size, then write into exactly that many bytes. */
export function encodeWith(codec: Pick<SideCodec, 'size' | 'write'>, value: unknown, version: number): Buffer {
  const n = codec.size(value, version)
  const w = new Writer(n)
  codec.write(w, value, version)
  return w.assertEnd(n)
}
