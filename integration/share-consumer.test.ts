// The share consumer (KIP-932) against a real broker, in one process: acknowledgement modes and
// what the broker does with each outcome (accept, release, reject, a throwing handler), delivery
// counts up to the broker's limit, acquisition locks that expire and renewals that keep them,
// concurrency within a partition, the async iterator, a share group beside a consumer group, and a
// cluster without share groups. The groups read from the earliest offset (share-helpers.ts); the
// lock tests set share.record.lock.duration.ms to 2 s, which kafkit/testing's floor of 1 s allows.

import { Kafka } from '../src/client/kafka.js'
import type { ShareMessage } from '../src/index.js'
import { KafkaJSShareAcknowledgementError, KafkaJSShareGroupsNotEnabledError, logLevel } from '../src/index.js'
import { describeSince } from './helpers/brokers.js'
import { sleep, testKafka, waitFor } from './helpers/consumer-helpers.js'
import { describeWithOwnCluster } from './helpers/own-cluster.js'
import { shareTestBed } from './helpers/share-helpers.js'

const bed = shareTestBed('share-consumer-test')
const values = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`)
const text = (message: ShareMessage): string => message.value?.toString() ?? ''
/** The broker's group.share.delivery.count.limit default. */
const DELIVERY_LIMIT = 5
const LOCK_MS = 2000

describeSince('4.2', 'share groups')('share consumer', () => {
  test('implicit mode: every record is processed once, a thrown-on record comes again with delivery count 2, up to concurrency records of one partition at once', async () => {
    const topic = await bed.topic('implicit')
    const groupId = await bed.group('implicit')
    await bed.produce(topic, values('v', 40))
    const seen: string[] = []
    let active = 0
    let maxActive = 0
    let threw = false
    const consumer = bed.consumer({ groupId })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic] })
    await consumer.run({
      concurrency: 4,
      eachMessage: async ({ message }) => {
        active++
        maxActive = Math.max(maxActive, active)
        try {
          // the first four wait for one another: four records of the one partition run at once
          await waitFor(() => maxActive >= 4, 'four handlers at once', 10000, 5)
          if (text(message) === 'v7' && !threw) {
            threw = true
            throw new Error('not this time')
          }
          seen.push(`${text(message)}@${message.deliveryCount}`)
        } finally {
          active--
        }
      },
    })
    await waitFor(() => seen.length === 40, '40 records')
    expect(maxActive).toBe(4)
    expect(new Set(seen).size).toBe(40)
    expect(seen).toContain('v7@2')
    expect(seen.filter((s) => !s.endsWith('@1'))).toEqual(['v7@2'])
  })

  test('a record the handler always throws on is delivered up to the delivery count limit, then archived', async () => {
    const topic = await bed.topic('limit')
    const groupId = await bed.group('limit')
    await bed.produce(topic, ['poison'])
    const deliveries: number[] = []
    const others: string[] = []
    const consumer = bed.consumer({ groupId })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic] })
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (text(message) !== 'poison') {
          others.push(text(message))
          return
        }
        deliveries.push(message.deliveryCount)
        throw new Error('poison')
      },
    })
    await waitFor(() => deliveries.length === DELIVERY_LIMIT, `${DELIVERY_LIMIT} deliveries`)
    // a record after it: once it is processed, the archived one has had every chance to come again
    await bed.produce(topic, ['after'])
    await waitFor(() => others.includes('after'), 'the record after it')
    expect(deliveries).toEqual([1, 2, 3, 4, 5])
  })

  test('explicit mode: accept is final, release comes again with delivery count 2, reject never comes again', async () => {
    const topic = await bed.topic('explicit')
    const groupId = await bed.group('explicit')
    await bed.produce(topic, ['accept', 'release', 'reject'])
    const seen: string[] = []
    const consumer = bed.consumer({ groupId, acknowledgementMode: 'explicit' })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic] })
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(`${text(message)}@${message.deliveryCount}`)
        const wanted = text(message)
        if (wanted === 'release' && message.deliveryCount > 1) await message.ack('accept')
        else if (wanted === 'accept' || wanted === 'after') await message.ack()
        else await message.ack(wanted as 'release' | 'reject')
        // acknowledged once: a second acknowledgement is the application's mistake
        expect(() => message.ack('accept')).toThrow(KafkaJSShareAcknowledgementError)
      },
    })
    await waitFor(() => seen.includes('release@2'), 'the released record again')
    await bed.produce(topic, ['after'])
    await waitFor(() => seen.includes('after@1'), 'the record after them')
    expect(seen.sort()).toEqual(['accept@1', 'after@1', 'reject@1', 'release@1', 'release@2'])
  })

  test('explicit mode: a handler that leaves its record unacknowledged ends the run with a typed error and the record comes again', async () => {
    const topic = await bed.topic('unacked')
    const groupId = await bed.group('unacked')
    await bed.produce(topic, ['forgotten'])
    const first = bed.consumer({ groupId, acknowledgementMode: 'explicit' })
    const crashes: Error[] = []
    first.on(first.events.CRASH, (event) => {
      crashes.push(event.payload.error)
    })
    await first.connect()
    await first.subscribe({ topics: [topic] })
    await first.run({ eachMessage: async () => undefined })
    await waitFor(() => crashes.length === 1, 'the crash')
    expect(crashes[0]).toBeInstanceOf(KafkaJSShareAcknowledgementError)
    expect(crashes[0]).toMatchObject({ topic, partition: 0, offset: '0', retriable: false })

    const again: string[] = []
    const second = bed.consumer({ groupId })
    await second.connect()
    await second.subscribe({ topics: [topic] })
    await second.run({
      eachMessage: async ({ message }) => {
        again.push(`${text(message)}@${message.deliveryCount}`)
      },
    })
    await waitFor(() => again.length === 1, 'the released record')
    expect(again).toEqual(['forgotten@2'])
  })

  test('disconnect lets the handler finish and sends its acknowledgements with the closing request', async () => {
    const topic = await bed.topic('flush')
    const groupId = await bed.group('flush', { 'share.record.lock.duration.ms': String(LOCK_MS) })
    await bed.produce(topic, values('f', 10))
    const first: string[] = []
    let open: (() => void) | undefined
    const gate = new Promise<void>((resolve) => {
      open = resolve
    })
    const consumer = bed.consumer({ groupId })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic] })
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) first.push(text(message))
        await gate
      },
    })
    await waitFor(() => first.length > 0, 'a batch in its handler')
    // the batch is accepted only once the handler resolves, after disconnect began: no fetch follows
    // it, so only the closing ShareAcknowledge can carry the acceptance
    const disconnected = consumer.disconnect()
    open?.()
    await disconnected
    const next: string[] = []
    const second = bed.consumer({ groupId })
    await second.connect()
    await second.subscribe({ topics: [topic] })
    await second.run({
      eachMessage: async ({ message }) => {
        next.push(text(message))
      },
    })
    // past the lock: records left unacknowledged (or released by the close) would have come back by now
    await sleep(LOCK_MS + 500)
    await bed.produce(topic, ['after'])
    await waitFor(() => next.includes('after'), 'the record after them')
    expect(next.filter((v) => first.includes(v))).toEqual([])
    expect(new Set([...first, ...next])).toEqual(new Set([...values('f', 10), 'after']))
  })

  test('implicit mode refuses message.ack() with a typed error', async () => {
    const topic = await bed.topic('implicit-ack')
    const groupId = await bed.group('implicit-ack')
    await bed.produce(topic, ['x'])
    const errors: unknown[] = []
    const consumer = bed.consumer({ groupId })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic] })
    await consumer.run({
      eachMessage: async ({ message }) => {
        try {
          await message.ack('reject')
        } catch (error) {
          errors.push(error)
        }
      },
    })
    await waitFor(() => errors.length === 1, 'the refusal')
    expect(errors[0]).toBeInstanceOf(KafkaJSShareAcknowledgementError)
    expect((errors[0] as Error).message).toMatch(/acknowledgementMode "explicit"/)
  })

  describe('acquisition locks (share.record.lock.duration.ms 2 s)', () => {
    /** A (explicit mode) holds the record "held" until release() while B, in the same group, runs. */
    async function holdWhileAnotherRuns(name: string) {
      const topic = await bed.topic(name)
      const groupId = await bed.group(name, { 'share.record.lock.duration.ms': String(LOCK_MS) })
      const byA: string[] = []
      const byB: string[] = []
      let held: ShareMessage | undefined
      let release: (() => void) | undefined
      const a = bed.consumer({ groupId, acknowledgementMode: 'explicit' })
      await a.connect()
      await a.subscribe({ topics: [topic] })
      await a.run({
        eachMessage: async ({ message }) => {
          byA.push(`${text(message)}@${message.deliveryCount}`)
          if (text(message) === 'held' && held === undefined) {
            held = message
            await new Promise<void>((resolve) => {
              release = resolve
            })
          }
          await message.ack()
        },
      })
      await bed.produce(topic, ['held'])
      await waitFor(() => release !== undefined, 'A holding the record')
      const b = bed.consumer({ groupId })
      await b.connect()
      await b.subscribe({ topics: [topic] })
      await b.run({
        eachMessage: async ({ message }) => {
          byB.push(`${text(message)}@${message.deliveryCount}`)
        },
      })
      return { topic, byA, byB, held: held as ShareMessage, release: () => release?.() }
    }

    test('a record held past its lock comes back to another member with delivery count 2', async () => {
      const { byB, release } = await holdWhileAnotherRuns('expiry')
      await waitFor(() => byB.includes('held@2'), 'B getting the expired record')
      release()
    })

    test('a handler that renews keeps its record past the lock timeout', async () => {
      const { topic, byA, byB, held, release } = await holdWhileAnotherRuns('renew')
      // three lock durations, renewed every half lock
      for (let i = 0; i < 6; i++) {
        await held.ack('renew')
        await sleep(LOCK_MS / 2)
      }
      release()
      await bed.produce(topic, ['after'])
      await waitFor(() => byA.includes('after@1') || byB.includes('after@1'), 'the record after it')
      expect(byB.filter((s) => s.startsWith('held'))).toEqual([])
      expect(byA.filter((s) => s.startsWith('held'))).toEqual(['held@1'])
    })
  })

  test('for await: leaving the loop releases the record in hand; those before it were accepted', async () => {
    const topic = await bed.topic('iterator')
    const groupId = await bed.group('iterator')
    await bed.produce(topic, values('i', 10))
    const consumer = bed.consumer({ groupId })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic] })
    const taken: string[] = []
    for await (const { message } of consumer) {
      taken.push(text(message))
      if (taken.length === 5) break
    }
    const rest: string[] = []
    const next = bed.consumer({ groupId })
    await next.connect()
    await next.subscribe({ topics: [topic] })
    await next.run({
      eachMessage: async ({ message }) => {
        rest.push(`${text(message)}@${message.deliveryCount}`)
      },
    })
    await waitFor(() => rest.length === 6, 'the other six records')
    expect(rest).toContain(`${taken[4]}@2`)
    for (const accepted of taken.slice(0, 4)) expect(rest.some((r) => r.startsWith(`${accepted}@`))).toBe(false)
  })

  test('a share group and a consumer group on one topic each get every record', async () => {
    const topic = await bed.topic('beside')
    const groupId = await bed.group('beside-share')
    await bed.produce(topic, values('b', 20))
    const shared: string[] = []
    const classic: string[] = []
    const share = bed.consumer({ groupId })
    await share.connect()
    await share.subscribe({ topics: [topic] })
    await share.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) shared.push(text(message))
      },
    })
    const consumer = testKafka('share-consumer-test').consumer({ groupId: `beside-classic-${bed.suffix}` })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        classic.push(message.value?.toString() ?? '')
      },
    })
    try {
      await waitFor(() => shared.length === 20 && classic.length === 20, 'both groups reading all 20')
      expect(shared.sort()).toEqual(values('b', 20).sort())
      expect(classic).toEqual(values('b', 20))
    } finally {
      await consumer.disconnect()
    }
  })
})

describeWithOwnCluster('share consumer on a cluster without share groups', { shareGroups: false }, (cluster) => {
  test('run() fails with KafkaJSShareGroupsNotEnabledError naming share.version', async () => {
    const kafka = new Kafka({ brokers: cluster().brokers, logLevel: logLevel.NOTHING })
    const consumer = kafka.shareConsumer({ groupId: 'no-share-groups' })
    await consumer.connect()
    await consumer.subscribe({ topics: ['anything'] })
    const failure = await consumer.run({ eachMessage: async () => undefined }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(KafkaJSShareGroupsNotEnabledError)
    expect(failure).toMatchObject({ feature: 'share.version', retriable: false })
    expect((failure as Error).message).toMatch(/share\.version/)
    await consumer.disconnect()
  })
})
