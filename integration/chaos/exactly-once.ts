// An exactly-once pipeline through a broker kill and a processor kill: a producer keeps writing
// keyed records to an input topic; a processor process copies each batch to an output topic in a
// transaction that also commits the input offsets. The node leading the transaction log is
// SIGKILLed and restarted, then the processor itself is SIGKILLed and a new one with the same
// transactional id takes over (fencing the dead one and aborting its open transaction). A
// read_committed reader of the output must find every input record exactly once, each key's
// records in order.

import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { sleep, waitFor } from '../../test/helpers/wait.js'
import { spawnTsModule } from '../helpers/member-process.js'
import { createReplicatedTopic } from '../helpers/own-cluster.js'
import type { EosProcessorConfig } from './eos-processor.js'
import { type ChaosContext, KeyedLoad, kafkaOf, type ScenarioResult, tally, wholeAndInSync } from './harness.js'
import { SESSION_TIMEOUT_MS } from './member-kill.js'

export interface ExactlyOnceSize {
  rate: number
  partitions: number
  /** How long the pipeline runs between the injections (ms). */
  phaseMs: number
}

export const EXACTLY_ONCE: Record<'ci' | 'full', ExactlyOnceSize> = {
  ci: { rate: 500, partitions: 3, phaseMs: 2000 },
  full: { rate: 1000, partitions: 6, phaseMs: 15_000 },
}

/** A processor process; `committed` counts the input records it copied in committed transactions. */
class Processor {
  committed = 0
  readonly errors: string[] = []
  readonly logs: string[] = []
  readonly exited: Promise<number | null>
  readonly #child: ChildProcess

