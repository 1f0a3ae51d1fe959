// One group member of bench/takeover.bench.ts in its own process. argv[2] is a JSON TakeoverMember.
// It consumes with eachMessage and a slow handler (handlerMs per record) and writes, as each record is
// handed to it, one line `r <partition> <offset> <ms>` on stdout (a pipe: written synchronously, so a
// SIGKILL loses none of the lines of records handed out before it), `j <ms> <json assignment>`
// on each group join, and `c <ms>` on each offset commit. It stops cleanly (disconnect) when it reads "stop" on stdin.

import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel } from '../src/index.js'

export interface TakeoverMember {
  client: 'kafkit' | 'kafkajs'
  brokers: string[]
  groupId: string
  topic: string
  handlerMs: number
  sessionTimeout: number
  heartbeatInterval: number
  /** kafkit's maxPollRecords, when set (the default otherwise; absent before that option existed). */
  maxPollRecords?: number
}

interface ConsumerLike {
  connect(): Promise<void>
  subscribe(s: { topics: string[]; fromBeginning: boolean }): Promise<void>
  run(r: { eachMessage: (p: { partition: number; message: { offset: string } }) => Promise<void> }): Promise<void>
  disconnect(): Promise<void>
  on(event: string, listener: (e: { payload: { memberAssignment: Record<string, number[]> } }) => void): unknown
  events: { GROUP_JOIN: string; COMMIT_OFFSETS: string }
}

function consumerOf(m: TakeoverMember): ConsumerLike {
  const config = {
    groupId: m.groupId,
    sessionTimeout: m.sessionTimeout,
    heartbeatInterval: m.heartbeatInterval,
    ...(m.maxPollRecords === undefined ? {} : { maxPollRecords: m.maxPollRecords }),
  }
  if (m.client === 'kafkajs') {
    const kafkajs = require('kafkajs') as typeof import('kafkajs')
    const kafka = new kafkajs.Kafka({ brokers: m.brokers, clientId: 'takeover', logLevel: kafkajs.logLevel.NOTHING })
    return kafka.consumer(config) as unknown as ConsumerLike
  }
  const kafka = new Kafka({ brokers: m.brokers, clientId: 'takeover', logLevel: logLevel.NOTHING })
  return kafka.consumer(config) as unknown as ConsumerLike
}

async function main(): Promise<void> {
  const m = JSON.parse(process.argv[2]!) as TakeoverMember
  const consumer = consumerOf(m)
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    process.stdout.write(`j ${Date.now()} ${JSON.stringify(e.payload.memberAssignment)}\n`)
  })
  consumer.on(consumer.events.COMMIT_OFFSETS, () => {
    process.stdout.write(`c ${Date.now()}\n`)
  })
  await consumer.connect()
  await consumer.subscribe({ topics: [m.topic], fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      process.stdout.write(`r ${partition} ${message.offset} ${Date.now()}\n`)
      await sleep(m.handlerMs)
    },
  })
  process.stdin.setEncoding('utf8')
  process.stdin.on('data', (data: string) => {
    if (!data.includes('stop')) return
    void consumer.disconnect().then(() => process.exit(0))
  })
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
