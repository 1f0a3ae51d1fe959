// A full outage: every node down for a minute while an application keeps calling send() without
// waiting for earlier sends (as a request handler does). The producer holds at most
// maxBufferedBytes of records; sends that find no room wait, and fail with
// KafkaJSBufferExhaustedError at maxBlockMs. When the cluster is back, what was buffered is
// delivered (within deliveryTimeout) or fails with a delivery timeout. Every send settles, every
// acknowledged record is in the log once, and the process's memory is sampled against the buffer.

import { sleep } from '../../test/helpers/wait.js'
import { createReplicatedTopic } from '../helpers/own-cluster.js'
import {
  type ChaosContext,
  KeyedLoad,
  kafkaOf,
  memorySampler,
  reorderExamples,
  type ScenarioResult,
  storedRecords,
  tally,
} from './harness.js'

export interface OutageSize {
  /** How long every node stays down (ms). */
  downMs: number
  /** Records per second offered (1 KiB values). */
  rate: number
  maxBufferedBytes: number
  maxBlockMs: number
}

export const OUTAGE: Record<'ci' | 'full', OutageSize> = {
  ci: { downMs: 5000, rate: 1000, maxBufferedBytes: 2 * 1048576, maxBlockMs: 2000 },
  full: { downMs: 60_000, rate: 4000, maxBufferedBytes: 8 * 1048576, maxBlockMs: 10_000 },
}

const VALUE_BYTES = 1024

export async function outage(ctx: ChaosContext, sizeName: 'ci' | 'full'): Promise<ScenarioResult> {
  const size = OUTAGE[sizeName]
  const { cluster, client } = ctx
  const topic = ctx.name(`outage-${client}`)
  const partitions = 6
  await createReplicatedTopic(ctx.admin, topic, partitions)
  const producer = kafkaOf(client, cluster.brokers, `chaos-outage-${client}`).producer({
    idempotent: true,
    // kafkit's (Java's) settings; KafkaJS has no buffer bound and ignores them
    maxBufferedBytes: size.maxBufferedBytes,
    maxBlockMs: size.maxBlockMs,
  })
  await producer.connect()
  // many sends outstanding at once: the application does not wait for one before the next
  const load = new KeyedLoad(producer, topic, {
    keys: 300,
    perSend: 10,
    window: 100_000,
    rate: size.rate,
    valueBytes: VALUE_BYTES,
  })
  const times: Record<string, number> = {}
  let unsettled = 0
  const ids = cluster.nodes.map((n) => n.id)
  load.start()
  await sleep(3000)
  const memory = memorySampler()
  const ackedBefore = load.acked
  const failedBefore = load.failed
  try {
    await Promise.all(ids.map((id) => cluster.killNode(id)))
    const downAt = Date.now()
    await sleep(size.downMs)
    const restarting = Date.now()
    await Promise.all(ids.map((id) => cluster.restartNode(id)))
    const up = Date.now()
    times['outage (kill to serving)'] = up - downAt
    times['cluster restart'] = up - restarting
    const failedDuringOutage = load.failed - failedBefore
    const ackedDuringOutage = load.acked - ackedBefore
    await sleep(5000)
    unsettled = await load.stop()
    times['until every send settled'] = Date.now() - up
    const peak = memory.stop()
    const offered = (size.downMs / 1000) * size.rate * VALUE_BYTES
    const stored = await storedRecords(cluster, topic, partitions)
    const values = stored.map((r) => r.value ?? '')
    return {
      scenario: `full outage (${size.downMs / 1000} s)`,
      client,
      size: sizeName,
      injected: `all three nodes SIGKILLed for ${size.downMs / 1000} s while the application offers ${size.rate} records/s of ${VALUE_BYTES} B without waiting (${Math.round(offered / 1048576)} MB offered during the outage); maxBufferedBytes ${size.maxBufferedBytes / 1048576} MB, maxBlockMs ${size.maxBlockMs / 1000} s`,
      counts: tally(load, values),
      times,
      notes: {
        'send errors': load.errorSummary(),
        'failed during the outage': failedDuringOutage,
        'acked during the outage': ackedDuringOutage,
        'never settled': unsettled,
        'peak RSS MB (before)': `${peak.rssMB} (${peak.baseRssMB})`,
        'peak heap+external MB (before)': `${peak.heapMB} (${peak.baseHeapMB})`,
        'peak held after a full GC MB (before)': `${peak.liveMB} (${peak.baseLiveMB})`,
        'reordered, first': reorderExamples(stored).join(' | ') || 'none',
      },
    }
  } finally {
    memory.stop()
    if (unsettled === 0) await load.stop(1000)
    await Promise.race([producer.disconnect().catch(() => undefined), sleep(30_000)])
  }
}
