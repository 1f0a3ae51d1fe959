import type { Admin } from '../src/admin/admin.js'
import {
  AlterConfigOpTypes,
  ConfigResourceTypes,
  ElectionTypes,
  FeatureUpgradeTypes,
  type KafkaJSAdminItemError,
  KafkaJSAggregateError,
  KafkaJSAlterPartitionReassignmentsError,
  type KafkaJSCreateTopicError,
} from '../src/index.js'
import { type KafkaTestCluster, startKafka } from '../src/testing/index.js'
import { connectedAdmin, eventually, produceRecords, uniqueName } from './admin-helpers.js'
import { usesExternalCluster } from './helpers/brokers.js'

jest.setTimeout(240_000)

// Operations that need several brokers: replica reassignment (observed while throttled, then
// cancelled, then completed), leader election, log dirs of every node, replication factors, and
// feature updates (on a cluster of their own, so that no other test sees the change).
const describeIfOwnBroker = usesExternalCluster() ? describe.skip : describe

describeIfOwnBroker('admin on a 3-node cluster', () => {
  let cluster: KafkaTestCluster
  let admin: Admin

  beforeAll(async () => {
    cluster = await startKafka({ nodes: 3 })
    admin = await connectedAdmin(cluster.brokers)
  })

  afterAll(async () => {
    await admin?.disconnect()
    await cluster?.stop()
  })

  const replicasOf = async (topic: string) => {
    const { topics } = await admin.describeTopics({ topics: [topic] })
    return topics[0]!.partitions[0]!
  }

  it('describeCluster lists the three brokers; replication factors are checked against them', async () => {
    const described = await admin.describeCluster()
    expect(described.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3])
    expect([1, 2, 3]).toContain(described.controller)
    const topic = uniqueName('adm-rf3')
    await admin.createTopics({ topics: [{ topic, replicationFactor: 3, numPartitions: 2 }] })
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
    for (const p of topics[0]!.partitions) {
      expect([...p.replicas].sort()).toEqual([1, 2, 3])
      expect(p.isr).toHaveLength(3)
    }
    const error = await admin
      .createTopics({ topics: [{ topic: uniqueName('adm-rf4'), replicationFactor: 4 }] })
      .catch((e: unknown) => e)
    expect(((error as KafkaJSAggregateError).errors[0] as KafkaJSCreateTopicError).type).toBe(
      'INVALID_REPLICATION_FACTOR',
    )
  })

  it('reassigns replicas: listed while throttled, cancelled, then completed; log dirs follow', async () => {
    const topic = uniqueName('adm-move')
    await admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1] }] }] })
    // 200 KB, moved at 1 KB/s while throttled: the reassignment stays in progress
    const payload = 'x'.repeat(2000)
    for (let i = 0; i < 4; i++) {
      await produceRecords(
        topic,
        0,
        Array.from({ length: 25 }, () => ({ value: payload })),
        cluster.brokers,
      )
    }
    const throttle = (operation: 0 | 1) =>
      admin.incrementalAlterConfigs({
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topic,
            configEntries: [
              { name: 'leader.replication.throttled.replicas', value: '*', operation },
              { name: 'follower.replication.throttled.replicas', value: '*', operation },
            ],
          },
          ...['1', '2', '3'].map((name) => ({
            type: ConfigResourceTypes.BROKER,
            name,
            configEntries: [
              { name: 'leader.replication.throttled.rate', value: '1024', operation },
              { name: 'follower.replication.throttled.rate', value: '1024', operation },
            ],
          })),
        ],
      })
    await throttle(AlterConfigOpTypes.SET)

    await admin.alterPartitionReassignments({
      topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [1, 2] }] }],
    })
    const ongoing = await admin.listPartitionReassignments({ topics: [{ topic, partitions: [0] }] })
    // KafkaJS's declared names (topic, partitionIndex) and its runtime ones (name, partition)
    expect(ongoing.topics).toEqual([
      {
        topic,
        name: topic,
        partitions: [{ partitionIndex: 0, partition: 0, replicas: [1, 2], addingReplicas: [2], removingReplicas: [] }],
      },
    ])
    expect((await admin.listPartitionReassignments()).topics.map((t) => t.topic)).toContain(topic)

    // cancelling puts the partition back on broker 1 alone (KafkaJS's alterPartitionReassignments refuses replicas: null)
    await admin.cancelPartitionReassignments({ topics: [{ topic, partitions: [0] }] })
    expect((await admin.listPartitionReassignments({ topics: [{ topic, partitions: [0] }] })).topics).toEqual([])
    expect(
      (
        await eventually(
          () => replicasOf(topic),
          (p) => p.replicas.length === 1,
        )
      ).replicas,
    ).toEqual([1])

    await throttle(AlterConfigOpTypes.DELETE)
    await admin.alterPartitionReassignments({
      topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [2, 3] }] }],
    })
    const moved = await eventually(
      () => replicasOf(topic),
      (p) => p.replicas.join() === '2,3' && p.isr.length === 2,
      300,
    )
    expect(moved.replicas).toEqual([2, 3])
    expect(moved.leader).toBe(2)
    expect((await admin.listPartitionReassignments({ topics: [{ topic, partitions: [0] }] })).topics).toEqual([])

    // the replica's log lives on brokers 2 and 3 now (broker 1 deletes its copy shortly after)
    const logDirs = await eventually(
      () => admin.describeLogDirs({ topics: [{ topic }] }),
      (r) => r.brokers.find((b) => b.broker === 1)!.logDirs.every((d) => d.topics.length === 0),
      100,
    )
    expect(logDirs.brokers.map((b) => b.broker)).toEqual([1, 2, 3])
    for (const { broker, logDirs: dirs } of logDirs.brokers) {
      expect(dirs).toHaveLength(1)
      expect(dirs[0]!.errorCode).toBe(0)
      expect(dirs[0]!.totalBytes).toBeGreaterThan(0)
      const held = dirs[0]!.topics.flatMap((t) => t.partitions)
      if (broker === 1) expect(held).toEqual([])
      else expect(held).toEqual([{ partition: 0, size: expect.any(Number), offsetLag: 0, isFuture: false }])
      if (broker !== 1) expect(held[0]!.size).toBeGreaterThan(200_000)
    }
  })

  it('names each partition it cannot reassign (KafkaJSAlterPartitionReassignmentsError)', async () => {
    const topic = uniqueName('adm-move-bad')
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }] })
    const error = await admin
      .alterPartitionReassignments({
        topics: [
          {
            topic,
            partitionAssignment: [
              { partition: 0, replicas: [9] },
              { partition: 5, replicas: [1] },
            ],
          },
        ],
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSAggregateError)
    const errors = (error as KafkaJSAggregateError).errors as KafkaJSAlterPartitionReassignmentsError[]
    expect(errors.every((e) => e instanceof KafkaJSAlterPartitionReassignmentsError)).toBe(true)
    expect(errors.map((e) => [e.topic, e.partition, e.type])).toEqual([
      [topic, 0, 'INVALID_REPLICA_ASSIGNMENT'],
      [topic, 5, 'UNKNOWN_TOPIC_OR_PARTITION'],
    ])
  })

  it('electLeaders moves leadership to the preferred replica, and says when it is not needed', async () => {
    const topic = uniqueName('adm-elect')
    await admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] }] })
    expect((await replicasOf(topic)).leader).toBe(1)
    // the same replicas in another order: broker 2 becomes preferred, broker 1 stays leader
    await admin.alterPartitionReassignments({
      topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [2, 1, 3] }] }],
    })
    const reordered = await eventually(
      () => replicasOf(topic),
      (p) => p.replicas.join() === '2,1,3',
    )
    expect(reordered.leader).toBe(1)

    const elected = await admin.electLeaders({
      electionType: ElectionTypes.PREFERRED,
      topicPartitions: [{ topic, partitions: [0] }],
    })
    expect(elected).toEqual([{ topic, partition: 0, elected: true }])
    expect(
      (
        await eventually(
          () => replicasOf(topic),
          (p) => p.leader === 2,
        )
      ).leader,
    ).toBe(2)

    const again = await admin.electLeaders({ topicPartitions: [{ topic, partitions: [0] }] })
    expect(again).toEqual([{ topic, partition: 0, elected: false }])
    const unclean = await admin.electLeaders({
      electionType: ElectionTypes.UNCLEAN,
      topicPartitions: [{ topic, partitions: [0] }],
    })
    expect(unclean).toEqual([{ topic, partition: 0, elected: false }])

    const error = await admin
      .electLeaders({ topicPartitions: [{ topic, partitions: [0, 4] }] })
      .catch((e: unknown) => e)
    const [item] = (error as KafkaJSAggregateError).errors as KafkaJSAdminItemError[]
    expect(item!.item).toEqual({ topic, partition: 4 })
    expect(item!.type).toBe('UNKNOWN_TOPIC_OR_PARTITION')
  })

  it('updateFeatures downgrades and upgrades a feature, read back with describeFeatures', async () => {
    const before = await admin.describeFeatures()
    expect(before.finalizedFeatures['streams.version']).toEqual({ minVersionLevel: 1, maxVersionLevel: 1 })
    expect(before.supportedFeatures['metadata.version']!.maxVersion).toBeGreaterThan(0)

    await admin.updateFeatures({
      validateOnly: true,
      features: [{ feature: 'streams.version', maxVersionLevel: 0, upgradeType: FeatureUpgradeTypes.SAFE_DOWNGRADE }],
    })
    expect((await admin.describeFeatures()).finalizedFeatures['streams.version']).toBeDefined()

    await admin.updateFeatures({
      features: [{ feature: 'streams.version', maxVersionLevel: 0, upgradeType: FeatureUpgradeTypes.SAFE_DOWNGRADE }],
    })
    const downgraded = await eventually(
      () => admin.describeFeatures(),
      (f) => f.finalizedFeatures['streams.version'] === undefined,
    )
    expect(downgraded.finalizedFeatures['streams.version']).toBeUndefined()
    expect(BigInt(downgraded.finalizedFeaturesEpoch!)).toBeGreaterThan(BigInt(before.finalizedFeaturesEpoch!))

    await admin.updateFeatures({ features: [{ feature: 'streams.version', maxVersionLevel: 1 }] })
    const upgraded = await eventually(
      () => admin.describeFeatures(),
      (f) => f.finalizedFeatures['streams.version'] !== undefined,
    )
    expect(upgraded.finalizedFeatures['streams.version']).toEqual({ minVersionLevel: 1, maxVersionLevel: 1 })

    const error = await admin
      .updateFeatures({ features: [{ feature: 'no.such.feature', maxVersionLevel: 1 }] })
      .catch((e: unknown) => e)
    const [item] = (error as KafkaJSAggregateError).errors as KafkaJSAdminItemError[]
    expect(item!.item).toEqual({ feature: 'no.such.feature' })
    expect(item!.type).toBe('INVALID_UPDATE_VERSION')
  })
})
