// A group member process SIGKILLed mid-stream (classic protocol, and KIP-848): two member processes
// share a topic that a producer keeps writing; one is killed, and the survivor must take its
// partitions over once the coordinator gives up on it (the session timeout). Every record in the
// log is consumed by someone; what the dead member consumed without committing comes again
// (at-least-once: counted as duplicated, not a failure). The takeover time is measured from the kill
// to the survivor's first message of a partition it did not have.

import { sleep, waitFor } from '../../test/helpers/wait.js'
import { MemberProcess } from '../helpers/member-process.js'
import { createReplicatedTopic } from '../helpers/own-cluster.js'
import { type ChaosContext, KeyedLoad, kafkaOf, type ScenarioResult, storedRecords, tally } from './harness.js'

export interface MemberKillSize {
  rate: number
  partitions: number
  /** How long the load goes on after every partition is served again (ms). */
  afterMs: number
}

export const MEMBER_KILL: Record<'ci' | 'full', MemberKillSize> = {
  ci: { rate: 500, partitions: 6, afterMs: 1000 },
  full: { rate: 3000, partitions: 12, afterMs: 10_000 },
}

/** The group session timeout of both protocols in these scenarios (the chaos cluster sets KIP-848's to match). */
export const SESSION_TIMEOUT_MS = 10_000

export async function memberKill(
  ctx: ChaosContext,
  sizeName: 'ci' | 'full',
  groupProtocol: 'classic' | 'consumer',
): Promise<ScenarioResult> {
  const size = MEMBER_KILL[sizeName]
  const { cluster, client } = ctx
  const topic = ctx.name(`member-kill-${client}-${groupProtocol}`)
  await createReplicatedTopic(ctx.admin, topic, size.partitions)
  // the producer is kafkit's in every run: the client under test is the consumer
  const producer = kafkaOf('kafkit', cluster.brokers, 'chaos-member-kill-producer').producer()
  await producer.connect()
  const load = new KeyedLoad(producer, topic, { keys: 500, perSend: 20, window: 5, rate: size.rate })
  const member = (name: string): MemberProcess =>
    new MemberProcess(name, {
      brokers: cluster.brokers,
      groupId: ctx.name(`member-kill-${client}-${groupProtocol}`),
      topic,
      assigner: client === 'kafkajs' ? 'roundRobin' : 'cooperativeSticky',
      heartbeatInterval: 1000,
      reportEachMessage: true,
      client,
      ...(groupProtocol === 'consumer' ? { groupProtocol } : { sessionTimeout: SESSION_TIMEOUT_MS }),
    })
  const victim = member('victim')
  const survivor = member('survivor')
  const partitionsOf = (items: string[]): number[] => items.map((item) => Number(item.slice(0, item.indexOf(':'))))
  let killedAt = 0
  let firstTakeover = 0
  let allServed = 0
  const before = new Set<number>()
  const after = new Set<number>()
  survivor.onMessages = (items) => {
    const now = Date.now()
    for (const p of partitionsOf(items)) {
      if (killedAt === 0) before.add(p)
      else {
        after.add(p)
        if (!before.has(p) && firstTakeover === 0) firstTakeover = now - killedAt
      }
    }
    if (killedAt !== 0 && allServed === 0 && after.size === size.partitions) allServed = now - killedAt
  }
  let unsettled = 0
  try {
    load.start()
    await waitFor(
      () => victim.received.length > 0 && survivor.received.length > 0,
      'both members consuming',
      120_000,
      100,
    )
    // a steady state: both members have had their partitions for a while
    await sleep(3000)
    before.clear()
    await sleep(1000)
    killedAt = Date.now()
    victim.kill()
    await waitFor(() => allServed !== 0, 'the survivor serving every partition', 180_000, 100)
    await sleep(size.afterMs)
    unsettled = await load.stop()
    const inLog = (await ctx.admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0)
    const consumed = (): number => new Set([...victim.received, ...survivor.received]).size
    await waitFor(() => consumed() >= inLog, `the survivor consuming all ${inLog} records`, 120_000, 100)
    await sleep(500)
  } catch (error) {
    // what the members said is what explains a failure here
    const said = [victim, survivor].map((m) => `${m.name}: ${m.errors.join('; ')} ${m.logs.join('').slice(-2000)}`)
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${said.join('\n')}`)
  } finally {
    victim.kill()
    await survivor.stop().catch(() => survivor.kill())
    await producer.disconnect().catch(() => undefined)
  }
  const stored = await storedRecords(cluster, topic, size.partitions)
  const delivered = [...victim.received, ...survivor.received]
  const distinct = new Set(delivered)
  const neverDelivered = stored.filter((r) => !distinct.has(`${r.partition}:${r.offset}`)).length
  const produced = tally(
    load,
    stored.map((r) => r.value ?? ''),
  )
  return {
    scenario: `group member SIGKILL (${groupProtocol === 'consumer' ? 'KIP-848' : 'classic'})`,
    client,
    size: sizeName,
    injected: `one of two member processes SIGKILLed while a producer writes ${size.rate} records/s to ${size.partitions} partitions; session timeout ${SESSION_TIMEOUT_MS / 1000} s`,
    counts: {
      ...produced,
      // what the group delivered: found = distinct records consumed, duplicated = delivered again,
      // lost = in the log but never delivered
      found: distinct.size,
      duplicated: delivered.length - distinct.size,
      lost: neverDelivered + produced.lost,
    },
    times: { 'first partition taken over': firstTakeover, 'every partition served': allServed },
    notes: {
      'member errors': [...victim.errors, ...survivor.errors].join('; ') || 'none',
      'records in log': stored.length,
      'never settled': unsettled,
    },
  }
}
