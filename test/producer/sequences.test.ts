import { PartitionQueue } from '../../src/producer/accumulator.js'
import { OutgoingBatch } from '../../src/producer/outgoing-batch.js'
import { SendResult } from '../../src/producer/send-result.js'
import { SequenceTracker } from '../../src/producer/sequences.js'
import { SETTINGS, sized } from './fixtures.js'

function batch(records: number): OutgoingBatch {
  const b = new OutgoingBatch('t', 0, SETTINGS, 1_000_000, 0)
  const result = new SendResult()
  for (let i = 0; i < records; i++) {
    const { record, size } = sized(`r${i}`)
    b.append(record, size, result)
  }
  return b
}

function tracker(bumpLocally = true): SequenceTracker {
  const t = new SequenceTracker({ bumpLocally })
  t.setProducerIdAndEpoch({ producerId: 42n, epoch: 0 })
  return t
}

/** Drains a new batch as the sender does: mayDrain, then assign. */
function send(t: SequenceTracker, queue: PartitionQueue, b: OutgoingBatch): boolean {
  if (!t.mayDrain(queue, b)) return false
  t.assign(queue, b)
  queue.inFlight++
  return true
}

function answer(t: SequenceTracker, queue: PartitionQueue, b: OutgoingBatch, offset: bigint): void {
  queue.inFlight--
  t.acknowledged(queue, b, offset)
}

/** A tracker whose partition had its first batch acknowledged and now has `expired` (2 records, sequences 1-2) in flight and failed for the user. */
function unresolved(): { t: SequenceTracker; q: PartitionQueue; expired: OutgoingBatch } {
  const t = tracker()
  const q = new PartitionQueue('t', 0)
  const first = batch(1)
  send(t, q, first)
  answer(t, q, first, 0n)
  const expired = batch(2)
  send(t, q, expired)
  t.failed(q, expired)
  return { t, q, expired }
}