  constructor(config: EosProcessorConfig) {
    this.#child = spawnTsModule(
      join(__dirname, 'eos-processor.ts'),
      { KAFKIT_EOS_CONFIG: JSON.stringify(config) },
      (line) => {
        try {
          const event = JSON.parse(line) as { type: string; count?: number; message?: string }
          if (event.type === 'committed') this.committed += event.count ?? 0
          if (event.type === 'error') this.errors.push(event.message ?? '')
        } catch {
          // not an event line
        }
      },
      (chunk) => this.logs.push(chunk),
    )
    this.exited = new Promise((resolve) => this.#child.on('exit', (code) => resolve(code)))
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  kill(): void {
    if (this.running) this.#child.kill('SIGKILL')
  }
}

export async function exactlyOnce(ctx: ChaosContext, sizeName: 'ci' | 'full'): Promise<ScenarioResult> {
  const size = EXACTLY_ONCE[sizeName]
  const { cluster, client, admin } = ctx
  const input = ctx.name(`eos-in-${client}`)
  const output = ctx.name(`eos-out-${client}`)
  await createReplicatedTopic(admin, input, size.partitions)
  await createReplicatedTopic(admin, output, size.partitions)
  const config: EosProcessorConfig = {
    brokers: cluster.brokers,
    client,
    input,
    output,
    groupId: ctx.name(`eos-${client}`),
    transactionalId: ctx.name(`eos-${client}`),
    sessionTimeout: SESSION_TIMEOUT_MS,
  }
  const producer = kafkaOf('kafkit', cluster.brokers, 'chaos-eos-input').producer()
  await producer.connect()
  const load = new KeyedLoad(producer, input, { keys: 300, perSend: 20, window: 5, rate: size.rate })
  const processors: Processor[] = []
  // a supervisor: a processor that exits on its own (a fatal error) is replaced, and counted
  let supervising = true
  let replaced = 0
  const startProcessor = (): Processor => {
    const p = new Processor(config)
    processors.push(p)
    void p.exited.then(() => {
      if (supervising && processors.at(-1) === p && !killedOnPurpose.has(p)) {
        replaced++
        startProcessor()
      }
    })
    return p
  }
  const killedOnPurpose = new Set<Processor>()
  const committed = (): number => processors.reduce((n, p) => n + p.committed, 0)
  const times: Record<string, number> = {}
  const stalls: string[] = []
  let unsettled = 0
  try {
    load.start()
    startProcessor()
    await waitFor(() => committed() > 0, 'the processor committing', 120_000, 100)
    await sleep(size.phaseMs)

    // the node leading the transaction log (one partition: it coordinates every transactional id)
    const [log] = (await admin.fetchTopicMetadata({ topics: ['__transaction_state'] })).topics
    const coordinator = log!.partitions[0]!.leader
    let mark = committed()
    const brokerKilledAt = Date.now()
    await cluster.killNode(coordinator)
    // a pipeline that does not recover is a result (reported), not a reason to stop the scenario
    await waitFor(() => committed() > mark, 'a transaction committed after the coordinator was killed', 180_000, 100)
      .then(() => {
        times['commits resume after broker kill'] = Date.now() - brokerKilledAt
      })
      .catch(() => {
        stalls.push('no commit within 180 s of the broker kill')
      })
    await sleep(size.phaseMs / 2)
    await cluster.restartNode(coordinator)
    await wholeAndInSync(cluster, admin)
    await sleep(size.phaseMs / 2)

    const victim = processors.at(-1)!
    killedOnPurpose.add(victim)
    victim.kill()
    const processorKilledAt = Date.now()
    mark = committed()
    startProcessor()
    await waitFor(() => committed() > mark, 'the new processor committing', 180_000, 100)
      .then(() => {
        times['commits resume after processor kill'] = Date.now() - processorKilledAt
      })
      .catch(() => {
        stalls.push('no commit within 180 s of the processor kill')
      })
    await sleep(size.phaseMs)
    unsettled = await load.stop()
    // done once the group's committed input offsets reach the input's end (the processor may have a
    // backlog to work off: it is slower than the input on a small machine)
    const stopped = Date.now()
    const ends = new Map((await admin.fetchTopicOffsets(input)).map((o) => [o.partition, o.high]))
    await waitFor(
      async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: config.groupId, topics: [input] })
        return offsets!.partitions.every((p) => p.offset === ends.get(p.partition))
      },
      'the input consumed to its end',
      900_000,
      500,
    )
      .then(() => {
        times['backlog worked off after the input stopped'] = Date.now() - stopped
      })
      .catch(() => {
        stalls.push('the input not consumed to its end within 900 s')
      })
  } finally {
    supervising = false
    for (const p of processors) p.kill()
    await producer.disconnect().catch(() => undefined)
  }
  const values = await readCommitted(ctx, output)
  return {
    scenario: 'exactly-once pipeline',
    client,
    size: sizeName,
    injected: `consume-transform-produce at ${size.rate} records/s through a SIGKILL of the transaction coordinator's node and a SIGKILL of the processor (a new one takes over with the same transactional id)`,
    counts: tally(load, values),
    times,
    notes: {
      'processor errors': processors.flatMap((p) => p.errors).join('; ') || 'none',
      'processors replaced after a fatal error': replaced,
      stalls: stalls.join('; ') || 'none',
      'never settled': unsettled,
    },
  }
}

/** The output topic as a read_committed consumer (kafkit's, whichever client ran the pipeline) reads it. */
async function readCommitted(ctx: ChaosContext, topic: string): Promise<string[]> {
  const end = (await ctx.admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0)
  const consumer = kafkaOf('kafkit', ctx.cluster.brokers, 'chaos-eos-reader').consumer({
    groupId: ctx.name('eos-reader'),
    heartbeatInterval: 500,
  })
  const values = new Map<number, string[]>()
  try {
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const list = values.get(partition) ?? []
        if (list.length === 0) values.set(partition, list)
        list.push(message.value?.toString() ?? '')
      },
    })
    // every offset up to the end is data, an aborted record or a marker: the reader is done when it
    // has passed the last committed record; wait until nothing new comes for a while
    let last = -1
    await waitFor(
      async () => {
        const n = [...values.values()].reduce((a, v) => a + v.length, 0)
        const settled = n === last && n > 0
        last = n
        return settled
      },
      `the committed records of ${topic} (end offsets ${end})`,
      180_000,
      3000,
    )
  } finally {
    await consumer.disconnect()
  }
  return [...values.keys()].sort((a, b) => a - b).flatMap((p) => values.get(p)!)
}
