// Broker error codes as KafkaJS 2.2.4 shows them, checked against the installed kafkajs package itself:
// every code KafkaJS knows becomes the same KafkaJSProtocolError (type, numeric code, retriable,
// message, helpUrl), while the client's own decisions keep Kafka's names and retriability.

import { KafkaJSProtocolError } from '../../src/errors.js'
import { ErrorCode, errorByCode, PROTOCOL_ERRORS, protocolError } from '../../src/protocol/generated/errors.js'
import { KAFKAJS_ERROR_CODES, kafkaJSErrorByCode } from '../../src/protocol/kafkajs-errors.js'

interface KafkaJSTableEntry {
  type: string
  code: number
  retriable: boolean
  message: string
  helpUrl?: string
}
// KafkaJS's own error table and factory, from the package (not part of its typed surface)
const kafkajsProtocol = require('kafkajs/src/protocol/error.js') as {
  errorCodes: KafkaJSTableEntry[]
  createErrorFromCode(code: number): Error & Record<string, unknown>
}

describe('KafkaJS error codes', () => {
  it('hold exactly the codes, types, retriability, texts and help links of KafkaJS 2.2.4', () => {
    const theirs = kafkajsProtocol.errorCodes.map((e) => ({ ...e })).sort((a, b) => a.code - b.code)
    expect(KAFKAJS_ERROR_CODES.map((e) => ({ ...e }))).toEqual(theirs)
  })

  it('retry as Kafka does: KafkaJS and Kafka agree on the retriability of every code KafkaJS knows', () => {
    // the client's retry decisions read `retriable`, which protocolError takes from Kafka's table
    for (const e of KAFKAJS_ERROR_CODES) expect([e.code, errorByCode(e.code).retriable]).toEqual([e.code, e.retriable])
  })

  it.each(kafkajsProtocol.errorCodes.map((e) => [e.code, e.type] as const))(
    'code %d (%s) is the KafkaJSProtocolError KafkaJS builds',
    (code) => {
      const theirs = kafkajsProtocol.createErrorFromCode(code)
      const ours = protocolError(code, 'where it happened')
      expect(ours).toBeInstanceOf(KafkaJSProtocolError)
      expect(ours).toBeInstanceOf(Error)
      for (const key of ['name', 'type', 'code', 'retriable', 'message', 'helpUrl'] as const) {
        expect([key, ours[key]]).toEqual([key, theirs[key]])
      }
      expect(ours.errorCode).toBe(code)
      expect(ours.kafkaType).toBe(errorByCode(code).name)
      expect(ours.detail).toBe('where it happened')
    },
  )

  it('keeps Kafka names underneath where KafkaJS kept older ones', () => {
    const renamed = KAFKAJS_ERROR_CODES.filter((e) => e.type !== errorByCode(e.code).name).map((e) => [
      e.code,
      e.type,
      protocolError(e.code).kafkaType,
    ])
    expect(renamed).toEqual([
      [-1, 'UNKNOWN', 'UNKNOWN_SERVER_ERROR'],
      [6, 'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER'],
      [14, 'GROUP_LOAD_IN_PROGRESS', 'COORDINATOR_LOAD_IN_PROGRESS'],
      [15, 'GROUP_COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_NOT_AVAILABLE'],
      [16, 'NOT_COORDINATOR_FOR_GROUP', 'NOT_COORDINATOR'],
    ])
  })

  it('shows the codes KafkaJS does not know with Kafka names and texts', () => {
    const newer = PROTOCOL_ERRORS.filter((e) => e.code !== 0 && kafkaJSErrorByCode(e.code) === undefined)
    expect(newer.map((e) => e.code)).toEqual(PROTOCOL_ERRORS.filter((e) => e.code > 88).map((e) => e.code))
    for (const e of newer) {
      expect(protocolError(e.code)).toMatchObject({
        code: e.code,
        type: e.name,
        kafkaType: e.name,
        retriable: e.retriable,
        message: e.message,
      })
    }
    expect(protocolError(ErrorCode.PRODUCER_FENCED)).toMatchObject({ code: 90, type: 'PRODUCER_FENCED' })
    // a code Kafka added after 4.0: a KafkaJSProtocolError with Kafka's name, retriability and text
    const shareLimit = protocolError(ErrorCode.SHARE_SESSION_LIMIT_REACHED, 'broker 1')
    expect(shareLimit).toBeInstanceOf(KafkaJSProtocolError)
    expect(shareLimit).toMatchObject({
      code: 133,
      errorCode: 133,
      type: 'SHARE_SESSION_LIMIT_REACHED',
      kafkaType: 'SHARE_SESSION_LIMIT_REACHED',
      retriable: true,
      message: 'Share session limit reached',
      detail: 'broker 1',
    })
  })

  it('a code no one knows keeps its number, with KafkaJS type and text', () => {
    const theirs = kafkajsProtocol.createErrorFromCode(4242)
    expect(protocolError(4242)).toMatchObject({
      type: theirs.type,
      message: theirs.message,
      retriable: theirs.retriable,
      code: 4242,
    })
    expect(theirs.code).toBe(-99)
  })
})
