import { KafkaJSProtocolError } from '../../src/errors.js'
import { ErrorCode, errorByCode, PROTOCOL_ERRORS, protocolError } from '../../src/protocol/generated/index.js'

describe('protocol error table', () => {
  it('holds every code once, with names, retriability and a short message', () => {
    expect(PROTOCOL_ERRORS.length).toBeGreaterThanOrEqual(130)
    expect(new Set(PROTOCOL_ERRORS.map((e) => e.code)).size).toBe(PROTOCOL_ERRORS.length)
    for (const e of PROTOCOL_ERRORS) {
      expect(e.name).toMatch(/^[A-Z0-9_]+$/)
      expect(e.message.length).toBeGreaterThan(0)
      expect(ErrorCode[e.name as keyof typeof ErrorCode]).toBe(e.code)
    }
  })

  it('looks errors up by code', () => {
    expect(errorByCode(6)).toStrictEqual({
      code: 6,
      name: 'NOT_LEADER_OR_FOLLOWER',
      retriable: true,
      message: 'Not leader or follower',
    })
    expect(errorByCode(ErrorCode.TOPIC_AUTHORIZATION_FAILED).retriable).toBe(false)
    expect(errorByCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).retriable).toBe(true)
    expect(errorByCode(-1).name).toBe('UNKNOWN_SERVER_ERROR')
    expect(errorByCode(31999)).toStrictEqual({
      code: 31999,
      name: 'UNKNOWN',
      retriable: false,
      message: 'Unknown error code 31999',
    })
  })

  it('builds a KafkaJSProtocolError', () => {
    const err = protocolError(ErrorCode.NOT_COORDINATOR, 'group g')
    expect(err).toBeInstanceOf(KafkaJSProtocolError)
    expect(err).toMatchObject({
      type: 'NOT_COORDINATOR',
      errorCode: 16,
      code: 'NOT_COORDINATOR',
      retriable: true,
      message: 'Not coordinator (group g)',
      name: 'KafkaJSProtocolError',
    })
    expect(protocolError(ErrorCode.INVALID_TOPIC_EXCEPTION).message).toBe('Invalid topic')
  })
})
