// kafkit's error classes built the way KafkaJS code builds them, side by side with KafkaJS 2.2.4's own
// (the installed kafkajs package): the same names, inheritance, messages, retriability, help links,
// codes, types and metadata, and no fewer enumerable properties (what loggers and JSON see).

import net from 'node:net'
import * as kafkit from '../src/index.js'
import { protocolError } from '../src/protocol/generated/errors.js'

type ErrorClass = new (...args: unknown[]) => Error & Record<string, unknown>
type Classes = Record<string, ErrorClass>
type Built = Error & Record<string, unknown>

const theirs = require('kafkajs') as unknown as Classes
const ours = kafkit as unknown as Classes
const theirProtocolTable = require('kafkajs/src/protocol/error.js') as {
  createErrorFromCode(code: number): Built
}

/** What each side's protocol error for `code` is, as KafkaJS code would get it from a response. */
const protocol = {
  theirs: (code: number) => theirProtocolTable.createErrorFromCode(code),
  ours: (code: number) => protocolError(code) as unknown as Built,
}

interface Case {
  /** The class's export name. */
  name: string
  /** Constructor arguments, given the side's protocol-error factory. */
  args: (p: (code: number) => Built) => unknown[]
  /** Properties beyond name, message, retriable, helpUrl, code and type that KafkaJS sets. */
  props?: string[]
}

const partitionMetadata = { partitionErrorCode: 0, partitionId: 0, leader: 2, replicas: [2], isr: [2] }

