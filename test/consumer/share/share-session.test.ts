import { ShareSession, sessionKey } from '../../../src/consumer/share/share-session.js'
import { ErrorCode } from '../../../src/protocol/generated/errors.js'

const batch = { firstOffset: 3n, lastOffset: 4n, acknowledgeTypes: [1] }
const p = (topicId: string, partition: number) => ({ topicId, partition })

describe('ShareSession', () => {
  test('epoch 0 opens the session with every wanted partition; later requests list only what changed', () => {
    const session = new ShareSession()
    const first = session.fetchRequest([p('A', 0), p('A', 1), p('B', 0)], new Map())
    expect(first.shareSessionEpoch).toBe(0)
    expect(first.topics).toEqual([
      {
        topicId: 'A',
        partitions: [
          { partitionIndex: 0, acknowledgementBatches: [] },
          { partitionIndex: 1, acknowledgementBatches: [] },
        ],
      },
      { topicId: 'B', partitions: [{ partitionIndex: 0, acknowledgementBatches: [] }] },
    ])
    expect(first.forgottenTopicsData).toEqual([])
    session.answered(first, ErrorCode.NONE)
    expect(session.isOpen).toBe(true)

    // B-0 dropped, A-2 added, A-1 acknowledged
    const second = session.fetchRequest([p('A', 0), p('A', 1), p('A', 2)], new Map([[sessionKey('A', 1), [batch]]]))
    expect(second.shareSessionEpoch).toBe(1)
    expect(second.topics).toEqual([
      {
        topicId: 'A',
        partitions: [
          { partitionIndex: 1, acknowledgementBatches: [batch] },
          { partitionIndex: 2, acknowledgementBatches: [] },
        ],
      },
    ])
    expect(second.forgottenTopicsData).toEqual([{ topicId: 'B', partitions: [0] }])
    session.answered(second, ErrorCode.NONE)

    const third = session.fetchRequest([p('A', 0), p('A', 1), p('A', 2)], new Map())
    expect(third).toMatchObject({ shareSessionEpoch: 2, topics: [], forgottenTopicsData: [] })
  })

  test('a partition with acknowledgements stays in the session until a request without them', () => {
    const session = new ShareSession()
    session.answered(session.fetchRequest([p('A', 0)], new Map()), ErrorCode.NONE)
    const acking = session.fetchRequest([], new Map([[sessionKey('A', 0), [batch]]]))
    expect(acking.forgottenTopicsData).toEqual([])
    expect(acking.topics).toEqual([
      { topicId: 'A', partitions: [{ partitionIndex: 0, acknowledgementBatches: [batch] }] },
    ])
    session.answered(acking, ErrorCode.NONE)
    expect(session.fetchRequest([], new Map()).forgottenTopicsData).toEqual([{ topicId: 'A', partitions: [0] }])
  })

  test.each([ErrorCode.SHARE_SESSION_NOT_FOUND, ErrorCode.INVALID_SHARE_SESSION_EPOCH])(
    'error %i starts the session over at epoch 0',
    (code) => {
      const session = new ShareSession()
      session.answered(session.fetchRequest([p('A', 0)], new Map()), ErrorCode.NONE)
      const next = session.fetchRequest([p('A', 0)], new Map())
      session.answered(next, code)
      expect(session.isOpen).toBe(false)
      expect(session.fetchRequest([p('A', 0)], new Map())).toMatchObject({
        shareSessionEpoch: 0,
        topics: [{ topicId: 'A', partitions: [{ partitionIndex: 0, acknowledgementBatches: [] }] }],
      })
    },
  )

  test('another top-level error keeps the epoch (the request was not applied)', () => {
    const session = new ShareSession()
    session.answered(session.fetchRequest([p('A', 0)], new Map()), ErrorCode.NONE)
    session.answered(session.fetchRequest([p('A', 0)], new Map()), ErrorCode.UNKNOWN_MEMBER_ID)
    expect(session.epoch).toBe(1)
  })

  test('the closing acknowledgement carries epoch -1 and ends the session', () => {
    const session = new ShareSession()
    session.answered(session.fetchRequest([p('A', 0)], new Map()), ErrorCode.NONE)
    const close = session.acknowledgeRequest(new Map([[sessionKey('A', 0), [batch]]]), true)
    expect(close.shareSessionEpoch).toBe(-1)
    session.answered(close, ErrorCode.NONE)
    expect(session.isOpen).toBe(false)
  })

  test('a renewal goes at the session epoch and advances it', () => {
    const session = new ShareSession()
    session.answered(session.fetchRequest([p('A', 0)], new Map()), ErrorCode.NONE)
    const renew = session.acknowledgeRequest(new Map([[sessionKey('A', 0), [batch]]]), false)
    expect(renew.shareSessionEpoch).toBe(1)
    session.answered(renew, ErrorCode.NONE)
    expect(session.epoch).toBe(2)
    // the partition is still in the session: nothing to list again
    expect(session.fetchRequest([p('A', 0)], new Map()).topics).toEqual([])
  })
})
