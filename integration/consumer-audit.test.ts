// Consumer behaviours of issue 4 that the other consumer tests did not drive through the public API:
// OFFSET_OUT_OF_RANGE on a committed offset, whole-topic pause/resume, every codec written by kcat
// and by kafkit's producer, maxBytes / maxBytesPerPartition, autoCommitThreshold and
// autoCommitInterval, and partitionsConsumedConcurrently. Outcomes are the messages delivered and
// the offsets the group committed (read back with OffsetFetch).

import net from 'node:net'
import { type ConsumerConfig, Kafka, KafkaJSCorruptRecordError, logLevel, PartitionAssigners } from '../src/index.js'
import { runCommand } from '../src/testing/run-command.js'
import { brokers } from './helpers/brokers.js'
import { ALL_CODECS, committedOffsets, consumerTestBed, sleep, testKafka, waitFor } from './helpers/consumer-helpers.js'
import { numberedRecords, produceRaw } from './helpers/produce-raw.js'
import { createTopic } from './network-helpers.js'
import { kcatPath, readPartition } from './producer-helpers.js'

jest.setTimeout(90_000)

const bed = consumerTestBed('consumer-audit-test')
const { suffix, consumer, topicWith } = bed

/** Commits `offset` for partition 0 of `topic` in a group nobody is a member of. */
async function commitFor(groupId: string, topic: string, offset: string): Promise<void> {
  const admin = testKafka('consumer-audit-admin').admin()
  await admin.connect()
  try {
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset }] })
  } finally {
    await admin.disconnect()
  }
}

describe('offsets', () => {
  test('a committed offset past the end (OFFSET_OUT_OF_RANGE) resets to earliest with fromBeginning', async () => {
    const topic = await topicWith('audit-oor-early', 1, 5)
    const groupId = `g-oor-early-${suffix}`
    await commitFor(groupId, topic, '1000')
    expect(await committedOffsets(bed.cluster(), groupId, topic, 1)).toEqual([1000])
    const c = consumer(groupId)
    await c.subscribe({ topics: [topic], fromBeginning: true })
    const seen: string[] = []
    await c.run({ eachMessage: async ({ message }) => void seen.push(message.offset) })
    await waitFor(() => seen.length >= 5, 'the five messages from the start')
    await sleep(300)
    expect(seen).toEqual(['0', '1', '2', '3', '4'])
    await c.stop()
    expect(await committedOffsets(bed.cluster(), groupId, topic, 1)).toEqual([5])
  })

  test('a committed offset past the end resets to the end without fromBeginning', async () => {
    const topic = await topicWith('audit-oor-late', 1, 5)
    const groupId = `g-oor-late-${suffix}`
    await commitFor(groupId, topic, '1000')
    const c = consumer(groupId)
    await c.subscribe({ topics: [topic], fromBeginning: false })
    const seen: string[] = []
    await c.run({ eachMessage: async ({ message }) => void seen.push(`${message.offset}:${message.value}`) })
    // the position moves from the committed 1000 to the end (5) once the broker refused 1000
    await waitFor(async () => (await c.lag()).some((l) => l.offset === '5'), 'the position reset to the end')
    await produceRaw(bed.cluster(), topic, 0, numberedRecords('new', 0, 2))
    await waitFor(() => seen.length >= 2, 'the new messages')
    await sleep(300)
    expect(seen).toEqual(['5:new-0', '6:new-1'])
  })

  test('autoCommitThreshold commits every N messages while the handler runs', async () => {
    const topic = await topicWith('audit-threshold', 1, 10)
    const groupId = `g-threshold-${suffix}`
    const c = consumer(groupId)
    await c.subscribe({ topics: [topic], fromBeginning: true })
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const seen: string[] = []
    await c.run({
      autoCommitThreshold: 3,
      eachMessage: async ({ message }) => {
        seen.push(message.offset)
        // offsets 0-6 are done: 3 and 6 were committed at the threshold, 7 is pending
        if (message.offset === '7') await held
      },
    })
    await waitFor(() => seen.includes('7'), 'the handler at offset 7')
    await waitFor(async () => (await committedOffsets(bed.cluster(), groupId, topic, 1))[0] === 6, 'commit at 6')
    await sleep(500)
    expect(await committedOffsets(bed.cluster(), groupId, topic, 1)).toEqual([6])
    release()
    await waitFor(() => seen.length === 10, 'all ten')
    await c.stop()
    expect(await committedOffsets(bed.cluster(), groupId, topic, 1)).toEqual([10])
  })

  test('an autoCommitInterval not yet reached holds no commit back: the batch is committed, as in KafkaJS', async () => {
    const topic = await topicWith('audit-interval', 1, 6)
    const groupId = `g-interval-${suffix}`
    const c = consumer(groupId)
    await c.subscribe({ topics: [topic], fromBeginning: true })
    const seen: string[] = []
    await c.run({ autoCommitInterval: 600_000, eachMessage: async ({ message }) => void seen.push(message.offset) })
    await waitFor(() => seen.length === 6, 'all six')
    // KafkaJS commits after every batch; an interval (or threshold) only adds commits within a batch
    await waitFor(async () => (await committedOffsets(bed.cluster(), groupId, topic, 1))[0] === 6, 'commit at 6')
    await c.stop()
    expect(await committedOffsets(bed.cluster(), groupId, topic, 1)).toEqual([6])
  })
})

