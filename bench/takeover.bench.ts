// A takeover after a crash, as a user would meet it (issue 14 point 9): three group members in
// their own processes (bench/takeover-member.ts) consume a topic of 6 partitions with eachMessage
// and a slow handler (1 ms a record by default); once they share the partitions, 60,000 records of
// 100 B are written (10,000 a partition), and when the first member has handled 5,000 records it is
// SIGKILLed. The others take its partitions over once its session times out. Reported:
//
//   - assignment to first record: for each partition a survivor took over, from the group join
//     that gave it the partition to the first record of it handed to its handler;
//   - longest wait of an owned partition: the longest time a partition a member owned, with records
//     waiting, went without a record handed out (between two records of it, or from its assignment,
//     or the end of the writes, to its first), over every member; the takeovers above excepted;
//   - duplicates: records handed out more than once (all of them after the kill: the killed
//     member's records that were not committed), and the killed member's records handed out again;
//   - the redelivery window: records a member handed out between two of its offset commits (what a
//     crash at the worst moment leaves to be handled again), whatever the moment of the kill.
//
//   npm run bench -- takeover [--client kafkit|kafkajs] [--records N] [--handler-ms N]
//                             [--kill-after N] [--max-poll-records N]
//
// Brokers: KAFKA_BROKERS, else one started for the run (bench-broker.ts). Times are wall clock on
// this machine: run it on a quiet one. Figures are in docs/reliability.md ("Partitions served in turn").

