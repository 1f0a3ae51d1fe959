// Codec interop with the two reference clients, for every codec: batches we encode (Produce with the
// generated protocol module) are read by kcat (librdkafka) and by Java's console consumer, and
// batches kcat (-z) and Java's console producer (--compression-codec) write are decoded by us with
// the right keys, values, headers and compression type.

import { randomUUID } from 'node:crypto'
import { Cluster } from '../src/cluster/cluster.js'
import { type CompressionType, CompressionTypes, compressionTypeName } from '../src/protocol/codecs/index.js'
import { CreateTopics, createCreateTopicsRequestCreatableTopic } from '../src/protocol/generated/create-topics.js'
import {
  createFetchRequestFetchPartition,
  createFetchRequestFetchTopic,
  Fetch,
} from '../src/protocol/generated/fetch.js'
import {
  createProduceRequestPartitionProduceData,
  createProduceRequestTopicProduceData,
  Produce,
} from '../src/protocol/generated/produce.js'
import {
  type DecodedRecordBatch,
  decodeRecords,
  encodeRecordBatch,
  RECORD_BATCH_OVERHEAD,
} from '../src/protocol/records/index.js'
import { findOnPath } from '../src/testing/executables.js'
import { runKafkaTool } from '../src/testing/index.js'
import { runCommand } from '../src/testing/run-command.js'
import { chooseKafkaVersion, isKafkaVersionAtLeast } from '../src/testing/version.js'
import { brokers } from './helpers/brokers.js'

const bootstrap = brokers()[0]!
const run = randomUUID().slice(0, 8)
const codecs = Object.values(CompressionTypes) as CompressionType[]
const name = (codec: CompressionType): string => compressionTypeName(codec)
// crosses LZ4's 64 KiB and Snappy's 32 KiB block boundaries
const largeValue = (codec: CompressionType): string => `large ${name(codec)} `.repeat(7000)

interface Expected {
  key: string | null
  value: string
  headers: [string, string][]
}

function expectedRecords(codec: CompressionType): Expected[] {
  return [
    {
      key: 'key-0',
      value: `value-0 ${name(codec)} ü`,
      headers: [
        ['h1', 'a'],
        ['h2', 'b'],
      ],
    },
    { key: null, value: `value-1 ${name(codec)}`, headers: [] },
    { key: 'key-2', value: largeValue(codec), headers: [['h3', 'ü']] },
  ]
}

const kcat = findOnPath('kcat') ?? findOnPath('kafkacat')
let cluster: Cluster
const topicIds = new Map<string, string>()
const ourBatches = new Map<CompressionType, Buffer>()

async function createTopics(names: string[]): Promise<void> {
  const controller = await cluster.controllerConnection()
  const response = await controller.send(
    CreateTopics,
    CreateTopics.createRequest({
      topics: names.map((topic) =>
        createCreateTopicsRequestCreatableTopic({ name: topic, numPartitions: 1, replicationFactor: 1 }),
      ),
      timeoutMs: 30_000,
    }),
  )
  for (const result of response.topics) {
    expect([result.name, result.errorCode]).toEqual([result.name, 0])
    topicIds.set(result.name, result.topicId)
  }
  for (const topic of names) await cluster.leaderFor(topic, 0)
}

async function produceOurs(topic: string, codec: CompressionType): Promise<Buffer> {
  const records = await encodeRecordBatch({
    compression: codec,
    records: expectedRecords(codec).map((r) => ({
      key: r.key === null ? null : Buffer.from(r.key),
      value: Buffer.from(r.value),
      headers: r.headers.map(([key, value]) => ({ key, value: Buffer.from(value) })),
    })),
  })
  // a new topic's leader may not be ready yet: NOT_LEADER_OR_FOLLOWER (6) and UNKNOWN_TOPIC_OR_PARTITION (3) pass
  for (let attempt = 0; ; attempt++) {
    const connection = await cluster.connectionToLeader(topic, 0)
    const response = await connection.send(
      Produce,
      Produce.createRequest({
        acks: -1,
        timeoutMs: 30_000,
        topicData: [
          createProduceRequestTopicProduceData({
            name: topic,
            topicId: topicIds.get(topic)!,
            partitionData: [createProduceRequestPartitionProduceData({ index: 0, records })],
          }),
        ],
      }),
    )
    const errorCode = response.responses[0]!.partitionResponses[0]!.errorCode
    if ((errorCode === 6 || errorCode === 3) && attempt < 50) {
      cluster.markMetadataStale()
      await new Promise((resolve) => setTimeout(resolve, 200))
      continue
    }
    expect(errorCode).toBe(0)
    return records
  }
}