const CASES: Case[] = [
  { name: 'KafkaJSError', args: () => ['Invalid partition metadata', { retriable: true }] },
  { name: 'KafkaJSError', args: () => ['The group is rebalancing'] },
  { name: 'KafkaJSError', args: () => [new Error('💣'), { retriable: false }] },
  { name: 'KafkaJSError', args: () => [{ message: 'with a link', helpUrl: 'https://example.org/help' }] },
  { name: 'KafkaJSNonRetriableError', args: () => [new Error('boom')] },
  { name: 'KafkaJSProtocolError', args: (p) => [p(3)] },
  { name: 'KafkaJSProtocolError', args: (p) => [p(27)] },
  { name: 'KafkaJSProtocolError', args: (p) => [p(6), { retriable: false }] },
  {
    name: 'KafkaJSProtocolError',
    args: () => [{ type: 'INVALID_RECORD', code: 87, retriable: false, message: 'This record has failed' }],
  },
  { name: 'KafkaJSOffsetOutOfRange', args: (p) => [p(1), { topic: 't', partition: 3 }], props: ['topic', 'partition'] },
  { name: 'KafkaJSMemberIdRequired', args: (p) => [p(79), { memberId: 'm-1' }], props: ['memberId'] },
  {
    name: 'KafkaJSNumberOfRetriesExceeded',
    args: () => [new Error('Connection error: connect ECONNREFUSED'), { retryCount: 5, retryTime: 3000 }],
    props: ['retryCount', 'retryTime', 'cause'],
  },
  {
    name: 'KafkaJSConnectionError',
    args: () => ['Connection error: ECONNREFUSED', { broker: 'localhost:9094', code: 'ECONNREFUSED' }],
    props: ['broker'],
  },
  // without a broker: KafkaJS leaves `broker` undefined though it declares a string; kafkit says ''
  { name: 'KafkaJSConnectionError', args: () => ['Connection error'] },
  {
    name: 'KafkaJSConnectionClosedError',
    args: () => ['Closed connection', { host: 'localhost', port: 9092 }],
    props: ['broker', 'host', 'port'],
  },
  {
    name: 'KafkaJSRequestTimeoutError',
    args: () => [
      'Request requestInfo timed out',
      { broker: 'localhost:9094', clientId: 'c', correlationId: 7, createdAt: 1, sentAt: 2, pendingDuration: 3 },
    ],
    props: ['broker', 'correlationId', 'createdAt', 'sentAt', 'pendingDuration'],
  },
  { name: 'KafkaJSMetadataNotLoaded', args: () => ['Producing to topic without metadata'] },
  {
    name: 'KafkaJSTopicMetadataNotLoaded',
    args: () => ['Topic metadata not loaded', { topic: 't' }],
    props: ['topic'],
  },
  {
    name: 'KafkaJSStaleTopicMetadataAssignment',
    args: () => ['Topic has been updated', { topic: 't', unknownPartitions: [partitionMetadata] }],
    props: ['topic', 'unknownPartitions'],
  },
  {
    name: 'KafkaJSDeleteGroupsError',
    args: (p) => ['Error in DeleteGroups', [{ groupId: 'g', errorCode: 69, error: p(69) }]],
    props: ['groups'],
  },
  {
    name: 'KafkaJSServerDoesNotSupportApiKey',
    args: () => ['The Kafka server does not support the requested API version', { apiKey: 0, apiName: 'Produce' }],
    props: ['apiKey', 'apiName'],
  },
  { name: 'KafkaJSBrokerNotFound', args: () => ['Broker 3 not found in the cached metadata'] },
  { name: 'KafkaJSPartialMessageError', args: () => ['Tried to decode a partial message'] },
  { name: 'KafkaJSSASLAuthenticationError', args: () => ['SASL PLAIN authentication failed'] },
  { name: 'KafkaJSGroupCoordinatorNotFound', args: () => ['Failed to find group coordinator'] },
  { name: 'KafkaJSNotImplemented', args: () => ['not implemented'] },
  { name: 'KafkaJSTimeout', args: () => ['Timeout while waiting'] },
  { name: 'KafkaJSLockTimeout', args: () => ['Timeout while acquiring lock'] },
  { name: 'KafkaJSUnsupportedMagicByteInMessageSet', args: () => ['Unsupported MessageSet message version'] },
  {
    name: 'KafkaJSDeleteTopicRecordsError',
    args: (p) => [{ topic: 't', partitions: [{ partition: 0, offset: '5', error: p(1) }] }],
    props: ['partitions'],
  },
  {
    name: 'KafkaJSDeleteTopicRecordsError',
    args: (p) => [{ topic: 't', partitions: [{ partition: 0, offset: '5', error: p(7) }] }],
    props: ['partitions'],
  },
  { name: 'KafkaJSInvalidVarIntError', args: () => ['Failed to decode varint'] },
  { name: 'KafkaJSInvalidLongError', args: () => ['Failed to decode long'] },
  { name: 'KafkaJSCreateTopicError', args: (p) => [p(36), 'orders'], props: ['topic'] },
  {
    name: 'KafkaJSAlterPartitionReassignmentsError',
    args: (p) => [p(85), 'orders', 2],
    props: ['topic', 'partition'],
  },
  { name: 'KafkaJSAggregateError', args: (p) => ['Topic creation errors', [p(36), p(37)]], props: ['errors'] },
  { name: 'KafkaJSFetcherRebalanceError', args: () => [] },
  { name: 'KafkaJSNoBrokerAvailableError', args: () => [] },
]

/** The classes, by export name, that a KafkaJS error may be an instance of. */
const BASES = [
  'KafkaJSError',
  'KafkaJSNonRetriableError',
  'KafkaJSProtocolError',
  'KafkaJSConnectionError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTimeout',
]

/** A value for comparison: errors inside metadata by what KafkaJS code reads of them. */
function comparable(value: unknown): unknown {
  if (value instanceof Error) {
    const e = value as Built
    return { name: e.name, message: e.message, type: e.type, code: e.code, retriable: e.retriable }
  }
  if (Array.isArray(value)) return value.map(comparable)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v)]))
  }
  return value
}

function build(classes: Classes, c: Case, p: (code: number) => Built): Built {
  const Class = classes[c.name]
  if (Class === undefined) throw new Error(`${c.name} is not exported`)
  return new Class(...c.args(p))
}

