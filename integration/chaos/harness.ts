// What every chaos scenario shares: the client under test (kafkit, or KafkaJS 2.2.4 run through the
// same scenario, its API being the same), a keyed load whose every record is accounted for (sent,
// acknowledged, failed), the tally of what the log holds afterwards (found, duplicated, lost,
// reordered), memory samples, and bringing the cluster back whole between scenarios.
//
// Checks are on outcomes; times are measured and reported, never asserted.

import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type * as kafkit from '../../src/index.js'
import type { Admin, Kafka, Producer } from '../../src/index.js'
import type { KafkaTestCluster } from '../../src/testing/index.js'
import { sleep, waitFor } from '../../test/helpers/wait.js'
import { readerCluster, readPartition, type StoredRecord } from '../producer-helpers.js'

export type ClientName = 'kafkit' | 'kafkajs'

/** The package a scenario drives: kafkit's sources, or KafkaJS 2.2.4 (same API). */
export function clientModule(client: ClientName): typeof kafkit {
  return (client === 'kafkajs' ? require('kafkajs') : require('../../src/index.js')) as typeof kafkit
}

/** A Kafka client of `client` on the cluster, logging nothing (scenarios count outcomes, not log lines). */
export function kafkaOf(client: ClientName, brokers: string[], clientId: string): Kafka {
  const { Kafka, logLevel } = clientModule(client)
  return new Kafka({ brokers, clientId, logLevel: logLevel.NOTHING })
}

export interface Counts {
  /** Records the application handed to send(). */
  sent: number
  /** Records whose send() resolved. */
  acked: number
  /** Records whose send() rejected. */
  failed: number
  /** Distinct sent records in the log afterwards. */
  found: number
  /** Copies beyond the first of records in the log. */
  duplicated: number
  /** Acknowledged records missing from the log. */
  lost: number
  /** Records found after a later record of the same key (in send order). */
  reordered: number
}

export interface ScenarioResult {
  scenario: string
  client: ClientName
  /** 'ci' (scaled down) or 'full'. */
  size: string
  /** What was done to the cluster or the processes. */
  injected: string
  counts: Counts
  /** Measured durations in ms (recovery, takeover, stalls). */
  times: Record<string, number>
  /** Other figures (memory in MB, error names and counts). */
  notes: Record<string, number | string>
}

export interface ChaosContext {
  cluster: KafkaTestCluster
  client: ClientName
  /** A kafkit admin client on the cluster, for setting up and checking (never the client under test). */
  admin: Admin
  /** A topic or group name unique to this run. */
  name(what: string): string
}

export interface KeyedLoadOptions {
  /** Distinct keys; each key's records carry a sequence number in send order. */
  keys: number
  /** Records per send() call. */
  perSend: number
  /** send() calls outstanding at once. */
  window: number
  /** Records per second the application offers. */
  rate: number
  /** Bytes of padding per value (default none). */
  valueBytes?: number
}

/**
 * An application producing keyed records at a steady rate with a window of concurrent sends: every
 * record is counted as acknowledged or failed by the outcome of its send(). Values are
 * "<key>:<sequence>", so the log can be checked for loss, duplicates and per-key order. Its memory
 * does not grow with the records sent (the soak samples memory): the acknowledged records are those
 * sent but not failed nor left unsettled, and only those are remembered.
 */
export class KeyedLoad {
  sent = 0
  failed = 0
  acked = 0
  /** Values of records whose send() rejected, or had not settled when the load stopped. */
  readonly #notAcked = new Set<string>()
  /** Error names of rejected sends, with their counts. */
  readonly errors = new Map<string, number>()
  /** The longest time between two acknowledgements while the load ran (ms). */
  longestAckGap = 0
  readonly #producer: Producer
  readonly #topic: string
  readonly #options: KeyedLoadOptions
  readonly #next: number[]
  /** Each unsettled send() and its records' values. */
  readonly #pending = new Map<Promise<void>, string[]>()
  readonly #padding: string
  #running = false
  #loop: Promise<void> | undefined
  #lastAckAt = 0
  #startedAt = 0

  constructor(producer: Producer, topic: string, options: KeyedLoadOptions) {
    this.#producer = producer
    this.#topic = topic
    this.#options = options
    this.#next = new Array<number>(options.keys).fill(0)
    this.#padding = options.valueBytes ? `:${'x'.repeat(options.valueBytes)}` : ''
  }

  start(): void {
    this.#running = true
    this.#startedAt = Date.now()
    this.#lastAckAt = this.#startedAt
    this.#loop = this.#run()
  }

  /**
   * Stops offering records and waits until every send() has settled, for at most `timeoutMs`;
   * resolves with how many records' sends never settled (a client that hangs is a result too).
   */
  async stop(timeoutMs = 300_000): Promise<number> {
    this.#running = false
    await this.#loop
    const deadline = Date.now() + timeoutMs
    while (this.#pending.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.all([...this.#pending.keys()]), sleep(1000)])
    }
    let unsettled = 0
    for (const values of this.#pending.values()) {
      for (const value of values) this.#notAcked.add(value)
      unsettled += values.length
    }
    return unsettled
  }

