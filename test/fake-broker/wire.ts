// The server side of Kafka's framing, for the fakes that stand in for brokers in unit tests (this
// folder's FakeCluster and test/network/fake-server.ts): reading a request frame's header, and
// writing a response frame (size, correlation id, header tagged fields, body).

import type { ApiDefinition } from '../../src/protocol/api.js'
import { skipTaggedFields } from '../../src/protocol/frame.js'
import { apisByKey } from '../../src/protocol/generated/index.js'
import { Reader } from '../../src/protocol/primitives/reader.js'
import { Writer } from '../../src/protocol/primitives/writer.js'

/** A request frame (without its size prefix) split into its header and body. */
export interface RequestFrame {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
  /** The request body, after the header. */
  body: Buffer
}

export function readRequestFrame(frame: Buffer): RequestFrame {
  const r = new Reader(frame)
  const apiKey = r.int16()
  const apiVersion = r.int16()
  const correlationId = r.int32()
  const clientId = r.string()
  // request header v2 (flexible versions) ends with tagged fields
  if ((apisByKey.get(apiKey)?.requestHeaderVersion(apiVersion) ?? 1) >= 2) skipTaggedFields(r)
  return { apiKey, apiVersion, correlationId, clientId, body: frame.subarray(r.offset) }
}

/** The frame of a response: size, correlation id, (header v1: empty tagged fields), body. */
export function responseFrame<Res>(
  correlationId: number,
  api: ApiDefinition<unknown, Res>,
  response: Res,
  version: number,
): Buffer {
  const headerSize = api.responseHeaderVersion(version) >= 1 ? 5 : 4
  const total = 4 + headerSize + api.sizeResponse(response, version)
  const w = new Writer(total)
  w.int32(total - 4)
  w.int32(correlationId)
  if (headerSize === 5) w.unsignedVarint(0)
  api.writeResponse(w, response, version)
  return w.assertEnd(total)
}
