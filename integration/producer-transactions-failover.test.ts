// The transactional producer on three nodes, under each transaction protocol (the cluster formatted
// with transaction.version 2, KIP-890, and with 1):
// - back-to-back transactions on the same partitions: the next transaction begins while the
//   coordinator still writes the previous one's markers, so it answers CONCURRENT_TRANSACTIONS
//   (v1: to AddPartitionsToTxn, in every run, asserted; v2: the partition leader's add fails the
//   Produce, in some runs only, not asserted), and the producer retries;
// - the transaction coordinator killed (SIGKILL) between a send and the commit, and while the
//   commit is in flight: the coordinator's state is in the replicated transaction log, the new
//   coordinator loads it, and the producer, finding it, completes the transaction there (as Java's
//   TransactionManager: a disconnect or NOT_COORDINATOR looks the coordinator up again and re-sends).
// A read_committed consumer and the raw log both hold each committed record exactly once.

import { randomUUID } from 'node:crypto'
import { type Admin, Kafka, type LogEntry, logLevel, type Producer } from '../src/index.js'
import { ErrorCode, protocolError } from '../src/protocol/generated/errors.js'
import { waitFor } from './helpers/consumer-helpers.js'
import { createReplicatedTopic, describeWithOwnCluster } from './helpers/own-cluster.js'
import { readerCluster, readTopic } from './producer-helpers.js'

const PARTITIONS = 3
/** How many transactions run back to back. */
const BACK_TO_BACK = 40

