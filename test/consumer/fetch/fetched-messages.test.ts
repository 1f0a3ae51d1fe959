import { FetchedMessages } from '../../../src/consumer/fetch/fetched-messages.js'
import { decodeRecords, encodeRecordBatch, type RecordInput } from '../../../src/protocol/records/index.js'

async function batchesOf(...batches: { baseOffset: bigint; records: RecordInput[] }[]) {
  const bytes = Buffer.concat(await Promise.all(batches.map((b) => encodeRecordBatch(b))))
  return (await decodeRecords(bytes)).batches
}

const record = (value: string, timestamp: number): RecordInput => ({ value: Buffer.from(value), timestamp })

describe('FetchedMessages', () => {
  test('messages across batches, from a record index on, by index in any order or all at once', async () => {
    const [a, b] = await batchesOf(
      { baseOffset: 0n, records: [record('a0', 1), record('a1', 1), record('a2', 2)] },
      { baseOffset: 3n, records: [record('b0', 3), record('b1', 4)] },
    )
    const messages = new FetchedMessages()
    messages.add(a!, 1)
    messages.add(b!, 0)
    messages.add(b!, 2) // nothing left of it
    expect(messages.length).toBe(4)
    const offsets = [0, 1, 2, 3].map((i) => messages.offsetAt(i))
    expect(offsets).toEqual([1n, 2n, 3n, 4n])
    // forward, then back to the start, then a jump
    const picked = [0, 1, 2, 3, 0, 3, 1].map((i) => messages.messageAt(i))
    expect(picked.map((m) => `${m.offset}:${m.value?.toString()}:${m.timestamp}`)).toEqual([
      '1:a1:1',
      '2:a2:2',
      '3:b0:3',
      '4:b1:4',
      '1:a1:1',
      '4:b1:4',
      '2:a2:2',
    ])
    expect(messages.offsetAt(0)).toBe(1n)
    expect(() => messages.messageAt(4)).toThrow(RangeError)
    expect(() => messages.offsetAt(-1)).toThrow(RangeError)

    const all = messages.all()
    expect(all.map((m) => m.offset)).toEqual(['1', '2', '3', '4'])
    expect(messages.all()).toBe(all)
    expect(messages.messageAt(2)).toBe(all[2])
    // one batch context per batch, shared by its messages
    expect(all[0]!.batchContext).toBe(all[1]!.batchContext)
    expect(all[1]!.batchContext).not.toBe(all[2]!.batchContext)
    expect(all[2]!.batchContext).toMatchObject({ firstOffset: '3', lastOffsetDelta: 1 })
  })

  test('built messages equal whichever way they are built', async () => {
    const [a] = await batchesOf({
      baseOffset: 5n,
      records: [
        record('x', 7),
        { key: Buffer.from('k'), value: null, timestamp: 7, headers: [{ key: 'h', value: null }] },
      ],
    })
    const one = new FetchedMessages()
    one.add(a!, 0)
    const other = new FetchedMessages()
    other.add(a!, 0)
    expect([one.messageAt(0), one.messageAt(1)]).toEqual(other.all())
    expect(other.all()[1]).toMatchObject({ key: Buffer.from('k'), value: null, timestamp: '7', headers: {} })
  })

  test('empty', () => {
    const messages = new FetchedMessages()
    expect(messages.length).toBe(0)
    expect(messages.all()).toEqual([])
  })
})