describe('error classes built the KafkaJS way', () => {
  test.each(CASES.map((c, i) => [`${c.name} #${i}`, c] as const))('%s reads as in KafkaJS', (_, c) => {
    const a = build(theirs, c, protocol.theirs)
    const b = build(ours, c, protocol.ours)
    for (const key of ['name', 'message', 'retriable', 'helpUrl', 'code', 'type', ...(c.props ?? [])]) {
      expect([key, comparable(b[key])]).toEqual([key, comparable(a[key])])
    }
    expect(b).toBeInstanceOf(Error)
    for (const base of BASES) {
      expect([base, b instanceof (ours[base] as ErrorClass)]).toEqual([base, a instanceof (theirs[base] as ErrorClass)])
    }
    // kafkit may add properties, but loggers and JSON see at least what they see under KafkaJS
    expect(Object.keys(b)).toEqual(expect.arrayContaining(Object.keys(a)))
    expect(Object.keys(b)).not.toContain('cause')
  })

  test('KafkaJSNumberOfRetriesExceeded keeps the cause and points its stack at it, as KafkaJS', () => {
    const cause = new Error('Connection error: connect ECONNREFUSED')
    const theirsError = new (theirs.KafkaJSNumberOfRetriesExceeded as ErrorClass)(cause, {
      retryCount: 1,
      retryTime: 2,
    })
    const ourError = new kafkit.KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 1, retryTime: 2 })
    expect(ourError.cause).toBe(cause)
    expect(ourError.stack).toBe(theirsError.stack)
  })

  test('KafkaJSInvariantViolation asks for a report; kafkit has no issue tracker link to give', () => {
    const e = new kafkit.KafkaJSInvariantViolation('state is off')
    expect(e.message).toBe('Invariant violated: state is off. This is likely a bug and should be reported.')
    expect(e.helpUrl).toBeUndefined()
  })
})

