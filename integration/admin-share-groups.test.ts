import type { Admin } from '../src/admin/admin.js'
import {
  ConfigResourceTypes,
  KafkaJSAggregateError,
  KafkaJSInvalidArgumentError,
  KafkaJSProtocolError,
} from '../src/index.js'
import { type CommandResult, runKafkaTool } from '../src/testing/index.js'
import { connectedAdmin, eventually, produceRecords, uniqueName } from './admin-helpers.js'
import { brokers } from './helpers/brokers.js'

jest.setTimeout(180_000)

/**
 * Java's console share consumer in `groupId` (KIP-932): it acknowledges what it delivers and exits
 * after `maxMessages` records or `idleMs` without one.
 */
function runShareConsumer(options: {
  topic: string
  groupId: string
  maxMessages?: number
  idleMs: number
}): Promise<CommandResult> {
  return runKafkaTool(
    'org.apache.kafka.tools.consumer.ConsoleShareConsumer',
    [
      '--bootstrap-server',
      brokers().join(','),
      '--topic',
      options.topic,
      '--group',
      options.groupId,
      '--timeout-ms',
      String(options.idleMs),
      ...(options.maxMessages !== undefined ? ['--max-messages', String(options.maxMessages)] : []),
    ],
    { timeoutMs: 120_000 },
  )
}

/** Java's kafka-share-groups --describe --offsets: START-OFFSET by partition of `topic`. */
async function javaStartOffsets(groupId: string, topic: string): Promise<Map<number, string>> {
  const result = await runKafkaTool(
    'org.apache.kafka.tools.consumer.group.ShareGroupCommand',
    ['--bootstrap-server', brokers().join(','), '--describe', '--offsets', '--group', groupId],
    { timeoutMs: 120_000 },
  )
  const rows = result.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length > 3)
  const header = rows.find((cols) => cols.includes('START-OFFSET'))
  if (header === undefined)
    throw new Error(`no offsets in kafka-share-groups' output: ${result.stdout}${result.stderr}`)
  const [p, o, t] = ['PARTITION', 'START-OFFSET', 'TOPIC'].map((name) => header.indexOf(name))
  return new Map(rows.filter((cols) => cols[t!] === topic).map((cols) => [Number(cols[p!]), cols[o!]!]))
}

function delivered(result: CommandResult): string[] {
  return result.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .sort()
}

