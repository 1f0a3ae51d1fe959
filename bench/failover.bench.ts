// npm run bench -- failover [--runs N] [--scenario kill|move|both] [--before <repo root>]
//
// Leader failover as a producer sees it, on a three-node cluster started here (kafkit/testing): an
// idempotent acks=all producer writes one record at a time to a partition replicated on all three
// nodes (min.insync.replicas 2), and the partition's leader changes under it:
// - kill: the leader's JVM is SIGKILLed (restarted after the run, and back in the ISR before the next);
// - move: the leader stays up and leadership moves to another replica (a reassignment puts it first
//   beforehand, then a preferred election): the old leader answers NOT_LEADER_OR_FOLLOWER, naming
//   the new one from Kafka 3.7 (KIP-951).
// Measured: the time from the kill (or the election request) to the first acknowledged write on the
// new leader (a send resolving after a Produce request to a node other than the old leader), and the
// client's own part of it: from the first attempt that failed after the change (a refusal, a lost
// connection) to the first request to the new leader. Every run moves the leadership from the same
// node to the same node for each client (they go round the nodes from run to run); each
// run alternates the clients: this tree's kafkit ('after') and, with --before, the kafkit of another
// checkout ('before', e.g. a worktree at an older commit), loaded from its src/ on the same cluster.
// Prints every run and the medians. Times depend on the broker's failure detection
// (broker.session.timeout.ms, Kafka's default 9 s, for a kill) as much as on the client.

import { join, resolve } from 'node:path'
import type * as KafkitModule from '../src/index.js'
import { startKafka } from '../src/testing/index.js'

type Kafkit = typeof KafkitModule

interface Options {
  runs: number
  scenarios: ('kill' | 'move')[]
  clients: { name: string; kafkit: Kafkit }[]
}

const TOPIC = 'failover-bench'
/** Pause between two sends: a steady writer, not a saturating one (the machine is shared). */
const SEND_INTERVAL_MS = 5
/** BENCH_TRACE=1: print each run's requests and producer log entries from the change on. */
const TRACE = process.env.BENCH_TRACE === '1'

async function parseArgs(argv: string[]): Promise<Options> {
  let runs = 5
  let scenario = 'both'
  let before: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = argv[i + 1]
    if (arg === '--runs' && value !== undefined) runs = Number(value)
    else if (arg === '--scenario' && value !== undefined) scenario = value
    else if (arg === '--before' && value !== undefined) before = value
    else continue
    i++
  }
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer')
  if (!['kill', 'move', 'both'].includes(scenario)) throw new Error('--scenario takes kill, move or both')
  const clients: Options['clients'] = []
  // TypeScript sources loaded through bench/register-swc.cjs, as the bench itself is
  if (before !== undefined) clients.push({ name: 'before', kafkit: require(join(resolve(before), 'src/index.ts')) })
  clients.push({ name: 'after', kafkit: await import('../src/index.js') })
  const scenarios: Options['scenarios'] = scenario === 'both' ? ['kill', 'move'] : [scenario as 'kill' | 'move']
  return { runs, scenarios, clients }
}

interface Leadership {
  leader: number
  replicas: number[]
  isr: number[]
}

