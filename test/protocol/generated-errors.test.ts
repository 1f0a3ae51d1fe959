import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { KafkaJSProtocolError } from '../../src/errors.js'
import { ErrorCode, errorByCode, PROTOCOL_ERRORS, protocolError } from '../../src/protocol/generated/index.js'

interface ImportedError {
  code: number
  name: string
  retriable: boolean
}
// protocol/errors.json: Kafka's Errors enum as protocol/import.mjs read it from the kafka-clients jar
const imported = JSON.parse(readFileSync(join(__dirname, '../../protocol/errors.json'), 'utf8')) as {
  kafkaVersion: string
  errors: ImportedError[]
}

describe('protocol error table', () => {
  it('is the table of the Kafka release the schemas come from', () => {
    const schemas = JSON.parse(readFileSync(join(__dirname, '../../protocol/schemas/_source.json'), 'utf8'))
    expect(imported.kafkaVersion).toBe(schemas.kafkaVersion)
    expect(PROTOCOL_ERRORS.map(({ code, name, retriable }) => ({ code, name, retriable }))).toStrictEqual(
      imported.errors.map(({ code, name, retriable }) => ({ code, name, retriable })),
    )
  })

  it('knows the codes Kafka added after 4.0 (rebootstrap, streams groups, share sessions)', () => {
    expect(
      [129, 130, 131, 132, 133].map((code) => [code, errorByCode(code).name, errorByCode(code).retriable]),
    ).toStrictEqual([
      [129, 'REBOOTSTRAP_REQUIRED', false],
      [130, 'STREAMS_INVALID_TOPOLOGY', false],
      [131, 'STREAMS_INVALID_TOPOLOGY_EPOCH', false],
      [132, 'STREAMS_TOPOLOGY_FENCED', false],
      [133, 'SHARE_SESSION_LIMIT_REACHED', true],
    ])
    expect(ErrorCode.SHARE_SESSION_LIMIT_REACHED).toBe(133)
  })

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
    // KafkaJS's type and text, Kafka's name beside them, kafkit's detail apart from the message
    expect(err).toMatchObject({
      type: 'NOT_COORDINATOR_FOR_GROUP',
      kafkaType: 'NOT_COORDINATOR',
      code: 16,
      errorCode: 16,
      retriable: true,
      message: 'This is not the correct coordinator for this group',
      detail: 'group g',
      name: 'KafkaJSProtocolError',
    })
    expect(protocolError(ErrorCode.INVALID_TOPIC_EXCEPTION).message).toBe(
      'The request attempted to perform an operation on an invalid topic',
    )
    // a code KafkaJS does not know reads as Kafka has it; a code neither knows, as KafkaJS has it
    expect(protocolError(ErrorCode.UNKNOWN_TOPIC_ID)).toMatchObject({
      code: 100,
      type: 'UNKNOWN_TOPIC_ID',
      retriable: true,
      message: 'Unknown topic id',
    })
    expect(protocolError(31999)).toMatchObject({
      code: 31999,
      type: 'KAFKAJS_UNKNOWN_ERROR_CODE',
      kafkaType: 'UNKNOWN',
      retriable: false,
      message: 'Unknown error code 31999',
    })
  })
})
