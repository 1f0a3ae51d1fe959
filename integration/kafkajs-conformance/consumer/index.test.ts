// KafkaJS 2.2.4 src/consumer/__tests__/index.spec.js: consumer.run() while the consumer is already
// running is ignored (with KafkaJS's warning), and a rebalance while messages are being processed
// delivers no message twice.

import { type Consumer, type ConsumerConfig, type LogEntry, logLevel, type Producer } from '../../../src/index.js'
import {
  createKafka,
  createTopic,
  secureRandom,
  sleep,
  waitFor,
  waitForConsumerToJoinGroup,
  waitForNextEvent,
} from '../helpers.js'

describe('Consumer (KafkaJS src/consumer/__tests__/index.spec.js)', () => {
  let topicName: string
  let groupId: string
  let consumers: Consumer[] = []
  let producer: Producer

  const consumerOf = (config: Partial<ConsumerConfig> = {}, kafka = createKafka()): Consumer => {
    const consumer = kafka.consumer({
      groupId,
      heartbeatInterval: 100,
      maxWaitTimeInMs: 100,
      metadataMaxAge: 50,
      ...config,
    })
    consumers.push(consumer)
    return consumer
  }

  beforeEach(async () => {
    topicName = `test-topic-${secureRandom()}`
    groupId = `consumer-group-id-${secureRandom()}`
    producer = createKafka().producer()
  })

  afterEach(async () => {
    await Promise.all(consumers.map((c) => c.disconnect()))
    consumers = []
    await producer.disconnect()
  })

  test('#run when the consumer is already running ignores the call', async () => {
    await createTopic({ topic: topicName })
    const entries: LogEntry[] = []
    const consumer = consumerOf(
      {},
      createKafka({ logLevel: logLevel.WARN, logCreator: () => (entry) => entries.push(entry) }),
    )
    await consumer.connect()
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    const eachMessage = async () => {}
    const joined = waitForConsumerToJoinGroup(consumer)
    await Promise.all([consumer.run({ eachMessage }), consumer.run({ eachMessage }), consumer.run({ eachMessage })])
    await joined
    const warnings = entries.filter(
      (e) => e.log.message === 'consumer#run was called, but the consumer is already running',
    )
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toMatchObject({ namespace: 'Consumer', label: 'WARN', log: { groupId, logger: 'kafkajs' } })
    // one member: the extra calls started nothing
    const { members } = await consumer.describeGroup()
    expect(members).toHaveLength(1)
  })

  test('#run should not read duplicate messages during rebalance', async () => {
    await createTopic({ topic: topicName, partitions: 2 })
    await producer.connect()
    await producer.send({
      topic: topicName,
      messages: Array.from({ length: 10 }, (_, index) => ({
        key: `key-${index % 2}`,
        value: `value-${index}`,
        partition: index % 2,
      })),
    })

    const consumed: string[] = []
    const record = async ({ partition, message }: { partition: number; message: { value: Buffer | null } }) => {
      await sleep(100)
      consumed.push(`${partition} ${String(message.value)}`)
    }
    const first = consumerOf()
    await first.connect()
    await first.subscribe({ topic: topicName, fromBeginning: true })
    const started = waitForNextEvent(first, first.events.START_BATCH_PROCESS)
    await first.run({ eachMessage: record })
    await started

    // a second member joins while the first is processing
    const second = consumerOf()
    await second.connect()
    await second.subscribe({ topic: topicName, fromBeginning: true })
    await second.run({ eachMessage: record })

    await waitFor(() => consumed.length >= 10, '10 messages consumed')
    // once everything is committed and the group settled, nothing more can arrive
    const admin = createKafka().admin()
    await admin.connect()
    try {
      await waitFor(async () => {
        const { state, members } = await first.describeGroup()
        const [offsets] = await admin.fetchOffsets({ groupId, topics: [topicName] })
        const done = offsets?.partitions.every((p) => p.offset === '5') ?? false
        return state === 'Stable' && members.length === 2 && done
      }, 'a settled group with every offset committed')
    } finally {
      await admin.disconnect()
    }
    expect(consumed).toHaveLength(10)
    expect(new Set(consumed).size).toBe(10)
  })
})
