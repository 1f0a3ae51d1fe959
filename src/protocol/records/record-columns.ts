// The records of a decoded batch as columns. A v2 batch's records are parsed and checked when the
// batch is decoded, but kept as numbers in typed arrays (offset delta, timestamp delta, where the
// key and value lie in the batch's bytes) rather than one object per record with its Buffer views:
// fetched records wait in the consumer's buffer until they are handed out, and every object that
// outlives a young-generation collection is copied by the garbage collector. The consumer builds
// its messages straight from the columns; `batch.records` makes record objects on first read, for
// everything else.

import type { DecodedRecord, DecodedRecordBatch, RecordHeader } from './types.js'

/** The headers of every record that has none: one shared, frozen array instead of one per record. */
export const NO_HEADERS = Object.freeze([]) as unknown as RecordHeader[]

/** What the consumer reads of a batch's records, by index. */
export interface RecordColumns {
  readonly count: number
  offset(index: number): bigint
  /** offset(index) as a decimal string. */
  offsetString(index: number): string
  timestamp(index: number): bigint
  /** timestamp(index) as a decimal string (consecutive records with the same timestamp share one). */
  timestampString(index: number): string
  key(index: number): Buffer | null
  value(index: number): Buffer | null
  headers(index: number): RecordHeader[]
}

// per record in V2Columns.#slots: offset delta, key start, key length, value start, value length,
// timestamp delta (NaN where it was too large for a number)
const SLOTS = 6
const SAFE_BASE = Number.MAX_SAFE_INTEGER - 2 ** 31

/** Columns filled by the v2 decoder, one add() per record, in order. */
export class V2Columns implements RecordColumns {
  readonly count: number
  readonly #data: Buffer
  readonly #baseOffset: bigint
  /** The base offset as a number when every offset of the batch is a safe integer. */
  readonly #baseOffsetNumber: number | undefined
  readonly #baseTimestamp: bigint
  readonly #baseTimestampNumber: number | undefined
  /** LogAppendTime: every record reads the batch's maxTimestamp. */
  readonly #appendTime: bigint | undefined
  readonly #slots: Float64Array
  #bigDeltas: Map<number, bigint> | undefined
  #headers: RecordHeader[][] | undefined
  #lastDelta = Number.NaN
  #lastTimestampString = ''

  constructor(data: Buffer, count: number, baseOffset: bigint, baseTimestamp: bigint, appendTime: bigint | undefined) {
    this.count = count
    this.#data = data
    this.#baseOffset = baseOffset
    this.#baseOffsetNumber = baseOffset >= 0n && baseOffset <= BigInt(SAFE_BASE) ? Number(baseOffset) : undefined
    this.#baseTimestamp = baseTimestamp
    const ts = Number(baseTimestamp)
    this.#baseTimestampNumber = Number.isSafeInteger(ts) && Math.abs(ts) <= SAFE_BASE ? ts : undefined
    this.#appendTime = appendTime
    this.#slots = new Float64Array(count * SLOTS)
  }

  /** Record `index`: its deltas, where its key and value lie (negative length: null) and its headers. */
  set(
    index: number,
    offsetDelta: number,
    timestampDelta: number | bigint,
    keyStart: number,
    keyLength: number,
    valueStart: number,
    valueLength: number,
    headers: RecordHeader[],
  ): void {
    const s = index * SLOTS
    const slots = this.#slots
    slots[s] = offsetDelta
    slots[s + 1] = keyStart
    slots[s + 2] = keyLength
    slots[s + 3] = valueStart
    slots[s + 4] = valueLength
    if (typeof timestampDelta === 'number') slots[s + 5] = timestampDelta
    else {
      slots[s + 5] = Number.NaN
      this.#bigDeltas ??= new Map()
      this.#bigDeltas.set(index, timestampDelta)
    }
    if (headers !== NO_HEADERS) {
      this.#headers ??= []
      this.#headers[index] = headers
    }
  }

  offset(index: number): bigint {
    return this.#baseOffset + BigInt(this.#slots[index * SLOTS]!)
  }

  offsetString(index: number): string {
    const base = this.#baseOffsetNumber
    return base === undefined ? this.offset(index).toString() : String(base + this.#slots[index * SLOTS]!)
  }

  timestamp(index: number): bigint {
    if (this.#appendTime !== undefined) return this.#appendTime
    const delta = this.#slots[index * SLOTS + 5]!
    return this.#baseTimestamp + (Number.isNaN(delta) ? this.#bigDeltas!.get(index)! : BigInt(delta))
  }

  timestampString(index: number): string {
    const delta = this.#appendTime !== undefined ? 0 : this.#slots[index * SLOTS + 5]!
    if (delta === this.#lastDelta) return this.#lastTimestampString
    const base = this.#baseTimestampNumber
    const text =
      this.#appendTime === undefined && base !== undefined && !Number.isNaN(delta) && Math.abs(delta) <= SAFE_BASE
        ? String(base + delta)
        : this.timestamp(index).toString()
    if (!Number.isNaN(delta)) {
      this.#lastDelta = delta
      this.#lastTimestampString = text
    }
    return text
  }

  key(index: number): Buffer | null {
    return this.#view(index * SLOTS + 1)
  }

  value(index: number): Buffer | null {
    return this.#view(index * SLOTS + 3)
  }

  /** The bytes whose start is in slot `at` and length in the next one (negative: null). */
  #view(at: number): Buffer | null {
    const length = this.#slots[at + 1]!
    if (length < 0) return null
    const start = this.#slots[at]!
    return this.#data.subarray(start, start + length)
  }

  headers(index: number): RecordHeader[] {
    return this.#headers?.[index] ?? NO_HEADERS
  }

  /** Every record as an object. */
  records(): DecodedRecord[] {
    const records: DecodedRecord[] = new Array(this.count)
    for (let i = 0; i < this.count; i++) {
      records[i] = {
        offset: this.offset(i),
        timestamp: this.timestamp(i),
        key: this.key(i),
        value: this.value(i),
        headers: this.headers(i),
      }
    }
    return records
  }
}

/** Columns over record objects (the legacy message formats, batches built by hand). */
export class RecordArrayColumns implements RecordColumns {
  readonly #records: readonly DecodedRecord[]
  #lastTimestamp: bigint | undefined
  #lastTimestampString = ''

  constructor(records: readonly DecodedRecord[]) {
    this.#records = records
  }

  get count(): number {
    return this.#records.length
  }

  offset(index: number): bigint {
    return this.#records[index]!.offset
  }

  offsetString(index: number): string {
    return this.#records[index]!.offset.toString()
  }

  timestamp(index: number): bigint {
    return this.#records[index]!.timestamp
  }

  timestampString(index: number): string {
    const timestamp = this.#records[index]!.timestamp
    if (timestamp !== this.#lastTimestamp) {
      this.#lastTimestamp = timestamp
      this.#lastTimestampString = timestamp.toString()
    }
    return this.#lastTimestampString
  }

  key(index: number): Buffer | null {
    return this.#records[index]!.key
  }

  value(index: number): Buffer | null {
    return this.#records[index]!.value
  }

  headers(index: number): RecordHeader[] {
    return this.#records[index]!.headers
  }
}

/** The batch's records as columns: the decoder's, else columns over its record objects. */
export function columnsOf(batch: DecodedRecordBatch): RecordColumns {
  return batch.columns ?? new RecordArrayColumns(batch.records)
}