  /** Every acknowledged record's value ("k<key>:<sequence>"), once the load has stopped. */
  *ackedValues(): Generator<string> {
    for (let k = 0; k < this.#next.length; k++) {
      for (let sequence = 0; sequence < this.#next[k]!; sequence++) {
        const value = `k${k}:${sequence}`
        if (!this.#notAcked.has(value)) yield value
      }
    }
  }

  get seconds(): number {
    return (Date.now() - this.#startedAt) / 1000
  }

  async #run(): Promise<void> {
    while (this.#running) await this.#sendOne()
  }

  async #sendOne(): Promise<void> {
    const { keys, perSend, window, rate } = this.#options
    while (this.#pending.size >= window) await Promise.race([...this.#pending.keys()])
    const dueAt = this.#startedAt + (this.sent / rate) * 1000
    const wait = dueAt - Date.now()
    if (wait > 0) await sleep(wait)
    if (!this.#running) return
    const count = perSend
    const messages = Array.from({ length: count }, (_, i) => {
      const k = (this.sent + i) % keys
      const value = `k${k}:${this.#next[k]!++}${this.#padding}`
      return { key: `k${k}`, value }
    })
    this.sent += count
    const sending = this.#producer.send({ topic: this.#topic, messages }).then(
      () => {
        const now = Date.now()
        if (this.#running) this.longestAckGap = Math.max(this.longestAckGap, now - this.#lastAckAt)
        this.#lastAckAt = now
        this.acked += count
      },
      (error: unknown) => {
        this.failed += count
        for (const m of messages) this.#notAcked.add(stripPadding(m.value))
        // a protocol error by its type (KafkaJS's OUT_OF_ORDER_SEQUENCE_NUMBER and the like)
        const type = (error as { type?: unknown }).type
        const name =
          error instanceof Error ? (typeof type === 'string' ? `${error.name} ${type}` : error.name) : String(error)
        this.errors.set(name, (this.errors.get(name) ?? 0) + count)
      },
    )
    this.#pending.set(
      sending,
      messages.map((m) => stripPadding(m.value)),
    )
    void sending.finally(() => this.#pending.delete(sending))
  }

  errorSummary(): string {
    return [...this.errors].map(([name, n]) => `${name} ×${n}`).join(', ') || 'none'
  }
}

function stripPadding(value: string): string {
  const second = value.indexOf(':', value.indexOf(':') + 1)
  return second < 0 ? value : value.slice(0, second)
}

/** Every record of `topic` as the log holds it (read uncommitted, by an independent reader). */
export async function storedRecords(
  cluster: KafkaTestCluster,
  topic: string,
  partitions: number,
): Promise<StoredRecord[]> {
  const all: StoredRecord[] = []
  await forEachStoredPartition(cluster, topic, partitions, (records) => {
    for (const r of records) all.push(r)
  })
  return all
}

/** Reads the log one partition at a time (so a long run's log need not be held at once). */
export async function forEachStoredPartition(
  cluster: KafkaTestCluster,
  topic: string,
  partitions: number,
  each: (records: StoredRecord[]) => void,
): Promise<void> {
  const reader = await readerCluster(cluster.brokers, 'kafkit-chaos-reader')
  try {
    for (let p = 0; p < partitions; p++) each(await readPartition(reader, topic, p))
  } finally {
    await reader.disconnect()
  }
}

/**
 * What the log holds of a keyed load, fed value by value in offset order per partition, in memory
 * that does not grow with the records: per key, the sequences found as a prefix (0..next-1) plus
 * those found beyond a gap, and the highest found.
 */
export class LogTally {
  found = 0
  duplicated = 0
  reordered = 0
  readonly #keys = new Map<string, { next: number; ahead: Set<number>; highest: number }>()

  add(raw: string): void {
    const value = stripPadding(raw)
    const colon = value.indexOf(':')
    const key = value.slice(0, colon)
    const sequence = Number(value.slice(colon + 1))
    let k = this.#keys.get(key)
    if (k === undefined) {
      k = { next: 0, ahead: new Set(), highest: -1 }
      this.#keys.set(key, k)
    }
    if (sequence < k.next || k.ahead.has(sequence)) {
      this.duplicated++
      return
    }
    this.found++
    if (sequence < k.highest) this.reordered++
    else k.highest = sequence
    if (sequence === k.next) {
      k.next++
      while (k.ahead.delete(k.next)) k.next++
    } else k.ahead.add(sequence)
  }

  has(value: string): boolean {
    const colon = value.indexOf(':')
    const k = this.#keys.get(value.slice(0, colon))
    const sequence = Number(value.slice(colon + 1))
    return k !== undefined && (sequence < k.next || k.ahead.has(sequence))
  }

  /** The counts against a stopped load. */
  counts(load: KeyedLoad): Counts {
    let lost = 0
    let acked = 0
    for (const value of load.ackedValues()) {
      acked++
      if (!this.has(value)) lost++
    }
    const { found, duplicated, reordered } = this
    return { sent: load.sent, acked, failed: load.failed, found, duplicated, lost, reordered }
  }
}

/** The counts of a stopped keyed load against the values the log holds ("k<key>:<sequence>", in offset order per partition). */
export function tally(load: KeyedLoad, values: string[]): Counts {
  const log = new LogTally()
  for (const value of values) log.add(value)
  return log.counts(load)
}

/**
 * The first `limit` records found after a later record of the same key, each with the record it
 * follows: partition@offset, value, and the batch's producer id, epoch and sequence (to tell a
 * client's reordering from anything else when a run finds some).
 */
export function reorderExamples(records: StoredRecord[], limit = 5): string[] {
  const latest = new Map<string, StoredRecord>()
  const out: string[] = []
  const show = (r: StoredRecord): string =>
    `${stripPadding(r.value ?? '')}@${r.partition}:${r.offset} (pid ${r.producerId} epoch ${r.producerEpoch} seq ${r.sequence})`
  for (const r of records) {
    const value = stripPadding(r.value ?? '')
    const colon = value.indexOf(':')
    const key = value.slice(0, colon)
    const before = latest.get(key)
    const sequenceOf = (x: StoredRecord): number => Number(stripPadding(x.value ?? '').slice(colon + 1))
    if (before !== undefined && sequenceOf(r) < sequenceOf(before)) {
      if (out.length < limit) out.push(`${show(r)} after ${show(before)}`)
    } else latest.set(key, r)
  }
  return out
}

/**
 * Restarts every node that is down, then waits until every partition of every topic has all three
 * replicas in sync, so that the next kill takes one replica of a complete set.
 */
export async function wholeAndInSync(cluster: KafkaTestCluster, admin: Admin): Promise<void> {
  await Promise.all(cluster.nodes.filter((n) => !n.running).map((n) => cluster.restartNode(n.id)))
  await waitFor(
    async () => {
      try {
        const topics = await admin.listTopics()
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics })
        return metadata.every((t) => t.partitions.every((p) => p.isr.length === 3))
      } catch {
        return false
      }
    },
    'every partition in sync on three nodes',
    300_000,
    500,
  )
}

/**
 * A function that runs a full garbage collection, or undefined where V8 refuses to give one: memory
 * sampled right after it is what the process holds, not what it has yet to collect.
 */
function fullGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc')
    return runInNewContext('gc') as () => void
  } catch {
    return undefined
  }
}

