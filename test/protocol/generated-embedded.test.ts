// Structures Kafka serializes with an int16 version prefix outside requests and responses.

import { KafkaJSDecodeError } from '../../src/errors.js'
import {
  allEmbeddedStructures,
  ConsumerProtocolSubscriptionSchema,
  createConsumerProtocolAssignment,
  createConsumerProtocolSubscription,
  decodeConsumerProtocolAssignment,
  decodeConsumerProtocolSubscription,
  decodeDefaultPrincipalData,
  decodeEndTxnMarker,
  encodeConsumerProtocolAssignment,
  encodeConsumerProtocolSubscription,
  encodeDefaultPrincipalData,
  encodeEndTxnMarker,
} from '../../src/protocol/generated/index.js'
import { Reader } from '../../src/protocol/primitives/reader.js'
import { Writer } from '../../src/protocol/primitives/writer.js'
import { loadSchema, Random, ValueFactory } from './schema-values.js'

describe.each(allEmbeddedStructures.map((d) => [d.name, d] as const))('%s', (name, def) => {
  it('round-trips every version', () => {
    const values = new ValueFactory(loadSchema(name), name, new Random(name.length))
    for (let v = def.minVersion; v <= def.maxVersion; v++) {
      for (const value of [def.create(), values.root(v), values.root(v)]) {
        const n = def.size(value, v)
        const w = new Writer(n)
        def.write(w, value, v)
        const r = new Reader(w.assertEnd(n))
        expect(def.read(r, v)).toStrictEqual(value)
        expect(r.remaining()).toBe(0)
      }
    }
  })
})

describe('version prefix', () => {
  it('encodes the version first and decodes by it', () => {
    const subscription = createConsumerProtocolSubscription({
      topics: ['a', 'b'],
      userData: Buffer.from('ud'),
      ownedPartitions: [{ topic: 'a', partitions: [0, 2] }],
      generationId: 4,
      rackId: 'rack-1',
    })
    const v3 = encodeConsumerProtocolSubscription(subscription, 3)
    expect(v3.readInt16BE(0)).toBe(3)
    expect(decodeConsumerProtocolSubscription(v3)).toStrictEqual(subscription)
    // v0 carries topics and user data only; the other fields are ignorable and dropped
    const v0 = encodeConsumerProtocolSubscription(subscription, 0)
    expect(v0.readInt16BE(0)).toBe(0)
    expect(decodeConsumerProtocolSubscription(v0)).toStrictEqual(
      createConsumerProtocolSubscription({ topics: ['a', 'b'], userData: Buffer.from('ud') }),
    )
    expect(encodeConsumerProtocolSubscription(subscription).readInt16BE(0)).toBe(
      ConsumerProtocolSubscriptionSchema.maxVersion,
    )
  })

  it('reads a newer consumer protocol version as the newest it knows, like the Java client', () => {
    const assignment = createConsumerProtocolAssignment({ assignedPartitions: [{ topic: 't', partitions: [1] }] })
    const newer = encodeConsumerProtocolAssignment(assignment, 3)
    newer.writeInt16BE(9, 0)
    // a future version appends fields the current one does not know
    expect(decodeConsumerProtocolAssignment(Buffer.from(`${newer.toString('hex')}010203`, 'hex'))).toStrictEqual(
      assignment,
    )
    const negative = Buffer.from(newer.toString('hex'), 'hex')
    negative.writeInt16BE(-1, 0)
    expect(() => decodeConsumerProtocolAssignment(negative)).toThrow(KafkaJSDecodeError)
  })

  it('rejects versions other structures do not define', () => {
    const principal = encodeDefaultPrincipalData({ type: 'User', name: 'alice', tokenAuthenticated: false })
    expect(decodeDefaultPrincipalData(principal)).toStrictEqual({
      type: 'User',
      name: 'alice',
      tokenAuthenticated: false,
    })
    principal.writeInt16BE(1, 0)
    expect(() => decodeDefaultPrincipalData(principal)).toThrow(KafkaJSDecodeError)
    expect(decodeEndTxnMarker(encodeEndTxnMarker({ coordinatorEpoch: 7 }))).toStrictEqual({ coordinatorEpoch: 7 })
    expect(encodeEndTxnMarker({ coordinatorEpoch: 7 }).toString('hex')).toBe('000000000007')
  })
})