describe('pause and resume', () => {
  test('pausing a whole topic stops all its partitions; the other topic keeps flowing; resume continues', async () => {
    const paused = await topicWith('audit-pause-topic-a', 2, 2)
    const flowing = await topicWith('audit-pause-topic-b', 1, 2)
    const c = consumer(`g-pause-topic-${suffix}`)
    await c.subscribe({ topics: [paused, flowing], fromBeginning: true })
    const seen: string[] = []
    await c.run({
      eachMessage: async ({ topic, partition, message }) => void seen.push(`${topic}/${partition}:${message.offset}`),
    })
    await waitFor(() => seen.length === 6, 'the first six messages')
    c.pause([{ topic: paused }])
    expect(c.paused()).toEqual([{ topic: paused, partitions: [0, 1] }])
    for (let p = 0; p < 2; p++) await produceRaw(bed.cluster(), paused, p, numberedRecords('later', 2, 4))
    await produceRaw(bed.cluster(), flowing, 0, numberedRecords('later', 2, 4))
    await waitFor(() => seen.filter((s) => s.startsWith(`${flowing}/`)).length === 4, 'the unpaused topic')
    await sleep(500)
    expect(seen.filter((s) => s.startsWith(`${paused}/`))).toHaveLength(4)
    c.resume([{ topic: paused }])
    expect(c.paused()).toEqual([])
    await waitFor(() => seen.length === 12, 'the paused topic after resume')
    for (const p of [0, 1]) {
      expect(seen.filter((s) => s.startsWith(`${paused}/${p}:`))).toEqual(
        ['0', '1', '2', '3'].map((o) => `${paused}/${p}:${o}`),
      )
    }
  })
})

describe('every codec through the consumer', () => {
  const codecs = ALL_CODECS
  const kcatCodecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
  const describeKcat = kcatPath === undefined ? describe.skip : describe

  async function consumeAll(
    topic: string,
    count: number,
  ): Promise<{ key: string | null; value: string; headers: Record<string, string> }[]> {
    const c = consumer(`g-codecs-${topic}`)
    await c.subscribe({ topics: [topic], fromBeginning: true })
    const seen: { key: string | null; value: string; headers: Record<string, string> }[] = []
    await c.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {}
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v)
        seen.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers })
      },
    })
    await waitFor(() => seen.length >= count, `${count} messages`)
    await sleep(300)
    return seen
  }

  describeKcat('written by kcat (librdkafka)', () => {
    test('none, gzip, snappy, lz4 and zstd batches are decompressed, in order', async () => {
      const topic = `audit-kcat-codecs-${suffix}`
      await createTopic(bed.cluster(), topic, 1)
      for (const codec of kcatCodecs) {
        const lines = [0, 1, 2].map((i) => `k${i}\t${codec}-${i}-${'x'.repeat(200)}`).join('\n')
        const result = await runCommand(
          kcatPath!,
          ['-P', '-b', brokers()[0]!, '-t', topic, '-p', '0', '-K', '\t', '-z', codec, '-H', `codec=${codec}`],
          { input: `${lines}\n`, timeoutMs: 60_000 },
        )
        expect(result.exitCode).toBe(0)
      }
      // the batches really are compressed with each codec
      const stored = await readPartition(bed.cluster(), topic, 0)
      expect([...new Set(stored.map((r) => r.compression))]).toEqual(codecs)
      const seen = await consumeAll(topic, 15)
      expect(seen).toEqual(
        kcatCodecs.flatMap((codec) =>
          [0, 1, 2].map((i) => ({ key: `k${i}`, value: `${codec}-${i}-${'x'.repeat(200)}`, headers: { codec } })),
        ),
      )
    })
  })

  test("kafkit's producer: every codec is read back by the consumer with keys, values and headers", async () => {
    const topic = `audit-kafkit-codecs-${suffix}`
    await createTopic(bed.cluster(), topic, 1)
    const producer = testKafka('consumer-audit-producer').producer()
    await producer.connect()
    try {
      for (const codec of codecs) {
        await producer.send({
          topic,
          compression: codec,
          messages: [0, 1, 2].map((i) => ({
            key: `k${i}`,
            value: `${codec}-${i}-${'y'.repeat(300)}`,
            headers: { codec: String(codec) },
            partition: 0,
          })),
        })
      }
    } finally {
      await producer.disconnect()
    }
    const stored = await readPartition(bed.cluster(), topic, 0)
    expect([...new Set(stored.map((r) => r.compression))]).toEqual(codecs)
    const seen = await consumeAll(topic, 15)
    expect(seen).toEqual(
      codecs.flatMap((codec) =>
        [0, 1, 2].map((i) => ({
          key: `k${i}`,
          value: `${codec}-${i}-${'y'.repeat(300)}`,
          headers: { codec: String(codec) },
        })),
      ),
    )
  })
})

