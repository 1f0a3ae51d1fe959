// The soak run (issue 14): produce and consume at a steady rate on a three-node cluster it starts,
// restart a node now and then, and sample this process's memory, handles and timers each minute. At
// the end: what was sent, acknowledged, found, duplicated, lost, reordered and consumed, a markdown
// table of the samples, and a plot (SVG) of RSS and heap over time.
// Usage: npm run soak -- [--minutes 30] [--rate 2000] [--restart-every 5] [--partitions 12]
//                        [--svg docs/soak.svg] [--markdown soak.md]
// Runs the TypeScript sources (no build needed). Nothing here asserts on time; the exit code is 1
// when an acknowledged record is missing or a record was written twice, or the consumer missed one.

import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

// the TypeScript sources, by path (an import specifier here would be rewritten to .js by the linter)
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
require('./ts-sources.js').registerTsSources()
const { Kafka, logLevel } = require(join(root, 'src', 'index.ts'))
const { startKafka } = require(join(root, 'src', 'testing', 'index.ts'))
const { KeyedLoad, LogTally, forEachStoredPartition, wholeAndInSync } = require(
  join(root, 'integration', 'chaos', 'harness.ts'),
)
const { createReplicatedTopic } = require(join(root, 'integration', 'helpers', 'own-cluster.ts'))
const { svgLineChart } = require(join(root, 'bench', 'svg-plot.ts'))

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '2000' },
    'restart-every': { type: 'string', default: '5' },
    partitions: { type: 'string', default: '12' },
    svg: { type: 'string' },
    markdown: { type: 'string' },
  },
})
const minutes = positive('minutes')
const rate = positive('rate')
const restartEvery = positive('restart-every')
const partitions = positive('partitions')

