// Readiness probes: one request on a fresh TCP connection, written by hand so the harness depends on
// nothing but the wire primitives. ApiVersions v0 answers as soon as the socket server runs (every
// broker since 0.10 keeps v0); Metadata v4 (the oldest version Kafka 4 still serves) lists the brokers
// the cluster has registered and unfenced, which is what topic creation needs.

import { Socket } from 'node:net'
import { Reader } from '../protocol/primitives/reader.js'
import { sizeOfString, Writer } from '../protocol/primitives/writer.js'

const CLIENT_ID = 'kafkit-testing'
const API_VERSIONS = 18
const METADATA = 3

export interface ApiVersionRange {
  apiKey: number
  minVersion: number
  maxVersion: number
}

export interface RegisteredBroker {
  nodeId: number
  host: string
  port: number
}

/** A request frame with header v1 (api key, version, correlation id, client id) and a body. */
function requestFrame(apiKey: number, version: number, correlationId: number, body: Buffer): Buffer {
  const size = 2 + 2 + 4 + sizeOfString(CLIENT_ID) + body.length
  const w = new Writer(4 + size)
  w.int32(size)
  w.int16(apiKey)
  w.int16(version)
  w.int32(correlationId)
  w.string(CLIENT_ID)
  w.raw(body)
  return w.assertEnd()
}

export function apiVersionsV0Request(correlationId: number): Buffer {
  return requestFrame(API_VERSIONS, 0, correlationId, Buffer.alloc(0))
}

/** Metadata v4 for no topics (an empty, non-null list) without auto-creation. */
export function metadataV4Request(correlationId: number): Buffer {
  const body = new Writer(5)
  body.int32(0)
  body.bool(false)
  return requestFrame(METADATA, 4, correlationId, body.assertEnd())
}

/** Decodes an ApiVersions v0 response frame (after the size prefix); throws on a non-zero error code. */
export function parseApiVersionsV0(frame: Buffer, correlationId: number): ApiVersionRange[] {
  const r = responseReader(frame, correlationId)
  const errorCode = r.int16()
  if (errorCode !== 0) throw new Error(`ApiVersions answered error code ${errorCode}`)
  const count = r.arrayLength(6)
  const ranges: ApiVersionRange[] = []
  for (let i = 0; i < count; i++) ranges.push({ apiKey: r.int16(), minVersion: r.int16(), maxVersion: r.int16() })
  return ranges
}

/** The brokers of a Metadata v4 response frame; the rest of the response is not needed. */
export function parseMetadataV4Brokers(frame: Buffer, correlationId: number): RegisteredBroker[] {
  const r = responseReader(frame, correlationId)
  r.int32() // throttle time
  const count = r.arrayLength(14)
  const brokers: RegisteredBroker[] = []
  for (let i = 0; i < count; i++) {
    const nodeId = r.int32()
    const host = r.string() ?? ''
    const port = r.int32()
    r.string() // rack
    brokers.push({ nodeId, host, port })
  }
  return brokers
}

function responseReader(frame: Buffer, correlationId: number): Reader {
  const r = new Reader(frame)
  const got = r.int32()
  if (got !== correlationId) throw new Error(`response correlation id ${got}, expected ${correlationId}`)
  return r
}

/** Sends one request frame and resolves the response frame (without its size prefix). */
export function exchange(host: string, port: number, request: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = new Socket()
    const chunks: Buffer[] = []
    let received = 0
    const finish = (err: Error | undefined, frame?: Buffer): void => {
      socket.destroy()
      if (err) reject(err)
      else resolve(frame!)
    }
    socket.setTimeout(timeoutMs, () => finish(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)))
    socket.on('error', (err) => finish(err))
    socket.on('close', () => finish(new Error(`${host}:${port} closed the connection`)))
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      received += chunk.length
      if (received < 4) return
      const all = Buffer.concat(chunks, received)
      const size = all.readInt32BE(0)
      if (received >= 4 + size) finish(undefined, all.subarray(4, 4 + size))
    })
    socket.connect(port, host, () => socket.write(request))
  })
}

let nextCorrelationId = 1

/** The API version ranges a broker serves; rejects when it does not answer. */
export async function probeApiVersions(host: string, port: number, timeoutMs = 2000): Promise<ApiVersionRange[]> {
  const correlationId = nextCorrelationId++
  return parseApiVersionsV0(await exchange(host, port, apiVersionsV0Request(correlationId), timeoutMs), correlationId)
}

/** The brokers this node knows as registered and unfenced. */
export async function probeBrokers(host: string, port: number, timeoutMs = 2000): Promise<RegisteredBroker[]> {
  const correlationId = nextCorrelationId++
  return parseMetadataV4Brokers(await exchange(host, port, metadataV4Request(correlationId), timeoutMs), correlationId)
}
