// KafkaJS 2.2.4 src/consumer/offsetManager/__tests__/uncommittedOffsets.spec.js, through eachBatch's
// uncommittedOffsets(): every resolved offset not committed yet, by topic, the partitions as
// strings; a partition whose resolved offset is committed is left out.

import type { OffsetsByTopicPartition } from '../../../../src/index.js'
import { waitFor } from '../../helpers.js'
import { OffsetsBed } from './shared.js'

describe('Consumer offsetManager uncommittedOffsets (KafkaJS src/consumer/offsetManager/__tests__/uncommittedOffsets.spec.js)', () => {
  const bed = new OffsetsBed()
  afterEach(() => bed.tearDown())

  test('returns all resolved offsets which have not been committed', async () => {
    const consumer = await bed.setUp(2)
    let uncommitted: (() => OffsetsByTopicPartition) | undefined
    const seen = new Set<number>()
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset, uncommittedOffsets }) => {
        for (const message of batch.messages) resolveOffset(message.offset)
        seen.add(batch.partition)
        uncommitted = uncommittedOffsets
      },
    })
    await bed.send(0, 3)
    await bed.send(1, 2)
    await waitFor(() => seen.size === 2, 'both partitions handled')
    const byPartition = (o: OffsetsByTopicPartition | undefined) =>
      o?.topics.map((t) => ({
        ...t,
        partitions: [...t.partitions].sort((a, b) => String(a.partition).localeCompare(String(b.partition))),
      }))
    expect(byPartition(uncommitted?.())).toEqual([
      {
        topic: bed.topic,
        partitions: [
          { partition: '0', offset: '3' },
          { partition: '1', offset: '2' },
        ],
      },
    ])

    // committed: left out
    await consumer.commitOffsets([{ topic: bed.topic, partition: 0, offset: '3' }])
    expect(uncommitted?.()).toEqual({ topics: [{ topic: bed.topic, partitions: [{ partition: '1', offset: '2' }] }] })
  })
})
