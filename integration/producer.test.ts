// The producer against a real broker; every outcome is checked by reading the partitions back
// with the generated Fetch API and the record decoder, or with kcat.

import { randomUUID } from 'node:crypto'
import net from 'node:net'
import type { Cluster } from '../src/cluster/cluster.js'
import {
  type Admin,
  CompressionTypes,
  Kafka,
  KafkaJSBufferExhaustedError,
  KafkaJSProtocolError,
  KafkaJSTopicMetadataTimeoutError,
  type LogEntry,
  logLevel,
  type Producer,
  type ProducerConfig,
} from '../src/index.js'
import type { SocketFactory } from '../src/network/socket-factory.js'
import { compressionTypeName } from '../src/protocol/codecs/index.js'
import { brokers } from './helpers/brokers.js'
import { kcatConsume, kcatPath, kcatProduceKeys, readerCluster, readPartition, readTopic } from './producer-helpers.js'

jest.setTimeout(60_000)

const run = randomUUID().slice(0, 8)
const bootstrap = brokers()[0]!
let kafka: Kafka
let admin: Admin
let reader: Cluster
const producers: Producer[] = []

function topicName(name: string): string {
  return `kafkit-producer-${run}-${name}`
}

async function createTopic(name: string, partitions: number, config: Record<string, string> = {}): Promise<string> {
  const topic = topicName(name)
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic,
        numPartitions: partitions,
        replicationFactor: 1,
        configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
      },
    ],
  })
  return topic
}

async function connectedProducer(config: ProducerConfig = {}, client: Kafka = kafka): Promise<Producer> {
  const producer = client.producer(config)
  producers.push(producer)
  await producer.connect()
  return producer
}

beforeAll(async () => {
  kafka = new Kafka({ brokers: brokers(), clientId: `kafkit-producer-test-${run}`, logLevel: logLevel.NOTHING })
  admin = kafka.admin()
  await admin.connect()
  reader = await readerCluster(brokers(), `kafkit-producer-reader-${run}`)
})

afterAll(async () => {
  for (const producer of producers) await producer.disconnect()
  await admin?.disconnect()
  await reader?.disconnect()
})

