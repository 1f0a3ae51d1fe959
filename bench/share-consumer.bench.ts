// Share consumer throughput and CPU of kafkit against Java's share consumer (KIP-932), on one broker
// and one workload: a topic of ONE partition (a share group spreads a partition's records over its
// members) filled once by kafkit's producer, read whole by a new share group per run
// (share.auto.offset.reset=earliest, set with incrementalAlterConfigs on the GROUP resource before
// the members join), with 1 and with 4 members. Run on demand (never in the test suite):
//
//   npm run bench -- share [--quick] [--rounds N]
//
// Clients: kafkit's share consumer with eachBatch and with eachMessage (implicit acknowledgement,
// concurrency 1, default options), each member in its own Node process (4 members: 4 processes,
// bench/share-consumer-client.ts); Java's KafkaShareConsumer through Kafka's own
// org.apache.kafka.tools.ShareConsumerPerformance from the kafkit/testing distribution (4 members:
// its --threads 4, four consumers in one JVM), under /usr/bin/time. Records/s: N over the time from
// the members' start (before connect for kafkit, the tool's own start time for Java) to the last
// record handed to the application. CPU: the client processes' user+system time, including their
// closing (the last acknowledgements, leaving the group); for Java also the JVM's start, reported
// on its own in the header. The clients take turns, each round starting with the next, and the
// median run (by records/s) is reported. After each run the group's lag on the topic must be 0
// (every record accepted), or the run counts as failed. Brokers: KAFKA_BROKERS, else one started
// for the run (bench-broker.ts: full-JIT JVM).

import { type ChildProcess, fork } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { ConfigResourceTypes, Kafka, logLevel } from '../src/index.js'
import { resolveKafkaDistribution } from '../src/testing/distribution.js'
import { findJava, findOnPath } from '../src/testing/executables.js'
import { toolLoggingFlags } from '../src/testing/tools.js'
import { benchBroker } from './bench-broker.js'
import { failed, inTurn, medians, produceValues, type Row, run, type Workload } from './bench-common.js'
import type { ShareClient, ShareMemberResult, ShareMemberRun } from './share-consumer-common.js'

const argv = process.argv
const QUICK = argv.includes('--quick')
const ROUNDS = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : 3
const WORKLOADS: Workload[] = [
  { messages: QUICK ? 50_000 : 200_000, valueSize: 100, compression: 'none' },
  { messages: QUICK ? 20_000 : 100_000, valueSize: 1024, compression: 'none' },
]
const MEMBERS = [1, 4]
/** The Java client's JVM: full JIT and G1, as a production client runs (not kafkit/testing's C1-only tool JVM). */
const JAVA_FLAGS = ['-XX:TieredStopAtLevel=4', '-XX:+UseG1GC', '-Xms512m', '-Xmx512m']
const JAVA = 'Java KafkaShareConsumer 4.4.0 (ShareConsumerPerformance)'
const CLIENTS: { client: ShareClient | 'java'; label: string }[] = [
  { client: 'kafkit-batch', label: 'kafkit (eachBatch)' },
  { client: 'kafkit-message', label: 'kafkit (eachMessage)' },
  { client: 'java', label: JAVA },
]

function label(w: Workload, members: number): string {
  return `${w.messages.toLocaleString('en-US')} x ${w.valueSize} B, ${members} member${members > 1 ? 's' : ''}`
}

/** A new share group that starts at the earliest offset. */
async function newGroup(kafka: Kafka, name: string): Promise<string> {
  const groupId = `bench-share-${name}-${process.pid}-${Date.now()}`
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.incrementalAlterConfigs({
      resources: [
        {
          type: ConfigResourceTypes.GROUP,
          name: groupId,
          configEntries: [{ name: 'share.auto.offset.reset', value: 'earliest' }],
        },
      ],
    })
  } finally {
    await admin.disconnect()
  }
  return groupId
}

/**
 * The group's lag on the topic once its members have left: '0' when every record was accepted. The
 * broker writes the share-partition state behind the acknowledgements, so this waits up to 10 s
 * for it.
 */
async function acceptedAll(kafka: Kafka, groupId: string, topic: string): Promise<string> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    let lag = '?'
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      const [offsets] = await admin.fetchShareGroupOffsets({ groupId, topics: [topic] })
      lag = offsets?.partitions[0]?.lag ?? '?'
      if (lag === '0') break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    return lag
  } finally {
    await admin.disconnect()
  }
}