describe('fetch sizes', () => {
  // 60 batches of one record each, about 190 bytes a batch on the wire
  async function manySmallBatches(name: string): Promise<string> {
    const topic = `${name}-${suffix}`
    await createTopic(bed.cluster(), topic, 1)
    for (let i = 0; i < 60; i++) {
      await produceRaw(bed.cluster(), topic, 0, [{ key: Buffer.from(`k-${i}`), value: Buffer.alloc(100, i) }])
    }
    return topic
  }

  async function batchSizes(topic: string, options: Partial<ConsumerConfig>): Promise<number[]> {
    const c = consumer(`g-${topic}-${JSON.stringify(options).replace(/\W/g, '')}`, options)
    await c.subscribe({ topics: [topic], fromBeginning: true })
    const sizes: number[] = []
    const offsets: string[] = []
    await c.run({
      eachBatch: async ({ batch }) => {
        sizes.push(batch.messages.length)
        offsets.push(...batch.messages.map((m) => m.offset))
      },
    })
    await waitFor(() => offsets.length >= 60, 'all 60 messages')
    expect(offsets).toEqual(Array.from({ length: 60 }, (_, i) => String(i)))
    await c.stop()
    return sizes
  }

  test('maxBytesPerPartition and maxBytes bound what one fetch brings; the default takes everything at once', async () => {
    const topic = await manySmallBatches('audit-fetch-size')
    const stored = await readPartition(bed.cluster(), topic, 0)
    expect(stored).toHaveLength(60)
    // the broker returns whole batches up to the limit: at most 1024 / 190 of them
    const perPartition = await batchSizes(topic, { maxBytesPerPartition: 1024 })
    expect(Math.max(...perPartition)).toBeLessThanOrEqual(6)
    expect(perPartition.length).toBeGreaterThanOrEqual(10)
    const total = await batchSizes(topic, { maxBytes: 1024 })
    expect(Math.max(...total)).toBeLessThanOrEqual(6)
    expect(total.length).toBeGreaterThanOrEqual(10)
    const unbounded = await batchSizes(topic, {})
    expect(unbounded).toEqual([60])
  })
})

describe('partitionsConsumedConcurrently', () => {
  test('handlers of different partitions overlap up to the limit; one partition is never concurrent', async () => {
    const topic = await topicWith('audit-concurrent', 4, 3)
    async function maxConcurrency(limit: number | undefined): Promise<{ overall: number; perPartition: number }> {
      const c = consumer(`g-concurrent-${limit ?? 'default'}-${suffix}`)
      await c.subscribe({ topics: [topic], fromBeginning: true })
      let running = 0
      let overall = 0
      let perPartition = 0
      const active = new Map<number, number>()
      let done = 0
      await c.run({
        ...(limit !== undefined && { partitionsConsumedConcurrently: limit }),
        eachMessage: async ({ partition }) => {
          running++
          active.set(partition, (active.get(partition) ?? 0) + 1)
          overall = Math.max(overall, running)
          perPartition = Math.max(perPartition, active.get(partition)!)
          // long enough for the other partitions' handlers to start when they may
          await sleep(150)
          active.set(partition, active.get(partition)! - 1)
          running--
          done++
        },
      })
      await waitFor(() => done === 12, 'all twelve messages')
      await c.stop()
      return { overall, perPartition }
    }
    expect(await maxConcurrency(undefined)).toEqual({ overall: 1, perPartition: 1 })
    const concurrent = await maxConcurrency(3)
    expect(concurrent.perPartition).toBe(1)
    expect(concurrent.overall).toBeGreaterThan(1)
    expect(concurrent.overall).toBeLessThanOrEqual(3)
  })
})

