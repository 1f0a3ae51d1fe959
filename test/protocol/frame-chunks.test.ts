// encodeRequestChunks: the same bytes as encodeRequestFrame, with large byte arrays (record
// batches) left as chunks of their own instead of copied into the frame.

import { encodeRequestChunks, encodeRequestFrame, GATHER_AT_LEAST } from '../../src/protocol/frame.js'
import { Metadata } from '../../src/protocol/generated/metadata.js'
import {
  createProduceRequestPartitionProduceData,
  createProduceRequestTopicProduceData,
  Produce,
  type ProduceRequest,
} from '../../src/protocol/generated/produce.js'

function filled(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff
  return b
}

function produceRequest(records: Buffer[]): ProduceRequest {
  return Produce.createRequest({
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [
      createProduceRequestTopicProduceData({
        name: 'orders',
        partitionData: records.map((r, index) => createProduceRequestPartitionProduceData({ index, records: r })),
      }),
    ],
  })
}

describe('encodeRequestChunks', () => {
  const large = [filled(GATHER_AT_LEAST, 1), filled(100, 2), filled(300_000, 3)]

  it.each([3, 8, 9, 12])('writes the bytes encodeRequestFrame writes (Produce v%i)', (version) => {
    const request = produceRequest(large)
    const chunks = encodeRequestChunks(Produce, version, 7, 'client', request)
    expect(Buffer.concat(chunks)).toStrictEqual(encodeRequestFrame(Produce, version, 7, 'client', request))
  })

  it('passes byte arrays from GATHER_AT_LEAST bytes on as they are, and copies smaller ones', () => {
    const chunks = encodeRequestChunks(Produce, 9, 1, null, produceRequest(large))
    expect(chunks.filter((c) => c === large[0])).toHaveLength(1)
    expect(chunks.filter((c) => c === large[2])).toHaveLength(1)
    expect(chunks.some((c) => c === large[1])).toBe(false)
    // header and partition fields, the first batch, the fields and small batch, the large batch, the rest
    expect(chunks).toHaveLength(5)
  })

  it('is one chunk when nothing is large enough to gather', () => {
    const request = Metadata.createRequest({ topics: null })
    const chunks = encodeRequestChunks(Metadata, 12, 3, 'client', request)
    expect(chunks).toHaveLength(1)
    expect(chunks[0]).toStrictEqual(encodeRequestFrame(Metadata, 12, 3, 'client', request))
  })

  it('leaves earlier chunks intact while later requests are encoded', () => {
    const first = produceRequest(large)
    const firstChunks = encodeRequestChunks(Produce, 9, 1, 'a', first)
    const firstBytes = Buffer.concat(firstChunks)
    encodeRequestChunks(Produce, 9, 2, 'b', produceRequest([filled(50_000, 9), filled(20, 4)]))
    encodeRequestChunks(Produce, 9, 3, 'c', produceRequest([filled(10, 5)]))
    expect(Buffer.concat(firstChunks)).toStrictEqual(firstBytes)
  })

  it('encodes a request larger than its scratch buffer', () => {
    const request = produceRequest(Array.from({ length: 3000 }, (_, i) => filled(4000, i)))
    expect(Buffer.concat(encodeRequestChunks(Produce, 9, 1, 'client', request))).toStrictEqual(
      encodeRequestFrame(Produce, 9, 1, 'client', request),
    )
  })
})
