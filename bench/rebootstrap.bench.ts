// How long clients take to find a cluster that came back on other ports behind the same bootstrap
// address (KIP-1102; the scenario of integration/rebootstrap.test.ts, timed): a producer, a consumer
// and an admin client bootstrap through a TCP proxy, the one-node cluster is stopped, a new one
// started, and the proxy pointed at it. Reported, from the moment the proxy points at the new
// cluster: when the admin client's createTopics (the topic made again on the new cluster) returned,
// when the producer's send was acknowledged, and when the consumer handed out the new message; and
// how often the clients logged a rebootstrap.
//
//   npm run bench -- rebootstrap [--client kafkit|kafkajs] [--trigger ms] [--strategy rebootstrap|none]
//                                [--verbose]
//
// KafkaJS 2.2.4 has neither option; it runs the same scenario with its defaults.
//
// --verbose prints every entry the clients log at INFO and above, with its time from the retarget.
//
// Starts its own clusters (KAFKA_BROKERS cannot stand for two). Times are wall clock on this machine.
// Figures are in docs/reliability.md ("Rebootstrap (KIP-1102)").

import { TcpProxy } from '../integration/helpers/tcp-proxy.js'
import type { LogEntry, MetadataRecoveryStrategy } from '../src/index.js'
import * as kafkit from '../src/index.js'
import { startKafka } from '../src/testing/index.js'

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`)
  return at > 0 ? process.argv[at + 1]! : fallback
}

const TRIGGER = Number(option('trigger', '1000'))
const STRATEGY = option('strategy', 'rebootstrap') as MetadataRecoveryStrategy
const DEADLINE_MS = 300_000
const CLIENT = option('client', 'kafkit')
// KafkaJS's API is kafkit's; its Kafka takes the same options (and ignores the two it lacks)
const { Kafka, logLevel } = (CLIENT === 'kafkajs' ? require('kafkajs') : kafkit) as typeof kafkit
const TOPIC = 'rebootstrap-bench'
const VERBOSE = process.argv.includes('--verbose')
/** Date.now() when the proxy was pointed at the new cluster. */
let retargeted: number | undefined

function address(broker: string): { host: string; port: number } {
  const colon = broker.lastIndexOf(':')
  return { host: broker.slice(0, colon), port: Number(broker.slice(colon + 1)) }
}

async function main(): Promise<void> {
  const first = await startKafka({ nodes: 1 })
  const proxy = await TcpProxy.start({ target: address(first.brokers[0]!) })
  let rebootstraps = 0
  const kafka = new Kafka({
    brokers: [proxy.address],
    clientId: 'rebootstrap-bench',
    metadataRecoveryStrategy: STRATEGY,
    metadataRecoveryRebootstrapTrigger: TRIGGER,
    logLevel: VERBOSE ? logLevel.INFO : logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      if (entry.log.message.startsWith('Rebootstrapping')) rebootstraps++
      if (VERBOSE) {
        const at = retargeted === undefined ? 'before' : `${Date.now() - retargeted} ms`
        console.log(`[${at}] ${entry.namespace} ${entry.log.message} ${String(entry.log.error ?? '')}`)
      }
    },
  })
  const admin = kafka.admin()
  const producer = kafka.producer()
  const consumer = kafka.consumer({ groupId: 'rebootstrap-bench', heartbeatInterval: 500 })
  let consumedAt: number | undefined
  let second: Awaited<ReturnType<typeof startKafka>> | undefined
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC }], waitForLeaders: true })
    await producer.connect()
    await producer.send({ topic: TOPIC, messages: [{ value: 'first' }] })
    await consumer.connect()
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true })
    let firstSeen: () => void = () => {}
    const firstConsumed = new Promise<void>((resolve) => {
      firstSeen = resolve
    })
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value?.toString() === 'first') firstSeen()
        if (message.value?.toString() === 'second') consumedAt ??= Date.now()
      },
    })
    await firstConsumed

    const stopped = Date.now()
    await first.stop()
    second = await startKafka({ nodes: 1 })
    const started = Date.now()
    proxy.retarget(address(second.brokers[0]!))
    retargeted = Date.now()
    const from = retargeted
    await admin.createTopics({ topics: [{ topic: TOPIC }], waitForLeaders: true })
    const created = Date.now()
    await producer.send({ topic: TOPIC, messages: [{ value: 'second' }] })
    const sent = Date.now()
    while (consumedAt === undefined && Date.now() - from < DEADLINE_MS) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const since = (t: number | undefined) => (t === undefined ? 'never' : `${t - from} ms`)
    const settings = `strategy ${STRATEGY}, metadataRecoveryRebootstrapTrigger ${TRIGGER} ms`
    console.log(`${CLIENT}${CLIENT === 'kafkit' ? `, ${settings}` : ''}, Kafka ${second.version}`)
    console.log(`cluster down (stop to the new cluster serving): ${started - stopped} ms`)
    console.log('from the proxy pointing at the new cluster:')
    console.log(`  admin createTopics returned: ${since(created)}`)
    console.log(`  producer send acknowledged:  ${since(sent)}`)
    console.log(`  consumer handed the message: ${since(consumedAt)}`)
    console.log(`rebootstraps logged (the three clients together): ${rebootstraps}`)
  } finally {
    await consumer.disconnect().catch(() => undefined)
    await producer.disconnect().catch(() => undefined)
    await admin.disconnect().catch(() => undefined)
    await proxy.close()
    await Promise.all([first.stop(), second?.stop()])
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
