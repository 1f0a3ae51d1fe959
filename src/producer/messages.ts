// KafkaJS's message and send-request shapes, and their conversion into what the record encoder
// takes: keys and values as Buffers or strings (which the encoder writes as UTF-8 straight into the
// batch), header values as Buffers, one header entry per array element, and a timestamp in
// milliseconds fixed at send() time (as the Java client does).

import type { IHeaders } from '../common/kafkajs-shapes.js'
import { KafkaJSInvalidArgumentError } from '../errors.js'
import type { CompressionType } from '../protocol/codecs/compression-types.js'
import type { RecordHeader, RecordInput } from '../protocol/records/types.js'

export type { IHeaders }

export interface Message {
  key?: Buffer | string | null
  /** null writes a tombstone. */
  value: Buffer | string | null
  /** The partition to write to; without it the producer's partitioner chooses. */
  partition?: number
  headers?: IHeaders
  /** Milliseconds since the epoch, as a string (KafkaJS) or a number; default: the time of send(). */
  timestamp?: string | number
}

export interface ProducerRecord {
  topic: string
  messages: Message[]
  /** -1 (all in-sync replicas, the default), 1 (the leader) or 0 (no response). */
  acks?: number
  /** How long the broker may wait for the acks, in ms; default 30000. */
  timeout?: number
  compression?: CompressionType
}

export interface TopicMessages {
  topic: string
  messages: Message[]
}

/** sendBatch()'s argument (KafkaJS calls this type ProducerBatch). */
export interface ProducerBatch {
  acks?: number
  timeout?: number
  compression?: CompressionType
  topicMessages?: TopicMessages[]
}

/** What send() and sendBatch() resolve with: one entry per topic-partition written, as KafkaJS. */
export interface RecordMetadata {
  topicName: string
  partition: number
  errorCode: number
  /** Offset of the first record this call wrote to the partition ("-1" with acks 0). */
  baseOffset?: string
  /** The broker's append time when the topic uses LogAppendTime, else "-1". */
  logAppendTime?: string
  logStartOffset?: string
  offset?: string
  timestamp?: string
}

/** A message ready for the accumulator. */
export interface OutgoingRecord extends RecordInput {
  key: Buffer | string | null
  value: Buffer | string | null
  headers: readonly RecordHeader[]
  timestamp: number
}

const NO_HEADERS: readonly RecordHeader[] = Object.freeze([])

/**
 * `where` names the message in errors, e.g. `messages[3] of topic "orders"`. It is a function, called
 * only to build an error: this runs once per message, and building the names eagerly was a visible
 * part of the producer's CPU and garbage.
 */
export function toOutgoingRecord(message: Message, where: () => string, now: number): OutgoingRecord {
  if (message === null || typeof message !== 'object') {
    throw new KafkaJSInvalidArgumentError(`${where()} must be an object with a value, got ${String(message)}`)
  }
  if (message.value === undefined) {
    throw new KafkaJSInvalidArgumentError(`${where()} has no value; use null for a tombstone`)
  }
  return {
    key: toRecordBytes(message.key ?? null, where, '.key'),
    value: toRecordBytes(message.value, where, '.value'),
    headers: message.headers === undefined ? NO_HEADERS : toHeaders(message.headers, where),
    timestamp: message.timestamp === undefined ? now : toTimestamp(message.timestamp, where),
  }
}

/** A key or value as the encoder takes it: a string stays a string, encoded once into the batch. */
function toRecordBytes(value: unknown, where: () => string, field: string): Buffer | string | null {
  return typeof value === 'string' ? value : toBytes(value, where, field)
}

/** `field` follows where() in the error's name of the value, e.g. `.key`. */
function toBytes(value: unknown, where: () => string, field: string): Buffer | null {
  if (value === null) return null
  if (typeof value === 'string') return Buffer.from(value, 'utf8')
  if (Buffer.isBuffer(value)) return value
  // typed arrays share Buffer's memory layout; anything else is a caller's mistake
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  throw new KafkaJSInvalidArgumentError(`${where()}${field} must be a string, a Buffer or null, got ${typeof value}`)
}

function toHeaders(headers: IHeaders, where: () => string): RecordHeader[] {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    throw new KafkaJSInvalidArgumentError(`${where()}.headers must be an object of header values`)
  }
  const out: RecordHeader[] = []
  for (const key of Object.keys(headers)) {
    const value = headers[key]
    if (value === undefined) continue
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        out.push({ key, value: headerValue(value[i], where, `.headers.${key}[${i}]`) })
      }
    } else {
      out.push({ key, value: headerValue(value, where, `.headers.${key}`) })
    }
  }
  return out
}

function headerValue(value: Buffer | string | null | undefined, where: () => string, field: string): Buffer | null {
  // Kafka allows a null header value; KafkaJS users write it as null
  if (value === null || value === undefined) return null
  return toBytes(value, where, field)
}

function toTimestamp(value: string | number, where: () => string): number {
  const ms = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms)) {
    throw new KafkaJSInvalidArgumentError(
      `${where()}.timestamp must be milliseconds since the epoch, got ${JSON.stringify(value)}`,
    )
  }
  return ms
}