describe('SequenceTracker', () => {
  test('numbers batches per partition consecutively from 0 under the producer id and epoch', () => {
    const t = tracker()
    const p0 = new PartitionQueue('t', 0)
    const p1 = new PartitionQueue('t', 1)
    const [a, b, c] = [batch(3), batch(5), batch(2)]
    expect(send(t, p0, a)).toBe(true)
    answer(t, p0, a, 0n)
    expect(send(t, p0, b)).toBe(true)
    expect(send(t, p1, c)).toBe(true)
    expect([a.producerId, a.producerEpoch, a.baseSequence]).toEqual([42n, 0, 0])
    expect(b.baseSequence).toBe(3)
    expect(c.baseSequence).toBe(0)
    expect(t.nextSequence(p0)).toBe(8)
  })

  test('the first batch of an epoch goes alone; once acknowledged, up to the in-flight limit follow', () => {
    const t = tracker()
    const q = new PartitionQueue('t', 0)
    const first = batch(1)
    expect(send(t, q, first)).toBe(true)
    expect(t.mayDrain(q, batch(1))).toBe(false)
    answer(t, q, first, 0n)
    const pipelined = [batch(1), batch(1), batch(1)]
    for (const b of pipelined) expect(send(t, q, b)).toBe(true)
    expect(pipelined.map((b) => b.baseSequence)).toEqual([1, 2, 3])
  })

  test('a retried batch goes only as the lowest unacknowledged sequence, with nothing in flight', () => {
    const t = tracker()
    const q = new PartitionQueue('t', 0)
    const first = batch(1)
    send(t, q, first)
    answer(t, q, first, 0n)
    const [a, b] = [batch(2), batch(2)]
    send(t, q, a)
    send(t, q, b)
    // both come back for a retry; b must wait for a
    q.inFlight = 0
    expect(t.mayDrain(q, b)).toBe(false)
    expect(t.mayDrain(q, a)).toBe(true)
    q.inFlight = 1
    expect(t.mayDrain(q, a)).toBe(false)
  })

  test('OUT_OF_ORDER_SEQUENCE_NUMBER is a gap for the batch right after the last acknowledged one, else the batch is behind one unresolved', () => {
    const t = tracker()
    const q = new PartitionQueue('t', 0)
    const first = batch(2)
    send(t, q, first)
    answer(t, q, first, 0n)
    const [a, b] = [batch(2), batch(2)]
    send(t, q, a)
    send(t, q, b)
    expect(t.outOfOrder(q, a)).toBe('gap')
    expect(t.outOfOrder(q, b)).toBe('behind')
    expect(t.lastAckedOffset(q)).toBe(1n)
  })

  test('a batch failing after it was sent leaves its partition unresolved: once all is answered, a gap bumps the epoch and renumbers from 0', () => {
    const t = tracker()
    const q = new PartitionQueue('t', 0)
    const first = batch(1)
    send(t, q, first)
    answer(t, q, first, 0n)
    const [failed, waiting] = [batch(2), batch(3)]
    send(t, q, failed)
    send(t, q, waiting)
    q.inFlight = 1 // `waiting` is still out
    t.failed(q, failed)
    expect(t.isUnresolved(q)).toBe(true)
    expect(t.mayDrain(q, batch(1))).toBe(false)
    // `waiting` comes back out of order, right after the failed batch: the broker lacks it
    q.inFlight = 0
    expect(t.outOfOrder(q, waiting)).toBe('gap')
    t.requestBump(q)
    expect(t.mayDrain(q, waiting)).toBe(false)
    expect(t.maybeBump()).toBe('bumped')
    expect(t.isUnresolved(q)).toBe(false)
    expect(t.producerIdAndEpoch).toEqual({ producerId: 42n, epoch: 1 })
    expect([waiting.producerEpoch, waiting.baseSequence]).toEqual([1, 0])
    expect(t.mayDrain(q, waiting)).toBe(true)
    expect(t.nextSequence(q)).toBe(3)
  })

  test('an unresolved partition whose failed batch the broker acknowledged late goes on under its epoch', () => {
    const { t, q, expired } = unresolved()
    expect(t.maybeBump()).toBe('none')
    expect(t.mayDrain(q, batch(1))).toBe(false)
    answer(t, q, expired, 1n)
    expect(t.maybeBump()).toBe('none')
    expect(t.isUnresolved(q)).toBe(false)
    const next = batch(1)
    expect(send(t, q, next)).toBe(true)
    expect([next.producerEpoch, next.baseSequence]).toEqual([0, 3])
  })

  test('an unresolved partition whose failed batch was never acknowledged bumps the epoch once nothing is out', () => {
    const { t, q } = unresolved()
    expect(t.maybeBump()).toBe('none')
    q.inFlight = 0 // its request failed
    expect(t.maybeBump()).toBe('bumped')
    const next = batch(1)
    expect(send(t, q, next)).toBe(true)
    expect([next.producerEpoch, next.baseSequence]).toEqual([1, 0])
  })

  test('other partitions keep their epoch until their unacknowledged batches are resolved', () => {
    const t = tracker()
    const bumped = new PartitionQueue('t', 0)
    const other = new PartitionQueue('t', 1)
    const otherFirst = batch(1)
    send(t, other, otherFirst)
    answer(t, other, otherFirst, 0n)
    const otherOld = batch(1)
    send(t, other, otherOld)
    const gap = batch(1)
    send(t, bumped, gap)
    bumped.inFlight = 0
    t.failed(bumped, gap)
    expect(t.maybeBump()).toBe('bumped')
    // `other` still has an epoch-0 batch in flight: new batches wait
    expect(t.mayDrain(other, batch(1))).toBe(false)
    answer(t, other, otherOld, 1n)
    const fresh = batch(1)
    expect(send(t, other, fresh)).toBe(true)
    expect([fresh.producerEpoch, fresh.baseSequence]).toEqual([1, 0])
  })

  test('an exhausted epoch asks for a new producer id, which renumbers the partitions concerned', () => {
    const t = new SequenceTracker({ bumpLocally: true })
    t.setProducerIdAndEpoch({ producerId: 1n, epoch: 0x7fff })
    const q = new PartitionQueue('t', 0)
    const [gap, retry] = [batch(1), batch(4)]
    send(t, q, gap)
    q.inFlight = 0
    t.acknowledged(q, gap, 0n)
    send(t, q, retry)
    q.inFlight = 0
    t.requestBump(q)
    expect(t.maybeBump()).toBe('new-producer-id')
    expect(t.hasProducerId).toBe(false)
    expect(t.mayDrain(q, retry)).toBe(false)
    t.setProducerIdAndEpoch({ producerId: 2n, epoch: 0 })
    expect([retry.producerId, retry.producerEpoch, retry.baseSequence]).toEqual([2n, 0, 0])
  })

  test('a transactional producer never bumps locally; a new epoch from the coordinator restarts every partition', () => {
    const t = tracker(false)
    const q = new PartitionQueue('t', 0)
    const b = batch(2)
    send(t, q, b)
    q.inFlight = 0
    t.failed(q, b)
    expect(t.isUnresolved(q)).toBe(false)
    expect(t.maybeBump()).toBe('none')
    expect(t.bumpRequested).toBe(false)
    t.setProducerIdAndEpoch({ producerId: 42n, epoch: 1 }, true)
    const next = batch(1)
    expect(send(t, q, next)).toBe(true)
    expect([next.producerEpoch, next.baseSequence]).toEqual([1, 0])
  })

  test('a transactional partition whose producer state the broker lost restarts at 0 under the same epoch', () => {
    const t = tracker(false)
    const q = new PartitionQueue('t', 0)
    const first = batch(1)
    send(t, q, first)
    answer(t, q, first, 0n)
    const b = batch(2)
    send(t, q, b)
    q.inFlight = 0
    t.requestBump(q)
    expect(t.mayDrain(q, b)).toBe(false)
    expect(t.maybeBump()).toBe('none')
    expect([b.producerEpoch, b.baseSequence]).toEqual([0, 0])
    expect(t.mayDrain(q, b)).toBe(true)
  })

  test('nothing is drained before a producer id is known', () => {
    const t = new SequenceTracker({ bumpLocally: true })
    expect(t.mayDrain(new PartitionQueue('t', 0), batch(1))).toBe(false)
  })
})
