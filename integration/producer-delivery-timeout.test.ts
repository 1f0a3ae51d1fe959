// deliveryTimeout for a batch in flight, against the real broker: a TCP proxy between the producer
// and the broker holds the broker's answer to one Produce request past deliveryTimeout. The batch
// fails then, as Java's does (its request left to finish); the broker had written it, and the
// producer learns so from the late answer, so the next record follows under the same epoch at the
// next sequence and nothing is written twice. (The
// answer a broker refuses is driven on the fake broker: test/fake-broker/producer-idempotence.test.ts.)

import { randomUUID } from 'node:crypto'
import net from 'node:net'
import type { Cluster } from '../src/cluster/cluster.js'
import { Kafka, KafkaJSDeliveryTimeoutError, logLevel, type Producer } from '../src/index.js'
import { brokers, hostAndPort, usesExternalCluster } from './helpers/brokers.js'
import { waitFor } from './helpers/consumer-helpers.js'
import { TcpProxy } from './helpers/tcp-proxy.js'
import { readerCluster, readPartition } from './producer-helpers.js'

const run = randomUUID().slice(0, 8)
// every connection goes through one proxy to the one broker the run started
const testLocal = usesExternalCluster() ? test.skip : test

let proxy: TcpProxy | undefined
let reader: Cluster | undefined
let producer: Producer | undefined

afterEach(async () => {
  await producer?.disconnect().catch(() => undefined)
  await reader?.disconnect()
  await proxy?.close()
})

testLocal(
  'an answer held past deliveryTimeout: the send fails, the late acknowledgement keeps the epoch, the next record follows it once',
  async () => {
    const topic = `kafkit-delivery-timeout-${run}`
    const admin = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] })
    await admin.disconnect()
    const through = await TcpProxy.start({ target: hostAndPort(brokers()[0]!) })
    proxy = through
    const kafka = new Kafka({
      brokers: brokers(),
      clientId: `kafkit-delivery-timeout-${run}`,
      logLevel: logLevel.NOTHING,
      requestTimeout: 2000,
      socketFactory: ({ onConnect }) => net.connect({ host: '127.0.0.1', port: through.port }, onConnect),
    })
    producer = kafka.producer({ deliveryTimeout: 3000 })
    await producer.connect()
    await producer.send({ topic, messages: [{ value: 'a' }] })

    // the broker writes b at once; its answer reaches the producer 5 s later, after deliveryTimeout
    await through.setFaults({ delayMs: 5000 })
    const error = await producer.send({ topic, messages: [{ value: 'b' }] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSDeliveryTimeoutError)
    expect((error as Error).message).toMatch(/had not answered its Produce request/)
    await through.heal()
    // c is sent once the held answer is through (waiting for it could outlast c's own deliveryTimeout)
    const delivered = through.stats.bytesToClients
    await waitFor(() => through.stats.bytesToClients > delivered, 'the held Produce answer')
    const [c] = await producer.send({ topic, messages: [{ value: 'c' }] })
    expect(c).toMatchObject({ baseOffset: '2' })

    reader = await readerCluster(brokers(), `kafkit-delivery-timeout-reader-${run}`)
    const stored = await readPartition(reader, topic, 0)
    expect(stored.map((r) => [r.value, r.producerEpoch - stored[0]!.producerEpoch, r.sequence])).toEqual([
      ['a', 0, 0],
      ['b', 0, 1],
      ['c', 0, 2],
    ])
  },
)
