// The fake cluster itself: its model answers as a broker would (offsets, leadership, idempotent
// producer checks, transactions, fetches), and its scripting does what tests rely on (errors per
// partition, once or N times; awaiting the Nth request; dropped and held answers; clean close).

import { Kafka, KafkaJSProducerFencedError, logLevel, type Producer, type ProducerConfig } from '../../src/index.js'
import { Connection } from '../../src/network/connection.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import {
  Fetch,
  createFetchRequestFetchPartition as fetchPartition,
  createFetchRequestFetchTopic as fetchTopic,
} from '../../src/protocol/generated/fetch.js'
import { InitProducerId } from '../../src/protocol/generated/init-producer-id.js'
import { Metadata } from '../../src/protocol/generated/metadata.js'
import { Produce } from '../../src/protocol/generated/produce.js'
import { encodeRecordBatchSync } from '../../src/protocol/records/encode-record-batch.js'
import { readBatches } from './batches.js'
import { FakeCluster } from './fake-cluster.js'
import { partitionKey } from './model.js'
import { producerOn } from './per-test.js'

let cluster: FakeCluster
const producers: Producer[] = []
const connections: Connection[] = []

afterEach(async () => {
  await Promise.all(producers.splice(0).map((p) => p.disconnect()))
  await Promise.all(connections.splice(0).map((c) => c.close()))
  await cluster.close()
})

function producer(config: ProducerConfig = {}): Producer {
  const p = producerOn(cluster, config)
  producers.push(p)
  return p
}

async function connection(node = 1): Promise<Connection> {
  const c = new Connection({ host: '127.0.0.1', port: cluster.node(node).port })
  connections.push(c)
  await c.connect()
  return c
}

function batch(values: string[], producer?: { id: bigint; epoch: number; sequence: number }): Buffer {
  return encodeRecordBatchSync({
    records: values.map((value) => ({ value: Buffer.from(value) })),
    ...(producer === undefined
      ? {}
      : { producerId: producer.id, producerEpoch: producer.epoch, baseSequence: producer.sequence }),
  })
}