function positive(name) {
  const n = Number(args[name])
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`soak: --${name} must be a positive number, got ${args[name]}`)
    process.exit(2)
  }
  return n
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const mb = (n) => Math.round((n / 1048576) * 10) / 10
const log = (line) => console.error(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`)

/** One sample: memory after a full GC (when --expose-gc), and the event loop's live resources. */
function sample(minute, load, consumed, restarts) {
  globalThis.gc?.()
  const m = process.memoryUsage()
  const resources = process.getActiveResourcesInfo()
  return {
    minute,
    rssMB: mb(m.rss),
    heapMB: mb(m.heapUsed),
    externalMB: mb(m.external + m.arrayBuffers),
    handles: resources.filter((r) => r !== 'Timeout' && r !== 'Immediate').length,
    timers: resources.filter((r) => r === 'Timeout').length,
    acked: load.acked,
    consumed,
    restarts,
  }
}

/** A line chart of RSS, heap and buffers (MB) per minute, as an SVG document. */
function svgPlot(samples, title) {
  const series = (label, color, key) => ({ label, color, points: samples.map((s) => [s.minute, s[key]]) })
  return svgLineChart({
    title,
    xLabel: 'minutes (dashed: a node restarted)',
    yLabel: 'MB',
    yStep: 50,
    series: [
      series('RSS', '#d62728', 'rssMB'),
      series('heap used', '#1f77b4', 'heapMB'),
      series('buffers', '#2ca02c', 'externalMB'),
    ],
    marks: samples.filter((s, i) => i > 0 && s.restarts > samples[i - 1].restarts).map((s) => ({ x: s.minute })),
  })
}

function samplesTable(samples) {
  const rows = samples.map(
    (s) =>
      `| ${s.minute} | ${s.rssMB} | ${s.heapMB} | ${s.externalMB} | ${s.handles} | ${s.timers} | ${s.acked} | ${s.consumed} | ${s.restarts} |`,
  )
  return [
    '| minute | RSS MB | heap used MB | buffers MB | handles | timers | acknowledged | consumed | node restarts |',
    '| --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    ...rows,
  ].join('\n')
}

/** Least-squares slope per minute of `key` over the samples from `from` on. */
function slope(samples, key, from) {
  const pts = samples.filter((s) => s.minute >= from)
  if (pts.length < 2) return 0
  const mx = pts.reduce((a, s) => a + s.minute, 0) / pts.length
  const my = pts.reduce((a, s) => a + s[key], 0) / pts.length
  const num = pts.reduce((a, s) => a + (s.minute - mx) * (s[key] - my), 0)
  const den = pts.reduce((a, s) => a + (s.minute - mx) ** 2, 0)
  return Math.round((num / den) * 100) / 100
}

const cluster = await startKafka({ nodes: 3 })
let exitCode = 0
try {
  log(
    `3 nodes at ${cluster.brokers.join(',')}; ${minutes} min at ${rate} records/s, a node restarted every ${restartEvery} min`,
  )
  const kafka = new Kafka({ brokers: cluster.brokers, clientId: 'kafkit-soak', logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  const topic = `kafkit-soak-${Date.now()}`
  await createReplicatedTopic(admin, topic, partitions)
  const producer = kafka.producer({ idempotent: true })
  await producer.connect()
  const consumer = kafka.consumer({ groupId: `${topic}-group`, heartbeatInterval: 1000 })
  // constant memory: per partition the next offset expected; an offset below it came again, one
  // above it skipped records (none of this topic's offsets are markers: no transactions)
  const next = new Array(partitions).fill(0)
  let consumedCount = 0
  let deliveredTwice = 0
  let skipped = 0
  let crashes = 0
  consumer.on(consumer.events.CRASH, () => void crashes++)
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const offset = Number(message.offset)
      if (offset < next[partition]) {
        deliveredTwice++
        return
      }
      skipped += offset - next[partition]
      next[partition] = offset + 1
      consumedCount++
    },
  })
  const load = new KeyedLoad(producer, topic, { keys: 1000, perSend: 50, window: 10, rate, valueBytes: 100 })
  const started = Date.now()
  load.start()
  let restarts = 0
  const samples = [sample(0, load, 0, 0)]
  const restartTimes = []
  for (let minute = 1; minute <= minutes; minute++) {
    const due = started + minute * 60_000
    if (minute % restartEvery === 0 && minute < minutes) {
      const id = (restarts % 3) + 1
      log(`minute ${minute}: SIGKILL node ${id}, restart after 5 s`)
      await cluster.killNode(id)
      await sleep(5000)
      const t = Date.now()
      await cluster.restartNode(id)
      await wholeAndInSync(cluster, admin)
      restartTimes.push(Date.now() - t)
      restarts++
    }
    await sleep(Math.max(0, due - Date.now()))
    const s = sample(minute, load, consumedCount, restarts)
    samples.push(s)
    log(
      `minute ${minute}: rss ${s.rssMB} MB, heap ${s.heapMB} MB, buffers ${s.externalMB} MB, handles ${s.handles}, timers ${s.timers}, acked ${s.acked}, consumed ${s.consumed}`,
    )
  }
  const unsettled = await load.stop()
  const inLog = (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0)
  const deadline = Date.now() + 300_000
  while (consumedCount + skipped < inLog && Date.now() < deadline) await sleep(200)
  await consumer.disconnect()
  await producer.disconnect()
  const inTheLog = new LogTally()
  await forEachStoredPartition(cluster, topic, partitions, (records) => {
    for (const r of records) inTheLog.add(r.value ?? '')
  })
  await admin.disconnect()
  const counts = inTheLog.counts(load)
  const summary = {
    minutes,
    rate,
    ...counts,
    'never settled': unsettled,
    'in the log': inLog,
    consumed: consumedCount,
    'delivered twice': deliveredTwice,
    'skipped by the consumer': skipped,
    'consumer crashes': crashes,
    'node restarts': restarts,
    'mean restart to in sync (s)':
      Math.round(restartTimes.reduce((a, b) => a + b, 0) / Math.max(1, restarts) / 100) / 10,
    'longest ack gap (s)': Math.round(load.longestAckGap / 100) / 10,
    'send errors': load.errorSummary(),
    // after the first minutes (warm-up), MB per minute: flat is near 0
    'RSS slope after minute 3 (MB/min)': slope(samples, 'rssMB', 3),
    'heap slope after minute 3 (MB/min)': slope(samples, 'heapMB', 3),
    'handles first/last': `${samples[1]?.handles ?? samples[0].handles}/${samples.at(-1).handles}`,
    'timers first/last': `${samples[1]?.timers ?? samples[0].timers}/${samples.at(-1).timers}`,
  }
  const markdown = `${Object.entries(summary)
    .map(([k, v]) => `- ${k}: ${v}`)
    .join('\n')}\n\n${samplesTable(samples)}\n`
  console.log(markdown)
  if (args.markdown) writeFileSync(args.markdown, markdown)
  if (args.svg) {
    writeFileSync(
      args.svg,
      svgPlot(samples, `kafkit soak: ${minutes} min, ${rate} records/s, a node restarted every ${restartEvery} min`),
    )
  }
  if (
    counts.lost > 0 ||
    counts.duplicated > 0 ||
    counts.reordered > 0 ||
    consumedCount < inLog ||
    skipped > 0 ||
    unsettled > 0
  ) {
    exitCode = 1
  }
} finally {
  await cluster.stop()
}
process.exit(exitCode)
