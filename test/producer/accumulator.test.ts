import { RecordAccumulator } from '../../src/producer/accumulator.js'
import type { BatchSettings } from '../../src/producer/outgoing-batch.js'
import { SendResult } from '../../src/producer/send-result.js'
import { RECORD_BATCH_OVERHEAD, recordSizeUpperBound } from '../../src/protocol/records/index.js'
import { SETTINGS, sized } from './fixtures.js'

const T0 = 1_000_000
const leaderOf = (topic: string, partition: number) => (topic === 'nowhere' ? -1 : partition % 2)

function appendMany(
  acc: RecordAccumulator,
  topic: string,
  partition: number,
  count: number,
  value = 'v'.repeat(100),
  settings = SETTINGS,
  now = T0,
) {
  const result = new SendResult()
  for (let i = 0; i < count; i++) {
    const { record, size } = sized(value)
    acc.append(topic, partition, record, size, settings, result, now)
  }
  result.seal()
  return result
}

describe('RecordAccumulator', () => {
  test('appends of one partition coalesce into a batch until batchSize, then start the next', () => {
    const acc = new RecordAccumulator({ batchSize: 1024, linger: 5 })
    appendMany(acc, 't', 0, 20)
    const queue = acc.queue('t', 0)
    expect(queue.batches.length).toBe(3)
    expect(queue.batches.map((b) => b.recordCount).reduce((a, b) => a + b)).toBe(20)
    for (const batch of queue.batches.slice(0, -1)) expect(batch.estimatedSize).toBeLessThanOrEqual(1024)
    expect(queue.batches.slice(0, -1).every((b) => b.closed)).toBe(true)
    expect(queue.last!.closed).toBe(false)
  })

  test('a record larger than batchSize gets a batch of its own', () => {
    const acc = new RecordAccumulator({ batchSize: 100, linger: 5 })
    appendMany(acc, 't', 0, 2, 'x'.repeat(500))
    expect(acc.queue('t', 0).batches.map((b) => b.recordCount)).toEqual([1, 1])
  })

  test('records with other settings (compression, acks) go to another batch', () => {
    const acc = new RecordAccumulator({ batchSize: 16384, linger: 5 })
    const gzip: BatchSettings = { ...SETTINGS, compression: 1 }
    appendMany(acc, 't', 0, 2)
    appendMany(acc, 't', 0, 2, 'v', gzip)
    appendMany(acc, 't', 0, 2)
    expect(acc.queue('t', 0).batches.map((b) => [b.settings.compression, b.recordCount])).toEqual([
      [0, 2],
      [1, 2],
      [0, 2],
    ])
  })

  test('a batch is ready once linger passed, and says when to look again before that', () => {
    const acc = new RecordAccumulator({ batchSize: 16384, linger: 5 })
    appendMany(acc, 't', 0, 1)
    const early = acc.ready(leaderOf, T0 + 2, false)
    expect(early.nodes.size).toBe(0)
    expect(early.nextCheckDelay).toBe(3)
    const late = acc.ready(leaderOf, T0 + 5, false)
    expect([...late.nodes.keys()]).toEqual([0])
  })

  test('a full batch, a second batch, flushing or a buffer waiter make a node ready at once', () => {
    const acc = new RecordAccumulator({ batchSize: 1024, linger: 1000 })
    appendMany(acc, 't', 0, 20)
    appendMany(acc, 't', 1, 1)
    // partition 0 (node 0) has several batches; partition 1 (node 1) lingers
    expect([...acc.ready(leaderOf, T0, false).nodes.keys()]).toEqual([0])
    // someone waits for buffer room: everything goes
    expect([...acc.ready(leaderOf, T0, true).nodes.keys()].sort()).toEqual([0, 1])
    void acc.flush()
    expect([...acc.ready(leaderOf, T0, false).nodes.keys()].sort()).toEqual([0, 1])
  })

  test('partitions without a known leader are reported, not drained', () => {
    const acc = new RecordAccumulator({ batchSize: 16384, linger: 0 })
    appendMany(acc, 'nowhere', 0, 1)
    const ready = acc.ready(leaderOf, T0, false)
    expect(ready.nodes.size).toBe(0)
    expect([...ready.unknownLeaderTopics]).toEqual(['nowhere'])
    expect(ready.oldestQueued).toBe(T0)
  })

  test('drain takes one batch per partition of the node, up to maxRequestSize (a first batch always)', () => {
    const acc = new RecordAccumulator({ batchSize: 1024, linger: 0 })
    appendMany(acc, 't', 0, 20)
    appendMany(acc, 't', 2, 20)
    appendMany(acc, 'u', 0, 20)
    const { nodes } = acc.ready(leaderOf, T0, false)
    const queues = nodes.get(0)!
    expect(queues.length).toBe(3)
    // a merge leaves room for the partitions after it: 3300 bytes for three partitions, one batch each
    const first = acc.drain(0, queues, 3300, T0, () => true)
    expect(first.map((b) => `${b.topic}-${b.partition}`).sort()).toEqual(['t-0', 't-2', 'u-0'])
    expect(first.every((b) => b.closed)).toBe(true)
    const small = acc.drain(0, queues, 10, T0, () => true)
    expect(small.length).toBe(1)
  })

  test("drain merges a partition's backlog of unsent batches into one, up to the request size", async () => {
    const acc = new RecordAccumulator({ batchSize: 1024, linger: 0 })
    const result = appendMany(acc, 't', 0, 40)
    const queue = acc.queue('t', 0)
    expect(queue.batches.length).toBeGreaterThan(3)
    let whenAllDone = false
    const flushed = acc.flush().then(() => {
      whenAllDone = true
    })
    const [merged] = acc.drain(0, [queue], 1_000_000, T0, () => true)
    expect(merged!.recordCount).toBe(40)
    expect(queue.batches).toEqual([])
    expect(merged!.segments).toEqual([expect.objectContaining({ start: 0, count: 40 })])
    merged!.complete(10n, -1n, 0n)
    acc.batchDone(merged!)
    await flushed
    expect(whenAllDone).toBe(true)
    await expect(result.promise).resolves.toEqual([
      { topicName: 't', partition: 0, errorCode: 0, baseOffset: '10', logAppendTime: '-1', logStartOffset: '0' },
    ])
    // within the request limit only
    appendMany(acc, 't', 0, 40)
    const [part] = acc.drain(0, [queue], 3000, T0, () => true)
    expect(part!.estimatedSize).toBeLessThanOrEqual(3000)
    expect(queue.batches.length).toBeGreaterThan(0)
  })

  test("a merged backlog keeps every call's records in order, each call's offsets from its first record", async () => {
    const acc = new RecordAccumulator({ batchSize: 1024, linger: 0 })
    const queue = acc.queue('t', 0)
    const calls = [30, 25, 10].map((count, call) => {
      const result = new SendResult()
      for (let i = 0; i < count; i++) {
        const { record, size } = sized(`${call}-${i}`.padEnd(50, '.'))
        acc.append('t', 0, record, size, SETTINGS, result, T0)
      }
      result.seal()
      return result
    })
    expect(queue.batches.length).toBeGreaterThan(3)
    const [merged] = acc.drain(0, [queue], 1_000_000, T0, () => true)
    expect(queue.batches).toEqual([])
    expect(merged!.records.map((r) => String(r.value).split('.')[0])).toEqual([
      ...Array.from({ length: 30 }, (_, i) => `0-${i}`),
      ...Array.from({ length: 25 }, (_, i) => `1-${i}`),
      ...Array.from({ length: 10 }, (_, i) => `2-${i}`),
    ])
    expect(merged!.segments.map((s) => [s.start, s.count])).toEqual([
      [0, 30],
      [30, 25],
      [55, 10],
    ])
    merged!.complete(100n, -1n, 0n)
    const offsets = await Promise.all(calls.map((c) => c.promise.then((m) => m[0]!.baseOffset)))
    expect(offsets).toEqual(['100', '130', '155'])
  })

  test('a compressed backlog merges while its estimate, counted over the merged records, stays within the limit', () => {
    const gzip: BatchSettings = { ...SETTINGS, compression: 1 }
    const acc = new RecordAccumulator({ batchSize: 1024, linger: 0 })
    appendMany(acc, 't', 0, 60, 'v'.repeat(100), gzip)
    const queue = acc.queue('t', 0)
    const batches = [...queue.batches]
    const counts = batches.map((b) => b.recordCount)
    const bytes = batches.map((b) => b.recordBytes)
    // the estimate of the first k batches as one: 5% over their record bytes (no ratio observed yet)
    const estimate = (k: number): number =>
      RECORD_BATCH_OVERHEAD + Math.ceil(bytes.slice(0, k).reduce((n, b) => n + b, 0) * 1.05)
    // each batch joins with its own estimate rounded up: up to a byte more per batch
    const limit = estimate(3) + 2
    const [merged] = acc.drain(0, [queue], limit, T0, () => true)
    expect(merged).toBe(batches[0])
    expect(merged!.recordCount).toBe(counts[0]! + counts[1]! + counts[2]!)
    expect(merged!.estimatedSize).toBe(estimate(3))
    expect(estimate(4)).toBeGreaterThan(limit)
    expect(queue.batches).toEqual(batches.slice(3))
  })

  test('a retried batch or one with other settings is not merged; a topic that had a batch split is not merged again', () => {
    const acc = new RecordAccumulator({ batchSize: 1024, linger: 0 })
    appendMany(acc, 't', 0, 20)
    appendMany(acc, 't', 0, 20, 'v'.repeat(100), { ...SETTINGS, compression: 1 })
    const queue = acc.queue('t', 0)
    const [first] = acc.drain(0, [queue], 1_000_000, T0, () => true)
    expect(first!.recordCount).toBe(20)
    expect(first!.settings.compression).toBe(0)
    const [big] = acc.drain(0, [queue], 1_000_000, T0, () => true)
    acc.splitAndReenqueue(big!, recordSizeUpperBound)
    const sizes: number[] = []
    for (
      let d = acc.drain(0, [queue], 1_000_000, T0, () => true);
      d.length > 0;
      d = acc.drain(0, [queue], 1_000_000, T0, () => true)
    ) {
      sizes.push(d[0]!.recordCount)
    }
    expect(sizes.length).toBeGreaterThan(1)
  })

  test('drain skips partitions the sender holds back and batches backing off', () => {
    const acc = new RecordAccumulator({ batchSize: 1024, linger: 0 })
    appendMany(acc, 't', 0, 1)
    appendMany(acc, 't', 2, 1)
    const queues = acc.ready(leaderOf, T0, false).nodes.get(0)!
    const backingOff = acc.queue('t', 2).batches[0]!
    backingOff.attempts = 1
    backingOff.retryAt = T0 + 100
    backingOff.sentTo = 0
    const drained = acc.drain(0, queues, 1_000_000, T0, (queue) => queue.partition !== 0)
    expect(drained).toEqual([])
    expect(
      acc
        .drain(0, queues, 1_000_000, T0 + 100, () => true)
        .map((b) => b.partition)
        .sort(),
    ).toEqual([0, 2])
  })

  test('a retry whose partition has a new leader since it was sent does not wait out its backoff (KIP-951)', () => {
    const acc = new RecordAccumulator({ batchSize: 1024, linger: 0 })
    appendMany(acc, 't', 0, 1)
    const batch = acc.queue('t', 0).batches[0]!
    batch.attempts = 1
    batch.retryAt = T0 + 100
    batch.sentTo = 1
    // still led by node 1: it backs off
    expect(acc.ready(() => 1, T0, false).nodes.size).toBe(0)
    // led by node 2 now: ready there, and drained at once
    const ready = acc.ready(() => 2, T0, false)
    expect([...ready.nodes.keys()]).toEqual([2])
    expect(acc.drain(2, ready.nodes.get(2)!, 1_000_000, T0, () => true)).toEqual([batch])
  })

  test('drain puts only batches with the same acks in one request', () => {
    const acc = new RecordAccumulator({ batchSize: 1024, linger: 0 })
    appendMany(acc, 't', 0, 1)
    appendMany(acc, 't', 2, 1, 'v', { ...SETTINGS, acks: 1 })
    const queues = acc.ready(leaderOf, T0, false).nodes.get(0)!
    const drained = acc.drain(0, queues, 1_000_000, T0, () => true)
    expect(drained.length).toBe(1)
    expect(acc.drain(0, queues, 1_000_000, T0, () => true).length).toBe(1)
  })

  test('a retried batch goes back to the front, among retries in sequence order', () => {
    const acc = new RecordAccumulator({ batchSize: 1024, linger: 0 })
    appendMany(acc, 't', 0, 40)
    const queue = acc.queue('t', 0)
    // requests too small to merge anything: one batch each
    const [a, b, c] = acc
      .drain(0, [queue], 1100, T0, () => true)
      .concat(
        acc.drain(0, [queue], 1100, T0, () => true),
        acc.drain(0, [queue], 1100, T0, () => true),
      )
    a!.setProducerState(1n, 0, 0)
    b!.setProducerState(1n, 0, a!.recordCount)
    c!.setProducerState(1n, 0, a!.recordCount + b!.recordCount)
    const waiting = queue.batches[0]
    acc.reenqueue(c!)
    acc.reenqueue(a!)
    acc.reenqueue(b!)
    expect(queue.batches.slice(0, 4)).toEqual([a, b, c, waiting])
  })

  test('a split batch hands its records, segments and sequence range to the parts', async () => {
    const acc = new RecordAccumulator({ batchSize: 1024, linger: 0 })
    const big = new RecordAccumulator({ batchSize: 100_000, linger: 0 })
    const result = appendMany(big, 't', 0, 30)
    const [batch] = big.drain(0, [big.queue('t', 0)], 1_000_000, T0, () => true)
    batch!.setProducerState(7n, 3, 100)
    const parts = acc.splitAndReenqueue(batch!, recordSizeUpperBound)
    expect(parts.length).toBeGreaterThan(1)
    expect(parts.reduce((n, p) => n + p.recordCount, 0)).toBe(30)
    let sequence = 100
    for (const part of parts) {
      expect([part.producerId, part.producerEpoch, part.baseSequence]).toEqual([7n, 3, sequence])
      sequence += part.recordCount
    }
    expect(acc.queue('t', 0).batches).toEqual(parts)
    let offset = 500n
    for (const part of parts) {
      part.complete(offset, -1n, 0n)
      offset += BigInt(part.recordCount)
    }
    await expect(result.promise).resolves.toEqual([
      { topicName: 't', partition: 0, errorCode: 0, baseOffset: '500', logAppendTime: '-1', logStartOffset: '0' },
    ])
  })

  test('expire removes queued batches older than the delivery timeout', () => {
    const acc = new RecordAccumulator({ batchSize: 1024, linger: 0 })
    appendMany(acc, 't', 0, 1, 'v', SETTINGS, T0)
    appendMany(acc, 't', 1, 1, 'v', SETTINGS, T0 + 50)
    expect(acc.expire(T0 + 99, 100)).toEqual([])
    const expired = acc.expire(T0 + 100, 100)
    expect(expired.map((b) => b.partition)).toEqual([0])
    expect(acc.queue('t', 0).batches).toEqual([])
    expect(acc.queue('t', 1).batches.length).toBe(1)
  })

  test('flush resolves once every batch appended before it is done', async () => {
    const acc = new RecordAccumulator({ batchSize: 1024, linger: 0 })
    appendMany(acc, 't', 0, 1)
    let flushed = false
    const flushing = acc.flush().then(() => {
      flushed = true
    })
    const [batch] = acc.drain(0, [acc.queue('t', 0)], 1_000_000, T0, () => true)
    await Promise.resolve()
    expect(flushed).toBe(false)
    batch!.complete(0n, -1n, 0n)
    acc.batchDone(batch!)
    await flushing
    expect(flushed).toBe(true)
    expect(acc.incompleteCount).toBe(0)
  })

  test('the compression estimate follows encoded sizes as Java: quick to worsen, slow to improve', async () => {
    const acc = new RecordAccumulator({ batchSize: 16384, linger: 0 })
    const gzip: BatchSettings = { ...SETTINGS, compression: 1 }
    appendMany(acc, 't', 0, 100, 'a'.repeat(100), gzip)
    const [batch] = acc.drain(0, [acc.queue('t', 0)], 1_000_000, T0, () => true)
    await batch!.encode()
    const observed = batch!.observedCompressionRatio!
    expect(observed).toBeLessThan(0.2)
    acc.observeCompression(batch!)
    appendMany(acc, 't', 0, 1, 'a', gzip)
    const next = acc.queue('t', 0).batches[0]!
    // one step down from 1: 0.995
    expect(next.estimatedSize).toBe(61 + Math.ceil(next.recordBytes * 0.995 * 1.05))
  })
})