function forkMember(spec: ShareMemberRun): ChildProcess {
  return fork(join(__dirname, 'share-consumer-client.ts'), [JSON.stringify(spec)], {
    execArgv: ['-r', join(__dirname, 'register-swc.cjs')],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
}

/** `members` kafkit processes in one share group, stopped once together they have had `records`. */
async function runKafkit(
  brokers: string[],
  topic: string,
  groupId: string,
  client: ShareClient,
  members: number,
  records: number,
  workload: string,
  name: string,
): Promise<Row> {
  const children = Array.from({ length: members }, () => forkMember({ client, brokers, topic, groupId }))
  const counts = new Array<number>(members).fill(0)
  let stderr = ''
  const results = children.map(
    (child, i) =>
      new Promise<ShareMemberResult>((resolve, reject) => {
        child.stderr?.on('data', (d: Buffer) => {
          stderr += d.toString()
        })
        child.on('message', (m: { ready?: true; records?: number; result?: ShareMemberResult }) => {
          if (m.records !== undefined) {
            counts[i] = m.records
            if (counts.reduce((a, b) => a + b, 0) >= records) for (const c of children) if (c.connected) c.send('stop')
          }
          if (m.result !== undefined) resolve(m.result)
        })
        child.on('exit', (code) => reject(new Error(`member exited with ${code}: ${stderr.trim().slice(-300)}`)))
      }),
  )
  const ready = children.map((child) => new Promise<void>((resolve) => child.once('message', () => resolve())))
  const timeout = setTimeout(() => {
    for (const c of children) c.kill('SIGKILL')
  }, 300_000)
  try {
    await Promise.all(ready)
    for (const c of children) c.send('go')
    const measured = await Promise.all(results)
    const started = Math.min(...measured.map((m) => m.startedAt))
    const last = Math.max(...measured.map((m) => m.lastAt))
    return {
      workload,
      client: name,
      messages: measured.reduce((a, m) => a + m.records, 0),
      bytes: measured.reduce((a, m) => a + m.bytes, 0),
      seconds: (last - started) / 1000,
      cpuSeconds: measured.reduce((a, m) => a + m.cpuSeconds, 0),
      peakRssMB: measured.reduce((a, m) => a + m.peakRssMB, 0),
    }
  } catch (error) {
    return failed(workload, name, `failed: ${error instanceof Error ? error.message : String(error)}`)
  } finally {
    clearTimeout(timeout)
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  }
}

async function javaCommand(): Promise<string[]> {
  const distribution = await resolveKafkaDistribution()
  return [findJava(), ...JAVA_FLAGS, ...toolLoggingFlags(distribution), '-cp', distribution.classpath]
}

/** /usr/bin/time's "%e %U %S %M" line and the command's output. */
async function timed(command: string[]) {
  const time = findOnPath('time') ?? '/usr/bin/time'
  const result = await run(time, ['-f', '%e %U %S %M', ...command])
  const stats = result.stderr.trim().split('\n').pop()!.split(' ').map(Number)
  return { ...result, stats: stats.length === 4 && stats.every(Number.isFinite) ? stats : undefined }
}

/**
 * ShareConsumerPerformance's result: a header line naming the columns (start.time, end.time,
 * data.consumed.in.MB, data.consumed.in.nMsg, ...) and a line of values, dates in its default
 * yyyy-MM-dd HH:mm:ss:SSS.
 */
function parseToolLine(stdout: string): { seconds: number; records: number; mb: number } | undefined {
  const toMs = (s: string | undefined): number => {
    const m = /^(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+):(\d+)$/.exec((s ?? '').trim())
    if (m === null) return Number.NaN
    const [y, mo, d, h, mi, se, ms] = m.slice(1).map(Number) as number[]
    return new Date(y!, mo! - 1, d!, h!, mi!, se!, ms!).getTime()
  }
  const lines = stdout.trim().split('\n')
  const at = lines.findIndex((l) => l.startsWith('start.time'))
  if (at < 0 || at + 1 >= lines.length) return undefined
  const names = lines[at]!.split(',').map((f) => f.trim())
  const values = lines[at + 1]!.split(',').map((f) => f.trim())
  const field = (name: string): string | undefined => values[names.indexOf(name)]
  const seconds = (toMs(field('end.time')) - toMs(field('start.time'))) / 1000
  const records = Number(field('data.consumed.in.nMsg'))
  const mb = Number(field('data.consumed.in.MB'))
  return Number.isFinite(seconds) && seconds > 0 && Number.isFinite(records) ? { seconds, records, mb } : undefined
}

async function runJava(
  java: string[],
  brokers: string[],
  topic: string,
  groupId: string,
  members: number,
  records: number,
  workload: string,
): Promise<Row> {
  const args = ['org.apache.kafka.tools.ShareConsumerPerformance', '--bootstrap-server', brokers.join(',')]
  args.push('--topic', topic, '--group', groupId, '--num-records', String(records), '--threads', String(members))
  args.push('--timeout', '30000')
  const result = await timed([...java, ...args])
  const parsed = parseToolLine(result.stdout)
  if (result.code !== 0 || result.stats === undefined || parsed === undefined || parsed.records < records) {
    const why = `${result.stdout.trim().split('\n').slice(-2).join(' ')} ${result.stderr.trim().split('\n').slice(-3).join(' ')}`
    return failed(workload, JAVA, `failed: ${why}`)
  }
  const [, user, system, rssKB] = result.stats as [number, number, number, number]
  return {
    workload,
    client: JAVA,
    messages: parsed.records,
    bytes: parsed.mb * 1024 * 1024,
    seconds: parsed.seconds,
    cpuSeconds: user + system,
    peakRssMB: rssKB / 1024,
  }
}

/** Markdown tables per workload, with each kafkit row's records/s and CPU per record over Java's. */
function shareTable(rows: Row[]): string {
  const out: string[] = []
  const rate = (r: Row): number => r.messages / r.seconds
  const cpu = (r: Row): number => (r.cpuSeconds / r.messages) * 100_000
  for (const workload of [...new Set(rows.map((r) => r.workload))]) {
    const group = CLIENTS.map((c) => rows.find((r) => r.workload === workload && r.client === c.label))
    const java = group.find((r) => r?.client === JAVA && r.skipped === undefined && r.seconds > 0)
    out.push(`\n### ${workload}\n`)
    out.push('| client | records/s | MB/s | CPU s per 100k records | peak RSS MB | records/s ÷ Java | CPU ÷ Java |')
    out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
    for (const r of group) {
      if (r === undefined) continue
      if (r.skipped !== undefined || r.seconds === 0) {
        out.push(`| ${r.client} | - | - | - | - | - | ${r.skipped ?? 'skipped'} |`)
        continue
      }
      const ratios =
        java === undefined ? ['-', '-'] : [(rate(r) / rate(java)).toFixed(2), (cpu(r) / cpu(java)).toFixed(2)]
      out.push(
        `| ${r.client} | ${Math.round(rate(r)).toLocaleString('en-US')} | ${(r.bytes / r.seconds / 1e6).toFixed(1)} | ` +
          `${cpu(r).toFixed(2)} | ${Math.round(r.peakRssMB)} | ${ratios.join(' | ')} |`,
      )
    }
  }
  return out.join('\n')
}

async function main(): Promise<void> {
  const broker = await benchBroker()
  const brokers = broker.brokers
  try {
    const kafka = new Kafka({ brokers, clientId: 'bench-share-fill', logLevel: logLevel.ERROR })
    const java = await javaCommand()
    const jvmStart = await timed([...java, 'org.apache.kafka.tools.ShareConsumerPerformance', '--version'])
    const [, jvmUser, jvmSystem] = jvmStart.stats ?? [0, 0, 0]
    const topics = new Map<Workload, string>()
    const admin = kafka.admin()
    await admin.connect()
    for (const w of WORKLOADS) {
      const topic = `bench-share-${w.valueSize}b-${w.messages}-${process.pid}-${Date.now()}`
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] })
      await produceValues(kafka, topic, w)
      topics.set(w, topic)
    }
    await admin.disconnect()
    const runOne = async (w: Workload, members: number, c: (typeof CLIENTS)[number]): Promise<Row> => {
      const topic = topics.get(w)!
      const groupId = await newGroup(kafka, `${c.client}-${members}`)
      const row =
        c.client === 'java'
          ? await runJava(java, brokers, topic, groupId, members, w.messages, label(w, members))
          : await runKafkit(brokers, topic, groupId, c.client, members, w.messages, label(w, members), c.label)
      if (row.skipped !== undefined) return row
      const lag = await acceptedAll(kafka, groupId, topic)
      return lag === '0' ? row : failed(row.workload, row.client, `not all accepted: the group's lag is ${lag}`)
    }
    // one run of each client, not counted, warms the broker's share fetch path
    for (const c of CLIENTS) await runOne(WORKLOADS[0]!, 1, c)
    const runs: Row[] = []
    for (let round = 1; round <= ROUNDS; round++) {
      for (const w of WORKLOADS) {
        for (const members of MEMBERS) {
          for (const c of inTurn(CLIENTS, round)) {
            const row = await runOne(w, members, c)
            runs.push(row)
            const rate = row.seconds > 0 ? Math.round(row.messages / row.seconds) : 0
            process.stderr.write(
              `round ${round} ${row.workload} ${row.client}: ${row.skipped ?? `${rate} rec/s, ${row.cpuSeconds.toFixed(2)} s CPU`}\n`,
            )
          }
        }
      }
    }
    const header = [
      `broker: ${broker.description}`,
      `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}; load average at the end ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
      `node ${process.version}; Java: ${java[0]} ${JAVA_FLAGS.join(' ')}; a JVM start alone (--version): ${(jvmUser! + jvmSystem!).toFixed(2)} s CPU`,
      `rounds: ${ROUNDS}; peak RSS of 4 members: the sum of the 4 processes (kafkit), the one JVM (Java)`,
    ]
    process.stdout.write(`${header.join('\n')}\n${shareTable(medians(runs))}\n`)
  } finally {
    await broker.stop()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
