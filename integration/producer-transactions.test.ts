// Transactions against real brokers: the run's broker (transaction.version 2, KIP-890) and a broker
// of this file's own formatted with transaction.version 1. What a transaction wrote is read back
// with kcat in read_committed and read_uncommitted, and with Fetch + decodeRecords. A 3.x broker
// (npm run test:compat) has no transaction.version 2 nor 1 to format with: it is itself a v1 broker,
// so there the v1 tests run on it and the v2 ones are skipped.

import { randomUUID } from 'node:crypto'
import type { Cluster } from '../src/cluster/cluster.js'
import {
  type Admin,
  Kafka,
  KafkaJSNonRetriableError,
  KafkaJSProducerFencedError,
  KafkaJSTransactionStateError,
  logLevel,
  type Producer,
  type ProducerConfig,
} from '../src/index.js'
import { type KafkaTestCluster, startKafka } from '../src/testing/index.js'
import { waitFor } from '../test/helpers/wait.js'
import { brokerIsAtLeast, brokers, describeSince, usesExternalCluster } from './helpers/brokers.js'
import { kcatConsume, kcatPath, readerCluster, readPartition } from './producer-helpers.js'

jest.setTimeout(120_000)

const run = randomUUID().slice(0, 8)

interface Setup {
  bootstrap: string
  kafka: Kafka
  admin: Admin
  reader: Cluster
  producers: Producer[]
  stop?: () => Promise<void>
}

