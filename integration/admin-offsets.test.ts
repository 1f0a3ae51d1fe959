import { execFileSync } from 'node:child_process'
import type { Admin } from '../src/admin/admin.js'
import {
  type KafkaJSAdminItemError,
  type KafkaJSAggregateError,
  KafkaJSDeleteTopicRecordsError,
  KafkaJSInvalidArgumentError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  OffsetSpecs,
} from '../src/index.js'
import { connectedAdmin, produceRecords, uniqueName } from './admin-helpers.js'
import { brokers } from './helpers/brokers.js'

jest.setTimeout(60_000)

describe('admin offsets (real broker)', () => {
  let admin: Admin
  let topic: string

  beforeAll(async () => {
    admin = await connectedAdmin()
    topic = uniqueName('adm-offsets')
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
    // partition 0: five records at t=1000..5000 (the fourth has the highest timestamp); partition 1: three
    await produceRecords(topic, 0, [
      { value: 'a', timestamp: 1000 },
      { value: 'b', timestamp: 2000 },
      { value: 'c', timestamp: 3000 },
      { value: 'd', timestamp: 9000 },
      { value: 'e', timestamp: 5000 },
    ])
    await produceRecords(topic, 1, [{ value: 'x' }, { value: 'y' }, { value: 'z' }])
  })

  afterAll(async () => {
    await admin.disconnect()
  })

  it('fetchTopicOffsets returns high and low watermarks per partition', async () => {
    expect(await admin.fetchTopicOffsets(topic)).toEqual([
      { partition: 0, offset: '5', high: '5', low: '0' },
      { partition: 1, offset: '3', high: '3', low: '0' },
    ])
  })

  it('fetchTopicOffsetsByTimestamp finds the first record at or after the time, else the high watermark', async () => {
    expect(await admin.fetchTopicOffsetsByTimestamp(topic, 2500)).toEqual([
      { partition: 0, offset: '2' },
      { partition: 1, offset: '0' },
    ])
    expect(await admin.fetchTopicOffsetsByTimestamp(topic, Date.now() + 3_600_000)).toEqual([
      { partition: 0, offset: '5' },
      { partition: 1, offset: '3' },
    ])
    expect(await admin.fetchTopicOffsetsByTimestamp(topic)).toEqual([
      { partition: 0, offset: '5' },
      { partition: 1, offset: '3' },
    ])
  })

  it('listOffsets takes earliest, latest, max-timestamp and timestamps per partition', async () => {
    const result = await admin.listOffsets({
      topics: [
        {
          topic,
          partitions: [
            { partition: 0, offsetSpec: OffsetSpecs.MAX_TIMESTAMP },
            { partition: 1, offsetSpec: OffsetSpecs.EARLIEST },
          ],
        },
      ],
    })
    expect(result).toEqual([
      {
        topic,
        partitions: [
          { partition: 0, offset: '3', timestamp: '9000', leaderEpoch: 0 },
          { partition: 1, offset: '0', timestamp: '-1', leaderEpoch: 0 },
        ],
      },
    ])
    const latest = await admin.listOffsets({ topics: [{ topic }] })
    expect(latest[0]!.partitions.map((p) => [p.partition, p.offset])).toEqual([
      [0, '5'],
      [1, '3'],
    ])
    const byTime = await admin.listOffsets({ topics: [{ topic, offsetSpec: 3000, partitions: [{ partition: 0 }] }] })
    expect(byTime[0]!.partitions).toEqual([{ partition: 0, offset: '2', timestamp: '3000', leaderEpoch: 0 }])
  })

  it('names the partitions and topics it cannot look up', async () => {
    const missing = uniqueName('adm-offsets-missing')
    const error = await admin
      .listOffsets({ topics: [{ topic, partitions: [{ partition: 0 }, { partition: 7 }] }, { topic: missing }] })
      .catch((e: unknown) => e)
    // the first topic metadata refuses fails the call, as in KafkaJS's topic lookups; `detail` names it
    expect(error).toBeInstanceOf(KafkaJSProtocolError)
    expect(error).toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION', detail: `topic ${missing}` })
    const partitionError = await admin
      .listOffsets({ topics: [{ topic, partitions: [{ partition: 0 }, { partition: 7 }] }] })
      .catch((e: unknown) => e)
    const [item] = (partitionError as KafkaJSAggregateError).errors as KafkaJSAdminItemError[]
    expect(item!.item).toEqual({ topic, partition: 7 })
    expect(item!.type).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    // KafkaJS asks again about an unknown topic and ends with its retries exceeded
    await expect(admin.fetchTopicOffsets(missing)).rejects.toThrow(KafkaJSNumberOfRetriesExceeded)
    await expect(admin.listOffsets({ topics: [{ topic, offsetSpec: 'newest' as never }] })).rejects.toThrow(
      /offsetSpec must be one of earliest, latest, max-timestamp/,
    )
  })

  it('setOffsets commits offsets that fetchOffsets reads back; unset partitions read -1', async () => {
    const groupId = uniqueName('adm-group-set')
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '3' }] })
    expect(await admin.fetchOffsets({ groupId, topics: [topic] })).toEqual([
      {
        topic,
        partitions: [
          { partition: 0, offset: '3', metadata: null },
          { partition: 1, offset: '-1', metadata: null },
        ],
      },
    ])
    // without topics: every partition with a committed offset
    expect(await admin.fetchOffsets({ groupId })).toEqual([
      { topic, partitions: [{ partition: 0, offset: '3', metadata: null }] },
    ])
  })

  it('resetOffsets commits the earliest or latest offsets of every partition', async () => {
    const groupId = uniqueName('adm-group-reset')
    await admin.resetOffsets({ groupId, topic })
    const latest = await admin.fetchOffsets({ groupId, topics: [topic] })
    expect(latest[0]!.partitions.map((p) => p.offset)).toEqual(['5', '3'])
    await admin.resetOffsets({ groupId, topic, earliest: true })
    const earliest = await admin.fetchOffsets({ groupId, topics: [topic] })
    expect(earliest[0]!.partitions.map((p) => p.offset)).toEqual(['0', '0'])
  })

  it('fetchOffsets with resolveOffsets turns KafkaJS-style -2/-1 commits into real offsets and commits them', async () => {
    const groupId = uniqueName('adm-group-resolve')
    await admin.setOffsets({
      groupId,
      topic,
      partitions: [
        { partition: 0, offset: '-2' },
        { partition: 1, offset: '-1' },
      ],
    })
    const resolved = await admin.fetchOffsets({ groupId, topics: [topic], resolveOffsets: true })
    expect(resolved[0]!.partitions.map((p) => p.offset)).toEqual(['0', '3'])
    const stored = await admin.fetchOffsets({ groupId, topics: [topic] })
    expect(stored[0]!.partitions.map((p) => p.offset)).toEqual(['0', '3'])
  })

  it('deleteConsumerGroupOffsets removes the chosen partitions only', async () => {
    const groupId = uniqueName('adm-group-offdel')
    await admin.setOffsets({
      groupId,
      topic,
      partitions: [
        { partition: 0, offset: '1' },
        { partition: 1, offset: '2' },
      ],
    })
    await admin.deleteConsumerGroupOffsets({ groupId, topics: [{ topic, partitions: [0] }] })
    const after = await admin.fetchOffsets({ groupId, topics: [topic] })
    expect(after[0]!.partitions.map((p) => p.offset)).toEqual(['-1', '2'])
    await admin.deleteConsumerGroupOffsets({ groupId, topics: [{ topic }] })
    expect(await admin.fetchOffsets({ groupId })).toEqual([])
  })

  it('refuses bad offsets before any request', async () => {
    await expect(
      admin.setOffsets({ groupId: 'g', topic, partitions: [{ partition: 0, offset: 'ten' }] }),
    ).rejects.toThrow(KafkaJSInvalidArgumentError)
    await expect(admin.setOffsets({ groupId: 'g', topic, partitions: [] })).rejects.toThrow('Invalid partitions')
    await expect(admin.fetchOffsets({ groupId: '' })).rejects.toThrow('Invalid groupId ')
  })
})

