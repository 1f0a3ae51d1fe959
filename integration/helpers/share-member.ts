// A share group member in its own process (integration/share-multiprocess.test.ts), started by
// MemberProcess with KAFKIT_MEMBER_CONFIG holding a JSON ShareMemberConfig. It prints JSON lines on
// stdout ({ type: 'messages', items: ['<value>@<deliveryCount>', ...] }, 'joined', 'stopped', 'error') and
// stops cleanly (handlers finish, acknowledgements sent, group left) when it reads "stop" on stdin.
// With hold: true its handler never returns, so the records it acquires stay acquired until the
// process dies and their locks expire.

import { Kafka, logLevel } from '../../src/index.js'

export interface ShareMemberConfig {
  brokers: string[]
  groupId: string
  topic: string
  maxPollRecords: number
  /** Time each record takes to process. */
  processMs: number
  hold?: boolean
}

function send(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.KAFKIT_MEMBER_CONFIG ?? '{}') as ShareMemberConfig
  const kafka = new Kafka({ brokers: config.brokers, clientId: 'share-member-process', logLevel: logLevel.WARN })
  const consumer = kafka.shareConsumer({
    groupId: config.groupId,
    maxPollRecords: config.maxPollRecords,
    acquireMode: 'record_limit',
  })
  consumer.on(consumer.events.GROUP_JOIN, (event) =>
    send({ type: 'joined', assignment: event.payload.memberAssignment }),
  )
  await consumer.connect()
  await consumer.subscribe({ topics: [config.topic] })
  await consumer.run({
    eachMessage: async ({ message }) => {
      // reported as soon as it arrives: a held record is reported too
      send({ type: 'messages', items: [`${message.value?.toString()}@${message.deliveryCount}`] })
      if (config.hold) await new Promise(() => undefined)
      await new Promise((resolve) => setTimeout(resolve, config.processMs))
    },
  })
  process.stdin.setEncoding('utf8')
  process.stdin.on('data', (data: string) => {
    if (!data.includes('stop')) return
    void consumer.disconnect().then(() => {
      send({ type: 'stopped' })
      process.exit(0)
    })
  })
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) })
  process.exit(1)
})
