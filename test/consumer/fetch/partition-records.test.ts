import { readPartitionRecords } from '../../../src/consumer/fetch/partition-records.js'
import { KafkaJSCorruptRecordError } from '../../../src/errors.js'
import { CompressionTypes } from '../../../src/protocol/codecs/index.js'
import { encodeRecordBatch, endTxnMarkerRecord, type RecordInput } from '../../../src/protocol/records/index.js'

function values(prefix: string, n: number): RecordInput[] {
  return Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`${prefix}${i}`), timestamp: 1000 + i }))
}

async function log(...batches: Promise<Buffer>[]): Promise<Buffer> {
  return Buffer.concat(await Promise.all(batches))
}

const base = { topic: 't', partition: 3, readCommitted: true, abortedTransactions: null }

describe('readPartitionRecords', () => {
  test('KafkaJS message shape: string offsets and timestamps, headers object, shared batch context', async () => {
    const records = await log(
      encodeRecordBatch({
        baseOffset: 10n,
        records: [
          {
            key: Buffer.from('k'),
            value: Buffer.from('v'),
            timestamp: 1234,
            headers: [
              { key: 'a', value: Buffer.from('1') },
              { key: 'a', value: Buffer.from('2') },
              { key: 'b', value: Buffer.from('3') },
            ],
          },
          { value: Buffer.from('w'), timestamp: 1235 },
        ],
      }),
    )
    const read = await readPartitionRecords({ ...base, fetchOffset: 10n, records })
    expect(read.nextOffset).toBe(12n)
    const [first, second] = read.messages.all()
    expect(first).toMatchObject({
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      timestamp: '1234',
      offset: '10',
      attributes: 0,
      magicByte: 2,
      isControlRecord: false,
      headers: { a: [Buffer.from('1'), Buffer.from('2')], b: Buffer.from('3') },
    })
    expect(first!.batchContext).toBe(second!.batchContext)
    expect(first!.batchContext).toMatchObject({ firstOffset: '10', lastOffsetDelta: 1, producerId: '-1' })
    expect(second!.headers).toEqual({})
  })

  test('skips records below the fetch offset inside a compressed batch', async () => {
    const records = await log(
      encodeRecordBatch({ baseOffset: 0n, records: values('m', 10), compression: CompressionTypes.GZIP }),
    )
    const read = await readPartitionRecords({ ...base, fetchOffset: 7n, records })
    expect(read.messages.all().map((m) => m.offset)).toEqual(['7', '8', '9'])
    expect(read.nextOffset).toBe(10n)
  })

  test('read_committed drops aborted batches and every control batch, and moves past them', async () => {
    const pid = 42n
    const records = await log(
      encodeRecordBatch({ baseOffset: 0n, records: values('plain', 2) }),
      encodeRecordBatch({
        baseOffset: 2n,
        records: values('aborted', 2),
        producerId: pid,
        producerEpoch: 0,
        baseSequence: 0,
        transactional: true,
      }),
      encodeRecordBatch({
        baseOffset: 4n,
        records: [endTxnMarkerRecord({ committed: false, coordinatorEpoch: 0, timestamp: 1 })],
        producerId: pid,
        producerEpoch: 0,
        transactional: true,
        isControl: true,
      }),
      encodeRecordBatch({
        baseOffset: 5n,
        records: values('committed', 2),
        producerId: pid,
        producerEpoch: 0,
        baseSequence: 2,
        transactional: true,
      }),
      encodeRecordBatch({
        baseOffset: 7n,
        records: [endTxnMarkerRecord({ committed: true, coordinatorEpoch: 0, timestamp: 1 })],
        producerId: pid,
        producerEpoch: 0,
        transactional: true,
        isControl: true,
      }),
    )
    const aborted = [{ producerId: pid, firstOffset: 2n }]
    const committed = await readPartitionRecords({ ...base, fetchOffset: 0n, records, abortedTransactions: aborted })
    expect(committed.messages.all().map((m) => m.value?.toString())).toEqual([
      'plain0',
      'plain1',
      'committed0',
      'committed1',
    ])
    expect(committed.nextOffset).toBe(8n)

    const uncommitted = await readPartitionRecords({
      ...base,
      readCommitted: false,
      fetchOffset: 0n,
      records,
      abortedTransactions: aborted,
    })
    expect(uncommitted.messages.all().map((m) => m.value?.toString())).toEqual([
      'plain0',
      'plain1',
      'aborted0',
      'aborted1',
      'committed0',
      'committed1',
    ])

    // only the markers left: nothing delivered, but the position still moves on
    const tail = await readPartitionRecords({ ...base, fetchOffset: 7n, records, abortedTransactions: aborted })
    expect(tail).toMatchObject({ nextOffset: 8n, filteredOnly: true })
    expect(tail.messages.all()).toEqual([])
  })

  test('a batch cut off by the size limit is reported, not thrown', async () => {
    const whole = await encodeRecordBatch({ baseOffset: 0n, records: [{ value: Buffer.alloc(5000, 1) }] })
    const read = await readPartitionRecords({ ...base, fetchOffset: 0n, records: whole.subarray(0, 1000) })
    expect(read.messages.all()).toEqual([])
    expect(read.nextOffset).toBe(0n)
    expect(read.truncatedBatchSize).toBe(whole.length)

    const two = Buffer.concat([
      await encodeRecordBatch({ baseOffset: 0n, records: values('a', 1) }),
      whole.subarray(0, 100),
    ])
    const partial = await readPartitionRecords({ ...base, fetchOffset: 0n, records: two })
    expect(partial.messages.all()).toHaveLength(1)
    expect(partial.truncatedBatchSize).toBeUndefined()
  })

  test('the leader epoch of the last batch read, filtered ones included, for validating the next position', async () => {
    const records = await log(
      encodeRecordBatch({ baseOffset: 0n, records: values('a', 2), partitionLeaderEpoch: 4 }),
      encodeRecordBatch({ baseOffset: 2n, records: values('b', 2), partitionLeaderEpoch: 5 }),
      encodeRecordBatch({
        baseOffset: 4n,
        records: [endTxnMarkerRecord({ committed: true, coordinatorEpoch: 0, timestamp: 1 })],
        producerId: 9n,
        producerEpoch: 0,
        transactional: true,
        isControl: true,
        partitionLeaderEpoch: 6,
      }),
    )
    const read = await readPartitionRecords({ ...base, fetchOffset: 0n, records })
    expect(read).toMatchObject({ nextOffset: 5n, lastLeaderEpoch: 5, lastBatchEpoch: 6 })
    const none = await readPartitionRecords({ ...base, fetchOffset: 0n, records: null })
    expect(none.lastBatchEpoch).toBe(-1)
  })

  test('a corrupt batch is a KafkaJSCorruptRecordError naming topic, partition and offset', async () => {
    const records = await log(
      encodeRecordBatch({ baseOffset: 0n, records: values('ok', 2) }),
      encodeRecordBatch({ baseOffset: 2n, records: values('bad', 2) }),
    )
    // flip a byte in the second batch's payload
    records[records.length - 3] ^= 0xff
    const error = await readPartitionRecords({ ...base, fetchOffset: 0n, records }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSCorruptRecordError)
    expect(error).toMatchObject({ topic: 't', partition: 3, offset: '2', retriable: false })
    expect((error as Error).message).toContain('t-3')
  })
})
