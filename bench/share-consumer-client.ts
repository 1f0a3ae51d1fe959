// One kafkit share consumer of the share consumer benchmark, in its own process so that its CPU time
// is its own: `node -r ./bench/register-swc.cjs bench/share-consumer-client.ts <json>`, started by
// bench/share-consumer.bench.ts with an IPC channel. It loads kafkit, says `ready`, and on `go`
// joins the share group (implicit acknowledgement: each handler's return accepts its records),
// reporting how many records it has had every 50 ms; on `stop` it disconnects (which sends the
// last acknowledgements and leaves the group) and sends what it measured: wall-clock times of its
// start and of its last record, CPU seconds from `go` to the end of disconnect(), peak RSS.

import type { ShareClient, ShareMemberResult, ShareMemberRun } from './share-consumer-common.js'

async function main(): Promise<void> {
  const run = JSON.parse(process.argv[2] ?? '{}') as ShareMemberRun
  const send = (message: object): void => {
    process.send?.(message)
  }
  const { Kafka, logLevel } = await import('../src/index.js')
  let go!: () => void
  let stop!: () => void
  const started = new Promise<void>((resolve) => {
    go = resolve
  })
  const stopped = new Promise<void>((resolve) => {
    stop = resolve
  })
  process.on('message', (m: string) => (m === 'go' ? go() : stop()))
  send({ ready: true })
  await started

  const cpu = process.cpuUsage()
  const startedAt = Date.now()
  let records = 0
  let bytes = 0
  let lastAt = startedAt
  const kafka = new Kafka({ brokers: run.brokers, clientId: 'bench-share-kafkit', logLevel: logLevel.ERROR })
  const consumer = kafka.shareConsumer({ groupId: run.groupId })
  await consumer.connect()
  await consumer.subscribe({ topics: [run.topic] })
  const client: ShareClient = run.client
  const progress = setInterval(() => send({ records }), 50)
  if (client === 'kafkit-batch') {
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) bytes += m.value?.length ?? 0
        records += batch.messages.length
        lastAt = Date.now()
      },
    })
  } else {
    await consumer.run({
      eachMessage: async ({ message }) => {
        bytes += message.value?.length ?? 0
        records++
        lastAt = Date.now()
      },
    })
  }
  await stopped
  clearInterval(progress)
  await consumer.disconnect()
  const used = process.cpuUsage(cpu)
  const result: ShareMemberResult = {
    records,
    bytes,
    startedAt,
    lastAt,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  }
  send({ result })
  process.disconnect?.()
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
