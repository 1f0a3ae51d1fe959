import type { Admin } from '../src/admin/admin.js'
import { type KafkaJSAdminItemError, KafkaJSAggregateError } from '../src/index.js'
import { runKafkaTool } from '../src/testing/index.js'
import { connectedAdmin, eventually, produceRecords, uniqueName } from './admin-helpers.js'
import { brokers } from './helpers/brokers.js'

jest.setTimeout(120_000)

// A transaction kept open by Java's producer (ProducerPerformance with a transactional id and a
// long transaction duration), observed while it runs.
describe('admin producers and transactions (real broker, Java transactional producer)', () => {
  let admin: Admin
  let topic: string
  const transactionalId = uniqueName('adm-txn')
  let producer: ReturnType<typeof runKafkaTool>

  beforeAll(async () => {
    admin = await connectedAdmin()
    topic = uniqueName('adm-txn-topic')
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    // a record before the transaction, so that its first offset is not 0
    await produceRecords(topic, 0, [{ value: 'before' }])
    // 12 records at 2 per second in one transaction of up to 60 s: open for about 6 s
    producer = runKafkaTool('org.apache.kafka.tools.ProducerPerformance', [
      '--bootstrap-server',
      brokers().join(','),
      '--topic',
      topic,
      '--num-records',
      '12',
      '--throughput',
      '2',
      '--record-size',
      '10',
      '--transactional-id',
      transactionalId,
      '--transaction-duration-ms',
      '60000',
      '--producer-props',
      'linger.ms=0',
    ])
  })

  afterAll(async () => {
    await producer
    await admin.disconnect()
  })

  it('listTransactions, describeTransactions and describeProducers show the open transaction', async () => {
    const listed = await eventually(
      () => admin.listTransactions({ states: ['Ongoing'] }),
      ({ transactions }) => transactions.some((t) => t.transactionalId === transactionalId),
      200,
    )
    const mine = listed.transactions.find((t) => t.transactionalId === transactionalId)!
    expect(mine.state).toBe('Ongoing')
    expect(Number(mine.producerId)).toBeGreaterThanOrEqual(0)

    const { transactions } = await admin.describeTransactions([transactionalId])
    expect(transactions).toEqual([
      {
        transactionalId,
        state: 'Ongoing',
        transactionTimeoutMs: expect.any(Number),
        transactionStartTimeMs: expect.stringMatching(/^\d+$/),
        producerId: mine.producerId,
        producerEpoch: expect.any(Number),
        topics: [{ topic, partitions: [0] }],
      },
    ])

    const producers = await eventually(
      () => admin.describeProducers({ topics: [{ topic }] }),
      (r) => r[0]!.partitions[0]!.activeProducers.some((p) => p.producerId === mine.producerId),
    )
    const state = producers[0]!.partitions[0]!.activeProducers.find((p) => p.producerId === mine.producerId)!
    expect(state.currentTxnStartOffset).toBe('1')
    expect(state.lastSequence).toBeGreaterThanOrEqual(0)

    // filters: by producer id, and a pattern matching nothing
    const byId = await admin.listTransactions({ producerIds: [mine.producerId] })
    expect(byId.transactions.map((t) => t.transactionalId)).toEqual([transactionalId])
    const none = await admin.listTransactions({ transactionalIdPattern: '^no-such-id$' })
    expect(none.transactions).toEqual([])
  })

  it('after the commit the transaction is complete and the producer has no open transaction', async () => {
    const result = await producer
    expect(result.exitCode).toBe(0)
    const { transactions } = await admin.describeTransactions([transactionalId])
    expect(transactions[0]!.state).toBe('CompleteCommit')
    expect(transactions[0]!.topics).toEqual([])
    const producers = await admin.describeProducers({ topics: [{ topic, partitions: [0] }] })
    const [state] = producers[0]!.partitions[0]!.activeProducers
    expect(state!.currentTxnStartOffset).toBe('-1')
  })

  it('names transactional ids and partitions it cannot describe', async () => {
    const unknown = uniqueName('adm-txn-none')
    const error = await admin.describeTransactions([transactionalId, unknown]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSAggregateError)
    const [item] = (error as KafkaJSAggregateError).errors as KafkaJSAdminItemError[]
    expect(item!.item).toEqual({ transactionalId: unknown })
    expect(item!.type).toBe('TRANSACTIONAL_ID_NOT_FOUND')
    const partitionError = await admin
      .describeProducers({ topics: [{ topic, partitions: [0, 3] }] })
      .catch((e: unknown) => e)
    expect(((partitionError as KafkaJSAggregateError).errors[0] as KafkaJSAdminItemError).item).toEqual({
      topic,
      partition: 3,
    })
  })
})
