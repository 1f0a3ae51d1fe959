// Share groups across processes, against a real broker: four kafkit share consumers in separate
// processes divide one partition's records between them, each record processed once; a member
// SIGKILLed while holding records gives them back after the lock timeout; and kafkit and Java's own
// share consumer (kafka-console-share-consumer) in one group divide the records. Groups read from the
// earliest offset and lock records for 2 s (share-helpers.ts; kafkit/testing's floor is 1 s).

import { runKafkaTool } from '../src/testing/index.js'
import { brokers, describeSince, kafkaVersion } from './helpers/brokers.js'
import { sleep, waitFor } from './helpers/consumer-helpers.js'
import { MemberProcess } from './helpers/member-process.js'
import { assignedShareMembers, shareTestBed } from './helpers/share-helpers.js'
import type { ShareMemberConfig } from './helpers/share-member.js'

jest.setTimeout(300_000)

const bed = shareTestBed('share-multiprocess-test')
const values = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`)
const LOCK_MS = '2000'

function member(name: string, config: Omit<ShareMemberConfig, 'brokers'>): MemberProcess {
  return new MemberProcess(name, { brokers: brokers(), ...config }, 'share-member.ts')
}

/** What failed members said, for the test's failure message. */
function logsOf(members: MemberProcess[]): string {
  return members.map((m) => `${m.name}: ${m.errors.join(' | ')} ${m.logs.join('').slice(-2000)}`).join('\n')
}

describeSince('4.2', 'share groups')('share groups across processes', () => {
  const running: MemberProcess[] = []
  afterEach(() => {
    for (const m of running.splice(0)) m.kill()
  })

  test('four share consumers in four processes process every record of one partition exactly once, each taking part', async () => {
    const topic = await bed.topic('four')
    const groupId = await bed.group('four', { 'share.record.lock.duration.ms': LOCK_MS })
    const members = [1, 2, 3, 4].map((i) => member(`m${i}`, { groupId, topic, maxPollRecords: 5, processMs: 20 }))
    running.push(...members)
    await waitFor(
      () => members.every((m) => m.assignments.some((a) => (a[topic] ?? []).includes(0))),
      `four members assigned partition 0\n${logsOf(members)}`,
      60000,
    )
    const all = values('r', 400)
    await bed.produce(topic, all)
    const received = () => members.flatMap((m) => m.received)
    await waitFor(() => new Set(received().map((r) => r.split('@')[0])).size === all.length, 'every record', 120000)
    await Promise.all(members.map((m) => m.stop()))
    const got = received()
    // none twice: each record came once, on its first delivery
    expect(got.length).toBe(all.length)
    expect(got.every((r) => r.endsWith('@1'))).toBe(true)
    expect(new Set(got.map((r) => r.split('@')[0]))).toEqual(new Set(all))
    for (const m of members) expect(m.received.length).toBeGreaterThan(0)
  })

  test('a member SIGKILLed while holding records: after the lock timeout they go to another member, delivery count 2', async () => {
    const topic = await bed.topic('killed')
    const groupId = await bed.group('killed', { 'share.record.lock.duration.ms': LOCK_MS })
    const holder = member('holder', { groupId, topic, maxPollRecords: 10, processMs: 0, hold: true })
    running.push(holder)
    await waitFor(() => holder.assignments.length > 0, `the holder joining\n${logsOf([holder])}`, 60000)
    await bed.produce(topic, values('k', 3))
    await waitFor(() => holder.received.length > 0, 'the holder acquiring a record')
    const held = holder.received.map((r) => r.split('@')[0]!)
    holder.kill()
    const other = member('other', { groupId, topic, maxPollRecords: 10, processMs: 0 })
    running.push(other)
    await waitFor(
      () => held.every((v) => other.received.includes(`${v}@2`)),
      `the held records again\n${logsOf([other])}`,
      60000,
    )
    await other.stop()
  })

  test("kafkit and Java's share consumer in one group divide the records between them", async () => {
    const topic = await bed.topic('java')
    const groupId = await bed.group('java', { 'share.record.lock.duration.ms': LOCK_MS })
    // kafkit takes 50 ms a record, Java next to nothing: both get records however loaded the machine is
    const kafkit = member('kafkit', { groupId, topic, maxPollRecords: 5, processMs: 50 })
    running.push(kafkit)
    await waitFor(() => kafkit.assignments.length > 0, `kafkit joining\n${logsOf([kafkit])}`, 60000)
    // Java's console share consumer (implicit acknowledgement, the Kafka release of the broker) exits 8 s after its last record
    const java = runKafkaTool(
      'org.apache.kafka.tools.consumer.ConsoleShareConsumer',
      [
        '--bootstrap-server',
        brokers().join(','),
        '--topic',
        topic,
        '--group',
        groupId,
        '--timeout-ms',
        '8000',
        '--command-property',
        'max.poll.records=5',
        '--command-property',
        'share.acquire.mode=record_limit',
      ],
      { version: kafkaVersion(), timeoutMs: 240_000 },
    )
    await waitFor(
      async () => (await assignedShareMembers(groupId)) === 2,
      'the Java share consumer assigned',
      120000,
      500,
    )
    // records trickle in for a few seconds, so that both members are fetching while they arrive
    const all = values('j', 200)
    for (let i = 0; i < all.length; i += 10) {
      await bed.produce(topic, all.slice(i, i + 10))
      await sleep(50)
    }
    const result = await java
    await kafkit.stop()
    const byJava = result.stdout.split('\n').filter((line) => line.startsWith('j'))
    const byKafkit = kafkit.received.map((r) => r.split('@')[0]!)
    // --timeout-ms ends the tool with a TimeoutException it logs; what it read is on stdout
    expect(result.stderr).toMatch(`Processed a total of ${byJava.length} messages`)
    expect(byJava.length).toBeGreaterThan(0)
    expect(byKafkit.length).toBeGreaterThan(0)
    expect([...byJava, ...byKafkit].sort()).toEqual([...all].sort())
  })
})
