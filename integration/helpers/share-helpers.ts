// Shared by the share group integration tests: topics and producers on the test broker, share
// groups configured through the admin (incrementalAlterConfigs on the GROUP resource), and share
// consumers disconnected after each test.
//
// Every share group here is set to share.auto.offset.reset=earliest: a share group starts at the
// latest offset, and the tests produce their records before or while the members join.

import type { Admin } from '../../src/admin/admin.js'
import { ConfigResourceTypes } from '../../src/admin/enums.js'
import { CoordinatorType } from '../../src/cluster/coordinator-lookup.js'
import type { Producer, ShareConsumer, ShareConsumerConfig } from '../../src/index.js'
import { ShareGroupDescribe } from '../../src/protocol/generated/share-group-describe.js'
import { connectedCluster } from '../network-helpers.js'
import { testKafka } from './consumer-helpers.js'

/** How many members of the share group have partitions assigned, by ShareGroupDescribe at its coordinator. */
export async function assignedShareMembers(groupId: string): Promise<number> {
  const cluster = await connectedCluster('share-group-describe')
  try {
    const connection = await cluster.coordinatorConnection(CoordinatorType.GROUP, groupId)
    const response = await connection.send(
      ShareGroupDescribe,
      ShareGroupDescribe.createRequest({ groupIds: [groupId] }),
    )
    const group = response.groups.find((g) => g.groupId === groupId && g.errorCode === 0)
    return group?.members.filter((m) => m.assignment.topicPartitions.length > 0).length ?? 0
  } finally {
    await cluster.disconnect()
  }
}

export interface ShareTestBed {
  readonly suffix: string
  admin(): Admin
  /** Creates `<name>-<suffix>` with `partitions` partitions. */
  topic(name: string, partitions?: number): Promise<string>
  /** `<name>-<suffix>`, reading from the earliest offset, with the other group configs given (e.g. share.record.lock.duration.ms). */
  group(name: string, configs?: Record<string, string>): Promise<string>
  produce(topic: string, values: string[]): Promise<void>
  /** A share consumer, disconnected after the test. */
  consumer(config: ShareConsumerConfig): ShareConsumer
}

export function shareTestBed(clientId: string): ShareTestBed {
  const suffix = `${process.pid}-${Date.now()}`
  const kafka = testKafka(clientId)
  let admin: Admin | undefined
  let producer: Producer | undefined
  const open: ShareConsumer[] = []
  beforeAll(async () => {
    admin = kafka.admin()
    producer = kafka.producer()
    await Promise.all([admin.connect(), producer.connect()])
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.disconnect()))
  })
  afterAll(async () => {
    await Promise.all([admin?.disconnect(), producer?.disconnect()])
  })
  const bed: ShareTestBed = {
    suffix,
    admin: () => {
      if (admin === undefined) throw new Error('the admin connects in beforeAll')
      return admin
    },
    topic: async (name, partitions = 1) => {
      const topic = `${name}-${suffix}`
      await bed.admin().createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true })
      return topic
    },
    group: async (name, configs = {}) => {
      const groupId = `${name}-${suffix}`
      const entries = Object.entries({ 'share.auto.offset.reset': 'earliest', ...configs })
      await bed.admin().incrementalAlterConfigs({
        resources: [
          {
            type: ConfigResourceTypes.GROUP,
            name: groupId,
            configEntries: entries.map(([name, value]) => ({ name, value })),
          },
        ],
      })
      return groupId
    },
    produce: async (topic, values) => {
      if (producer === undefined) throw new Error('the producer connects in beforeAll')
      await producer.send({ topic, messages: values.map((value) => ({ value })) })
    },
    consumer: (config) => {
      const consumer = kafka.shareConsumer(config)
      open.push(consumer)
      return consumer
    },
  }
  return bed
}
