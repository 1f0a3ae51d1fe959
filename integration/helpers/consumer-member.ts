// A group member in its own process, for tests of groups whose members are separate processes.
// Started by integration/helpers/member-process.ts; KAFKIT_MEMBER_CONFIG holds a JSON MemberConfig. It prints JSON
// lines on stdout ({ type: 'joined' | 'messages' | 'revoked' | 'stopped', ... }) and stops cleanly
// (stop, commit, leave, disconnect) when it reads "stop" on stdin.

import { Kafka, logLevel, PartitionAssigners } from '../../src/index.js'

export interface MemberConfig {
  brokers: string[]
  groupId: string
  topic: string
  assigner: 'cooperativeSticky' | 'range' | 'roundRobin'
  heartbeatInterval: number
}

function send(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.KAFKIT_MEMBER_CONFIG ?? '{}') as MemberConfig
  // warnings and errors go to stderr (the test shows them when it fails); stdout carries the events
  const kafka = new Kafka({ brokers: config.brokers, clientId: 'member-process', logLevel: logLevel.WARN })
  const consumer = kafka.consumer({
    groupId: config.groupId,
    heartbeatInterval: config.heartbeatInterval,
    partitionAssigners: [PartitionAssigners[config.assigner]],
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
