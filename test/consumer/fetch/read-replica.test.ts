import { ClusterMetadata, type PartitionMetadata } from '../../../src/cluster/metadata.js'
import { isOnlineReplica, ReadReplicaSelector } from '../../../src/consumer/fetch/read-replica.js'

function metadataWith(partition: Partial<PartitionMetadata>, brokers = [1, 2, 3]): ClusterMetadata {
  const p: PartitionMetadata = {
    partition: 0,
    errorCode: 0,
    leader: 1,
    leaderEpoch: 0,
    replicas: [1, 2, 3],
    isr: [1, 2, 3],
    offlineReplicas: [],
    ...partition,
  }
  return new ClusterMetadata({
    clusterId: 'c',
    controllerId: 1,
    brokers: new Map(brokers.map((id) => [id, { nodeId: id, host: '127.0.0.1', port: 9000 + id, rack: null }])),
    topics: new Map([
      ['t', { name: 't', topicId: 'id', errorCode: 0, isInternal: false, partitions: new Map([[0, p]]) }],
    ]),
    updatedAt: 0,
  })
}

describe('ReadReplicaSelector', () => {
  let now = 0
  const clock = (): number => now
  const state = (topic = 't', partition = 0) => ({
    topic,
    partition,
    preferredReadReplica: -1,
    preferReadReplica(nodeId: number) {
      this.preferredReadReplica = nodeId
    },
  })

  beforeEach(() => {
    now = 1_000
  })

  test('the leader until a response names a preferred read replica, then that replica', () => {
    const selector = new ReadReplicaSelector(60_000, clock)
    const s = state()
    const metadata = metadataWith({})
    expect(selector.nodeFor(s, metadata)).toBe(1)
    expect(selector.update(s, -1)).toBe(false)
    expect(selector.update(s, 3)).toBe(true)
    expect(selector.update(s, 3)).toBe(false)
    expect(selector.nodeFor(s, metadata)).toBe(3)
  })

  test('the preference expires after maxAge: the leader is asked again', () => {
    const selector = new ReadReplicaSelector(60_000, clock)
    const s = state()
    selector.update(s, 2)
    now += 59_999
    expect(selector.nodeFor(s, metadataWith({}))).toBe(2)
    now += 1
    expect(selector.nodeFor(s, metadataWith({}))).toBe(1)
    expect(s.preferredReadReplica).toBe(-1)
  })

  test.each<[string, Partial<PartitionMetadata>, number[]]>([
    ['offline', { offlineReplicas: [3] }, [1, 2, 3]],
    ['no longer a replica of the partition', { replicas: [1, 2] }, [1, 2, 3]],
    ['missing from the brokers', {}, [1, 2]],
  ])('a replica that is %s is dropped for the leader', (_, partition, brokers) => {
    const selector = new ReadReplicaSelector(60_000, clock)
    const s = state()
    selector.update(s, 3)
    expect(selector.nodeFor(s, metadataWith(partition, brokers))).toBe(1)
    expect(s.preferredReadReplica).toBe(-1)
  })

  test('isOnlineReplica: a known broker, a replica of the partition, not offline', () => {
    const tp = state()
    expect(isOnlineReplica(metadataWith({}), tp, 2)).toBe(true)
    expect(isOnlineReplica(metadataWith({}), tp, 4)).toBe(false)
    expect(isOnlineReplica(metadataWith({}, [1, 3]), tp, 2)).toBe(false)
    expect(isOnlineReplica(metadataWith({ offlineReplicas: [2] }), tp, 2)).toBe(false)
    expect(isOnlineReplica(metadataWith({}), { ...tp, topic: 'unknown' }, 2)).toBe(false)
  })

  test('no leader and no replica: no node', () => {
    const selector = new ReadReplicaSelector(60_000, clock)
    expect(selector.nodeFor(state(), metadataWith({ leader: -1 }))).toBeUndefined()
    expect(selector.nodeFor(state('other'), metadataWith({}))).toBeUndefined()
  })

  test('a failed fetch from a replica sends the partitions it served back to their leaders', () => {
    const selector = new ReadReplicaSelector(60_000, clock)
    const a = state()
    const b = state('t', 1)
    const c = state('t', 2)
    selector.update(a, 3)
    selector.update(b, 3)
    selector.update(c, 2)
    expect(selector.clearServedBy(3, [a, b, c])).toBe(2)
    expect([a, b, c].map((s) => s.preferredReadReplica)).toEqual([-1, -1, 2])
    // cleared means forgotten: the same replica named again counts as a change
    expect(selector.update(a, 3)).toBe(true)
  })
})