describe("kafkit's additions stay beside KafkaJS's properties", () => {
  test('a protocol error built from a message has the codes of an unknown error', () => {
    const e = new kafkit.KafkaJSProtocolError('something broke')
    expect(e).toMatchObject({ message: 'something broke', code: -1, type: 'UNKNOWN', retriable: true })
  })

  test('a protocol error built from another keeps its Kafka name, detail and cause', () => {
    const first = protocolError(6, 'orders-0 on node 2')
    const again = new kafkit.KafkaJSOffsetOutOfRange(first, { topic: 'orders', partition: 0 })
    expect(again).toMatchObject({
      type: 'NOT_LEADER_FOR_PARTITION',
      kafkaType: 'NOT_LEADER_OR_FOLLOWER',
      errorCode: 6,
      detail: 'orders-0 on node 2',
      kafkitCode: 'NOT_LEADER_OR_FOLLOWER',
    })
  })

  test('every error has a stable kafkitCode; `code` only where KafkaJS has one', () => {
    const disconnected = new kafkit.KafkaJSError('The producer is disconnected', {}, 'ERR_PRODUCER_DISCONNECTED')
    expect(disconnected.kafkitCode).toBe('ERR_PRODUCER_DISCONNECTED')
    expect('code' in disconnected).toBe(false)
    expect(new kafkit.KafkaJSInvalidArgumentError('bad').kafkitCode).toBe('ERR_INVALID_ARGUMENT')
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
    const refused = new kafkit.KafkaJSConnectionError('Connection error', { broker: '127.0.0.1:1', cause: socket })
    expect(refused).toMatchObject({ code: 'ECONNREFUSED', kafkitCode: 'ERR_CONNECTION', cause: socket })
  })

  test('a connection closed error knows its broker whichever way it was given', () => {
    const e = new kafkit.KafkaJSConnectionClosedError('closed', { broker: 'kafka-1:9093' })
    expect(e).toMatchObject({ broker: 'kafka-1:9093', host: 'kafka-1', port: 9093 })
    expect(new kafkit.KafkaJSConnectionError('Connection error').broker).toBe('')
  })

  test('deleteGroups failures carry protocol errors, as KafkaJS declares them', () => {
    const given = new kafkit.KafkaJSError('lost', { retriable: false })
    const e = new kafkit.KafkaJSDeleteGroupsError('Error in DeleteGroups', [
      { groupId: 'a', errorCode: 69, error: protocolError(69) },
      { groupId: 'b', errorCode: -1, error: given },
    ])
    expect(e.groups.map((g) => [g.groupId, g.error.code, g.error.type, g.error.retriable])).toEqual([
      ['a', 69, 'GROUP_ID_NOT_FOUND', false],
      ['b', -1, 'UNKNOWN', false],
    ])
    expect(e.groups[1]?.error).toMatchObject({ message: 'lost', cause: given })
  })

  test('KafkaJSNoBrokerAvailableError keeps what was tried in detail', () => {
    const e = new kafkit.KafkaJSNoBrokerAvailableError('No broker is reachable: b1:9092 refused')
    expect(e).toMatchObject({ message: 'No broker available', detail: 'No broker is reachable: b1:9092 refused' })
  })

  test('a record the producer refuses as too large is the MESSAGE_TOO_LARGE protocol error KafkaJS gets', () => {
    const e = new kafkit.KafkaJSRecordTooLargeError('A message of topic t is 2000 bytes, larger than maxRequestSize', {
      topic: 't',
      size: 2000,
    })
    const broker = protocol.theirs(10)
    expect(e).toBeInstanceOf(kafkit.KafkaJSProtocolError)
    expect(e).toMatchObject({
      name: 'KafkaJSProtocolError',
      type: broker.type,
      code: broker.code,
      retriable: broker.retriable,
      message: broker.message,
      kafkitCode: 'ERR_RECORD_TOO_LARGE',
      detail: 'A message of topic t is 2000 bytes, larger than maxRequestSize',
      topic: 't',
      size: 2000,
    })
  })

  test('an admin item error carries the broker error it wraps, detail included', () => {
    const item = new kafkit.KafkaJSAdminItemError('createAcls', { acl: 'x' }, protocolError(42, 'bad resource'))
    expect(item).toMatchObject({ code: 42, errorCode: 42, type: 'INVALID_REQUEST', retriable: false })
    expect(item.message).toMatch(/^createAcls failed for acl "x": .* \(bad resource\)$/)
  })
})

describe('a broker that refuses connections', () => {
  /** A local port nothing listens on (it was just closed). */
  async function closedPort(): Promise<number> {
    const server = net.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as net.AddressInfo
    await new Promise<void>((resolve) => server.close(() => resolve()))
    return port
  }

  test("connect() fails as in KafkaJS: retries exceeded, caused by a KafkaJSConnectionError with the socket's code", async () => {
    const port = await closedPort()
    const config = { brokers: [`127.0.0.1:${port}`], retry: { retries: 0 } }
    const KafkaJS = (require('kafkajs') as typeof import('kafkajs')).Kafka
    const theirError = (await new KafkaJS({ ...config, logLevel: 0 })
      .producer()
      .connect()
      .catch((e: unknown) => e)) as Built
    const ourError = (await new kafkit.Kafka({ ...config, logLevel: kafkit.logLevel.NOTHING })
      .producer()
      .connect()
      .catch((e: unknown) => e)) as Built
    const shape = (e: Built) => ({
      name: e.name,
      retriable: e.retriable,
      cause: { name: (e.cause as Built).name, code: (e.cause as Built).code },
    })
    expect(shape(ourError)).toEqual(shape(theirError))
    expect(shape(ourError)).toEqual({
      name: 'KafkaJSNumberOfRetriesExceeded',
      retriable: false,
      cause: { name: 'KafkaJSConnectionError', code: 'ECONNREFUSED' },
    })
  })
})
