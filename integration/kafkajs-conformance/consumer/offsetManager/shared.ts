// What the offsetManager specs' tests share: a consumer of a fresh topic, the commit_offsets events
// it emits, and the offsets its group has committed.

import type { Consumer, InstrumentationEvent, Producer } from '../../../../src/index.js'
import { createKafka, createTopic, secureRandom } from '../../helpers.js'

export interface CommitEvent {
  topics: { topic: string; partitions: { partition: unknown; offset: string }[] }[]
}

export class OffsetsBed {
  topic = ''
  groupId = ''
  consumer: Consumer | undefined
  producer: Producer | undefined
  readonly commits: CommitEvent[] = []

  async setUp(partitions: number): Promise<Consumer> {
    this.topic = `test-topic-${secureRandom()}`
    this.groupId = `consumer-group-id-${secureRandom()}`
    this.commits.length = 0
    await createTopic({ topic: this.topic, partitions })
    const kafka = createKafka()
    this.producer = kafka.producer()
    await this.producer.connect()
    const consumer = kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 100 })
    this.consumer = consumer
    consumer.on(consumer.events.COMMIT_OFFSETS, (event) => {
      this.commits.push((event as InstrumentationEvent<CommitEvent>).payload)
    })
    await consumer.connect()
    await consumer.subscribe({ topic: this.topic, fromBeginning: true })
    return consumer
  }

  async tearDown(): Promise<void> {
    await this.consumer?.disconnect()
    await this.producer?.disconnect()
    this.consumer = this.producer = undefined
  }

  /** `count` messages to `partition`, in one request (one record batch). */
  async send(partition: number, count: number): Promise<void> {
    await this.producer?.send({
      acks: -1,
      topic: this.topic,
      messages: Array.from({ length: count }, (_, i) => ({ key: `key-${i}`, value: `value-${i}`, partition })),
    })
  }

  /** The group's committed offset of each partition ('-1' for none). */
  async committed(): Promise<Record<number, string>> {
    const admin = createKafka().admin()
    await admin.connect()
    try {
      const [topic] = await admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] })
      return Object.fromEntries((topic?.partitions ?? []).map((p) => [p.partition, p.offset]))
    } finally {
      await admin.disconnect()
    }
  }

  /** Offsets of partition `partition` in the commit events, in order. */
  committedOffsetsOf(partition: string): string[] {
    return this.commits.flatMap((c) =>
      c.topics.flatMap((t) => t.partitions.filter((p) => p.partition === partition).map((p) => p.offset)),
    )
  }
}
