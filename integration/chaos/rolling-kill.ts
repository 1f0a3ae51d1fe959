// Rolling SIGKILLs of one node at a time under an idempotent producer: keyed records at a steady
// rate while each node in turn is killed, left down, restarted and let catch up. Afterwards the log
// must hold every acknowledged record once, each key's records in send order.

import { sleep } from '../../test/helpers/wait.js'
import { createReplicatedTopic } from '../helpers/own-cluster.js'
import {
  type ChaosContext,
  KeyedLoad,
  kafkaOf,
  type ScenarioResult,
  storedRecords,
  tally,
  wholeAndInSync,
} from './harness.js'

export interface RollingKillSize {
  /** Kills (node 1, 2, 3, 1, ...), each followed by a restart. */
  kills: number
  /** How long a killed node stays down (ms). */
  downMs: number
  /** Records per second offered. */
  rate: number
  keys: number
  partitions: number
}

export const ROLLING_KILL: Record<'ci' | 'full', RollingKillSize> = {
  ci: { kills: 1, downMs: 3000, rate: 1000, keys: 100, partitions: 6 },
  full: { kills: 7, downMs: 5000, rate: 3000, keys: 1000, partitions: 12 },
}

export async function rollingKill(ctx: ChaosContext, sizeName: 'ci' | 'full'): Promise<ScenarioResult> {
  const size = ROLLING_KILL[sizeName]
  const { cluster, client } = ctx
  const topic = ctx.name(`rolling-kill-${client}`)
  await createReplicatedTopic(ctx.admin, topic, size.partitions)
  const producer = kafkaOf(client, cluster.brokers, `chaos-rolling-${client}`).producer({ idempotent: true })
  await producer.connect()
  const load = new KeyedLoad(producer, topic, { keys: size.keys, perSend: 50, window: 10, rate: size.rate })
  const restarts: number[] = []
  load.start()
  let unsettled = 0
  try {
    await sleep(2000)
    for (let i = 0; i < size.kills; i++) {
      const id = (i % 3) + 1
      await cluster.killNode(id)
      await sleep(size.downMs)
      const restarting = Date.now()
      await cluster.restartNode(id)
      restarts.push(Date.now() - restarting)
      await wholeAndInSync(cluster, ctx.admin)
    }
    await sleep(2000)
  } finally {
    unsettled = await load.stop()
    await producer.disconnect().catch(() => undefined)
  }
  const values = (await storedRecords(cluster, topic, size.partitions)).map((r) => r.value ?? '')
  return {
    scenario: 'rolling SIGKILL',
    client,
    size: sizeName,
    injected: `${size.kills} SIGKILLs of one node at a time (${size.downMs / 1000} s down, restart, catch-up) under an idempotent producer at ${size.rate} records/s, ${size.keys} keys, ${size.partitions} partitions, RF 3, min ISR 2`,
    counts: tally(load, values),
    times: {
      'longest ack gap': load.longestAckGap,
      'node restart (mean)': restarts.reduce((a, b) => a + b, 0) / Math.max(1, restarts.length),
    },
    notes: { 'send errors': load.errorSummary(), 'never settled': unsettled, seconds: Math.round(load.seconds) },
  }
}