describe('the model', () => {
  test('a producer sends through the public API; records land in order with dense offsets on the leaders', async () => {
    cluster = await FakeCluster.start({ nodes: 3, topics: { orders: 3 } })
    const p = producer()
    await p.connect()
    const results = await p.send({
      topic: 'orders',
      messages: [
        { value: 'a', partition: 0 },
        { value: 'b', partition: 1 },
        { value: 'c', partition: 0 },
      ],
    })
    expect(results.map((r) => [r.partition, r.baseOffset]).sort()).toEqual([
      [0, '0'],
      [1, '0'],
    ])
    expect((await cluster.messages('orders', 0)).map((m) => [m.offset, m.value])).toEqual([
      [0n, 'a'],
      [1n, 'c'],
    ])
    // partition i is led by node (i mod 3) + 1: each Produce went to its partition's leader
    expect(
      cluster
        .received(Produce)
        .map((r) => [r.node, r.request.topicData[0]!.partitionData[0]!.index])
        .sort(),
    ).toEqual([
      [1, 0],
      [2, 1],
    ])
    expect(cluster.received(InitProducerId)).toHaveLength(1)
  })

  test('a partition log checks producer sequences and epochs as a broker does', async () => {
    cluster = await FakeCluster.start({ topics: { t: 1 } })
    const log = cluster.model.partition('t', 0)!
    const id = 7n
    expect(log.append(readBatches(batch(['a', 'b'], { id, epoch: 0, sequence: 0 })))).toEqual({
      errorCode: 0,
      baseOffset: 0n,
    })
    // a retry of a batch it has: answered with the original offset, not written again
    expect(log.append(readBatches(batch(['a', 'b'], { id, epoch: 0, sequence: 0 })))).toEqual({
      errorCode: 0,
      baseOffset: 0n,
    })
    expect(log.append(readBatches(batch(['d'], { id, epoch: 0, sequence: 3 }))).errorCode).toBe(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    )
    expect(log.append(readBatches(batch(['c'], { id, epoch: 0, sequence: 2 })))).toEqual({
      errorCode: 0,
      baseOffset: 2n,
    })
    // a new epoch starts at 0; the old epoch is fenced after it
    expect(log.append(readBatches(batch(['x'], { id, epoch: 1, sequence: 5 }))).errorCode).toBe(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    )
    expect(log.append(readBatches(batch(['e'], { id, epoch: 1, sequence: 0 })))).toEqual({
      errorCode: 0,
      baseOffset: 3n,
    })
    expect(log.append(readBatches(batch(['f'], { id, epoch: 0, sequence: 3 }))).errorCode).toBe(
      ErrorCode.INVALID_PRODUCER_EPOCH,
    )
    expect((await cluster.messages('t', 0)).map((m) => m.value)).toEqual(['a', 'b', 'c', 'e'])
  })

  test('with duplicateSequenceError a duplicate is answered DUPLICATE_SEQUENCE_NUMBER with its offset', async () => {
    cluster = await FakeCluster.start({ topics: { t: 1 }, duplicateSequenceError: true })
    const log = cluster.model.partition('t', 0)!
    log.append(readBatches(batch(['a'], { id: 1n, epoch: 0, sequence: 0 })))
    expect(log.append(readBatches(batch(['a'], { id: 1n, epoch: 0, sequence: 0 })))).toEqual({
      errorCode: ErrorCode.DUPLICATE_SEQUENCE_NUMBER,
      baseOffset: 0n,
    })
  })

  test('Fetch returns the stored batches from the fetch offset, and waits for an append when there are none', async () => {
    cluster = await FakeCluster.start({ topics: { t: 1 } })
    const log = cluster.model.partition('t', 0)!
    log.append(readBatches(batch(['a', 'b'])))
    log.append(readBatches(batch(['c'])))
    const c = await connection()
    const fetch = (fetchOffset: bigint, maxWaitMs = 0) =>
      c.send(
        Fetch,
        Fetch.createRequest({
          maxWaitMs,
          topics: [
            fetchTopic({
              topic: 't',
              topicId: cluster.model.topics.get('t')!.id,
              partitions: [fetchPartition({ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 })],
            }),
          ],
        }),
      )
    const first = (await fetch(1n)).responses[0]!.partitions[0]!
    expect(first.highWatermark).toBe(3n)
    // whole batches: the one holding offset 1 starts at 0
    expect(readBatches(first.records!).map((b) => b.recordCount)).toEqual([2, 1])
    const outOfRange = (await fetch(9n)).responses[0]!.partitions[0]!
    expect(outOfRange.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE)
    const waiting = fetch(3n, 60000)
    await cluster.request(Fetch, 3)
    log.append(readBatches(batch(['d'])))
    cluster.model.notifyAppend()
    const late = (await waiting).responses[0]!.partitions[0]!
    expect(readBatches(late.records!).map((b) => b.recordCount)).toEqual([1])
  })

  test('a leader moved by the test answers NOT_LEADER_OR_FOLLOWER on the old node; the producer follows it', async () => {
    cluster = await FakeCluster.start({ nodes: 2, topics: { t: 1 } })
    const p = producer()
    await p.connect()
    await p.send({ topic: 't', messages: [{ value: 'before' }] })
    cluster.model.moveLeader('t', 0, 2)
    await p.send({ topic: 't', messages: [{ value: 'after' }] })
    const produces = cluster.received(Produce)
    // node 1 refuses (as often as the producer asks before its metadata names node 2), node 2 takes it
    expect(produces.length).toBeGreaterThanOrEqual(3)
    expect(
      produces
        .map((r) => r.node)
        .slice(1, -1)
        .every((n) => n === 1),
    ).toBe(true)
    expect(produces.map((r) => r.node).at(-1)).toBe(2)
    expect((await cluster.messages('t', 0)).map((m) => m.value)).toEqual(['before', 'after'])
  })
  test('an admin client creates a topic (CreateTopics) and reads its offsets (ListOffsets) after a producer wrote to it', async () => {
    cluster = await FakeCluster.start({ nodes: 2, autoCreateTopics: false })
    const admin = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    try {
      expect(await admin.createTopics({ topics: [{ topic: 'made', numPartitions: 2 }] })).toBe(true)
      expect(await admin.createTopics({ topics: [{ topic: 'made', numPartitions: 2 }] })).toBe(false)
      const p = producer()
      await p.connect()
      await p.send({ topic: 'made', messages: [{ value: 'a' }, { value: 'b' }] })
      const offsets = await admin.fetchTopicOffsets('made')
      expect(offsets.map(({ partition, low, high }) => [partition, low, high]).sort()).toEqual([
        [0, '0', '2'],
        [1, '0', '0'],
      ])
    } finally {
      await admin.disconnect()
    }
  })

  test('transactions: commit and abort write markers, offsets apply on commit, a newer producer fences the older', async () => {
    cluster = await FakeCluster.start({ topics: { t: 1 } })
    const first = producer({ transactionalId: 'tx' })
    await first.connect()
    const committed = await first.transaction()
    await committed.send({ topic: 't', messages: [{ value: 'kept' }] })
    await committed.sendOffsets({
      consumerGroupId: 'g',
      topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '5' }] }],
    })
    await committed.commit()
    const aborted = await first.transaction()
    await aborted.send({ topic: 't', messages: [{ value: 'dropped' }] })
    await aborted.abort()
    const batches = await cluster.batches('t', 0)
    expect(batches.map((b) => [b.isControlBatch, b.isTransactional])).toEqual([
      [false, true],
      [true, true],
      [false, true],
      [true, true],
    ])
    expect(cluster.model.partition('t', 0)!.abortedTransactions.map((a) => [a.firstOffset, a.lastOffset])).toEqual([
      [2n, 3n],
    ])
    expect(cluster.model.groupOffsets('g').get(partitionKey('in', 0))?.offset).toBe(5n)

    const second = producer({ transactionalId: 'tx' })
    await second.connect()
    const stale = await first.transaction()
    await expect(
      stale.sendOffsets({
        consumerGroupId: 'g',
        topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '6' }] }],
      }),
    ).rejects.toBeInstanceOf(KafkaJSProducerFencedError)
    expect(cluster.model.transactions.get('tx')?.producerEpoch).toBe(1)
  })
})