describe('send', () => {
  test('writes keys, values (string, Buffer, null), headers (arrays too) and timestamps as given', async () => {
    const topic = await createTopic('shapes', 2)
    const producer = await connectedProducer()
    const result = await producer.send({
      topic,
      messages: [
        { key: 'k1', value: 'v1', partition: 1, timestamp: '1700000000000' },
        {
          key: Buffer.from([0, 1, 2]),
          value: Buffer.from('bytes'),
          partition: 1,
          headers: { h: 'x', multi: ['a', Buffer.from('b')] },
        },
        { key: 'tombstone', value: null, partition: 1 },
        { value: 'no key', partition: 0, timestamp: 1700000000123 },
      ],
    })
    expect(result).toEqual([
      { topicName: topic, partition: 1, errorCode: 0, baseOffset: '0', logAppendTime: '-1', logStartOffset: '0' },
      { topicName: topic, partition: 0, errorCode: 0, baseOffset: '0', logAppendTime: '-1', logStartOffset: '0' },
    ])
    const p1 = await readPartition(reader, topic, 1)
    expect(p1.map((r) => [r.offset, r.key, r.value, r.headers])).toEqual([
      [0n, 'k1', 'v1', []],
      [
        1n,
        '\u0000\u0001\u0002',
        'bytes',
        [
          ['h', 'x'],
          ['multi', 'a'],
          ['multi', 'b'],
        ],
      ],
      [2n, 'tombstone', null, []],
    ])
    expect(p1[0]!.timestamp).toBe(1700000000000n)
    const p0 = await readPartition(reader, topic, 0)
    expect(p0.map((r) => [r.key, r.value, r.timestamp])).toEqual([[null, 'no key', 1700000000123n]])
  })

  test('sendBatch writes to several topics in one call and reports each topic-partition', async () => {
    const a = await createTopic('batch-a', 1)
    const b = await createTopic('batch-b', 1)
    const producer = await connectedProducer()
    const result = await producer.sendBatch({
      topicMessages: [
        { topic: a, messages: [{ value: 'a1' }, { value: 'a2' }] },
        { topic: b, messages: [{ value: 'b1' }] },
        { topic: a, messages: [{ value: 'a3' }] },
      ],
    })
    expect(result.map((r) => [r.topicName, r.partition, r.baseOffset])).toEqual([
      [a, 0, '0'],
      [b, 0, '0'],
    ])
    expect((await readPartition(reader, a, 0)).map((r) => r.value)).toEqual(['a1', 'a2', 'a3'])
    expect((await readPartition(reader, b, 0)).map((r) => r.value)).toEqual(['b1'])
  })

  test('every acks level delivers: -1 (idempotent), 1 and 0 (not idempotent)', async () => {
    const topic = await createTopic('acks', 1)
    const idempotent = await connectedProducer()
    const plain = await connectedProducer({ idempotent: false })
    expect(idempotent.isIdempotent()).toBe(true)
    expect(plain.isIdempotent()).toBe(false)
    const all = await idempotent.send({ topic, acks: -1, messages: [{ value: 'acks=-1' }] })
    const leader = await plain.send({ topic, acks: 1, messages: [{ value: 'acks=1' }] })
    const none = await plain.send({ topic, acks: 0, messages: [{ value: 'acks=0' }] })
    expect(all[0]!.baseOffset).toBe('0')
    expect(leader[0]!.baseOffset).toBe('1')
    // acks 0: the broker does not answer, so the call resolves with nothing (KafkaJS)
    expect(none).toEqual([])
    await plain.flush()
    const stored = await readPartition(reader, topic, 0)
    expect(stored.map((r) => r.value)).toEqual(['acks=-1', 'acks=1', 'acks=0'])
    // idempotent batches carry a producer id and sequence, the others none
    expect(stored[0]!.producerId).toBeGreaterThanOrEqual(0n)
    expect(stored[0]!.sequence).toBe(0)
    expect(stored[1]!.producerId).toBe(-1n)
    expect(stored[2]!.producerId).toBe(-1n)
  })

  test('send() takes the internal path, not the public sendBatch(): a wrapper of sendBatch sees each call once (as KafkaJS)', async () => {
    const topic = await createTopic('one-path', 1)
    const producer = await connectedProducer()
    const sendBatch = jest.spyOn(producer, 'sendBatch')
    await producer.send({ topic, messages: [{ value: 'by send' }] })
    expect(sendBatch).not.toHaveBeenCalled()
    await producer.sendBatch({ topicMessages: [{ topic, messages: [{ value: 'by sendBatch' }] }] })
    expect(sendBatch).toHaveBeenCalledTimes(1)
    const transactional = await connectedProducer({ transactionalId: `kafkit-producer-${run}-one-path` })
    const transactionalSendBatch = jest.spyOn(transactional, 'sendBatch')
    await transactional.send({ topic, messages: [{ value: 'outside a transaction' }] })
    expect(transactionalSendBatch).not.toHaveBeenCalled()
    const stored = await readPartition(reader, topic, 0)
    expect(stored.map((r) => r.value)).toEqual(['by send', 'by sendBatch', 'outside a transaction'])
  })

  test('explicit idempotence refuses acks other than -1, as KafkaJS', async () => {
    const topic = await createTopic('acks-refused', 1)
    const producer = await connectedProducer({ idempotent: true })
    await expect(producer.send({ topic, acks: 1, messages: [{ value: 'x' }] })).rejects.toThrow(
      /Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees/,
    )
  })

  test('acks other than -1, 0 and 1 fail as the broker fails them for KafkaJS (INVALID_REQUIRED_ACKS), nothing written', async () => {
    const topic = await createTopic('acks-invalid', 1)
    const producer = await connectedProducer({ idempotent: false })
    const send = producer.send({ topic, acks: 2, messages: [{ value: 'x' }] })
    await expect(send).rejects.toBeInstanceOf(KafkaJSProtocolError)
    await expect(send).rejects.toMatchObject({ type: 'INVALID_REQUIRED_ACKS', retriable: false })
    expect(await readPartition(reader, topic, 0)).toEqual([])
  })

  test('a topic that never appears fails after maxBlockMs with an error naming it', async () => {
    const producer = await connectedProducer({ allowAutoTopicCreation: false, maxBlockMs: 1500 })
    const topic = topicName('never-created')
    const error = await producer.send({ topic, messages: [{ value: 'x' }] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSTopicMetadataTimeoutError)
    expect((error as KafkaJSTopicMetadataTimeoutError).topic).toBe(topic)
    expect((error as Error).message).toContain(`Topic ${topic} not present in metadata after 1500 ms`)
  })

  test('flush() resolves once everything sent before it is acknowledged', async () => {
    const topic = await createTopic('flush', 1)
    const producer = await connectedProducer({ linger: 60_000 })
    const pending = producer.send({ topic, messages: [{ value: 'lingering' }] })
    let settled = false
    void pending.then(() => {
      settled = true
    })
    await producer.flush()
    expect(settled).toBe(true)
    expect((await readPartition(reader, topic, 0)).map((r) => r.value)).toEqual(['lingering'])
  })
})

describe('partitioning', () => {
  const describeKcat = kcatPath === undefined ? describe.skip : describe

  describeKcat('with kcat', () => {
    test("keyed records land where librdkafka's murmur2_random puts them (1,000 keys, 12 partitions)", async () => {
      const ours = await createTopic('keys-ours', 12)
      const theirs = await createTopic('keys-kcat', 12)
      const keys = Array.from({ length: 1000 }, (_, i) => `key-${i}-${run}`)
      const producer = await connectedProducer()
      await producer.send({ topic: ours, messages: keys.map((key) => ({ key, value: key })) })
      await kcatProduceKeys(bootstrap, theirs, keys, 'murmur2_random')
      const placement = async (topic: string) =>
        new Map((await kcatConsume(bootstrap, topic, '%k %p\\n')).map((line) => line.split(' ') as [string, string]))
      const ourPlacement = await placement(ours)
      const kcatPlacement = await placement(theirs)
      expect(ourPlacement.size).toBe(1000)
      expect(kcatPlacement.size).toBe(1000)
      for (const key of keys) expect([key, ourPlacement.get(key)]).toEqual([key, kcatPlacement.get(key)])
      // all 12 partitions are used
      expect(new Set(ourPlacement.values()).size).toBe(12)
    })
  })

  test('keyless records stick to one partition per batch, not one partition per message', async () => {
    const topic = await createTopic('sticky', 6)
    const producer = await connectedProducer()
    const count = 3000
    await producer.send({
      topic,
      messages: Array.from({ length: count }, (_, i) => ({ value: `${String(i).padStart(6, '0')}${'x'.repeat(94)}` })),
    })
    const stored = await readTopic(reader, topic, 6)
    expect(stored.length).toBe(count)
    const used = new Set(stored.map((r) => r.partition))
    expect(used.size).toBeGreaterThan(1)
    // within a partition, the records of one stay consecutive in send order for about a batch
    // (16384 bytes at about 115 bytes a record): runs of well over a hundred, never single records
    for (const partition of used) {
      const indexes = stored.filter((r) => r.partition === partition).map((r) => Number(r.value!.slice(0, 6)))
      const runs: number[] = []
      let length = 1
      for (let i = 1; i < indexes.length; i++) {
        if (indexes[i] === indexes[i - 1]! + 1) length++
        else {
          runs.push(length)
          length = 1
        }
      }
      runs.push(length)
      expect(Math.min(...runs.slice(0, -1), Number.POSITIVE_INFINITY)).toBeGreaterThan(100)
    }
  })

  test('a custom partitioner (KafkaJS createPartitioner) decides, with the partition metadata', async () => {
    const topic = await createTopic('custom-partitioner', 3)
    const seen: number[] = []
    const producer = await connectedProducer({
      createPartitioner:
        () =>
        ({ partitionMetadata }) => {
          seen.push(partitionMetadata.length)
          return 2
        },
    })
    await producer.send({ topic, messages: [{ key: 'a', value: '1' }, { value: '2' }] })
    expect(seen).toEqual([3, 3])
    expect((await readPartition(reader, topic, 2)).map((r) => r.value)).toEqual(['1', '2'])
  })
})

describe('compression', () => {
  const codecs = [
    CompressionTypes.None,
    CompressionTypes.GZIP,
    CompressionTypes.Snappy,
    CompressionTypes.LZ4,
    CompressionTypes.ZSTD,
  ]
  const describeKcat = kcatPath === undefined ? describe.skip : describe

  describeKcat('read back by kcat', () => {
    test.each(codecs.map((c) => [compressionTypeName(c), c] as const))('%s', async (name, codec) => {
      const topic = await createTopic(`codec-${name}`, 1)
      const producer = await connectedProducer()
      const large = `large ${name} `.repeat(8000)
      await producer.send({
        topic,
        compression: codec,
        messages: [
          { key: 'k0', value: `v0 ${name} \u00fc`, headers: { h1: 'a', h2: 'b' } },
          { value: `v1 ${name}` },
          { key: 'k2', value: large, headers: { h3: '\u00fc' } },
        ],
      })
      const lines = await kcatConsume(bootstrap, topic, '%k\\t%h\\t%s\\n')
      expect(lines).toEqual([`k0\th1=a,h2=b\tv0 ${name} \u00fc`, `\t\tv1 ${name}`, `k2\th3=\u00fc\t${large}`])
      const stored = await readPartition(reader, topic, 0)
      expect(stored.map((r) => r.compression)).toEqual([codec, codec, codec])
    })
  })

  test('a producer-wide codec applies to every send; a send may override it', async () => {
    const topic = await createTopic('codec-default', 1)
    const producer = await connectedProducer({ compression: CompressionTypes.LZ4 })
    await producer.send({ topic, messages: [{ value: 'lz4 '.repeat(100) }] })
    await producer.send({ topic, compression: CompressionTypes.ZSTD, messages: [{ value: 'zstd '.repeat(100) }] })
    expect((await readPartition(reader, topic, 0)).map((r) => r.compression)).toEqual([
      CompressionTypes.LZ4,
      CompressionTypes.ZSTD,
    ])
  })
})

describe('limits', () => {
  test('a record over the topic max.message.bytes fails alone; the records batched with it are delivered', async () => {
    const topic = await createTopic('too-large', 1, { 'max.message.bytes': '20000' })
    const producer = await connectedProducer()
    const big = 'B'.repeat(50_000)
    const before = producer.send({ topic, messages: [{ value: 'before-1' }, { value: 'before-2' }] })
    const failing = producer.send({ topic, messages: [{ value: 'small-1' }, { value: big }, { value: 'small-2' }] })
    const after = producer.send({ topic, messages: [{ value: 'after' }] })
    await expect(before).resolves.toHaveLength(1)
    const error = await failing.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSProtocolError)
    expect((error as KafkaJSProtocolError).type).toBe('MESSAGE_TOO_LARGE')
    await expect(after).resolves.toHaveLength(1)
    // later sends still work: the idempotent producer moved past the sequence gap (new epoch)
    await producer.send({ topic, messages: [{ value: 'later' }] })
    const stored = await readPartition(reader, topic, 0)
    expect(stored.map((r) => r.value)).toEqual(['before-1', 'before-2', 'small-1', 'small-2', 'after', 'later'])
    expect(stored.at(-1)!.producerEpoch).toBeGreaterThan(stored[0]!.producerEpoch)
  })

  test('send() waits for buffer room (back-pressure) and everything arrives', async () => {
    const topic = await createTopic('back-pressure', 2)
    const producer = await connectedProducer({ maxBufferedBytes: 64 * 1024 })
    const value = 'p'.repeat(1000)
    const sends = Array.from({ length: 50 }, (_, s) =>
      producer.send({ topic, messages: Array.from({ length: 40 }, (_, i) => ({ key: `${s}-${i}`, value })) }),
    )
    await Promise.all(sends)
    expect((await readTopic(reader, topic, 2)).length).toBe(50 * 40)
  })

  test('a full buffer makes send() fail after maxBlockMs with KafkaJSBufferExhaustedError', async () => {
    const topic = await createTopic('buffer-full', 1)
    // Produce requests never leave the client (a network that swallows them), so the records they
    // carry stay buffered: the broker never acknowledges them
    const client = new Kafka({
      brokers: brokers(),
      clientId: `kafkit-buffer-full-${run}`,
      logLevel: logLevel.NOTHING,
      socketFactory: ({ host, port, onConnect }) => {
        const socket = net.connect({ host, port }, onConnect)
        const write = socket.write.bind(socket) as (chunk: Buffer) => boolean
        socket.write = ((chunk: Buffer) => (isProduceFrame(chunk) ? true : write(chunk))) as typeof socket.write
        return socket
      },
    })
    const producer = await connectedProducer(
      { maxBufferedBytes: 16 * 1024, maxBlockMs: 500, disconnectTimeout: 100 },
      client,
    )
    const held = producer.send({ topic, messages: Array.from({ length: 12 }, () => ({ value: 'h'.repeat(1000) })) })
    held.catch(() => undefined)
    const error = await producer.send({ topic, messages: [{ value: 'x'.repeat(8000) }] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSBufferExhaustedError)
    expect((error as Error).message).toMatch(/within maxBlockMs \(500 ms\)/)
    await producer.disconnect()
    await expect(held).rejects.toThrow(/disconnected before these records were delivered/)
  })
})

function isProduceFrame(chunk: unknown): boolean {
  return Buffer.isBuffer(chunk) && chunk.length >= 6 && chunk.readInt16BE(4) === 0
}

describe('idempotence', () => {
  // 2000 records of 2 KB: several Produce requests even when backlogged batches merge (up to 1 MB)
  const numbered = (i: number): string => String(i).padStart(6, '0') + 'x'.repeat(2000)

  /** A socket factory that destroys the connection right after the `nth` Produce request was written. */
  function cutAfterProduce(nth: number): { factory: SocketFactory; cuts: () => number } {
    let produces = 0
    let cuts = 0
    const factory: SocketFactory = ({ host, port, onConnect }) => {
      const socket = net.connect({ host, port }, onConnect)
      const write = socket.write.bind(socket) as (chunk: Buffer, cb?: (e?: Error | null) => void) => boolean
      socket.write = ((chunk: Buffer, cb?: (e?: Error | null) => void) => {
        if (isProduceFrame(chunk) && ++produces === nth) {
          return write(chunk, (e) => {
            cb?.(e)
            cuts++
            socket.destroy()
          })
        }
        return write(chunk, cb)
      }) as typeof socket.write
      return socket
    }
    return { factory, cuts: () => cuts }
  }

  test('5 requests in flight keep order and write no duplicates across a forced retry', async () => {
    const topic = await createTopic('idempotent-retry', 1)
    const { factory, cuts } = cutAfterProduce(4)
    const retries: LogEntry[] = []
    const failedAttempts: LogEntry[] = []
    const client = new Kafka({
      brokers: brokers(),
      clientId: `kafkit-idempotent-${run}`,
      socketFactory: factory,
      logLevel: logLevel.DEBUG,
      logCreator: () => (entry) => {
        if (entry.log.message.startsWith('Retrying a batch')) retries.push(entry)
        if (entry.log.message.startsWith('Failed to send messages')) failedAttempts.push(entry)
      },
    })
    // small batches so that several requests are in flight when the connection is cut
    const producer = await connectedProducer({ batchSize: 2048, linger: 0, maxInFlightRequests: 5 }, client)
    const count = 2000
    const sends = []
    for (let i = 0; i < count; i += 50) {
      sends.push(
        producer.send({
          topic,
          messages: Array.from({ length: 50 }, (_, j) => ({ value: numbered(i + j) })),
        }),
      )
    }
    await Promise.all(sends)
    expect(cuts()).toBe(1)
    expect(retries.length).toBeGreaterThan(0)
    // KafkaJS's entry for a failed attempt, which log-based alerts match
    expect(failedAttempts[0]).toEqual(
      expect.objectContaining({
        namespace: 'Producer',
        label: 'ERROR',
        log: expect.objectContaining({
          message: expect.stringMatching(/^Failed to send messages: /),
          retryCount: expect.any(Number),
          retryTime: expect.any(Number),
        }),
      }),
    )
    const stored = await readPartition(reader, topic, 0)
    expect(stored.map((r) => Number(r.value!.slice(0, 6)))).toEqual(Array.from({ length: count }, (_, i) => i))
    // one producer id and epoch, sequences 0..count-1 without gap or repeat
    expect(new Set(stored.map((r) => `${r.producerId}/${r.producerEpoch}`)).size).toBe(1)
    expect(stored.map((r) => r.sequence)).toEqual(Array.from({ length: count }, (_, i) => i))
  })

  test('without idempotence the same cut writes duplicates (what idempotence prevents)', async () => {
    const topic = await createTopic('plain-retry', 1)
    const { factory, cuts } = cutAfterProduce(4)
    const client = new Kafka({
      brokers: brokers(),
      clientId: `kafkit-plain-${run}`,
      socketFactory: factory,
      logLevel: logLevel.NOTHING,
    })
    const producer = await connectedProducer(
      { idempotent: false, batchSize: 2048, linger: 0, maxInFlightRequests: 5 },
      client,
    )
    const count = 2000
    const sends = []
    for (let i = 0; i < count; i += 50) {
      sends.push(producer.send({ topic, messages: Array.from({ length: 50 }, (_, j) => ({ value: numbered(i + j) })) }))
    }
    await Promise.all(sends)
    expect(cuts()).toBe(1)
    const stored = await readPartition(reader, topic, 0)
    expect(new Set(stored.map((r) => r.value)).size).toBe(count)
    expect(stored.length).toBeGreaterThan(count)
  })
})

describe('instrumentation', () => {
  test('emits producer.connect, producer.network.request and producer.disconnect', async () => {
    const topic = await createTopic('events', 1)
    const producer = kafka.producer()
    const seen: string[] = []
    const requests: string[] = []
    producer.on(producer.events.CONNECT, (e) => {
      seen.push(e.type)
    })
    producer.on(producer.events.DISCONNECT, (e) => {
      seen.push(e.type)
    })
    const remove = producer.on(producer.events.REQUEST, (e) => {
      requests.push((e.payload as { apiName: string }).apiName)
    })
    expect(() => producer.on('producer.nope' as never, () => undefined)).toThrow(
      /Event name should be one of producer.events.CONNECT/,
    )
    await producer.connect()
    await producer.send({ topic, messages: [{ value: 'x' }] })
    remove()
    await producer.send({ topic, messages: [{ value: 'y' }] })
    await producer.disconnect()
    expect(seen).toEqual(['producer.connect', 'producer.disconnect'])
    // every request of the producer's connections, its cluster's included; none after remove()
    expect(new Set(requests)).toEqual(new Set(['ApiVersions', 'Metadata', 'InitProducerId', 'Produce']))
    expect(requests.filter((name) => name === 'Produce')).toHaveLength(1)
  })
})