async function setUp(brokerList: string[], stop?: () => Promise<void>): Promise<Setup> {
  const kafka = new Kafka({ brokers: brokerList, clientId: `kafkit-txn-${run}`, logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  const reader = await readerCluster(brokerList, `kafkit-txn-reader-${run}`)
  return { bootstrap: brokerList[0]!, kafka, admin, reader, producers: [], ...(stop !== undefined && { stop }) }
}

async function tearDown(setup: Setup | undefined): Promise<void> {
  if (setup === undefined) return
  for (const producer of setup.producers) await producer.disconnect().catch(() => undefined)
  await setup.admin.disconnect()
  await setup.reader.disconnect()
  await setup.stop?.()
}

const kip890Broker = brokerIsAtLeast('4.0')
const describeWithV1 = usesExternalCluster() && kip890Broker ? describe.skip : describe
const describeWithV2 = describeSince('4.0', 'transaction.version 2 (KIP-890)')
const describeKcat = kcatPath === undefined ? describe.skip : describe

describe.each([
  ['v2 (transaction.version 2)', 2],
  ['v1 (transaction.version 1)', 1],
] as const)('transactions %s', (_name, version) => {
  let setup: Setup | undefined
  const maybe = version === 1 ? describeWithV1 : describeWithV2

  maybe('', () => {
    beforeAll(async () => {
      if (version === 2 || !kip890Broker) {
        setup = await setUp(brokers())
      } else {
        const cluster: KafkaTestCluster = await startKafka({ features: { 'transaction.version': 1 } })
        setup = await setUp(cluster.brokers, () => cluster.stop())
      }
    })
    afterAll(() => tearDown(setup))

    const s = (): Setup => setup!
    const topicName = (name: string) => `kafkit-txn-${run}-v${version}-${name}`

    async function createTopic(name: string, partitions = 1, config: Record<string, string> = {}): Promise<string> {
      const topic = topicName(name)
      await s().admin.createTopics({
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

    async function transactional(
      name: string,
      extra: ProducerConfig = {},
    ): Promise<{ producer: Producer; requests: string[] }> {
      const producer = s().kafka.producer({ transactionalId: `kafkit-txn-${run}-v${version}-${name}`, ...extra })
      const requests: string[] = []
      producer.on(producer.events.REQUEST, (e) => {
        const { apiName, apiVersion } = e.payload as { apiName: string; apiVersion: number }
        requests.push(`${apiName}v${apiVersion}`)
      })
      s().producers.push(producer)
      await producer.connect()
      return { producer, requests }
    }

    describeKcat('read back', () => {
      test('committed records are visible to read_committed readers, aborted ones are not', async () => {
        const topic = await createTopic('visibility', 2)
        const { producer, requests } = await transactional('visibility')
        const t1 = await producer.transaction()
        await t1.send({ topic, messages: [{ key: 'a', value: 'committed-1', partition: 0 }] })
        await t1.send({ topic, messages: [{ key: 'b', value: 'committed-2', partition: 1 }] })
        await t1.commit()
        expect(t1.isActive()).toBe(false)
        const t2 = await producer.transaction()
        await t2.send({
          topic,
          messages: [
            { value: 'aborted-1', partition: 0 },
            { value: 'aborted-2', partition: 1 },
          ],
        })
        await t2.abort()
        const t3 = await producer.transaction()
        await t3.sendBatch({ topicMessages: [{ topic, messages: [{ value: 'committed-3', partition: 0 }] }] })
        await t3.commit()

        const committed = await kcatConsume(s().bootstrap, topic, '%p %s\\n', { 'isolation.level': 'read_committed' })
        expect(committed.sort()).toEqual(['0 committed-1', '0 committed-3', '1 committed-2'])
        const everything = await kcatConsume(s().bootstrap, topic, '%p %s\\n', {
          'isolation.level': 'read_uncommitted',
        })
        expect(everything.sort()).toEqual([
          '0 aborted-1',
          '0 committed-1',
          '0 committed-3',
          '1 aborted-2',
          '1 committed-2',
        ])

        const stored = await readPartition(s().reader, topic, 0)
        expect(stored.every((r) => r.transactional)).toBe(true)
        const epochs = stored.map((r) => r.producerEpoch)
        if (version === 2) {
          // KIP-890: every transaction ends with an epoch bump
          expect(epochs[1]).toBe(epochs[0]! + 1)
          expect(epochs[2]).toBe(epochs[1]! + 1)
          expect(requests.some((r) => r.startsWith('AddPartitionsToTxn'))).toBe(false)
          expect(requests.filter((r) => r.startsWith('EndTxn')).every((r) => r === 'EndTxnv5')).toBe(true)
        } else {
          expect(new Set(epochs).size).toBe(1)
          expect(requests.filter((r) => r.startsWith('AddPartitionsToTxn'))).toEqual(
            expect.arrayContaining(['AddPartitionsToTxnv3']),
          )
          expect(
            requests.filter((r) => r.startsWith('Produce')).every((r) => Number(r.slice('Producev'.length)) <= 11),
          ).toBe(true)
        }
      })
    })

    test('offsets sent with a transaction are committed with it, and not when it is aborted', async () => {
      const topic = await createTopic('offsets')
      const groupId = `kafkit-txn-group-${run}-v${version}`
      const { producer, requests } = await transactional('offsets')
      const aborted = await producer.transaction()
      await aborted.send({ topic, messages: [{ value: 'x' }] })
      await aborted.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic, partitions: [{ partition: 0, offset: '7' }] }],
      })
      await aborted.abort()
      const offsetOf = async () =>
        (await s().admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions.find((p) => p.partition === 0)!
          .offset
      expect(await offsetOf()).toBe('-1')
      const committed = await producer.transaction()
      await committed.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic, partitions: [{ partition: 0, offset: '42' }] }],
      })
      await committed.commit()
      // the coordinator writes the commit markers after EndTxn returns: the offset appears then
      let offset = await offsetOf()
      for (let polls = 0; offset !== '42' && polls < 100; polls++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        offset = await offsetOf()
      }
      expect(offset).toBe('42')
      expect(requests.some((r) => r.startsWith('AddOffsetsToTxn'))).toBe(version === 1)
    })

    test('a second producer with the same transactional id fences the first', async () => {
      const topic = await createTopic('fencing')
      const { producer: first } = await transactional('fencing')
      const open = await first.transaction()
      await open.send({ topic, messages: [{ value: 'from the zombie' }] })
      const { producer: second } = await transactional('fencing')
      const error = await open.commit().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(KafkaJSProducerFencedError)
      await expect(first.transaction()).rejects.toBeInstanceOf(KafkaJSTransactionStateError)
      const t = await second.transaction()
      await t.send({ topic, messages: [{ value: 'from the new one' }] })
      await t.commit()
      const lines = await kcatConsume(s().bootstrap, topic, '%s\\n', { 'isolation.level': 'read_committed' }).catch(
        () => undefined,
      )
      if (lines !== undefined) expect(lines).toEqual(['from the new one'])
    })

    test('a failed send makes the transaction abortable only; after abort the next one commits', async () => {
      const topic = await createTopic('abortable', 1, { 'max.message.bytes': '10000' })
      const { producer } = await transactional('abortable')
      const t = await producer.transaction()
      await expect(t.send({ topic, messages: [{ value: 'y'.repeat(30_000) }] })).rejects.toMatchObject({
        type: 'MESSAGE_TOO_LARGE',
      })
      await expect(t.send({ topic, messages: [{ value: 'more' }] })).rejects.toBeInstanceOf(
        KafkaJSTransactionStateError,
      )
      await expect(t.commit()).rejects.toBeInstanceOf(KafkaJSTransactionStateError)
      await t.abort()
      const next = await producer.transaction()
      await next.send({ topic, messages: [{ value: 'after the abort' }] })
      await next.commit()
      const stored = await readPartition(s().reader, topic, 0)
      expect(stored.map((r) => r.value)).toEqual(['after the abort'])
    })

    test('sends outside a transaction are ordinary idempotent sends of a second producer id, never part of a transaction (KafkaJS)', async () => {
      const topic = await createTopic('outside')
      const { producer, requests } = await transactional('outside')
      await producer.send({ topic, messages: [{ value: 'outside-before' }] })
      const aborted = await producer.transaction()
      await aborted.send({ topic, messages: [{ value: 'aborted' }] })
      // while a transaction is open, as KafkaJS's spec does
      await producer.send({ topic, messages: [{ value: 'outside-during-aborted' }] })
      await producer.sendBatch({ topicMessages: [{ topic, messages: [{ value: 'outside-batch' }] }] })
      await aborted.abort()
      const committed = await producer.transaction()
      await committed.send({ topic, messages: [{ value: 'committed' }] })
      await producer.send({ topic, messages: [{ value: 'outside-during-committed' }] })
      await committed.commit()
      // the last record: a reader that has it has read everything before it
      await producer.send({ topic, messages: [{ value: 'outside-end' }] })

      const stored = await readPartition(s().reader, topic, 0)
      const outside = stored.filter((r) => r.value?.startsWith('outside'))
      const inside = stored.filter((r) => !r.value?.startsWith('outside'))
      expect(outside.map((r) => r.value)).toEqual([
        'outside-before',
        'outside-during-aborted',
        'outside-batch',
        'outside-during-committed',
        'outside-end',
      ])
      expect(inside.map((r) => r.value)).toEqual(['aborted', 'committed'])
      // the outside records: not transactional, idempotent (a producer id and sequences 0, 1, 2, 3)
      expect(outside.every((r) => !r.transactional)).toBe(true)
      expect(new Set(outside.map((r) => r.producerId)).size).toBe(1)
      expect(outside[0]!.producerId).toBeGreaterThanOrEqual(0n)
      expect(outside.map((r) => r.sequence)).toEqual([0, 1, 2, 3, 4])
      expect(inside.every((r) => r.transactional)).toBe(true)
      expect(inside[0]!.producerId).not.toBe(outside[0]!.producerId)
      // one InitProducerId for each identity
      expect(requests.filter((r) => r.startsWith('InitProducerId')).length).toBeGreaterThanOrEqual(2)

      // offset order: each reader gets every record before the last one, once
      expect(await consumeValues(topic, false, 'outside-end')).toEqual([
        'outside-before',
        'outside-during-aborted',
        'outside-batch',
        'committed',
        'outside-during-committed',
        'outside-end',
      ])
      expect(await consumeValues(topic, true, 'outside-end')).toEqual([
        'outside-before',
        'aborted',
        'outside-during-aborted',
        'outside-batch',
        'committed',
        'outside-during-committed',
        'outside-end',
      ])
    })

    test('with idempotent: false a transactional producer sends outside its transactions without a producer id (KafkaJS)', async () => {
      const topic = await createTopic('outside-plain')
      const { producer } = await transactional('outside-plain', { idempotent: false })
      await producer.send({ topic, messages: [{ value: 'plain' }], acks: 1 })
      const t = await producer.transaction()
      await expect(t.send({ topic, messages: [{ value: 'x' }], acks: 1 })).rejects.toThrow(
        new KafkaJSNonRetriableError(
          "Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees",
        ),
      )
      await t.send({ topic, messages: [{ value: 'in' }] })
      await t.commit()
      const stored = await readPartition(s().reader, topic, 0)
      expect(stored.map((r) => [r.value, r.transactional, r.producerId])).toEqual([
        ['plain', false, -1n],
        ['in', true, expect.any(BigInt)],
      ])
    })

    /** Values of `topic` (one partition) as a consumer with that isolation level reads them, up to `last`. */
    async function consumeValues(topic: string, readUncommitted: boolean, last: string): Promise<string[]> {
      const consumer = s().kafka.consumer({ groupId: `kafkit-txn-${run}-${randomUUID()}`, readUncommitted })
      const values: string[] = []
      try {
        await consumer.connect()
        await consumer.subscribe({ topic, fromBeginning: true })
        await consumer.run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? '')
          },
        })
        await waitFor(() => values.includes(last), `${last} in ${topic}`, 60_000)
      } finally {
        await consumer.disconnect()
      }
      return values
    }

    test('misuse is refused with typed errors, as KafkaJS', async () => {
      const topic = await createTopic('misuse')
      const { producer } = await transactional('misuse')
      const t = await producer.transaction()
      await expect(producer.transaction()).rejects.toThrow(/There is already an ongoing transaction/)
      await t.commit()
      await expect(t.send({ topic, messages: [{ value: 'late' }] })).rejects.toThrow(
        new KafkaJSNonRetriableError('Cannot continue to use transaction once ended'),
      )
      const plain = s().kafka.producer()
      await expect(plain.transaction()).rejects.toThrow(/Must provide transactional id/)
    })
  })
})