describe('scripting', () => {
  test('an error scripted for one partition, N times, answers those requests; the model answers the rest', async () => {
    cluster = await FakeCluster.start({ topics: { t: 2 } })
    const scripted = cluster.intercept(Produce, {
      topic: 't',
      partition: 1,
      errorCode: ErrorCode.NOT_ENOUGH_REPLICAS,
      times: 2,
    })
    const p = producer({ retry: { initialRetryTime: 1, retries: 5 } })
    await p.connect()
    await p.send({ topic: 't', messages: [{ value: 'one', partition: 1 }] })
    expect(scripted.hits).toHaveLength(2)
    expect(scripted.remaining).toBe(0)
    expect(cluster.received(Produce)).toHaveLength(3)
    expect((await cluster.messages('t', 1)).map((m) => m.value)).toEqual(['one'])
  })

  test('request(api, n) resolves with the Nth request once it arrived', async () => {
    cluster = await FakeCluster.start()
    const c = await connection()
    const third = cluster.request(Metadata, 3)
    for (const name of ['a', 'b', 'c']) {
      await c.send(Metadata, Metadata.createRequest({ topics: [{ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }] }))
    }
    expect((await third).request.topics?.[0]?.name).toBe('c')
  })

  test('a held answer is written once its promise settles, and answers behind it on the connection wait', async () => {
    cluster = await FakeCluster.start()
    let release = () => {}
    const hold = new Promise<void>((resolve) => {
      release = resolve
    })
    cluster.intercept(Metadata, { hold })
    const c = await connection()
    const order: string[] = []
    const first = c.send(Metadata, Metadata.createRequest({ topics: [] })).then(() => order.push('first'))
    const second = c.send(Metadata, Metadata.createRequest({ topics: [] })).then(() => order.push('second'))
    await cluster.request(Metadata, 2)
    expect(order).toEqual([])
    release()
    await Promise.all([first, second])
    expect(order).toEqual(['first', 'second'])
  })

  test('a scripted disconnect closes the connection; with process the model still did the work', async () => {
    cluster = await FakeCluster.start()
    cluster.intercept(InitProducerId, { disconnect: true, process: true })
    const c = await connection()
    await expect(c.send(InitProducerId, InitProducerId.createRequest({ transactionalId: null }))).rejects.toThrow()
    const again = await connection()
    const answer = await again.send(InitProducerId, InitProducerId.createRequest({ transactionalId: null }))
    // the first request took producer id 1000
    expect(answer.producerId).toBe(1001n)
  })

  test('respond can adapt the model answer', async () => {
    cluster = await FakeCluster.start()
    cluster.intercept(InitProducerId, {
      respond: async (_request, ctx) => ({ ...(await ctx.modelAnswer())!, producerEpoch: 9 }),
    })
    const answer = await (await connection()).send(
      InitProducerId,
      InitProducerId.createRequest({ transactionalId: null }),
    )
    expect([answer.producerId, answer.producerEpoch]).toEqual([1000n, 9])
  })

  test('close() ends a dropped request, a long poll and pending waits', async () => {
    cluster = await FakeCluster.start({ topics: { t: 1 } })
    cluster.intercept(Metadata, { drop: true })
    const c = await connection()
    const dropped = c.send(Metadata, Metadata.createRequest({ topics: [] }))
    const never = cluster.request(Produce)
    await cluster.request(Metadata)
    await cluster.close()
    await expect(dropped).rejects.toThrow()
    await expect(never).rejects.toThrow('closed')
    cluster = await FakeCluster.start()
  })
})
