// Request and response framing: a 4-byte size prefix, the request/response header, then the body.
// A request is encoded into exactly one buffer, sized first, that goes to the socket as is; or,
// with encodeRequestChunks, into chunks that leave large byte arrays (record batches) uncopied.

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
  const total = frameSize(api, version, clientId, request)
  const w = new Writer(total)
  writeRequestFrame(w, total, api, version, correlationId, clientId, request)
  return w.assertEnd(total)
}

/**
 * Byte arrays from this size on go to the socket as chunks of their own; smaller ones cost less to
 * copy than a chunk costs the vectored write.
 */
export const GATHER_AT_LEAST = 8192
/** Requests up to this size are written into one scratch buffer that stays allocated for the next. */
const SCRATCH_LIMIT = 8 * 1024 * 1024
let scratch = Buffer.allocUnsafeSlow(64 * 1024)

/**
 * The request as chunks for one vectored socket write (as encodeRequestFrame, byte for byte): byte
 * arrays of GATHER_AT_LEAST bytes or more (a Produce request's record batches) are chunks as they
 * are, never copied; the bytes around them are copied into one small Buffer.
 */
export function encodeRequestChunks<Req, Res>(
  api: ApiDefinition<Req, Res>,
  version: number,
  correlationId: number,
  clientId: string | null,
  request: Req,
): Buffer[] {
  const total = frameSize(api, version, clientId, request)
  // the scratch buffer holds what is not gathered, at most `total` bytes; only the bytes written
  // (not the gathered ones) are ever backed by memory, however large the request
  if (total > scratch.length && total <= SCRATCH_LIMIT) {
    // doubling, so that requests growing a little at a time do not replace it each time
    scratch = Buffer.allocUnsafeSlow(Math.min(SCRATCH_LIMIT, Math.max(total, 2 * scratch.length)))
  }
  const w = Writer.gathering(total <= scratch.length ? scratch : Buffer.allocUnsafe(total), GATHER_AT_LEAST)
  writeRequestFrame(w, total, api, version, correlationId, clientId, request)
  return w.chunks(total)
}

function frameSize<Req, Res>(
  api: ApiDefinition<Req, Res>,
  version: number,
  clientId: string | null,
  request: Req,
): number {
  return 4 + headerSize(api.requestHeaderVersion(version), clientId) + api.sizeRequest(request, version)
}

// header v0: api key, api version, correlation id; v1 adds the client id (always a classic
// nullable string); v2 adds an (empty) tagged field section
function headerSize(headerVersion: number, clientId: string | null): number {
  let size = 8
  if (headerVersion >= 1) size += sizeOfString(clientId)
  if (headerVersion >= 2) size += 1
  return size
}

function writeRequestFrame<Req, Res>(
  w: Writer,
  total: number,
  api: ApiDefinition<Req, Res>,
  version: number,
  correlationId: number,
  clientId: string | null,
  request: Req,
): void {
  const headerVersion = api.requestHeaderVersion(version)
  w.int32(total - 4)
  w.int16(api.apiKey)
  w.int16(version)
  w.int32(correlationId)
  if (headerVersion >= 1) w.string(clientId)
  if (headerVersion >= 2) w.unsignedVarint(0)
  api.writeRequest(w, request, version)
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
