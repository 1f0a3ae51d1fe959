// KafkaJS 2.2.4 src/consumer/offsetManager/__tests__/commitOffsetsIfNecessary.spec.js, through the
// consumer: commitOffsetsIfNecessary() commits nothing without autoCommitInterval and
// autoCommitThreshold, commits every time the interval has passed (an interval of 0: after each
// message), and each time the threshold of resolved offsets is reached; and, as KafkaJS's runner,
// the consumer commits after each batch whatever the interval or threshold.
// Timing-based cases (an interval of 30 ms reached or not) are pinned with an interval of 0, which
// is due at every message, instead of sleeps.

import { waitFor } from '../../helpers.js'
import { OffsetsBed } from './shared.js'

describe('Consumer offsetManager commitOffsetsIfNecessary (KafkaJS src/consumer/offsetManager/__tests__/commitOffsetsIfNecessary.spec.js)', () => {
  const bed = new OffsetsBed()
  afterEach(() => bed.tearDown())

  test('when autoCommitInterval and autoCommitThreshold are undefined it does not commit offsets', async () => {
    const consumer = await bed.setUp(1)
    let handled = false
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
        for (const message of batch.messages) resolveOffset(message.offset)
        await commitOffsetsIfNecessary()
        handled = true
      },
    })
    await bed.send(0, 3)
    await waitFor(() => handled, 'the batch handled')
    expect(bed.commits).toEqual([])
    expect(await bed.committed()).toEqual({ 0: '-1' })
  })

  test('when autoCommitInterval is reached it commits (an interval of 0: after every message)', async () => {
    const consumer = await bed.setUp(1)
    await consumer.run({ autoCommitInterval: 0, eachMessage: async () => {} })
    await bed.send(0, 5)
    await waitFor(() => bed.committedOffsetsOf('0').includes('5'), 'offset 5 committed')
    expect(bed.committedOffsetsOf('0')).toEqual(['1', '2', '3', '4', '5'])
  })

  test('when autoCommitThreshold is reached it commits, and the batch is committed at its end', async () => {
    const consumer = await bed.setUp(1)
    await consumer.run({ autoCommitThreshold: 3, eachMessage: async () => {} })
    await bed.send(0, 10)
    await waitFor(() => bed.committedOffsetsOf('0').includes('10'), 'offset 10 committed')
    expect(bed.committedOffsetsOf('0')).toEqual(['3', '6', '9', '10'])
  })
})