// One share group's life on the suite's broker, driven by Java's share consumer: consumed, listed
// and described (with a member, then empty), its start offsets fetched, altered (refused while a
// member runs) and seen by the next consumer, deleted, and the group deleted.
describe('admin share groups (real broker, Java share consumers)', () => {
  let admin: Admin
  let topic: string
  const groupId = uniqueName('adm-share')

  beforeAll(async () => {
    admin = await connectedAdmin()
    const features = await admin.describeFeatures()
    // share groups need share.version >= 1 (on by default from Kafka 4.2 on a new cluster)
    expect(features.finalizedFeatures['share.version']?.maxVersionLevel ?? 0).toBeGreaterThanOrEqual(1)
    topic = uniqueName('adm-share')
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
    await produceRecords(topic, 0, [{ value: 'p0-a' }, { value: 'p0-b' }, { value: 'p0-c' }])
    await produceRecords(topic, 1, [{ value: 'p1-a' }, { value: 'p1-b' }])
    // a share group starts at the latest offset unless its config says otherwise
    await admin.incrementalAlterConfigs({
      resources: [
        {
          type: ConfigResourceTypes.GROUP,
          name: groupId,
          configEntries: [{ name: 'share.auto.offset.reset', value: 'earliest' }],
        },
      ],
    })
  })

  afterAll(async () => {
    await admin.disconnect()
  })

  it('a share consumer creates the group; it is listed as share, described, and its start offsets fetched', async () => {
    const first = await runShareConsumer({ topic, groupId, maxMessages: 5, idleMs: 30_000 })
    expect(delivered(first)).toEqual(['p0-a', 'p0-b', 'p0-c', 'p1-a', 'p1-b'])

    const share = await admin.listGroups({ types: ['share'] })
    expect(share.groups).toContainEqual({ groupId, protocolType: 'share' })
    const classic = await admin.listGroups({ types: ['classic'] })
    expect(classic.groups.map((g) => g.groupId)).not.toContain(groupId)
    const detailed = await admin.listGroups({ types: ['share'], includeStateAndType: true })
    expect(detailed.groups.find((g) => g.groupId === groupId)).toMatchObject({
      groupType: 'share',
      groupState: 'Empty',
    })

    const { groups } = await admin.describeShareGroups([groupId])
    expect(groups).toEqual([
      expect.objectContaining({ groupId, type: 'share', state: 'Empty', members: [], coordinator: 1 }),
    ])
    expect(groups[0]!.groupEpoch).toBeGreaterThan(0)

    // every record delivered and acknowledged: no lag (the start offset moves up to the first
    // record not yet acknowledged when the broker cleans its in-flight state, so 0 or the end)
    const offsets = await eventually(
      () => admin.fetchShareGroupOffsets({ groupId, topics: [topic] }),
      (o) => o[0]?.partitions.every((p) => p.lag === '0') ?? false,
    )
    expect(offsets).toEqual([
      {
        topic,
        partitions: [
          expect.objectContaining({ partition: 0, lag: '0' }),
          expect.objectContaining({ partition: 1, lag: '0' }),
        ],
      },
    ])
    expect(['0', '3']).toContain(offsets[0]!.partitions[0]!.offset)
    expect(['0', '2']).toContain(offsets[0]!.partitions[1]!.offset)
    expect(offsets[0]!.partitions[0]!.leaderEpoch).toBeGreaterThanOrEqual(0)
    // without topics: every partition the group has state for
    expect(await admin.fetchShareGroupOffsets({ groupId })).toEqual(offsets)
  })

  it('describes a running member with its assignment; offsets cannot be altered while it runs', async () => {
    const running = runShareConsumer({ topic, groupId, idleMs: 15_000 })
    try {
      const { groups } = await eventually(
        () => admin.describeShareGroups([groupId]),
        (d) => d.groups[0]?.state === 'Stable' && (d.groups[0].members[0]?.assignment.length ?? 0) > 0,
        300,
      )
      const group = groups[0]!
      expect(group).toMatchObject({ groupId, type: 'share', state: 'Stable' })
      expect(group.assignor).not.toBe('')
      expect(group.members).toHaveLength(1)
      const member = group.members[0]!
      expect(member.subscribedTopicNames).toEqual([topic])
      expect(member.memberEpoch).toBeGreaterThan(0)
      expect(member.assignment).toEqual([expect.objectContaining({ topic, partitions: [0, 1] })])

      const refused = await admin
        .alterShareGroupOffsets({ groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '0' }] }] })
        .catch((e: unknown) => e)
      expect(refused).toBeInstanceOf(KafkaJSProtocolError)
      expect(refused).toMatchObject({ type: 'NON_EMPTY_GROUP', retriable: false })
    } finally {
      await running
    }
    const after = await eventually(
      () => admin.describeShareGroups([groupId]),
      (d) => d.groups[0]?.state === 'Empty',
    )
    expect(after.groups[0]).toMatchObject({ state: 'Empty', members: [] })
  })

  it('altered start offsets are where the next share consumer begins', async () => {
    const before = await admin.fetchShareGroupOffsets({ groupId, topics: [topic] })
    await admin.alterShareGroupOffsets({ groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '1' }] }] })
    const offsets = await admin.fetchShareGroupOffsets({ groupId, topics: [topic] })
    expect(offsets[0]!.partitions[0]).toMatchObject({ partition: 0, offset: '1', lag: '2' })
    // the partition not altered keeps its state
    expect(offsets[0]!.partitions[1]).toEqual(before[0]!.partitions[1])
    // Java's kafka-share-groups reads the same start offsets
    expect(await javaStartOffsets(groupId, topic)).toEqual(
      new Map(offsets[0]!.partitions.map((p) => [p.partition, p.offset])),
    )
    const next = await runShareConsumer({ topic, groupId, maxMessages: 2, idleMs: 30_000 })
    expect(delivered(next)).toEqual(['p0-b', 'p0-c'])
  })

  it('deletes the share state of a topic, then the group (described as Dead afterwards, as Java)', async () => {
    await admin.deleteShareGroupOffsets({ groupId, topics: [topic] })
    const offsets = await admin.fetchShareGroupOffsets({ groupId, topics: [topic] })
    expect(offsets[0]!.partitions.map((p) => p.offset)).toEqual(['-1', '-1'])

    expect(await admin.deleteShareGroups([groupId])).toEqual([{ groupId, errorCode: 0 }])
    const { groups } = await admin.describeShareGroups([groupId])
    expect(groups).toEqual([expect.objectContaining({ groupId, type: 'share', state: 'Dead', members: [] })])
    expect((await admin.listGroups({ types: ['share'] })).groups.map((g) => g.groupId)).not.toContain(groupId)
    // as fetchOffsets of an unknown group: nothing
    expect(await admin.fetchShareGroupOffsets({ groupId })).toEqual([])
  })

  it('a group of another type is not a share group: its describe fails on its own', async () => {
    const classicGroup = uniqueName('adm-share-classic')
    await admin.setOffsets({ groupId: classicGroup, topic, partitions: [{ partition: 0, offset: '1' }] })
    const error = await admin.describeShareGroups([classicGroup]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSAggregateError)
    const [item] = (error as KafkaJSAggregateError).errors as Array<{ type?: string; message: string }>
    expect(item).toMatchObject({ type: 'GROUP_ID_NOT_FOUND' })
    await admin.deleteGroups([classicGroup])
  })

  it('bad arguments fail before any request, naming the argument', async () => {
    const cases: Array<() => Promise<unknown>> = [
      () => admin.fetchShareGroupOffsets({} as never),
      () => admin.fetchShareGroupOffsets({ groupId, topics: [] }),
      () =>
        admin.alterShareGroupOffsets({ groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '-5' }] }] }),
      () =>
        admin.alterShareGroupOffsets({
          groupId,
          topics: [
            {
              topic,
              partitions: [
                { partition: 0, offset: '1' },
                { partition: 0, offset: '2' },
              ],
            },
          ],
        }),
      () => admin.deleteShareGroupOffsets({ groupId, topics: ['bad topic'] }),
      () => admin.describeShareGroups('g' as never),
    ]
    for (const call of cases) await expect(call()).rejects.toBeInstanceOf(KafkaJSInvalidArgumentError)
  })
})
