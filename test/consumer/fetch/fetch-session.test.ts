import { FetchSession, type SessionPartition } from '../../../src/consumer/fetch/fetch-session.js'
import { ErrorCode } from '../../../src/protocol/generated/errors.js'

function p(partition: number, fetchOffset: bigint, topic = 't'): SessionPartition {
  return {
    topic,
    topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
    partition,
    fetchOffset,
    partitionMaxBytes: 100,
    currentLeaderEpoch: 0,
    lastFetchedEpoch: -1,
  }
}

function listed(request: ReturnType<FetchSession['build']>): string[] {
  return request.topics.flatMap((t) => t.partitions.map((x) => `${t.topic}-${x.partition}@${x.fetchOffset}`))
}

describe('FetchSession', () => {
  test('full fetch first, then only changed partitions, with forgotten ones', () => {
    const session = new FetchSession()
    const first = session.build([p(0, 0n), p(1, 0n)], true)
    expect(first).toMatchObject({ sessionId: 0, sessionEpoch: 0, full: true })
    expect(listed(first)).toEqual(['t-0@0', 't-1@0'])
    expect(session.handleResponse(ErrorCode.NONE, 77)).toBe(true)

    const second = session.build([p(0, 5n), p(1, 0n), p(2, 0n)], true)
    expect(second).toMatchObject({ sessionId: 77, sessionEpoch: 1, full: false })
    expect(listed(second)).toEqual(['t-0@5', 't-2@0'])
    session.handleResponse(ErrorCode.NONE, 77)

    const third = session.build([p(0, 5n), p(2, 0n)], true)
    expect(third.sessionEpoch).toBe(2)
    expect(listed(third)).toEqual([])
    expect(third.forgottenTopicsData).toEqual([expect.objectContaining({ topic: 't', partitions: [1] })])
  })

  test('a session error starts over with a full fetch', () => {
    const session = new FetchSession()
    session.build([p(0, 0n)], true)
    session.handleResponse(ErrorCode.NONE, 9)
    session.build([p(0, 1n)], true)
    expect(session.handleResponse(ErrorCode.INVALID_FETCH_SESSION_EPOCH, 0)).toBe(false)
    const next = session.build([p(0, 1n)], true)
    expect(next).toMatchObject({ sessionId: 0, sessionEpoch: 0, full: true })
  })

  test('a broker that keeps no session gets full fetches; versions without sessions use epoch -1', () => {
    const session = new FetchSession()
    session.build([p(0, 0n)], true)
    session.handleResponse(ErrorCode.NONE, 0)
    expect(session.build([p(0, 1n)], true)).toMatchObject({ sessionId: 0, sessionEpoch: 0, full: true })
    expect(new FetchSession().build([p(0, 0n)], false)).toMatchObject({ sessionId: 0, sessionEpoch: -1, full: true })
  })

  test('an invalidated partition is sent again even when unchanged', () => {
    const session = new FetchSession()
    session.build([p(0, 0n), p(1, 0n)], true)
    session.handleResponse(ErrorCode.NONE, 5)
    session.invalidate('t', 1)
    expect(listed(session.build([p(0, 0n), p(1, 0n)], true))).toEqual(['t-1@0'])
  })
})