describe('bad input', () => {
  test('a batch corrupted on the wire crashes the consumer with a typed error naming topic, partition and offset', async () => {
    const topic = await topicWith('audit-corrupt', 1, 0)
    await produceRaw(bed.cluster(), topic, 0, numberedRecords('fine', 0, 3))
    const marker = `poison-${suffix}`
    await produceRaw(bed.cluster(), topic, 0, [{ value: Buffer.from(marker) }])
    // the real broker's Fetch response, with one byte of the second batch's payload flipped in transit
    const kafka = new Kafka({
      brokers: brokers(),
      clientId: 'consumer-audit-corrupt',
      logLevel: logLevel.NOTHING,
      socketFactory: ({ host, port, onConnect }) => {
        const socket = net.connect({ host, port }, onConnect)
        const emit = socket.emit.bind(socket) as (event: string, ...args: unknown[]) => boolean
        socket.emit = ((event: string, ...args: unknown[]) => {
          const chunk = args[0]
          if (event === 'data' && Buffer.isBuffer(chunk)) {
            const at = chunk.indexOf(marker)
            if (at >= 0) chunk[at] ^= 0xff
          }
          return emit(event, ...args)
        }) as typeof socket.emit
        return socket
      },
    })
    const c = kafka.consumer({ groupId: `g-corrupt-${suffix}`, heartbeatInterval: 500 })
    const crashes: { error: Error; restart: boolean }[] = []
    c.on(c.events.CRASH, (event) => void crashes.push(event.payload as { error: Error; restart: boolean }))
    const seen: string[] = []
    try {
      await c.subscribe({ topics: [topic], fromBeginning: true })
      await c.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') })
      await waitFor(() => crashes.length > 0, 'the crash')
      expect(crashes[0]!.error).toBeInstanceOf(KafkaJSCorruptRecordError)
      expect(crashes[0]!.error).toMatchObject({ topic, partition: 0, offset: '3', retriable: false })
      expect(crashes[0]!.restart).toBe(false)
      // nothing from the corrupt batch reached the handler
      expect(seen).not.toContain(marker)
    } finally {
      await c.disconnect()
    }
  })

  test('consumer.crash carries the handler error as the cause, the group id and whether it restarts', async () => {
    const topic = await topicWith('audit-crash-cause', 1, 1)
    const groupId = `g-crash-cause-${suffix}`
    const c = consumer(groupId, { retry: { retries: 1, initialRetryTime: 50, restartOnFailure: async () => false } })
    const crashes: { error: Error & { cause?: unknown }; groupId: string; restart: boolean }[] = []
    c.on(c.events.CRASH, (event) => void crashes.push(event.payload as (typeof crashes)[number]))
    await c.subscribe({ topics: [topic], fromBeginning: true })
    const boom = new Error('boom')
    await c.run({
      eachMessage: async () => {
        throw boom
      },
    })
    await waitFor(() => crashes.length === 1, 'the crash')
    expect(crashes[0]).toMatchObject({ groupId, restart: false })
    expect(crashes[0]!.error.name).toBe('KafkaJSNumberOfRetriesExceeded')
    expect(crashes[0]!.error.cause).toBe(boom)
  })

  test('an eachBatch handler that throws gets the same batch again, then the consumer moves on', async () => {
    const topic = await topicWith('audit-batch-retry', 1, 4)
    const c = consumer(`g-batch-retry-${suffix}`, { retry: { retries: 5, initialRetryTime: 50, maxRetryTime: 200 } })
    await c.subscribe({ topics: [topic], fromBeginning: true })
    const crashes: unknown[] = []
    c.on(c.events.CRASH, (event) => void crashes.push(event.payload))
    const attempts: string[][] = []
    await c.run({
      eachBatch: async ({ batch }) => {
        attempts.push(batch.messages.map((m) => m.offset))
        if (attempts.length <= 2) throw new Error('batch handler failed')
      },
    })
    await waitFor(() => attempts.length >= 3, 'the third attempt')
    await c.stop()
    expect(attempts.slice(0, 3)).toEqual([0, 1, 2].map(() => ['0', '1', '2', '3']))
    expect(crashes).toEqual([])
    expect(await committedOffsets(bed.cluster(), `g-batch-retry-${suffix}`, topic, 1)).toEqual([4])
  })
})

