// Argument checks for admin calls. Each failure is a KafkaJSInvalidArgumentError (a
// KafkaJSNonRetriableError, as KafkaJS throws) whose message names the operation, the argument
// and the offending item, so a bad call fails before any request with a message that fixes it.

import { KafkaJSInvalidArgumentError, KafkaJSNonRetriableError } from '../errors.js'

/** Kafka's limit on topic name length (org.apache.kafka.common.internals.Topic). */
export const MAX_TOPIC_NAME_LENGTH = 249
const LEGAL_TOPIC_CHARS = /^[a-zA-Z0-9._-]+$/

export function invalid(operation: string, message: string): never {
  throw new KafkaJSInvalidArgumentError(`${operation}: ${message}`)
}

/**
 * A check KafkaJS's admin makes itself: its class (KafkaJSNonRetriableError) and its exact text,
 * so code matching KafkaJS's messages keeps working. kafkit's own further checks use invalid().
 */
export function kafkaJSInvalid(message: string): never {
  throw new KafkaJSNonRetriableError(message, {}, 'ERR_INVALID_ARGUMENT')
}

/** A value as KafkaJS's messages show it (`${value}`: null, 1,a, [object Object]). */
export function asText(value: unknown): string {
  return String(value)
}

/** KafkaJS's "not a usable string": missing, empty or another type. */
export function isBlank(value: unknown): boolean {
  return typeof value !== 'string' || value.length === 0
}

export function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`
  if (value === undefined) return 'undefined'
  if (typeof value === 'function') return 'a function'
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The argument object of a call; `undefined` passes as {} when the call allows it. */
export function argsObject(operation: string, value: unknown, optional = false): Record<string, unknown> {
  if (value === undefined && optional) return {}
  if (!isRecord(value)) invalid(operation, `expected an options object, got ${show(value)}`)
  return value
}

export function arrayArg<T = unknown>(
  operation: string,
  name: string,
  value: unknown,
  options: { nonEmpty?: boolean } = {},
): T[] {
  if (!Array.isArray(value)) invalid(operation, `${name} must be an array, got ${show(value)}`)
  if (options.nonEmpty && value.length === 0) invalid(operation, `${name} must not be empty`)
  return value as T[]
}

export function stringArg(
  operation: string,
  name: string,
  value: unknown,
  options: { nonEmpty?: boolean } = {},
): string {
  if (typeof value !== 'string') invalid(operation, `${name} must be a string, got ${show(value)}`)
  if ((options.nonEmpty ?? true) && value.length === 0) invalid(operation, `${name} must not be empty`)
  return value
}

export function optionalString(operation: string, name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  return stringArg(operation, name, value, { nonEmpty: false })
}

export function booleanArg(operation: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback
  if (typeof value !== 'boolean') invalid(operation, `${name} must be a boolean, got ${show(value)}`)
  return value
}

export function integerArg(
  operation: string,
  name: string,
  value: unknown,
  range: { min?: number; max?: number } = {},
): number {
  const min = range.min ?? -(2 ** 31)
  const max = range.max ?? 2 ** 31 - 1
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalid(operation, `${name} must be an integer between ${min} and ${max}, got ${show(value)}`)
  }
  return value
}

/** A wait in ms given to the broker (timeoutMs fields), defaulting as KafkaJS does. */
export function timeoutArg(operation: string, value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback
  return integerArg(operation, 'timeout', value, { min: 0 })
}

export function enumArg<V extends number | string>(
  operation: string,
  name: string,
  enumeration: Readonly<Record<string, V>>,
  value: unknown,
): V {
  const values = Object.values(enumeration)
  if (!values.includes(value as V)) {
    const names = Object.entries(enumeration)
      .map(([k, v]) => `${k} (${show(v)})`)
      .join(', ')
    invalid(operation, `${name} must be one of ${names}, got ${show(value)}`)
  }
  return value as V
}

/**
 * Kafka's rules for topic names (Topic.validate): 1 to 249 characters of [a-zA-Z0-9._-], and not
 * "." or "..". The broker would refuse the others with INVALID_TOPIC_EXCEPTION; refusing them here
 * names the topic and the rule.
 */
export function topicNameArg(operation: string, name: string, value: unknown): string {
  if (typeof value !== 'string') invalid(operation, `${name} must be a topic name (string), got ${show(value)}`)
  if (value.length === 0) invalid(operation, `${name} must not be empty`)
  if (value === '.' || value === '..')
    invalid(operation, `topic name ${show(value)} is illegal: it cannot be "." or ".."`)
  if (value.length > MAX_TOPIC_NAME_LENGTH) {
    invalid(operation, `topic name ${show(value)} is illegal: longer than ${MAX_TOPIC_NAME_LENGTH} characters`)
  }
  if (!LEGAL_TOPIC_CHARS.test(value)) {
    invalid(
      operation,
      `topic name ${show(value)} is illegal: it may contain only ASCII letters, digits, '.', '_' and '-'`,
    )
  }
  return value
}

export function partitionArg(operation: string, name: string, value: unknown): number {
  return integerArg(operation, name, value, { min: 0 })
}

/** A 64-bit offset or timestamp given as KafkaJS does (a string), or as a number or bigint. */
export function int64Arg(operation: string, name: string, value: unknown): bigint {
  let parsed: bigint | undefined
  if (typeof value === 'bigint') parsed = value
  else if (typeof value === 'number' && Number.isSafeInteger(value)) parsed = BigInt(value)
  else if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) parsed = BigInt(value.trim())
  if (parsed === undefined || parsed < -(2n ** 63n) || parsed >= 2n ** 63n) {
    invalid(operation, `${name} must be a 64-bit integer (string, number or bigint), got ${show(value)}`)
  }
  return parsed
}

/** Throws when two items share a key, naming the key. */
export function noDuplicates<T>(
  operation: string,
  what: string,
  items: readonly T[],
  keyOf: (item: T) => string,
): void {
  const seen = new Set<string>()
  for (const item of items) {
    const key = keyOf(item)
    if (seen.has(key)) invalid(operation, `${what} ${key} is given more than once`)
    seen.add(key)
  }
}

/** A list of { topic, partitions: number[] } (partitions optional when `allPartitions` allows it). */
export function topicPartitionsArg(
  operation: string,
  name: string,
  value: unknown,
  options: { allPartitions?: boolean } = {},
): Array<{ topic: string; partitions: number[] | undefined }> {
  const list = arrayArg<unknown>(operation, name, value, { nonEmpty: true }).map((t, i) => {
    if (!isRecord(t)) invalid(operation, `${name}[${i}] must be { topic, partitions }, got ${show(t)}`)
    const topic = topicNameArg(operation, `${name}[${i}].topic`, t.topic)
    if ((t.partitions === undefined || t.partitions === null) && options.allPartitions)
      return { topic, partitions: undefined }
    const partitions = arrayArg<unknown>(operation, `topic ${topic}: partitions`, t.partitions, { nonEmpty: true }).map(
      (p, j) => partitionArg(operation, `topic ${topic}: partitions[${j}]`, p),
    )
    noDuplicates(operation, `topic ${topic}: partition`, partitions, String)
    return { topic, partitions }
  })
  noDuplicates(operation, 'topic', list, (t) => t.topic)
  return list
}
