// A whole-cluster restart that the clients ride out on their own: every node is SIGKILLed at once,
// left down, and restarted together, while a busy producer and a busy consumer work, and an idle
// producer, an idle consumer and an admin client sit connected. Nothing is re-created afterwards:
// the busy producer's sends complete, the idle producer sends, the idle consumer receives that
// record, the busy consumer reads everything, the admin client answers.

import { sleep, waitFor } from '../../test/helpers/wait.js'
import { createReplicatedTopic } from '../helpers/own-cluster.js'
import { type ChaosContext, KeyedLoad, kafkaOf, type ScenarioResult, storedRecords, tally } from './harness.js'

export interface ClusterRestartSize {
  rate: number
  partitions: number
  /** How long every node stays down (ms). */
  downMs: number
}

export const CLUSTER_RESTART: Record<'ci' | 'full', ClusterRestartSize> = {
  ci: { rate: 500, partitions: 3, downMs: 3000 },
  full: { rate: 2000, partitions: 6, downMs: 20_000 },
}

export async function clusterRestart(ctx: ChaosContext, sizeName: 'ci' | 'full'): Promise<ScenarioResult> {
  const size = CLUSTER_RESTART[sizeName]
  const { cluster, client } = ctx
  const busyTopic = ctx.name(`restart-busy-${client}`)
  const idleTopic = ctx.name(`restart-idle-${client}`)
  await createReplicatedTopic(ctx.admin, busyTopic, size.partitions)
  await createReplicatedTopic(ctx.admin, idleTopic, 1)
  const kafka = kafkaOf(client, cluster.brokers, `chaos-restart-${client}`)
  const busyProducer = kafka.producer({ idempotent: true })
  const idleProducer = kafka.producer({ idempotent: true })
  const busyConsumer = kafka.consumer({ groupId: ctx.name(`restart-busy-${client}`), heartbeatInterval: 1000 })
  const idleConsumer = kafka.consumer({ groupId: ctx.name(`restart-idle-${client}`), heartbeatInterval: 1000 })
  const admin = kafka.admin()
  const consumed = new Set<string>()
  let consumedTwice = 0
  const idleReceived: string[] = []
  let crashes = 0
  for (const c of [busyConsumer, idleConsumer]) c.on(c.events.CRASH, () => void crashes++)
  await Promise.all([busyProducer.connect(), idleProducer.connect(), admin.connect()])
  await busyConsumer.subscribe({ topics: [busyTopic], fromBeginning: true })
  await idleConsumer.subscribe({ topics: [idleTopic], fromBeginning: true })
  await busyConsumer.run({
    eachMessage: async ({ partition, message }) => {
      const id = `${partition}:${message.offset}`
      if (consumed.has(id)) consumedTwice++
      consumed.add(id)
    },
  })
  await idleConsumer.run({
    eachMessage: async ({ message }) => void idleReceived.push(message.value?.toString() ?? ''),
  })
  const load = new KeyedLoad(busyProducer, busyTopic, { keys: 300, perSend: 20, window: 5, rate: size.rate })
  const times: Record<string, number> = {}
  let unsettled = 0
  let idleSendError = 'none'
  let adminError = 'none'
  try {
    load.start()
    await waitFor(() => consumed.size > 0, 'the busy consumer consuming', 120_000, 100)
    await sleep(2000)
    const ids = cluster.nodes.map((n) => n.id)
    await Promise.all(ids.map((id) => cluster.killNode(id)))
    await sleep(size.downMs)
    const restarting = Date.now()
    await Promise.all(ids.map((id) => cluster.restartNode(id)))
    const up = Date.now()
    times['cluster restart'] = up - restarting
    // each idle client's first act after the restart, on the connections it had; a client that
    // never recovers is a result (reported), not a reason to stop the scenario
    const since = (what: string) => (): void => {
      times[what] = Date.now() - up
    }
    const failure =
      (set: (text: string) => void) =>
      (e: Error): void =>
        set(`${e.name}: ${e.message}`)
    const ackedBefore = load.acked
    await Promise.all([
      waitFor(() => load.acked > ackedBefore, 'a busy send acknowledged', 180_000, 50).then(
        since('busy producer acks again'),
        () => undefined,
      ),
      idleProducer.send({ topic: idleTopic, messages: [{ value: 'after the restart' }] }).then(
        since('idle producer send'),
        failure((text) => {
          idleSendError = text
        }),
      ),
      admin.fetchTopicOffsets(busyTopic).then(
        since('admin call'),
        failure((text) => {
          adminError = text
        }),
      ),
    ])
    await waitFor(() => idleReceived.length > 0 || idleSendError !== 'none', 'the idle consumer receiving', 180_000, 50)
      .then(() => {
        if (idleReceived.length > 0) since('idle consumer receives')()
      })
      .catch(() => undefined)
    await sleep(3000)
    unsettled = await load.stop()
    const inLog = (await ctx.admin.fetchTopicOffsets(busyTopic)).reduce((n, o) => n + Number(o.high), 0)
    await waitFor(() => consumed.size >= inLog, `the busy consumer reading all ${inLog} records`, 180_000, 100)
      .then(since('busy consumer caught up'))
      .catch(() => undefined)
  } finally {
    for (const close of [
      () => busyConsumer.disconnect(),
      () => idleConsumer.disconnect(),
      () => busyProducer.disconnect(),
      () => idleProducer.disconnect(),
      () => admin.disconnect(),
    ]) {
      await Promise.race([close().catch(() => undefined), sleep(30_000)])
    }
  }
  const stored = await storedRecords(cluster, busyTopic, size.partitions)
  const produced = tally(
    load,
    stored.map((r) => r.value ?? ''),
  )
  const neverConsumed = stored.filter((r) => !consumed.has(`${r.partition}:${r.offset}`)).length
  return {
    scenario: 'whole-cluster restart',
    client,
    size: sizeName,
    injected: `all three nodes SIGKILLed at once, ${size.downMs / 1000} s down, restarted together; busy producer (${size.rate} records/s) and consumer, idle producer, idle consumer and admin client kept`,
    counts: produced,
    times,
    notes: {
      'send errors': load.errorSummary(),
      'never settled': unsettled,
      'busy consumer: never consumed': neverConsumed,
      'busy consumer: consumed twice': consumedTwice,
      'idle consumer received': idleReceived.length,
      'idle send error': idleSendError,
      'admin error': adminError,
      'consumer crashes': crashes,
    },
  }
}
