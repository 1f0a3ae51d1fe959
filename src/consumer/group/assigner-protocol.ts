// KafkaJS's AssignerProtocol: the member metadata (subscription) and member assignment bytes a
// custom assigner reads and writes. The layouts are Kafka's ConsumerProtocolSubscription and
// ConsumerProtocolAssignment at version 0 (int16 version, topics or topic-partitions, user data),
// which every version of those structures starts with, so Java members read them too. As in KafkaJS,
// the version written is the one given, and decode reads the version-0 fields whatever follows.

import { ConsumerProtocolAssignmentSchema } from '../../protocol/generated/consumer-protocol-assignment.js'
import { ConsumerProtocolSubscriptionSchema } from '../../protocol/generated/consumer-protocol-subscription.js'
import { Reader } from '../../protocol/primitives/reader.js'
import { Writer } from '../../protocol/primitives/writer.js'

export interface MemberMetadata {
  version: number
  topics: string[]
  userData: Buffer
}

/** Partitions per topic, e.g. { 'topic-a': [0, 2], 'topic-b': [1] }. */
export interface Assignment {
  [topic: string]: number[]
}

export interface MemberAssignment {
  version: number
  assignment: Assignment
  userData: Buffer
}

export interface ISerializer<T> {
  encode(value: T): Buffer
  decode(buffer: Buffer): T | null
}

const V0 = 0

export const AssignerProtocol: {
  MemberMetadata: ISerializer<MemberMetadata> & {
    encode(value: Partial<MemberMetadata> & { version: number; topics: string[] }): Buffer
  }
  MemberAssignment: ISerializer<MemberAssignment> & {
    encode(value: Partial<MemberAssignment> & { version: number; assignment: Assignment }): Buffer
  }
} = {
  MemberMetadata: {
    encode({ version, topics, userData = Buffer.alloc(0) }) {
      const value = ConsumerProtocolSubscriptionSchema.create({ topics, userData })
      const size = 2 + ConsumerProtocolSubscriptionSchema.size(value, V0)
      const w = new Writer(size)
      w.int16(version)
      ConsumerProtocolSubscriptionSchema.write(w, value, V0)
      return w.assertEnd(size)
    },
    decode(buffer) {
      const r = new Reader(buffer)
      const version = r.int16()
      const { topics, userData } = ConsumerProtocolSubscriptionSchema.read(r, V0)
      return { version, topics, userData: userData ?? Buffer.alloc(0) }
    },
  },
  MemberAssignment: {
    encode({ version, assignment, userData = Buffer.alloc(0) }) {
      const value = ConsumerProtocolAssignmentSchema.create({
        assignedPartitions: Object.keys(assignment).map((topic) => ({ topic, partitions: assignment[topic] ?? [] })),
        userData,
      })
      const size = 2 + ConsumerProtocolAssignmentSchema.size(value, V0)
      const w = new Writer(size)
      w.int16(version)
      ConsumerProtocolAssignmentSchema.write(w, value, V0)
      return w.assertEnd(size)
    },
    decode(buffer) {
      // an empty assignment (a member the leader gave nothing) has no bytes at all
      if (buffer.length < 2) return null
      const r = new Reader(buffer)
      const version = r.int16()
      const decoded = ConsumerProtocolAssignmentSchema.read(r, V0)
      // a plain object, as KafkaJS's (code written for it calls hasOwnProperty and the like on it);
      // defineProperty, so that a topic named __proto__ is a topic and not the prototype
      const assignment: Assignment = {}
      for (const { topic, partitions } of decoded.assignedPartitions) {
        const value = Object.hasOwn(assignment, topic) ? [...(assignment[topic] ?? []), ...partitions] : partitions
        Object.defineProperty(assignment, topic, { value, enumerable: true, writable: true, configurable: true })
      }
      return { version, assignment, userData: decoded.userData ?? Buffer.alloc(0) }
    },
  },
}
