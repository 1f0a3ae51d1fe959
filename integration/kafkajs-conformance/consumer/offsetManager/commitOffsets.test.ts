// KafkaJS 2.2.4 src/consumer/offsetManager/__tests__/commitOffsets.spec.js, through the consumer's
// commits (consumer.commit_offsets events and the group's committed offsets):
//   - an automatic commit carries the resolved offsets not committed yet, and only those, by topic,
//     the partitions as strings
//   - offsets given to commitOffsetsIfNecessary(offsets) are committed as given
// Internal only, not encoded: the metadata refresh on NOT_COORDINATOR (a mocked coordinator).

import { waitFor } from '../../helpers.js'
import { OffsetsBed } from './shared.js'

describe('Consumer offsetManager commitOffsets (KafkaJS src/consumer/offsetManager/__tests__/commitOffsets.spec.js)', () => {
  const bed = new OffsetsBed()
  afterEach(() => bed.tearDown())

  test('commits all the resolved offsets that have not already been committed', async () => {
    const consumer = await bed.setUp(2)
    await consumer.run({ eachMessage: async () => {} })
    await bed.send(0, 3)
    await waitFor(() => bed.committedOffsetsOf('0').includes('3'), 'partition 0 committed')
    await bed.send(1, 3)
    await waitFor(() => bed.committedOffsetsOf('1').includes('3'), 'partition 1 committed')
    // partition 0, already committed, is not committed again with partition 1
    const last = bed.commits[bed.commits.length - 1]
    expect(last?.topics).toEqual([{ topic: bed.topic, partitions: [{ partition: '1', offset: '3' }] }])
    expect(bed.committedOffsetsOf('0')).toEqual(['3'])
    expect(await bed.committed()).toEqual({ 0: '3', 1: '3' })
  })

  test('commits any provided offsets', async () => {
    const consumer = await bed.setUp(1)
    const provided = { topics: [{ topic: bed.topic, partitions: [{ partition: 0, offset: '2' }] }] }
    let done = false
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ commitOffsetsIfNecessary }) => {
        if (done) return
        await commitOffsetsIfNecessary(provided)
        done = true
      },
    })
    await bed.send(0, 3)
    await waitFor(() => done, 'the batch handled')
    expect(bed.commits.map((c) => c.topics)).toEqual([provided.topics])
    expect(await bed.committed()).toEqual({ 0: '2' })
  })
})
