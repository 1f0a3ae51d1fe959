// Rebootstrap (KIP-1102) against real brokers: a producer, a consumer and an admin client bootstrap
// through a TCP proxy the test controls (the bootstrap name a user would give). The whole cluster is
// stopped and a brand-new one started on other ports; the proxy is pointed at it, as a name would be
// made to resolve to the new addresses. The clients, which only knew the old cluster's addresses,
// must find the new cluster through the bootstrap address and work there: the topic (recreated, the
// new cluster has a new cluster id and empty logs) gets the new messages, the consumer reads them, the
// admin lists the new cluster's topics. Outcomes are checked, never time.

import { Kafka, type LogEntry, logLevel } from '../src/index.js'
import { type KafkaTestCluster, startKafka } from '../src/testing/index.js'
import { waitFor } from '../test/helpers/wait.js'
import { hostAndPort, usesExternalCluster } from './helpers/brokers.js'
import { TcpProxy } from './helpers/tcp-proxy.js'

const describeLocal = usesExternalCluster() ? describe.skip : describe

describeLocal('rebootstrap: a whole cluster restarted on other ports behind the same bootstrap address', () => {
  jest.setTimeout(600_000)
  let first: KafkaTestCluster | undefined
  let second: KafkaTestCluster | undefined
  let proxy: TcpProxy | undefined

  afterAll(async () => {
    await proxy?.close()
    await Promise.all([first?.stop(), second?.stop()])
  })

  test('the producer, the consumer and the admin client find the new cluster and work there', async () => {
    first = await startKafka({ nodes: 1 })
    proxy = await TcpProxy.start({ target: hostAndPort(first.brokers[0]!) })
    const warnings: string[] = []
    const kafka = new Kafka({
      brokers: [proxy.address],
      clientId: 'rebootstrap-test',
      // small, so that the time bound is exercised too (the default is 300000 ms)
      metadataRecoveryRebootstrapTrigger: 1000,
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        warnings.push(`${entry.namespace}: ${entry.log.message}`)
      },
    })
    const topic = 'rebootstrap-topic'
    const admin = kafka.admin()
    const producer = kafka.producer()
    const consumer = kafka.consumer({ groupId: 'rebootstrap-group', heartbeatInterval: 500 })
    const seen: string[] = []
    try {
      await admin.connect()
      await admin.createTopics({ topics: [{ topic }], waitForLeaders: true })
      await producer.connect()
      await producer.send({ topic, messages: [{ value: 'on the first cluster' }] })
      await consumer.connect()
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      await consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value?.toString() ?? '')
        },
      })
      await waitFor(() => seen.includes('on the first cluster'), 'the consumer to read from the first cluster', 120_000)

      // the whole cluster goes; a new one (new cluster id, other ports) comes up behind the same address
      await first.stop()
      second = await startKafka({ nodes: 1 })
      proxy.retarget(hostAndPort(second.brokers[0]!))

      // a brand-new cluster: the topic is created again there, by the same admin client
      await admin.createTopics({ topics: [{ topic }], waitForLeaders: true })
      expect(await admin.listTopics()).toContain(topic)
      await producer.send({ topic, messages: [{ value: 'on the second cluster' }] })
      await waitFor(
        () => seen.includes('on the second cluster'),
        'the consumer to read from the second cluster',
        300_000,
        100,
      )

      // the message is in the second cluster's log, read by a client that bootstraps there directly
      const direct = new Kafka({ brokers: second.brokers, logLevel: logLevel.NOTHING }).admin()
      await direct.connect()
      try {
        const offsets = await direct.fetchTopicOffsets(topic)
        expect(offsets).toEqual([expect.objectContaining({ partition: 0, low: '0', high: '1' })])
        const groups = await direct.listGroups()
        expect(groups.groups.map((g) => g.groupId)).toContain('rebootstrap-group')
      } finally {
        await direct.disconnect()
      }
      // each client went back to the bootstrap address: the warning Cluster logs when it does
      expect(warnings.some((w) => w.includes('Rebootstrapping from the seed brokers'))).toBe(true)
    } finally {
      await consumer.disconnect().catch(() => undefined)
      await producer.disconnect().catch(() => undefined)
      await admin.disconnect().catch(() => undefined)
    }
  })
})