describe.each([
  ['v2 (transaction.version 2)', 2],
  ['v1 (transaction.version 1)', 1],
] as const)('transactions %s', (_name, version) => {
  describeWithOwnCluster(
    'on three nodes',
    // every node replicates the transaction log (clusterDefaults: factor 3, min.isr 2, one partition)
    { nodes: 3, features: { 'transaction.version': version } },
    (ownCluster) => {
      const run = randomUUID().slice(0, 8)
      let kafka: Kafka | undefined
      let admin: Admin | undefined
      const producers: Producer[] = []

      beforeAll(async () => {
        kafka = new Kafka({
          brokers: ownCluster().brokers,
          clientId: `kafkit-txn-failover-${run}`,
          logLevel: logLevel.NOTHING,
        })
        admin = kafka.admin()
        await admin.connect()
      })
      afterAll(async () => {
        for (const producer of producers) await producer.disconnect().catch(() => undefined)
        await admin?.disconnect()
      })

      async function createTopic(name: string): Promise<string> {
        const topic = `kafkit-txn-failover-${run}-v${version}-${name}`
        await createReplicatedTopic(admin!, topic, PARTITIONS)
        return topic
      }

      interface TransactionalProducer {
        producer: Producer
        transactionalId: string
        /** The names and versions of the requests it sent, in order. */
        requests: string[]
        /** The errors of its "Retrying <what> in N ms" debug lines ("a batch for <topic-partition>", "EndTxn(commit)", ...). */
        retriesOf(what: string): string[]
      }

      /** A transactional producer on a client of its own, whose debug log is kept. */
      async function transactional(name: string): Promise<TransactionalProducer> {
        const logs: LogEntry[] = []
        const client = new Kafka({
          brokers: ownCluster().brokers,
          clientId: `kafkit-txn-failover-${run}-${name}`,
          logLevel: logLevel.DEBUG,
          logCreator: () => (entry) => void logs.push(entry),
        })
        const transactionalId = `kafkit-txn-failover-${run}-v${version}-${name}`
        const producer = client.producer({ transactionalId })
        const requests: string[] = []
        producer.on(producer.events.REQUEST, (e) => {
          const { apiName, apiVersion } = e.payload as { apiName: string; apiVersion: number }
          requests.push(`${apiName}v${apiVersion}`)
        })
        producers.push(producer)
        await producer.connect()
        const retriesOf = (what: string): string[] =>
          logs.filter((e) => e.log.message.startsWith(`Retrying ${what}`)).map((e) => String(e.log.error))
        return { producer, transactionalId, requests, retriesOf }
      }

      /** One transaction-log partition (clusterDefaults): its leader coordinates every transactional id. */
      async function transactionCoordinator(): Promise<number> {
        const [log] = (await admin!.fetchTopicMetadata({ topics: ['__transaction_state'] })).topics
        expect(log!.partitions).toHaveLength(1)
        return log!.partitions[0]!.leader
      }

      /** Restarts the nodes an earlier test killed; waits until the transaction log is fully replicated again. */
      async function wholeCluster(): Promise<void> {
        const c = ownCluster()
        const down = c.nodes.filter((node) => !node.running)
        if (down.length === 0) return
        for (const node of down) await c.restartNode(node.id)
        // another node may be killed next: the restarted one must be a replica in sync again of the
        // internal topics that exist (those made by the earlier tests)
        const existing = new Set(await admin!.listTopics())
        const internal = ['__transaction_state', '__consumer_offsets'].filter((t) => existing.has(t))
        await waitFor(
          async () => {
            const { topics } = await admin!.fetchTopicMetadata({ topics: internal })
            return topics.every((t) => t.partitions.every((p) => p.isr.length === 3))
          },
          `${internal.join(' and ')} back in sync on three nodes`,
          120_000,
        )
      }

      /** What a read_committed consumer (the default isolation) reads of the topic, once `expected` values arrived. */
      async function readCommitted(topic: string, expected: number): Promise<string[]> {
        const consumer = kafka!.consumer({ groupId: `kafkit-txn-failover-${run}-${topic}`, heartbeatInterval: 500 })
        const values: string[] = []
        try {
          await consumer.connect()
          await consumer.subscribe({ topics: [topic], fromBeginning: true })
          await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) })
          await waitFor(() => values.length >= expected, `${expected} committed records of ${topic}`, 120_000)
        } finally {
          await consumer.disconnect()
        }
        return values
      }

      /** Every data record in the log (read uncommitted, aborted ones included), as values. */
      async function stored(topic: string): Promise<string[]> {
        const reader = await readerCluster(ownCluster().brokers, `kafkit-txn-failover-reader-${run}`)
        try {
          return (await readTopic(reader, topic, PARTITIONS)).map((r) => r.value!)
        } finally {
          await reader.disconnect()
        }
      }

      /** Both readers see exactly `expected` (in any order), nothing twice; the log holds `aborted` besides. */
      async function expectExactlyOnce(topic: string, expected: string[], aborted: string[] = []): Promise<void> {
        expect((await readCommitted(topic, expected.length)).sort()).toEqual([...expected].sort())
        expect((await stored(topic)).sort()).toEqual([...expected, ...aborted].sort())
      }

      test('back-to-back transactions on the same partitions: CONCURRENT_TRANSACTIONS is retried, every transaction commits once', async () => {
        const topic = await createTopic('back-to-back')
        const { producer, requests, retriesOf } = await transactional('back-to-back')
        const expected: string[] = []
        for (let i = 0; i < BACK_TO_BACK; i++) {
          const t = await producer.transaction()
          const messages = Array.from({ length: PARTITIONS }, (_, partition) => ({
            value: `${i}-${partition}`,
            partition,
          }))
          await t.send({ topic, messages })
          // the next transaction begins as soon as EndTxn returns, before the markers are all written
          await t.commit()
          expected.push(...messages.map((m) => m.value))
        }

        const adds = requests.filter((r) => r.startsWith('AddPartitionsToTxn')).length
        if (version === 1) {
          // the coordinator refused AddPartitionsToTxn while the previous markers were on their way,
          // and the producer asked again
          const retries = retriesOf('AddPartitionsToTxn in')
          const concurrent = protocolError(ErrorCode.CONCURRENT_TRANSACTIONS).message
          expect(retries.filter((e) => e === concurrent)).not.toEqual([])
          // one AddPartitionsToTxn per transaction carries all the partitions of its send, plus one per retry
          expect(adds).toBe(BACK_TO_BACK + retries.length)
        } else {
          // v2: partitions join through Produce (the leader adds them); the client sends no
          // AddPartitionsToTxn. The leader's add may meet CONCURRENT_TRANSACTIONS too and fail the
          // Produce, which the producer retries ("Retrying a batch"): seen in some runs, not in all,
          // so this half is a stress test that does not claim the error
          expect(adds).toBe(0)
          expect(requests.filter((r) => r.startsWith('EndTxn')).every((r) => r === 'EndTxnv5')).toBe(true)
        }
        await expectExactlyOnce(topic, expected)
      })

      test('the coordinator killed between a send and the commit: the transaction completes at the new coordinator', async () => {
        await wholeCluster()
        const topic = await createTopic('killed-before-commit')
        const { producer, transactionalId, retriesOf } = await transactional('killed-before-commit')
        const coordinator = await transactionCoordinator()

        const t = await producer.transaction()
        await t.send({ topic, messages: [{ value: 'before the kill', partition: 0 }] })
        expect((await admin!.describeTransactions([transactionalId])).transactions[0]!.state).toBe('Ongoing')
        await ownCluster().killNode(coordinator)
        // partitions new to the transaction join it at the new coordinator
        await t.send({
          topic,
          messages: [
            { value: 'after the kill 1', partition: 1 },
            { value: 'after the kill 2', partition: 2 },
          ],
        })
        await t.commit()
        expect(await transactionCoordinator()).not.toBe(coordinator)
        // what met the dead coordinator was sent again, to the new one (v1: AddPartitionsToTxn of the
        // sends after the kill, or EndTxn; v2: EndTxn)
        const moved = [...retriesOf('AddPartitionsToTxn in'), ...retriesOf('EndTxn(commit) in')]
        expect(
          moved.filter((e) =>
            /^(Connection error|Connection to|Coordinator|The group coordinator|This is not the correct coordinator)/.test(
              e,
            ),
          ),
        ).not.toEqual([])

        // the producer goes on with the new coordinator
        const next = await producer.transaction()
        await next.send({ topic, messages: [{ value: 'next transaction', partition: 0 }] })
        await next.commit()
        const aborted = await producer.transaction()
        await aborted.send({ topic, messages: [{ value: 'aborted', partition: 1 }] })
        await aborted.abort()

        await expectExactlyOnce(
          topic,
          ['before the kill', 'after the kill 1', 'after the kill 2', 'next transaction'],
          ['aborted'],
        )
      })

      test('the coordinator killed while the commit is in flight: the transaction commits once', async () => {
        await wholeCluster()
        const topic = await createTopic('killed-during-commit')
        const { producer, retriesOf } = await transactional('killed-during-commit')
        const coordinator = await transactionCoordinator()

        const t = await producer.transaction()
        const first = Array.from({ length: PARTITIONS }, (_, partition) => ({ value: `first-${partition}`, partition }))
        await t.send({ topic, messages: first })
        // EndTxn goes out at once (nothing left to flush): the kill lands while it waits for its answer
        // (the old coordinator may or may not have written PrepareCommit)
        const commit = t.commit()
        await ownCluster().killNode(coordinator)
        await commit
        // EndTxn met the dead coordinator (seen: the connection reset under it) and went to the new one
        expect(retriesOf('EndTxn(commit) in')).not.toEqual([])

        const next = await producer.transaction()
        const second = Array.from({ length: PARTITIONS }, (_, partition) => ({
          value: `second-${partition}`,
          partition,
        }))
        await next.send({ topic, messages: second })
        await next.commit()

        await expectExactlyOnce(
          topic,
          [...first, ...second].map((m) => m.value),
        )
      })
    },
  )
})
