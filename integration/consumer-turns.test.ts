// Partitions served in turn (issue 14 point 9) against the real broker, through the public API: a
// partition with a large fetched backlog is handed out maxPollRecords messages at a time, so a
// partition whose data arrives meanwhile is not kept waiting behind the whole backlog; eachBatch's
// batches hold at most maxPollRecords messages; every message is handled once and committed.
// Asserted by the order of the handler's calls, never by time (docs/reliability.md has the times).

import type { Consumer } from '../src/index.js'
import { committedOffsets, consumerTestBed, waitFor } from './helpers/consumer-helpers.js'
import { numberedRecords, produceRaw } from './helpers/produce-raw.js'

jest.setTimeout(90_000)

const bed = consumerTestBed('consumer-turns-test')
const { suffix, consumer, topicWith } = bed

/** Resolves once a Fetch started after this call has been answered and its data buffered. */
function nextWholeFetch(c: Consumer): Promise<void> {
  return new Promise((resolve) => {
    const removeStart = c.on(c.events.FETCH_START, () => {
      removeStart()
      const removeEnd = c.on(c.events.FETCH, () => {
        removeEnd()
        resolve()
      })
    })
  })
}

test("a partition's messages fetched while another's backlog is handled come after one turn of it, not after the backlog", async () => {
  const backlog = 3000
  const topic = await topicWith('turns-backlog', 2, 0)
  await produceRaw(bed.cluster(), topic, 0, numberedRecords('p0', 0, backlog))
  const groupId = `g-turns-backlog-${suffix}`
  const c = consumer(groupId)
  await c.subscribe({ topics: [topic], fromBeginning: true })
  const seen: string[] = []
  let held = false
  await c.run({
    eachMessage: async ({ message }) => {
      seen.push(String(message.value))
      if (held) return
      held = true
      // the backlog's first message: partition 1 gets a message, and the handler goes on once a
      // Fetch sent after it was written has been answered (partition 1's message is buffered)
      const fetched = nextWholeFetch(c)
      await produceRaw(bed.cluster(), topic, 1, numberedRecords('p1', 0, 1))
      await fetched
    },
  })
  await waitFor(() => seen.length === backlog + 1, 'every message handled', 60_000)
  const other = seen.indexOf('p1-0')
  // with KafkaJS's whole-fetch turns it came after p0-2999; now after the first turn of 500
  expect(other).toBeGreaterThan(0)
  expect(other).toBeLessThan(seen.indexOf(`p0-${backlog - 1}`))
  expect(other).toBeLessThanOrEqual(500)
  expect(seen.filter((v) => v.startsWith('p0-'))).toEqual(numberedRecords('p0', 0, backlog).map((r) => String(r.value)))
  await c.disconnect()
  expect(await committedOffsets(bed.cluster(), groupId, topic, 2)).toEqual([backlog, 1])
})

test('eachBatch batches hold at most maxPollRecords messages; the partitions alternate while both have messages', async () => {
  const perPartition = 1000
  const topic = await topicWith('turns-batches', 2, perPartition)
  const groupId = `g-turns-batches-${suffix}`
  const c = consumer(groupId, { maxPollRecords: 100 })
  await c.subscribe({ topics: [topic], fromBeginning: true })
  const batches: { partition: number; size: number; first: string }[] = []
  await c.run({
    eachBatch: async ({ batch }) => {
      batches.push({ partition: batch.partition, size: batch.messages.length, first: batch.firstOffset()! })
    },
  })
  await waitFor(() => batches.reduce((n, b) => n + b.size, 0) === 2 * perPartition, 'every message handled', 60_000)
  expect(Math.max(...batches.map((b) => b.size))).toBe(100)
  for (const p of [0, 1]) {
    // each partition's batches follow each other without a gap or a repeat
    const firsts = batches.filter((b) => b.partition === p).map((b) => Number(b.first))
    expect(firsts).toEqual(firsts.map((_, i) => i * 100).slice(0, firsts.length))
  }
  // once both partitions have data buffered, no partition gets two turns in a row while the other waits
  const bothFrom = batches.findIndex((b) => b.partition !== batches[0]!.partition)
  const lastOfFirst = batches.map((b) => b.partition).lastIndexOf(batches[0]!.partition)
  const lastOfOther = batches.map((b) => b.partition).lastIndexOf(batches[bothFrom]!.partition)
  const interleaved = batches.slice(bothFrom, Math.min(lastOfFirst, lastOfOther) + 1)
  for (let i = 1; i < interleaved.length; i++) expect(interleaved[i]!.partition).not.toBe(interleaved[i - 1]!.partition)
  await c.disconnect()
  expect(await committedOffsets(bed.cluster(), groupId, topic, 2)).toEqual([perPartition, perPartition])
})
