// The contract between the generated protocol modules (src/protocol/generated/) and everything that
// sends requests (src/network). Each generated API module exports one `ApiDefinition`.

import type { Reader } from './primitives/reader.js'
import type { Writer } from './primitives/writer.js'

/** A tagged field the schema of this version does not know, kept so that it survives a round trip. */
export interface UnknownTaggedField {
  tag: number
  data: Buffer
}

/** Which broker a request must be sent to, from the schema and Kafka's routing rules. */
export type ApiRouting =
  | 'any'
  | 'controller'
  | 'group-coordinator'
  | 'transaction-coordinator'
  | 'share-coordinator'
  | 'leader'

export interface ApiDefinition<Req, Res> {
  readonly apiKey: number
  /** Kafka's name for the API, e.g. "Produce", "Metadata". */
  readonly name: string
  readonly minVersion: number
  /** Highest version the client negotiates: the newest version Kafka marks stable. */
  readonly maxVersion: number
  /**
   * Highest version the schema defines; above maxVersion only when Kafka marks the newest version
   * unstable (brokers do not offer it unless configured to). The codecs handle every version up to it.
   */
  readonly latestVersion: number
  /** First flexible version (compact encodings and tagged fields), or -1 when no version is flexible. */
  readonly firstFlexibleVersion: number
  readonly routing: ApiRouting
  requestHeaderVersion(version: number): number
  responseHeaderVersion(version: number): number
  /** A request with every field at its schema default, overlaid with `fields`. */
  createRequest(fields?: Partial<Req>): Req
  createResponse(fields?: Partial<Res>): Res
  /** Exact encoded size of the request body at `version` (no header, no length prefix). */
  sizeRequest(request: Req, version: number): number
  writeRequest(writer: Writer, request: Req, version: number): void
  readRequest(reader: Reader, version: number): Req
  sizeResponse(response: Res, version: number): number
  writeResponse(writer: Writer, response: Res, version: number): void
  readResponse(reader: Reader, version: number): Res
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds definitions of every request/response type
export type AnyApiDefinition = ApiDefinition<any, any>

/**
 * A structure Kafka serializes outside a request or response (consumer protocol subscription and
 * assignment, principal data, control records), prefixed with its int16 version. `size`, `write`
 * and `read` handle the structure without the prefix; the generated encodeX/decodeX add it.
 */
export interface EmbeddedDefinition<T> {
  readonly name: string
  readonly minVersion: number
  readonly maxVersion: number
  create(fields?: Partial<T>): T
  size(value: T, version: number): number
  write(writer: Writer, value: T, version: number): void
  read(reader: Reader, version: number): T
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds definitions of every embedded structure
export type AnyEmbeddedDefinition = EmbeddedDefinition<any>