/** The records bytes of partition 0 from offset 0, once non-empty. */
async function rawRecords(topic: string): Promise<Buffer> {
  const connection = await cluster.connectionToLeader(topic, 0)
  const response = await connection.send(
    Fetch,
    Fetch.createRequest({
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 4 * 1024 * 1024,
      topics: [
        createFetchRequestFetchTopic({
          topic,
          topicId: topicIds.get(topic)!,
          partitions: [
            createFetchRequestFetchPartition({ partition: 0, fetchOffset: 0n, partitionMaxBytes: 4 * 1024 * 1024 }),
          ],
        }),
      ],
    }),
  )
  const partition = response.responses[0]!.partitions[0]!
  expect(partition.errorCode).toBe(0)
  return partition.records ?? Buffer.alloc(0)
}

/** Fetches partition 0 from offset 0 until `count` records arrived, and decodes them. */
async function fetchOurs(topic: string, count: number): Promise<DecodedRecordBatch[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const { batches } = await decodeRecords(await rawRecords(topic))
    if (batches.reduce((n, b) => n + b.records.length, 0) >= count) return batches
  }
  throw new Error(`${topic}: fewer than ${count} records after 20 fetches`)
}

function asExpected(batches: DecodedRecordBatch[]): Expected[] {
  return batches.flatMap((batch) =>
    batch.records.map((r) => ({
      key: r.key === null ? null : r.key.toString(),
      value: r.value!.toString(),
      headers: r.headers.map((h): [string, string] => [h.key, h.value!.toString()]),
    })),
  )
}

/** A line the Java console consumer prints with print.headers and print.key: headers \t key \t value. */
function javaLine(r: Expected): string {
  const headers = r.headers.length === 0 ? 'NO_HEADERS' : r.headers.map(([k, v]) => `${k}:${v}`).join(',')
  return `${headers}\t${r.key ?? 'null'}\t${r.value}`
}

beforeAll(async () => {
  cluster = new Cluster({ brokers: brokers(), clientId: 'kafkit-interop-codecs', allowAutoTopicCreation: false })
  await cluster.connect()
  await createTopics(
    codecs.flatMap((c) => [
      `kafkit-ours-${run}-${name(c)}`,
      `kafkit-kcat-${run}-${name(c)}`,
      `kafkit-java-${run}-${name(c)}`,
    ]),
  )
  for (const codec of codecs) ourBatches.set(codec, await produceOurs(`kafkit-ours-${run}-${name(codec)}`, codec))
})

test.each(codecs.map((c) => [name(c), c] as const))(
  'the broker keeps our %s records bytes as we wrote them, so the peers below read our encoding',
  async (_name, codec) => {
    const [stored] = await fetchOurs(`kafkit-ours-${run}-${name(codec)}`, 3)
    const ours = ourBatches.get(codec)!
    expect(stored!.compression).toBe(codec)
    expect(stored!.sizeInBytes).toBe(ours.length)
    // the broker rewrites header fields (offsets, leader epoch, CRC); the records part is ours
    const fetched = await rawRecords(`kafkit-ours-${run}-${name(codec)}`)
    expect(fetched.subarray(RECORD_BATCH_OVERHEAD).equals(ours.subarray(RECORD_BATCH_OVERHEAD))).toBe(true)
  },
)

afterAll(() => cluster?.disconnect())

const describeKcat = kcat === undefined ? describe.skip : describe