import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { Kafka, logLevel } from '../src/index.js'
import { benchBroker } from './bench-broker.js'
import { createTopic, PARTITIONS } from './bench-common.js'
import type { TakeoverMember } from './takeover-member.js'

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`)
  return at > 0 ? process.argv[at + 1]! : fallback
}

const CLIENT = option('client', 'kafkit') as TakeoverMember['client']
const RECORDS = Number(option('records', '60000'))
const HANDLER_MS = Number(option('handler-ms', '1'))
const KILL_AFTER = Number(option('kill-after', '5000'))
const MAX_POLL_RECORDS = process.argv.includes('--max-poll-records')
  ? Number(option('max-poll-records', ''))
  : undefined
const MEMBERS = 3
const SESSION_TIMEOUT = 10_000
const DEADLINE_MS = 300_000

interface Handed {
  partition: number
  offset: number
  at: number
}

interface Join {
  at: number
  partitions: number[]
}

class Member {
  readonly name: string
  readonly handed: Handed[] = []
  readonly joins: Join[] = []
  readonly commits: number[] = []
  readonly stderr: string[] = []
  readonly #child: ChildProcess
  readonly exited: Promise<void>
  #listeners: (() => void)[] = []
  #leaving = false

  constructor(name: string, config: TakeoverMember, onEarlyExit: (m: Member) => void) {
    this.name = name
    this.#child = spawn(
      process.execPath,
      ['-r', join(__dirname, 'register-swc.cjs'), join(__dirname, 'takeover-member.ts'), JSON.stringify(config)],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    )
    let partial = ''
    this.#child.stdout!.setEncoding('utf8')
    this.#child.stdout!.on('data', (data: string) => {
      const lines = (partial + data).split('\n')
      partial = lines.pop()!
      for (const line of lines) this.#line(line)
      for (const listener of this.#listeners) listener()
    })
    this.#child.stderr!.setEncoding('utf8')
    this.#child.stderr!.on('data', (data: string) => this.stderr.push(data))
    this.exited = new Promise((resolve) => this.#child.on('exit', () => resolve()))
    this.#child.on('exit', () => {
      if (!this.#leaving) onEarlyExit(this)
    })
  }

  #line(line: string): void {
    if (line.startsWith('r ')) {
      const [, p, o, t] = line.split(' ')
      this.handed.push({ partition: Number(p), offset: Number(o), at: Number(t) })
    } else if (line.startsWith('j ')) {
      const space = line.indexOf(' ', 2)
      const assignment = JSON.parse(line.slice(space + 1)) as Record<string, number[]>
      this.joins.push({ at: Number(line.slice(2, space)), partitions: Object.values(assignment).flat().sort() })
    } else if (line.startsWith('c ')) {
      this.commits.push(Number(line.slice(2)))
    }
  }

  /** Resolves once `condition` holds, looked at after each output of the member. */
  until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve()
    return new Promise((resolve) => {
      const listener = (): void => {
        if (!condition()) return
        this.#listeners = this.#listeners.filter((l) => l !== listener)
        resolve()
      }
      this.#listeners.push(listener)
    })
  }

  owned(): number[] {
    return this.joins[this.joins.length - 1]?.partitions ?? []
  }

  kill(): void {
    this.#leaving = true
    this.#child.kill('SIGKILL')
  }

  async stop(): Promise<void> {
    this.#leaving = true
    this.#child.stdin!.write('stop\n')
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 30_000))])
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL')
  }
}

function untilAll(members: Member[], condition: () => boolean): Promise<void> {
  return Promise.race(members.map((m) => m.until(condition)))
}

async function produce(kafka: Kafka, topic: string): Promise<void> {
  const producer = kafka.producer()
  await producer.connect()
  const value = Buffer.alloc(100, 'x')
  const inFlight: Promise<unknown>[] = []
  for (let i = 0; i < RECORDS; i += 1000) {
    const messages = Array.from({ length: Math.min(1000, RECORDS - i) }, (_, j) => ({
      value,
      partition: (i + j) % PARTITIONS,
    }))
    inFlight.push(producer.send({ topic, messages }))
    if (inFlight.length >= 8) await inFlight.shift()
  }
  await Promise.all(inFlight)
  await producer.disconnect()
}

/** Records each member handed out between two of its commits, over every member. */
function betweenCommits(members: Member[]): number[] {
  const counts: number[] = []
  for (const m of members) {
    let at = 0
    for (let i = 1; i < m.commits.length; i++) {
      let n = 0
      while (at < m.handed.length && m.handed[at]!.at <= m.commits[i]!) {
        if (m.handed[at]!.at > m.commits[i - 1]!) n++
        at++
      }
      if (n > 0) counts.push(n)
    }
  }
  return counts.sort((a, b) => a - b)
}

interface Wait {
  member: string
  partition: number
  ms: number
}

/** The longest time each member left an owned partition with records waiting without a record handed out. */
function longestWait(members: Member[], from: number, tookOver: Set<string>): Wait {
  let longest: Wait = { member: '', partition: -1, ms: 0 }
  for (const m of members) {
    for (let p = 0; p < PARTITIONS; p++) {
      const times = m.handed.filter((h) => h.partition === p).map((h) => h.at)
      if (times.length === 0) continue
      const firstJoin = m.joins.find((j) => j.partitions.includes(p))
      // a taken-over partition's first wait is the takeover, reported on its own
      const start = tookOver.has(`${m.name}/${p}`) ? times[0]! : Math.max(from, firstJoin?.at ?? from)
      let previous = start
      for (const t of times) {
        if (t - previous > longest.ms) longest = { member: m.name, partition: p, ms: t - previous }
        previous = Math.max(previous, t)
      }
    }
  }
  return longest
}

async function main(): Promise<void> {
  const broker = await benchBroker()
  const members: Member[] = []
  const fail = (why: string): void => {
    console.error(`takeover: ${why}`)
    for (const m of members) {
      m.kill()
      console.error(`${m.name}: ${m.handed.length} handed, joins ${JSON.stringify(m.joins)}\n${m.stderr.join('')}`)
    }
    void broker.stop().finally(() => process.exit(1))
  }
  const deadline = setTimeout(() => fail('no outcome within the deadline'), DEADLINE_MS)
  const onEarlyExit = (m: Member): void => fail(`${m.name} exited on its own`)
  try {
    const kafka = new Kafka({ brokers: broker.brokers, clientId: 'takeover', logLevel: logLevel.ERROR })
    const suffix = `${process.pid}-${Date.now()}`
    const topic = `takeover-${suffix}`
    await createTopic(kafka, topic)
    const config: TakeoverMember = {
      client: CLIENT,
      brokers: broker.brokers,
      groupId: `takeover-${suffix}`,
      topic,
      handlerMs: HANDLER_MS,
      sessionTimeout: SESSION_TIMEOUT,
      heartbeatInterval: 1000,
      ...(MAX_POLL_RECORDS === undefined ? {} : { maxPollRecords: MAX_POLL_RECORDS }),
    }
    for (let i = 0; i < MEMBERS; i++) members.push(new Member(`member-${i + 1}`, config, onEarlyExit))
    // all three share the partitions before anything is written
    const shared = (): boolean =>
      members.every((m) => m.owned().length > 0) &&
      new Set(members.flatMap((m) => m.owned())).size === PARTITIONS &&
      members.reduce((n, m) => n + m.owned().length, 0) === PARTITIONS
    await untilAll(members, shared)
    await produce(kafka, topic)
    const producedAt = Date.now()
    const [victim, ...survivors] = members as [Member, ...Member[]]
    await victim.until(() => victim.handed.length >= KILL_AFTER)
    victim.kill()
    const killedAt = Date.now()
    const victimOwned = victim.owned()
    const distinct = (): number =>
      new Set(members.flatMap((m) => m.handed.map((h) => `${h.partition}:${h.offset}`))).size
    await untilAll(survivors, () => distinct() >= RECORDS)
    const doneAt = Date.now()
    await Promise.all(survivors.map((m) => m.stop()))

    // takeovers: partitions a survivor got in a join after the kill that it did not own before
    const takeovers: { member: string; partition: number; ms: number }[] = []
    const tookOver = new Set<string>()
    for (const m of survivors) {
      let before = new Set(m.joins.filter((j) => j.at <= killedAt).pop()?.partitions ?? [])
      for (const j of m.joins.filter((j) => j.at > killedAt)) {
        for (const p of j.partitions.filter((p) => !before.has(p))) {
          const first = m.handed.find((h) => h.partition === p && h.at >= j.at)
          if (first === undefined) continue
          takeovers.push({ member: m.name, partition: p, ms: first.at - j.at })
          tookOver.add(`${m.name}/${p}`)
        }
        before = new Set(j.partitions)
      }
    }
    const all = members.flatMap((m) => m.handed)
    const seen = new Map<string, number>()
    for (const h of all) seen.set(`${h.partition}:${h.offset}`, (seen.get(`${h.partition}:${h.offset}`) ?? 0) + 1)
    const duplicates = all.length - seen.size
    const victimKeys = new Set(victim.handed.map((h) => `${h.partition}:${h.offset}`))
    const victimAgain = survivors
      .flatMap((m) => m.handed)
      .filter((h) => victimKeys.has(`${h.partition}:${h.offset}`)).length
    const wait = longestWait(members, producedAt, tookOver)
    const sorted = takeovers.map((t) => t.ms).sort((a, b) => a - b)
    console.log(`takeover: ${CLIENT}, ${broker.description}`)
    console.log(
      `  ${RECORDS} records of 100 B in ${PARTITIONS} partitions, ${MEMBERS} members, handler ${HANDLER_MS} ms a record, ` +
        `sessionTimeout ${SESSION_TIMEOUT} ms, maxPollRecords ${MAX_POLL_RECORDS ?? 'default'}`,
    )
    console.log(
      `  killed ${victim.name} after ${victim.handed.length} records; it owned partitions ${victimOwned.join(', ')}`,
    )
    for (const t of takeovers)
      console.log(`  takeover: ${t.member} partition ${t.partition}: first record ${t.ms} ms after its assignment`)
    console.log(
      `  assignment to first record of a taken-over partition: median ${sorted[Math.floor(sorted.length / 2)] ?? '-'} ms, ` +
        `max ${sorted[sorted.length - 1] ?? '-'} ms`,
    )
    console.log(`  longest wait of an owned partition: ${wait.ms} ms (${wait.member}, partition ${wait.partition})`)
    console.log(
      `  duplicates: ${duplicates} records handed out twice; ${victimAgain} of the killed member's records handed out again`,
    )
    const windows = betweenCommits(members)
    console.log(
      `  records handed out between two commits of a member: median ${windows[Math.floor(windows.length / 2)] ?? '-'}, ` +
        `max ${windows[windows.length - 1] ?? '-'} (${windows.length} commits)`,
    )
    console.log(`  all records handed out ${((doneAt - producedAt) / 1000).toFixed(1)} s after the writes ended`)
  } finally {
    clearTimeout(deadline)
    for (const m of members) m.kill()
    await broker.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
