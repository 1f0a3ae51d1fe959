// A group member in its own process, for tests of groups whose members are separate processes.
// Started by integration/helpers/member-process.ts; KAFKIT_MEMBER_CONFIG holds a JSON MemberConfig. It prints JSON
// lines on stdout ({ type: 'joined' | 'messages' | 'revoked' | 'stopped', ... }) and stops cleanly
// (stop, commit, leave, disconnect) when it reads "stop" on stdin.

import type * as kafkit from '../../src/index.js'

export interface MemberConfig {
  brokers: string[]
  groupId: string
  topic: string
  /** KafkaJS has roundRobin only. */
  assigner: 'cooperativeSticky' | 'range' | 'roundRobin'
  heartbeatInterval: number
  /** Default 'kafkit'; 'kafkajs' runs KafkaJS 2.2.4's consumer (the chaos scenarios compare them). */
  client?: 'kafkit' | 'kafkajs'
  /** kafkit only: 'consumer' for KIP-848. */
  groupProtocol?: 'classic' | 'consumer'
  sessionTimeout?: number
  /**
   * Report each message before eachMessage returns (so before its offset can be committed): a member
   * SIGKILLed then has reported everything the group counts as processed. Default: every 50 ms.
   */
  reportEachMessage?: boolean
}

function send(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.KAFKIT_MEMBER_CONFIG ?? '{}') as MemberConfig
  const { Kafka, logLevel, PartitionAssigners } = (
    config.client === 'kafkajs' ? require('kafkajs') : require('../../src/index.js')
  ) as typeof kafkit
  // warnings and errors go to stderr (the test shows them when it fails); stdout carries the events
  const kafka = new Kafka({ brokers: config.brokers, clientId: 'member-process', logLevel: logLevel.WARN })
  const consumer = kafka.consumer({
    groupId: config.groupId,
    heartbeatInterval: config.heartbeatInterval,
    ...(config.sessionTimeout === undefined ? {} : { sessionTimeout: config.sessionTimeout }),
    ...(config.groupProtocol === undefined ? {} : { groupProtocol: config.groupProtocol }),
    // KIP-848: the broker assigns
    ...(config.groupProtocol === 'consumer' ? {} : { partitionAssigners: [PartitionAssigners[config.assigner]] }),
    rebalanceListener: {
      onPartitionsRevoked: (partitions) => send({ type: 'revoked', partitions }),
    },
  })
  let pending: string[] = []
  const flush = (): void => {
    if (pending.length === 0) return
    send({ type: 'messages', items: pending })
    pending = []
  }
  const timer = setInterval(flush, 50)
  consumer.on(consumer.events.GROUP_JOIN, (event) =>
    send({ type: 'joined', assignment: (event.payload as { memberAssignment: unknown }).memberAssignment }),
  )
  await consumer.subscribe({ topics: [config.topic], fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      pending.push(`${partition}:${message.offset}`)
      // stdout to a pipe is written synchronously on Linux
      if (config.reportEachMessage) flush()
    },
  })
  process.stdin.setEncoding('utf8')
  process.stdin.on('data', (data: string) => {
    if (!data.includes('stop')) return
    void consumer.disconnect().then(() => {
      clearInterval(timer)
      flush()
      send({ type: 'stopped' })
      process.exit(0)
    })
  })
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) })
  process.exit(1)
})
