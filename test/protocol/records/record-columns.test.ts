// A v2 batch's records are kept as columns; what the consumer reads through them must be what the
// record objects say, at the edges of the number fast paths too.
import {
  columnsOf,
  type DecodedRecordBatch,
  decodeRecords,
  encodeRecordBatch,
  type RecordInput,
  TimestampTypes,
} from '../../../src/protocol/records/index.js'

async function decodeOne(
  records: RecordInput[],
  options: { baseOffset?: bigint; timestampType?: typeof TimestampTypes.LogAppendTime; maxTimestamp?: bigint } = {},
): Promise<DecodedRecordBatch> {
  const { batches } = await decodeRecords(await encodeRecordBatch({ records, ...options }))
  return batches[0]!
}

/** Everything the columns say of each record, next to what the record objects say. */
function expectColumnsMatchRecords(batch: DecodedRecordBatch): void {
  const columns = columnsOf(batch)
  expect(batch.columns).toBe(columns)
  expect(columns.count).toBe(batch.records.length)
  batch.records.forEach((record, i) => {
    expect(columns.offset(i)).toBe(record.offset)
    expect(columns.offsetString(i)).toBe(record.offset.toString())
    expect(columns.timestamp(i)).toBe(record.timestamp)
    expect(columns.timestampString(i)).toBe(record.timestamp.toString())
    expect(columns.key(i)).toEqual(record.key)
    expect(columns.value(i)).toEqual(record.value)
    expect(columns.headers(i)).toEqual(record.headers)
  })
}

test('keys, values, headers, offsets and timestamps', async () => {
  const batch = await decodeOne(
    [
      { key: 'k0', value: 'v0', headers: [{ key: 'h', value: Buffer.from('x') }], timestamp: 1_700_000_000_000 },
      { key: null, value: null, timestamp: 1_700_000_000_000 },
      { key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: 1_699_000_000_000, offsetDelta: 5 },
      { value: 'last', headers: [{ key: 'n', value: null }], timestamp: 1_700_000_000_007, offsetDelta: 9 },
    ],
    { baseOffset: 1000n },
  )
  expectColumnsMatchRecords(batch)
  const columns = columnsOf(batch)
  expect([0, 1, 2, 3].map((i) => columns.offsetString(i))).toEqual(['1000', '1001', '1005', '1009'])
  expect(columns.key(1)).toBeNull()
  expect(columns.value(2)).toEqual(Buffer.alloc(0))
  expect(columns.headers(1)).toEqual([])
})

test('offsets past 2^53 and timestamp deltas too large for a number', async () => {
  const baseOffset = 2n ** 62n
  const batch = await decodeOne(
    [
      // deltas from the first timestamp beyond 2^49 take more than 7 varint bytes: the bigint path
      { value: 'a', timestamp: -(2 ** 52 - 1) },
      { value: 'b', timestamp: 2 ** 52 - 1 },
      { value: 'c', timestamp: 0 },
    ],
    { baseOffset },
  )
  expectColumnsMatchRecords(batch)
  expect(columnsOf(batch).offsetString(2)).toBe((baseOffset + 2n).toString())
})

test('LogAppendTime: every record reads the batch maxTimestamp', async () => {
  const batch = await decodeOne(
    [
      { value: 'a', timestamp: 1 },
      { value: 'b', timestamp: 2 },
    ],
    {
      timestampType: TimestampTypes.LogAppendTime,
      maxTimestamp: 1_800_000_000_000n,
    },
  )
  expectColumnsMatchRecords(batch)
  expect(columnsOf(batch).timestampString(1)).toBe('1800000000000')
})

test('records made from the columns are made once, and can be replaced', async () => {
  const batch = await decodeOne([{ value: 'a' }, { value: 'b' }])
  expect(batch.records).toBe(batch.records)
  batch.records = []
  expect(batch.records).toEqual([])
})
