// KafkaJS 2.2.4 src/consumer/__tests__/assignerProtocol.spec.js: AssignerProtocol.MemberMetadata and
// MemberAssignment encode to KafkaJS's bytes and decode them to KafkaJS's objects (userData an empty
// Buffer when absent); an empty assignment decodes to null. KafkaJS's spec compared with recorded
// fixtures; here the bytes and objects are compared with those of KafkaJS 2.2.4 itself (the kafkajs
// devDependency), run side by side.

import { AssignerProtocol as KafkaJSAssignerProtocolTyped } from 'kafkajs'
import { AssignerProtocol } from '../../../src/index.js'

// KafkaJS's types make userData required although its encoders default it
const KafkaJSAssignerProtocol = KafkaJSAssignerProtocolTyped as unknown as typeof AssignerProtocol

describe('AssignerProtocol (KafkaJS src/consumer/__tests__/assignerProtocol.spec.js)', () => {
  const metadata = { version: 1, topics: ['topic-test'] }
  const assignment = { version: 1, assignment: { 'topic-test': [2, 5, 4, 1, 3, 0] } }

  describe('MemberMetadata', () => {
    test("encode writes KafkaJS's bytes", () => {
      expect(AssignerProtocol.MemberMetadata.encode(metadata)).toEqual(
        KafkaJSAssignerProtocol.MemberMetadata.encode(metadata),
      )
      const withUserData = { ...metadata, userData: Buffer.from('consumer1') }
      expect(AssignerProtocol.MemberMetadata.encode(withUserData)).toEqual(
        KafkaJSAssignerProtocol.MemberMetadata.encode(withUserData),
      )
    })

    test("decode reads KafkaJS's bytes into KafkaJS's object", () => {
      const bytes = KafkaJSAssignerProtocol.MemberMetadata.encode(metadata)
      expect(AssignerProtocol.MemberMetadata.decode(bytes)).toStrictEqual({ ...metadata, userData: Buffer.alloc(0) })
      expect(AssignerProtocol.MemberMetadata.decode(bytes)).toStrictEqual(
        KafkaJSAssignerProtocol.MemberMetadata.decode(bytes),
      )
    })
  })

  describe('MemberAssignment', () => {
    test("encode writes KafkaJS's bytes", () => {
      expect(AssignerProtocol.MemberAssignment.encode(assignment)).toEqual(
        KafkaJSAssignerProtocol.MemberAssignment.encode(assignment),
      )
    })

    test("decode reads KafkaJS's bytes into KafkaJS's object (a plain object of topics)", () => {
      const bytes = KafkaJSAssignerProtocol.MemberAssignment.encode(assignment)
      const decoded = AssignerProtocol.MemberAssignment.decode(bytes)
      expect(decoded).toStrictEqual({ ...assignment, userData: Buffer.alloc(0) })
      expect(decoded).toStrictEqual(KafkaJSAssignerProtocol.MemberAssignment.decode(bytes))
      // code written for KafkaJS may call Object.prototype's methods on it
      expect(Object.getPrototypeOf(decoded?.assignment)).toBe(Object.prototype)
    })

    test('decode of an empty assignment is null', () => {
      expect(AssignerProtocol.MemberAssignment.decode(Buffer.from([]))).toBeNull()
    })
  })
})