async function leadership(kafkit: Kafkit, brokers: string[]): Promise<Leadership> {
  const admin = new kafkit.Kafka({ brokers, logLevel: kafkit.logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC] })
    const p = topics[0]!.partitions.find((x) => x.partitionId === 0)!
    return { leader: p.leader, replicas: p.replicas, isr: p.isr }
  } finally {
    await admin.disconnect()
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

interface RunResult {
  /** From the change to the first write acknowledged by another node than the old leader. */
  total: number
  /** From the first failed attempt after the change to the first request to the new leader (the client's own part). */
  reaction: number
  sent: number
  failed: number
}

/**
 * Runs a steady writer with `client`, lets `change` move the leadership away from `oldLeader`, and
 * times the switch (wall clock, as the request events carry it).
 */
async function measure(
  kafkit: Kafkit,
  brokers: string[],
  addressOf: Map<number, string>,
  oldLeader: number,
  change: () => Promise<void>,
): Promise<RunResult> {
  let changedAt = Number.POSITIVE_INFINITY
  const trace: string[] = []
  const since = (at = Date.now()): string => `${at - changedAt}`.padStart(6)
  let firstFailure: number | undefined
  const kafka = new kafkit.Kafka({
    brokers,
    clientId: 'failover-bench',
    logLevel: kafkit.logLevel.ERROR,
    logCreator: () => (entry) => {
      const now = Date.now()
      if (now < changedAt) return
      if (firstFailure === undefined && entry.log.message.startsWith('Failed to send messages')) firstFailure = now
      trace.push(`${since(now)} log ${entry.log.message}`)
    },
  })
  const producer = kafka.producer({ idempotent: true })
  await producer.connect()
  let newLeaderSentAt: number | undefined
  const oldAddress = addressOf.get(oldLeader)
  producer.on(producer.events.REQUEST, (event) => {
    const { apiName, broker, sentAt, duration } = event.payload as {
      apiName: string
      broker: string
      sentAt: number
      duration: number
    }
    if (Date.now() < changedAt) return
    if (apiName === 'Produce' && broker !== oldAddress && sentAt >= changedAt) newLeaderSentAt ??= sentAt
    trace.push(`${since(sentAt)} ${apiName} to ${broker}, answered ${duration} ms later`)
  })
  let firstAck: number | undefined
  let sent = 0
  let failed = 0
  let stop = false
  const writer = (async () => {
    while (!stop) {
      try {
        await producer.send({ topic: TOPIC, acks: -1, messages: [{ partition: 0, value: `v${sent}` }] })
        if (firstAck === undefined && newLeaderSentAt !== undefined) {
          firstAck = Date.now()
          trace.push(`${since(firstAck)} acknowledged`)
        }
      } catch {
        failed++
      }
      sent++
      await new Promise((r) => setTimeout(r, SEND_INTERVAL_MS))
    }
  })()
  try {
    // a steady state first: the producer writes to the old leader
    await new Promise((r) => setTimeout(r, 1000))
    changedAt = Date.now()
    await change()
    await waitFor('the first write on the new leader', async () => firstAck !== undefined, 120_000)
  } finally {
    stop = true
    await writer
    await producer.disconnect()
  }
  if (TRACE)
    console.log(
      trace
        .sort()
        .map((line) => `    ${line}`)
        .join('\n'),
    )
  const total = (firstAck ?? Number.NaN) - changedAt
  const reaction = (newLeaderSentAt ?? Number.NaN) - (firstFailure ?? Number.NaN)
  return { total, reaction, sent, failed }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

async function main(): Promise<void> {
  const options = await parseArgs(process.argv.slice(2))
  const cluster = await startKafka({ nodes: 3 })
  const { brokers } = cluster
  const current = options.clients[options.clients.length - 1]!.kafkit
  try {
    const admin = new current.Kafka({ brokers, logLevel: current.logLevel.NOTHING }).admin()
    await admin.connect()
    const { brokers: nodes } = await admin.describeCluster()
    const addressOf = new Map(nodes.map((n) => [n.nodeId, `${n.host}:${n.port}`]))
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: TOPIC,
          numPartitions: 1,
          replicationFactor: 3,
          configEntries: [{ name: 'min.insync.replicas', value: '2' }],
        },
      ],
    })
    await admin.disconnect()
    console.log(`Kafka ${cluster.version}, 3 nodes; ${options.runs} run(s) per client and scenario`)
    const results = new Map<string, { total: number[]; reaction: number[] }>()
    /** Makes `node` the partition's leader (unmeasured): first in the replica list, then preferred. */
    const moveLeaderTo = async (node: number): Promise<void> => {
      const now = await leadership(current, brokers)
      const replicas = [node, ...now.replicas.filter((r) => r !== node)]
      const admin = new current.Kafka({ brokers, logLevel: current.logLevel.NOTHING }).admin()
      await admin.connect()
      try {
        await admin.alterPartitionReassignments({
          topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 0, replicas }] }],
        })
        await waitFor('the reordered replicas', async () => (await leadership(current, brokers)).replicas[0] === node)
        if (now.leader === node) return
        await admin.electLeaders({
          electionType: current.ElectionTypes.PREFERRED,
          topicPartitions: [{ topic: TOPIC, partitions: [0] }],
        })
      } finally {
        await admin.disconnect()
      }
    }
    for (const scenario of options.scenarios) {
      for (let run = 0; run < options.runs; run++) {
        // every client faces the same move in a run (nodes differ: which one is the active
        // controller, which replica lags), and the runs go round the nodes
        const from = (run % 3) + 1
        const to = ((run + 1) % 3) + 1
        for (const client of options.clients) {
          await waitFor('all three replicas in sync', async () => (await leadership(current, brokers)).isr.length === 3)
          await moveLeaderTo(from)
          await waitFor(`node ${from} leading, all in sync`, async () => {
            const now = await leadership(current, brokers)
            return now.leader === from && now.isr.length === 3
          })
          // move: the target is made the preferred replica first (the same replicas reordered: no data
          // moves, the leader stays); the measured change is the preferred election alone
          const admin = new current.Kafka({ brokers, logLevel: current.logLevel.NOTHING }).admin()
          await admin.connect()
          if (scenario === 'move') {
            const replicas = [to, from, ...[1, 2, 3].filter((r) => r !== to && r !== from)]
            await admin.alterPartitionReassignments({
              topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 0, replicas }] }],
            })
            await waitFor('the reordered replicas', async () => (await leadership(current, brokers)).replicas[0] === to)
          }
          const change =
            scenario === 'kill'
              ? () => cluster.killNode(from)
              : async () => {
                  await admin.electLeaders({
                    electionType: current.ElectionTypes.PREFERRED,
                    topicPartitions: [{ topic: TOPIC, partitions: [0] }],
                  })
                }
          const result = await measure(client.kafkit, brokers, addressOf, from, change).finally(() =>
            admin.disconnect(),
          )
          if (scenario === 'kill') await cluster.restartNode(from)
          const key = `${scenario} ${client.name}`
          const entry = results.get(key) ?? { total: [], reaction: [] }
          entry.total.push(result.total)
          entry.reaction.push(result.reaction)
          results.set(key, entry)
          console.log(
            `${key} run ${run + 1} (leader ${from}): ${result.total.toFixed(0)} ms to the first write on the new ` +
              `leader; ${result.reaction.toFixed(0)} ms from the first failed attempt to the first request to it ` +
              `(${result.sent} sends, ${result.failed} failed)`,
          )
        }
      }
    }
    const list = (values: number[]): string => values.map((v) => v.toFixed(0)).join(', ')
    console.log('\nmedians (ms):')
    for (const [key, { total, reaction }] of results) {
      console.log(
        `  ${key}: ${median(total).toFixed(0)} to the first write on the new leader (runs: ${list(total)}); ` +
          `${median(reaction).toFixed(0)} from the first failed attempt to the first request to it (runs: ${list(reaction)})`,
      )
    }
  } finally {
    await cluster.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