/**
 * Peak memory of this process while `sample` runs: call stop() for the figures in MB. Besides the
 * raw peaks (garbage included), every `liveEveryMs` it collects garbage and samples the heap and
 * buffers still held (`liveMB`, -1 where no collection could be run).
 */
export function memorySampler(
  intervalMs = 250,
  liveEveryMs = 2000,
): {
  stop(): { rssMB: number; heapMB: number; liveMB: number; baseRssMB: number; baseHeapMB: number; baseLiveMB: number }
} {
  const gc = fullGc()
  const held = (m: NodeJS.MemoryUsage): number => m.heapUsed + m.external + m.arrayBuffers
  const liveNow = (): number => {
    if (gc === undefined) return -1
    gc()
    return held(process.memoryUsage())
  }
  const baseLive = liveNow()
  const base = process.memoryUsage()
  let rss = base.rss
  let heap = held(base)
  let live = baseLive
  const timer = setInterval(() => {
    const m = process.memoryUsage()
    rss = Math.max(rss, m.rss)
    heap = Math.max(heap, held(m))
  }, intervalMs)
  const liveTimer = setInterval(() => {
    live = Math.max(live, liveNow())
  }, liveEveryMs)
  const mb = (n: number): number => (n < 0 ? -1 : Math.round((n / 1048576) * 10) / 10)
  return {
    stop() {
      clearInterval(timer)
      clearInterval(liveTimer)
      return {
        rssMB: mb(rss),
        heapMB: mb(heap),
        liveMB: mb(live),
        baseRssMB: mb(base.rss),
        baseHeapMB: mb(held(base)),
        baseLiveMB: mb(baseLive),
      }
    },
  }
}

/** A markdown table of results: one row per scenario and client. */
export function resultsTable(results: ScenarioResult[]): string {
  const head =
    '| scenario | client | size | sent | acked | failed | found | duplicated | lost | reordered | times (s) | notes |'
  const rule = '| --- | --- | --- | --: | --: | --: | --: | --: | --: | --: | --- | --- |'
  const s = (ms: number): string => (ms / 1000).toFixed(1)
  const rows = results.map((r) => {
    const c = r.counts
    const times = Object.entries(r.times)
      .map(([k, v]) => `${k} ${s(v)}`)
      .join('; ')
    const notes = Object.entries(r.notes)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')
    return `| ${r.scenario} | ${r.client} | ${r.size} | ${c.sent} | ${c.acked} | ${c.failed} | ${c.found} | ${c.duplicated} | ${c.lost} | ${c.reordered} | ${times} | ${notes} |`
  })
  return [head, rule, ...rows].join('\n')
}