describeKcat('kcat (librdkafka)', () => {
  test.each(codecs.map((c) => [name(c), c] as const))('reads the %s batch we wrote', async (_name, codec) => {
    const topic = `kafkit-ours-${run}-${name(codec)}`
    const result = await runCommand(
      kcat!,
      ['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%k\\t%h\\t%s\\n'],
      { timeoutMs: 60_000 },
    )
    expect(result.exitCode).toBe(0)
    // kcat prints a null key as an empty string and headers as k=v,k=v
    expect(result.stdout.split('\n').filter(Boolean)).toEqual(
      expectedRecords(codec).map(
        (r) => `${r.key ?? ''}\t${r.headers.map(([k, v]) => `${k}=${v}`).join(',')}\t${r.value}`,
      ),
    )
  })

  test.each(codecs.map((c) => [name(c), c] as const))('writes a %s batch we decode', async (_name, codec) => {
    const topic = `kafkit-kcat-${run}-${name(codec)}`
    // one kcat run per header set: -H applies to every message of the run
    for (const r of expectedRecords(codec)) {
      const headerArgs = r.headers.flatMap(([k, v]) => ['-H', `${k}=${v}`])
      const keyArgs = r.key === null ? [] : ['-k', r.key]
      const result = await runCommand(
        kcat!,
        ['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-z', name(codec), ...keyArgs, ...headerArgs],
        { input: r.value, timeoutMs: 60_000 },
      )
      expect(result.exitCode).toBe(0)
    }
    const batches = await fetchOurs(topic, 3)
    expect(batches.every((b) => b.magic === 2)).toBe(true)
    // librdkafka sends a batch uncompressed when compressing would not make it smaller (the small
    // records here); the one holding the large value is compressed
    const large = batches.find((b) => b.records.some((r) => r.value!.length > 50_000))!
    expect(large.compression).toBe(codec)
    expect(asExpected(batches)).toEqual(expectedRecords(codec))
  })
})

describe('Java console tools', () => {
  // runKafkaTool runs the tools of KAFKA_VERSION's release. 3.9's console producer is still the Scala
  // kafka.tools one, and its tools take --property where 4.2 and later take --formatter-property
  // (consumer) and --reader-property (producer), deprecating --property
  const tools = chooseKafkaVersion(undefined)
  const consoleProducer = isKafkaVersionAtLeast(tools, '4.0')
    ? 'org.apache.kafka.tools.ConsoleProducer'
    : 'kafka.tools.ConsoleProducer'
  const renamedProperties = isKafkaVersionAtLeast(tools, '4.2')
  const formatterProperty = renamedProperties ? '--formatter-property' : '--property'
  const readerProperty = renamedProperties ? '--reader-property' : '--property'

  test('the console consumer reads the batches we wrote with every codec', async () => {
    const result = await runKafkaTool(
      'org.apache.kafka.tools.consumer.ConsoleConsumer',
      [
        '--bootstrap-server',
        bootstrap,
        '--include',
        `kafkit-ours-${run}-.*`,
        '--from-beginning',
        '--max-messages',
        String(codecs.length * 3),
        '--timeout-ms',
        '60000',
        formatterProperty,
        'print.key=true',
        formatterProperty,
        'print.headers=true',
      ],
      { timeoutMs: 120_000 },
    )
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.split('\n').filter(Boolean).sort()
    expect(lines).toEqual(codecs.flatMap((c) => expectedRecords(c).map(javaLine)).sort())
  })

  test.each(codecs.map((c) => [name(c), c] as const))(
    'the console producer writes a %s batch we decode',
    async (_name, codec) => {
      const topic = `kafkit-java-${run}-${name(codec)}`
      // parse.headers: "h:v,h:v<TAB>key|value"; the null marker stands for no headers and for a null key
      const input = expectedRecords(codec)
        .map((r) => {
          const headers = r.headers.length === 0 ? 'null' : r.headers.map(([k, v]) => `${k}:${v}`).join(',')
          return `${headers}\t${r.key ?? 'null'}|${r.value}`
        })
        .join('\n')
      const result = await runKafkaTool(
        consoleProducer,
        [
          '--bootstrap-server',
          bootstrap,
          '--topic',
          topic,
          '--compression-codec',
          name(codec),
          readerProperty,
          'parse.key=true',
          readerProperty,
          'key.separator=|',
          readerProperty,
          'parse.headers=true',
          readerProperty,
          'null.marker=null',
        ],
        { input: `${input}\n`, timeoutMs: 120_000 },
      )
      expect(result.exitCode).toBe(0)
      const batches = await fetchOurs(topic, 3)
      expect(new Set(batches.map((b) => [b.magic, b.compression].join()))).toEqual(new Set([[2, codec].join()]))
      expect(asExpected(batches)).toEqual(expectedRecords(codec))
    },
  )
})
