// The runner's turns (src/consumer/runner.ts): at most maxPollRecords messages of a partition per
// turn, partitions served in turn, a partition never served (just assigned) first. The runner is
// driven directly on a SubscriptionState with chunks buffered by hand and a committer that only
// records; the same behaviour through the public API is in test/fake-broker/consumer-run.test.ts and
// integration/consumer-turns.test.ts.

import { resolveRetryOptions } from '../../src/common/backoff.js'
import { silentLogger } from '../../src/common/logger.js'
import { FetchedMessages } from '../../src/consumer/fetch/fetched-messages.js'
import type { EachBatchHandler, EachMessageHandler } from '../../src/consumer/handlers.js'
import type { OffsetCommitter } from '../../src/consumer/offsets/offset-committer.js'
import { Runner } from '../../src/consumer/runner.js'
import { type PartitionState, SubscriptionState } from '../../src/consumer/subscription-state.js'
import { decodeRecords, encodeRecordBatch } from '../../src/protocol/records/index.js'

/** Buffers `count` messages for `state` from its fetch position, as one fetched chunk. */
async function bufferMessages(state: PartitionState, count: number): Promise<void> {
  const from = state.fetchPosition!
  const bytes = await encodeRecordBatch({
    baseOffset: from,
    records: Array.from({ length: count }, (_, i) => ({
      value: Buffer.from(`${state.partition}-${Number(from) + i}`),
    })),
  })
  const messages = new FetchedMessages()
  for (const batch of (await decodeRecords(bytes)).batches) messages.add(batch, 0)
  const next = from + BigInt(count)
  state.buffer({
    topic: state.topic,
    partition: state.partition,
    generation: state.generation,
    fetchOffset: from,
    messages,
    nextOffset: next,
    firstOffset: from,
    highWatermark: next,
    lastLeaderEpoch: -1,
    lastBatchEpoch: -1,
    fetchLeaderEpoch: -1,
    bytes: bytes.length,
  })
}

/** Only what the runner calls on a committer: resolving marks the partition. */
function recordingCommitter(): OffsetCommitter {
  return {
    autoCommit: true,
    commitsPerMessage: false,
    resolve: (state: PartitionState, next: bigint, epoch?: number) => state.resolve(next, epoch),
    afterBatch: async () => {},
    commitIfNecessary: async () => {},
    commit: async () => {},
    uncommittedOffsets: () => ({ topics: [] }),
  } as unknown as OffsetCommitter
}

interface Harness {
  subscriptions: SubscriptionState
  states: PartitionState[]
  runner: (handlers: { eachMessage?: EachMessageHandler; eachBatch?: EachBatchHandler }) => Runner
}

function harness(partitions: number, maxPollRecords: number, concurrency = 1): Harness {
  const subscriptions = new SubscriptionState()
  const states = subscriptions.assign(Array.from({ length: partitions }, (_, partition) => ({ topic: 't', partition })))
  for (const s of states) s.seek(0n)
  return {
    subscriptions,
    states,
    runner: ({ eachMessage, eachBatch }) =>
      new Runner({
        subscriptions,
        committer: recordingCommitter(),
        eachMessage,
        eachBatch,
        eachBatchAutoResolve: true,
        concurrency,
        maxPollRecords,
        retry: resolveRetryOptions({}),
        logger: silentLogger,
        onStartBatch: () => {},
        onEndBatch: () => {},
        commitOffsets: async () => {},
        onCrash: (error) => {
          throw error
        },
      }),
  }
}

/** Resolves after `n` calls of the returned `tick`. */
function countdown(n: number): { done: Promise<void>; tick: () => void } {
  let resolve!: () => void
  const done = new Promise<void>((r) => {
    resolve = r
  })
  let left = n
  return {
    done,
    tick: () => {
      if (--left === 0) resolve()
    },
  }
}

test('eachBatch: batches of at most maxPollRecords, the partitions taking turns until both are done', async () => {
  const h = harness(2, 2)
  await bufferMessages(h.states[0]!, 5)
  await bufferMessages(h.states[1]!, 5)
  const batches: string[] = []
  const end = countdown(6)
  const runner = h.runner({
    eachBatch: async ({ batch }) => {
      batches.push(`${batch.partition}:${batch.messages.map((m) => m.offset).join(',')}`)
      end.tick()
    },
  })
  runner.start()
  await end.done
  await runner.stop()
  expect(batches).toEqual(['0:0,1', '1:0,1', '0:2,3', '1:2,3', '0:4', '1:4'])
  expect(h.states.map((s) => [s.position, s.resolved])).toEqual([
    [5n, 5n],
    [5n, 5n],
  ])
})

test('eachMessage: a turn hands out maxPollRecords messages of one partition, then the other has its turn', async () => {
  const h = harness(3, 3)
  await bufferMessages(h.states[0]!, 7)
  await bufferMessages(h.states[1]!, 4)
  await bufferMessages(h.states[2]!, 1)
  const seen: string[] = []
  const end = countdown(12)
  const runner = h.runner({
    eachMessage: async ({ partition, message }) => {
      seen.push(`${partition}:${message.offset}`)
      end.tick()
    },
  })
  runner.start()
  await end.done
  await runner.stop()
  expect(seen.join(' ')).toBe('0:0 0:1 0:2 1:0 1:1 1:2 2:0 0:3 0:4 0:5 1:3 0:6')
})

test('a partition assigned while another has a backlog is served at the next turn', async () => {
  const h = harness(1, 2)
  await bufferMessages(h.states[0]!, 10)
  const batches: string[] = []
  const end = countdown(6)
  let added: PartitionState | undefined
  const runner = h.runner({
    eachBatch: async ({ batch }) => {
      batches.push(`${batch.partition}:${batch.messages.length}`)
      if (batches.length === 2) {
        // assigned during the second turn of partition 0, with data buffered before the turn ends
        ;[added] = h.subscriptions.assign([{ topic: 't', partition: 1 }])
        added!.seek(0n)
        await bufferMessages(added!, 2)
      }
      end.tick()
    },
  })
  runner.start()
  await end.done
  await runner.stop()
  expect(batches).toEqual(['0:2', '0:2', '1:2', '0:2', '0:2', '0:2'])
  expect(added!.position).toBe(2n)
})

test('with partitionsConsumedConcurrently, the workers still serve the partition served longest ago', async () => {
  const h = harness(3, 1, 2)
  for (const s of h.states) await bufferMessages(s, 3)
  const started: number[] = []
  const end = countdown(9)
  const runner = h.runner({
    eachBatch: async ({ batch }) => {
      started.push(batch.partition)
      await new Promise((resolve) => setImmediate(resolve))
      end.tick()
    },
  })
  runner.start()
  await end.done
  await runner.stop()
  // every partition has its nth turn before any has its (n+1)th
  for (let turn = 0; turn < 3; turn++)
    expect(new Set(started.slice(turn * 3, turn * 3 + 3))).toEqual(new Set([0, 1, 2]))
})
