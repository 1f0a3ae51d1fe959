// Request and response framing: a 4-byte size prefix, the request/response header, then the body.
// A request is encoded into exactly one buffer, sized first, that goes to the socket as is.

import { KafkaJSDecodeError } from '../errors.js'
import type { ApiDefinition } from './api.js'
import { Reader } from './primitives/reader.js'
import { sizeOfString, Writer } from './primitives/writer.js'

export function encodeRequestFrame<Req, Res>(
  api: ApiDefinition<Req, Res>,
  version: number,
  correlationId: number,
  clientId: string | null,
  request: Req,
): Buffer {
  const headerVersion = api.requestHeaderVersion(version)
  // header v0: api key, api version, correlation id; v1 adds the client id (always a classic
  // nullable string); v2 adds an (empty) tagged field section
  let headerSize = 8
  if (headerVersion >= 1) headerSize += sizeOfString(clientId)
  if (headerVersion >= 2) headerSize += 1
  const bodySize = api.sizeRequest(request, version)
  const total = 4 + headerSize + bodySize
  const w = new Writer(total)
  w.int32(total - 4)
  w.int16(api.apiKey)
  w.int16(version)
  w.int32(correlationId)
  if (headerVersion >= 1) w.string(clientId)
  if (headerVersion >= 2) w.unsignedVarint(0)
  api.writeRequest(w, request, version)
  return w.assertEnd(total)
}

/** The correlation id of a response frame (without its 4-byte size prefix). */
export function readCorrelationId(frame: Buffer): number {
  if (frame.length < 4) throw new KafkaJSDecodeError(`response frame of ${frame.length} bytes has no correlation id`)
  return frame.readInt32BE(0)
}

/** Decodes a response frame (without its size prefix) whose correlation id the caller already matched. */
export function decodeResponseFrame<Req, Res>(api: ApiDefinition<Req, Res>, version: number, frame: Buffer): Res {
  const r = new Reader(frame)
  r.int32()
  if (api.responseHeaderVersion(version) >= 1) skipTaggedFields(r)
  const response = api.readResponse(r, version)
  if (r.remaining() !== 0) {
    throw new KafkaJSDecodeError(`${api.name} v${version} response has ${r.remaining()} unread trailing bytes`)
  }
  return response
}

export function skipTaggedFields(r: Reader): void {
  const n = r.unsignedVarint()
  for (let i = 0; i < n; i++) {
    r.unsignedVarint()
    r.skip(r.unsignedVarint())
  }
}
