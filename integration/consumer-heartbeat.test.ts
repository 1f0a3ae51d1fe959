// The payload heartbeat() on the real broker: it resolves while the member owns the handler's
// partition, and rejects with REBALANCE_IN_PROGRESS when a second member's arrival takes that
// partition away mid-handler; a handler that rethrows it gives the partition up without a failure
// or a crash, and every message is processed.

import type { ConsumerConfig } from '../src/index.js'
import { consumerTestBed, sleep, waitFor } from './helpers/consumer-helpers.js'

jest.setTimeout(120_000)

const bed = consumerTestBed('consumer-heartbeat-test')
const PER_PARTITION = 10
/** The offset at which a handler holds on, calling heartbeat(), until its partition is taken away. */
const HOLD_AT = '5'

interface Observed {
  /** "partition:offset" of every message whose handler completed, by member. */
  processed: Array<Set<string>>
  /** The partitions whose held handler saw heartbeat() reject, and the errors. */
  rejected: Array<{ partition: number; error: { type?: string; message: string } }>
  crashes: unknown[]
}

/**
 * Member 0 consumes two partitions and holds on at HOLD_AT in `holders` of them; member 1 joins
 * then. Resolves once every message was processed by someone.
 */
async function secondMemberTakesOver(name: string, options: Partial<ConsumerConfig>): Promise<Observed> {
  const topic = await bed.topicWith(name, 2, PER_PARTITION)
  const groupId = `g-${name}-${bed.suffix}`
  const observed: Observed = { processed: [new Set(), new Set()], rejected: [], crashes: [] }
  let holding = 0
  const members = [0, 1].map((index) => {
    const consumer = bed.consumer(groupId, options)
    consumer.on(consumer.events.CRASH, (event) => void observed.crashes.push(event.payload))
    return { index, consumer }
  })
  const start = async ({ index, consumer }: (typeof members)[number]): Promise<void> => {
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run({
      partitionsConsumedConcurrently: 2,
      eachMessage: async ({ partition, message, heartbeat }) => {
        // every call outside a rebalance resolves
        await heartbeat()
        const hold = index === 0 && message.offset === HOLD_AT && observed.rejected.length === 0
        if (hold) {
          holding++
          try {
            // a long handler keeps asking until its partition is taken, or another one was
            while (observed.rejected.length === 0) {
              await heartbeat()
              await sleep(20)
            }
          } catch (error) {
            observed.rejected.push({ partition, error: error as Observed['rejected'][number]['error'] })
            throw error
          } finally {
            holding--
          }
        }
        observed.processed[index]!.add(`${partition}:${message.offset}`)
      },
    })
  }
  await start(members[0]!)
  await waitFor(() => holding > 0, 'member 0 holding a message')
  await start(members[1]!)
  const all = Array.from(
    { length: 2 * PER_PARTITION },
    (_, i) => `${Math.floor(i / PER_PARTITION)}:${i % PER_PARTITION}`,
  )
  await waitFor(
    () => all.every((m) => observed.processed[0]!.has(m) || observed.processed[1]!.has(m)),
    'every message processed',
    90_000,
  )
  return observed
}

describe('payload heartbeat()', () => {
  test('classic (eager) rebalance: the held partition is revoked, heartbeat() rejects, nothing is lost', async () => {
    const observed = await secondMemberTakesOver('heartbeat-classic', {})
    expect(observed.rejected.length).toBeGreaterThanOrEqual(1)
    for (const { error } of observed.rejected) {
      expect(error).toMatchObject({ type: 'REBALANCE_IN_PROGRESS', detail: expect.stringMatching(/is being revoked/) })
    }
    expect(observed.crashes).toEqual([])
    // the message whose handler gave up was processed afterwards
    const { partition } = observed.rejected[0]!
    const again = `${partition}:${HOLD_AT}`
    expect(observed.processed[0]!.has(again) || observed.processed[1]!.has(again)).toBe(true)
  })

  test('KIP-848: only the partition moved to the new member is rejected; the other handler goes on', async () => {
    const observed = await secondMemberTakesOver('heartbeat-848', { groupProtocol: 'consumer' })
    expect(observed.rejected).toHaveLength(1)
    const [{ partition, error }] = observed.rejected as [Observed['rejected'][number]]
    expect(error).toMatchObject({ type: 'REBALANCE_IN_PROGRESS' })
    expect(observed.crashes).toEqual([])
    // the revoked partition went on with member 1, from the message member 0 gave up
    expect(observed.processed[1]!.has(`${partition}:${HOLD_AT}`)).toBe(true)
    expect(observed.processed[0]!.has(`${partition}:${HOLD_AT}`)).toBe(false)
  })
})
