import { MessageWindow, splitChunk } from '../../src/consumer/chunk-split.js'
import { FetchedMessages } from '../../src/consumer/fetch/fetched-messages.js'
import { type FetchedChunk, type PartitionState, SubscriptionState } from '../../src/consumer/subscription-state.js'
import { decodeRecords, encodeRecordBatch } from '../../src/protocol/records/index.js'

/**
 * Messages 0-4 (leader epoch 1), then 7-9 (epoch 2): offsets 5 and 6 are not delivered (as a
 * control batch or an aborted transaction would be).
 */
async function messagesWithGap(): Promise<FetchedMessages> {
  const batch = (baseOffset: bigint, count: number, partitionLeaderEpoch: number) =>
    encodeRecordBatch({
      baseOffset,
      partitionLeaderEpoch,
      records: Array.from({ length: count }, (_, i) => ({ value: Buffer.from(`v${Number(baseOffset) + i}`) })),
    })
  const bytes = Buffer.concat([await batch(0n, 5, 1), await batch(7n, 3, 2)])
  const messages = new FetchedMessages()
  for (const b of (await decodeRecords(bytes)).batches) messages.add(b, 0)
  return messages
}

function chunkOf(messages: FetchedMessages, generation = 0): FetchedChunk {
  return {
    topic: 't',
    partition: 0,
    generation,
    fetchOffset: 0n,
    messages,
    nextOffset: 11n, // a filtered record at 10 ends the fetch
    firstOffset: 0n,
    highWatermark: 20n,
    lastLeaderEpoch: 2,
    lastBatchEpoch: 2,
    fetchLeaderEpoch: 2,
    bytes: 800,
  }
}

const offsets = (c: FetchedChunk) => c.messages.all().map((m) => m.offset)
const values = (c: FetchedChunk) =>
  Array.from({ length: c.messages.length }, (_, i) => String(c.messages.messageAt(i).value))

describe('splitChunk', () => {
  test('the head ends where the rest begins: records filtered out between them are passed by the head', async () => {
    const { head, rest } = splitChunk(chunkOf(await messagesWithGap()), 5)
    expect(offsets(head)).toEqual(['0', '1', '2', '3', '4'])
    expect(head.fetchOffset).toBe(0n)
    expect(head.firstOffset).toBe(0n)
    expect(head.nextOffset).toBe(7n)
    expect(offsets(rest)).toEqual(['7', '8', '9'])
    expect(rest.fetchOffset).toBe(7n)
    expect(rest.firstOffset).toBe(7n)
    expect(rest.nextOffset).toBe(11n)
    expect([head.highWatermark, rest.highWatermark]).toEqual([20n, 20n])
  })

  test("the head commits its last message's leader epoch; the rest keeps the fetch's", async () => {
    const early = splitChunk(chunkOf(await messagesWithGap()), 3)
    expect(early.head.lastLeaderEpoch).toBe(1)
    expect(early.rest.lastLeaderEpoch).toBe(2)
    const late = splitChunk(chunkOf(await messagesWithGap()), 7)
    expect(late.head.lastLeaderEpoch).toBe(2)
  })

  test('the bytes are shared in proportion and add up; the rest splits again over the same messages', async () => {
    const first = splitChunk(chunkOf(await messagesWithGap()), 3)
    expect(first.head.bytes).toBe(300)
    const second = splitChunk(first.rest, 3)
    expect(values(second.head)).toEqual(['v3', 'v4', 'v7'])
    expect(values(second.rest)).toEqual(['v8', 'v9'])
    expect(second.head.nextOffset).toBe(8n)
    expect(first.head.bytes + second.head.bytes + second.rest.bytes).toBe(800)
  })

  test('a split needs at least one message on each side', async () => {
    const chunk = chunkOf(await messagesWithGap())
    expect(() => splitChunk(chunk, 0)).toThrow(RangeError)
    expect(() => splitChunk(chunk, 8)).toThrow(RangeError)
    expect(() => MessageWindow.of(chunk.messages, 2, 9)).toThrow(RangeError)
    expect(() => MessageWindow.of(chunk.messages, 2, 4).messageAt(2)).toThrow(RangeError)
  })
})

describe('PartitionState.startProcessing(maxRecords)', () => {
  function fetching(): PartitionState {
    const [state] = new SubscriptionState().assign([{ topic: 't', partition: 0 }])
    state!.seek(0n)
    return state!
  }

  test('hands out at most maxRecords messages a turn; the rest waits at the head of the buffer', async () => {
    const state = fetching()
    const messages = await messagesWithGap()
    state.buffer(chunkOf(messages, state.generation))
    const turns: string[][] = []
    while (state.buffered.length > 0) {
      const taken = state.startProcessing(3)
      turns.push(offsets(taken))
      state.advancePosition(taken.nextOffset, taken.generation)
      state.release()
    }
    expect(turns).toEqual([
      ['0', '1', '2'],
      ['3', '4', '7'],
      ['8', '9'],
    ])
    expect(state.position).toBe(11n)
    expect(state.bufferedBytes).toBe(0)
  })

  test('a chunk within the bound is handed out whole, as it was fetched', async () => {
    const state = fetching()
    const chunk = chunkOf(await messagesWithGap(), state.generation)
    state.buffer(chunk)
    expect(state.startProcessing(8)).toBe(chunk)
  })

  test('a rewind after a partial turn drops the rest: it is fetched again from the rewound offset', async () => {
    const state = fetching()
    state.buffer(chunkOf(await messagesWithGap(), state.generation))
    const taken = state.startProcessing(2)
    expect(state.buffered).toHaveLength(1)
    state.rewind(1n, taken.generation)
    expect(state.buffered).toHaveLength(0)
    expect(state.bufferedBytes).toBe(0)
    expect(state.fetchPosition).toBe(1n)
  })
})