describe('more of the KafkaJS API', () => {
  test('eachBatch pause() stops its partition after the batch; resume() delivers the rest', async () => {
    const topic = await topicWith('audit-batch-pause', 2, 3)
    const c = consumer(`g-batch-pause-${suffix}`)
    await c.subscribe({ topics: [topic], fromBeginning: true })
    const seen: string[] = []
    let pausedOnce = false
    await c.run({
      eachBatch: async ({ batch, pause }) => {
        seen.push(...batch.messages.map((m) => `${batch.partition}:${m.offset}`))
        if (batch.partition === 1 && !pausedOnce) {
          pausedOnce = true
          pause()
        }
      },
    })
    await waitFor(() => seen.length === 6, 'the first batches')
    expect(c.paused()).toEqual([{ topic, partitions: [1] }])
    for (const p of [0, 1]) await produceRaw(bed.cluster(), topic, p, numberedRecords('more', 3, 5))
    await waitFor(() => seen.filter((s) => s.startsWith('0:')).length === 5, 'partition 0 goes on')
    await sleep(500)
    expect(seen.filter((s) => s.startsWith('1:'))).toEqual(['1:0', '1:1', '1:2'])
    c.resume([{ topic, partitions: [1] }])
    await waitFor(() => seen.filter((s) => s.startsWith('1:')).length === 5, 'partition 1 after resume')
    expect(seen.filter((s) => s.startsWith('1:'))).toEqual(['1:0', '1:1', '1:2', '1:3', '1:4'])
  })

  test("roundrobin: two members split a topic's partitions alternately and each reads its own", async () => {
    const topic = await topicWith('audit-roundrobin', 4, 2)
    const groupId = `g-roundrobin-${suffix}`
    const received = new Map<string, number[]>()
    const members = ['a', 'b'].map((name) => {
      const c = consumer(groupId, { partitionAssigners: [PartitionAssigners.roundRobin] })
      received.set(name, [])
      return { name, c }
    })
    // b joins only once a owns everything, so both rounds of the split are seen
    for (const { name, c } of members) {
      await c.subscribe({ topics: [topic], fromBeginning: true })
      await c.run({ eachMessage: async ({ partition }) => void received.get(name)!.push(partition) })
      if (name === 'a') await waitFor(() => received.get('a')!.length === 8, 'a alone')
    }
    expect((await members[0]!.c.describeGroup()).protocol).toBe('RoundRobinAssigner')
    await waitFor(async () => {
      const group = await members[1]!.c.describeGroup()
      return group.state === 'Stable' && group.members.length === 2
    }, 'both members, stable')
    received.set('a', [])
    received.set('b', [])
    for (let p = 0; p < 4; p++) await produceRaw(bed.cluster(), topic, p, numberedRecords('rr', 2, 3))
    await waitFor(() => received.get('a')!.length + received.get('b')!.length === 4, 'the new messages')
    const owned = [...received.values()].map((ps) => [...ps].sort()).sort((x, y) => x[0]! - y[0]!)
    expect(owned).toEqual([
      [0, 2],
      [1, 3],
    ])
  })
})

describe('topics that do not exist yet', () => {
  test('allowAutoTopicCreation (default true) creates a subscribed topic; messages produced later arrive', async () => {
    const topic = `audit-autocreate-${suffix}`
    const c = consumer(`g-autocreate-${suffix}`)
    await c.subscribe({ topics: [topic], fromBeginning: true })
    const seen: string[] = []
    await c.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') })
    await waitFor(async () => (await c.lag()).length > 0, 'the created topic assigned')
    await produceRaw(bed.cluster(), topic, 0, numberedRecords('auto', 0, 2))
    await waitFor(() => seen.length === 2, 'the messages')
    expect(seen).toEqual(['auto-0', 'auto-1'])
  })

  test('allowAutoTopicCreation false: nothing is created; a topic created later is picked up', async () => {
    const topic = `audit-no-autocreate-${suffix}`
    // the default metadataMaxAge (5 minutes): a missing subscribed topic is looked for sooner than that
    const c = consumer(`g-no-autocreate-${suffix}`, { allowAutoTopicCreation: false })
    await c.subscribe({ topics: [topic], fromBeginning: true })
    const seen: string[] = []
    await c.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') })
    await sleep(1500)
    const admin = testKafka('consumer-audit-admin').admin()
    await admin.connect()
    try {
      expect(await admin.listTopics()).not.toContain(topic)
    } finally {
      await admin.disconnect()
    }
    await createTopic(bed.cluster(), topic, 1)
    await produceRaw(bed.cluster(), topic, 0, numberedRecords('late', 0, 2))
    await waitFor(() => seen.length === 2, 'the messages of the topic created later')
    expect(seen).toEqual(['late-0', 'late-1'])
  })
})
