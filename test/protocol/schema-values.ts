// Builds protocol values straight from the normalized schemas (protocol/schemas/), independently of
// the generator: for a version, every field that version carries gets a random non-default value,
// every other field keeps the default of the generated create function.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as generated from '../../src/protocol/generated/index.js'

export interface SchemaField {
  name: string
  type: string
  versions: string
  nullableVersions?: string
  taggedVersions?: string
  tag?: number
  ignorable?: boolean
  default?: string
  fields?: SchemaField[]
}

export interface MessageSchema {
  name: string
  type: string
  apiKey?: number
  listeners?: string[]
  validVersions: string
  flexibleVersions: string
  fields: SchemaField[]
  commonStructs?: { name: string; fields: SchemaField[] }[]
}

export const schemasDir = join(__dirname, '../../protocol/schemas')

export function loadSchema(name: string): MessageSchema {
  return JSON.parse(readFileSync(join(schemasDir, `${name}.json`), 'utf8')) as MessageSchema
}

export function inRange(range: string | undefined, v: number): boolean {
  if (range === undefined || range === 'none') return false
  const plus = /^(\d+)\+$/.exec(range)
  if (plus) return v >= Number(plus[1])
  const span = /^(\d+)-(\d+)$/.exec(range)
  if (span) return v >= Number(span[1]) && v <= Number(span[2])
  return v === Number(range)
}

export function camel(name: string): string {
  return name[0]!.toLowerCase() + name.slice(1)
}

/** A small deterministic PRNG so that failures reproduce. */
export class Random {
  #state: number
  constructor(seed: number) {
    this.#state = seed >>> 0 || 1
  }
  next(): number {
    // xorshift32
    let x = this.#state
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    this.#state = x >>> 0
    return this.#state / 0x100000000
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n)
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255)
    return b
  }
}

type Creator = (fields?: Record<string, unknown>) => Record<string, unknown>
const creators = generated as unknown as Record<string, Creator | undefined>

const PRIMITIVE_TYPES = new Set([
  'int8',
  'int16',
  'uint16',
  'int32',
  'int64',
  'float64',
  'bool',
  'uuid',
  'string',
  'bytes',
  'records',
])

export class ValueFactory {
  readonly #schema: MessageSchema
  readonly #prefix: string
  readonly #structs = new Map<string, SchemaField[]>()
  readonly #random: Random

  constructor(schema: MessageSchema, prefix: string, random: Random) {
    this.#schema = schema
    this.#prefix = prefix
    this.#random = random
    for (const s of schema.commonStructs ?? []) this.#structs.set(s.name, s.fields)
    const collect = (fields: SchemaField[]): void => {
      for (const f of fields) {
        if (f.fields) {
          this.#structs.set(f.type.replace(/^\[\]/, ''), f.fields)
          collect(f.fields)
        }
      }
    }
    collect(schema.fields)
    for (const s of schema.commonStructs ?? []) collect(s.fields)
  }

  /** The root struct at version `v`, every field the version carries set to a random value. */
  root(v: number): Record<string, unknown> {
    return this.#struct(this.#schema.name, this.#schema.fields, v, true)
  }

  #struct(kafkaName: string, fields: SchemaField[], v: number, isRoot = false): Record<string, unknown> {
    const tsName = isRoot ? this.#prefix : `${this.#prefix}${kafkaName}`
    const create = creators[`create${tsName}`]
    if (!create) throw new Error(`no create${tsName} exported`)
    const value = create()
    for (const f of fields) {
      if (!inRange(f.versions, v)) continue
      value[camel(f.name)] = this.#value(f, v)
    }
    return value
  }

  /** A random value of field `f` as version `v` carries it, never null. */
  nonNullValue(f: SchemaField, v: number): unknown {
    return this.#value(f, v, false)
  }

  #value(f: SchemaField, v: number, allowNull = true): unknown {
    const r = this.#random
    if (allowNull && inRange(f.nullableVersions, v) && r.next() < 0.25) return null
    if (f.type.startsWith('[]')) {
      const elem = f.type.slice(2)
      const n = r.int(1, 3)
      const out: unknown[] = []
      for (let i = 0; i < n; i++) out.push(this.#element(elem, v))
      return out
    }
    return this.#element(f.type, v)
  }

  #element(type: string, v: number): unknown {
    const r = this.#random
    switch (type) {
      case 'int8':
        return r.int(-128, 127) || 5
      case 'int16':
        return r.int(-32768, 32767) || 7
      case 'uint16':
        return r.int(1, 65535)
      case 'int32':
        return r.int(-2147483648, 2147483647) || 9
      case 'int64':
        return BigInt.asIntN(64, (BigInt(r.int(0, 0xffffffff)) << 32n) | BigInt(r.int(0, 0xffffffff))) || 11n
      case 'float64':
        return r.next() * 1e6 - 5e5
      case 'bool':
        return r.next() < 0.8
      case 'uuid':
        return r.bytes(16).toString('base64url')
      case 'string':
        return ['x', 'topic-é', `name-${r.int(0, 1e6)}`, '日本'][r.int(0, 3)]
      case 'bytes':
      case 'records':
        return r.bytes(r.int(1, 20))
      default: {
        if (PRIMITIVE_TYPES.has(type)) throw new Error(`unhandled ${type}`)
        const fields = this.#structs.get(type)
        if (!fields) throw new Error(`${this.#schema.name}: no struct ${type}`)
        return this.#struct(type, fields, v)
      }
    }
  }
}

export function versionsOf(range: string): number[] {
  const span = /^(\d+)-(\d+)$/.exec(range)
  if (span) {
    const out: number[] = []
    for (let v = Number(span[1]); v <= Number(span[2]); v++) out.push(v)
    return out
  }
  return [Number(range)]
}