describe('admin deleteTopicRecords (real broker)', () => {
  let admin: Admin

  beforeAll(async () => {
    admin = await connectedAdmin()
  })

  afterAll(async () => {
    await admin.disconnect()
  })

  /** The offsets kcat (librdkafka) can still read from the partition. */
  function readableOffsets(topic: string, partition: number): string[] {
    const out = execFileSync(
      'kcat',
      [
        '-b',
        brokers().join(','),
        '-C',
        '-t',
        topic,
        '-p',
        String(partition),
        '-o',
        'beginning',
        '-e',
        '-q',
        '-f',
        '%o\\n',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    )
    return out.split('\n').filter((line) => line !== '')
  }

  it('deletes the records before the offsets given, -1 meaning all; the records are gone', async () => {
    const topic = uniqueName('adm-records')
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
    await produceRecords(
      topic,
      0,
      ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value })),
    )
    await produceRecords(
      topic,
      1,
      ['x', 'y', 'z'].map((value) => ({ value })),
    )
    await admin.deleteTopicRecords({
      topic,
      partitions: [
        { partition: 0, offset: '3' },
        { partition: 1, offset: '-1' },
      ],
    })
    expect(await admin.fetchTopicOffsets(topic)).toEqual([
      { partition: 0, offset: '5', high: '5', low: '3' },
      { partition: 1, offset: '3', high: '3', low: '3' },
    ])
    expect(readableOffsets(topic, 0)).toEqual(['3', '4'])
    expect(readableOffsets(topic, 1)).toEqual([])
  })

  it('names the partitions it cannot delete from (KafkaJSDeleteTopicRecordsError) and deletes the others', async () => {
    const topic = uniqueName('adm-records-err')
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
    await produceRecords(topic, 0, [{ value: 'a' }, { value: 'b' }])
    await produceRecords(topic, 1, [{ value: 'c' }, { value: 'd' }])
    // a partition without a leader fails the call before anything is deleted, as in KafkaJS
    const unknown = await admin
      .deleteTopicRecords({
        topic,
        partitions: [
          { partition: 0, offset: '1' },
          { partition: 5, offset: '0' },
        ],
      })
      .catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(KafkaJSDeleteTopicRecordsError)
    expect(
      (unknown as KafkaJSDeleteTopicRecordsError).partitions.map((p) => [p.partition, p.offset, p.error.name]),
    ).toEqual([[5, '0', 'KafkaJSBrokerNotFound']])
    expect(readableOffsets(topic, 0)).toEqual(['0', '1'])

    // a partition its leader refuses comes inside KafkaJSNonRetriableError, the others being deleted
    const error = await admin
      .deleteTopicRecords({
        topic,
        partitions: [
          { partition: 0, offset: '1' },
          { partition: 1, offset: '10' },
        ],
      })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'KafkaJSNonRetriableError', message: 'Error while deleting records' })
    const failure = (error as Error).cause as KafkaJSDeleteTopicRecordsError
    expect(failure).toBeInstanceOf(KafkaJSDeleteTopicRecordsError)
    expect(failure.topic).toBe(topic)
    expect(failure.partitions.map((p) => [p.partition, p.offset, p.error])).toEqual([
      [1, '10', expect.objectContaining({ code: 1, type: 'OFFSET_OUT_OF_RANGE' })],
    ])
    expect(readableOffsets(topic, 0)).toEqual(['1'])
    expect(readableOffsets(topic, 1)).toEqual(['0', '1'])
  })
})
