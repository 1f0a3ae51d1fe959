import { SendResult } from '../../src/producer/send-result.js'

describe('SendResult', () => {
  test("settles with KafkaJS's RecordMetadata per topic-partition, the lowest offset of the call", async () => {
    const result = new SendResult()
    const p0 = result.entry('t', 0)
    const p1 = result.entry('t', 1)
    result.segmentAdded()
    result.segmentAdded()
    result.segmentAdded()
    result.seal()
    result.segmentDone(p0, 120n, -1n, 0n)
    result.segmentDone(p1, 7n, 1700000000000n, 3n)
    result.segmentDone(p0, 100n, -1n, 0n)
    await expect(result.promise).resolves.toEqual([
      { topicName: 't', partition: 0, errorCode: 0, baseOffset: '100', logAppendTime: '-1', logStartOffset: '0' },
      {
        topicName: 't',
        partition: 1,
        errorCode: 0,
        baseOffset: '7',
        logAppendTime: '1700000000000',
        logStartOffset: '3',
      },
    ])
  })

  test('offsets come as their exact decimal text: 0, -1 and past 2^53', async () => {
    const result = new SendResult()
    const entries = [result.entry('t', 0), result.entry('t', 1)]
    for (const _ of entries) result.segmentAdded()
    result.seal()
    result.segmentDone(entries[0]!, 0n, -1n, 0n)
    result.segmentDone(entries[1]!, 9007199254740993n, 1n, 9007199254740995n)
    const [first, second] = await result.promise
    expect([first!.baseOffset, first!.logAppendTime, first!.logStartOffset]).toEqual(['0', '-1', '0'])
    expect([second!.baseOffset, second!.logAppendTime, second!.logStartOffset]).toEqual([
      '9007199254740993',
      '1',
      '9007199254740995',
    ])
  })

  test('does not settle before it is sealed and every segment is done', async () => {
    const result = new SendResult()
    const entry = result.entry('t', 0)
    result.segmentAdded()
    result.segmentDone(entry, 0n, -1n, 0n)
    let settled = false
    void result.promise.then(() => {
      settled = true
    })
    await Promise.resolve()
    expect(settled).toBe(false)
    result.seal()
    await result.promise
    expect(settled).toBe(true)
  })

  test('rejects with the first error once every segment is settled', async () => {
    const result = new SendResult()
    const entry = result.entry('t', 0)
    result.segmentAdded()
    result.segmentAdded()
    result.seal()
    result.segmentFailed(new Error('first'))
    result.segmentFailed(new Error('second'))
    await expect(result.promise).rejects.toThrow('first')
    void entry
  })

  test('a call that failed while appending rejects even if its appended records are delivered', async () => {
    const result = new SendResult()
    const entry = result.entry('t', 0)
    result.segmentAdded()
    result.seal(new Error('buffer exhausted'))
    result.segmentDone(entry, 5n, -1n, 0n)
    await expect(result.promise).rejects.toThrow('buffer exhausted')
  })
})
