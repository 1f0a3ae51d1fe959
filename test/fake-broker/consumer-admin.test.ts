// The group coordinator seen through the admin client: a group's offsets are set only while no
// member runs (the admin checks the state DescribeGroups gives, the coordinator takes a commit from
// outside the group only while it is empty), fetched back, and a consumer starts from them.

import { type Admin, Kafka, logLevel } from '../../src/index.js'
import { consumerClusterPerTest, recorder } from './consumers.js'
import { FAST_RETRY } from './per-test.js'

// registered before the cluster's: the admin disconnects while the cluster still answers
let admin: Admin | undefined
afterEach(async () => {
  await admin?.disconnect()
  admin = undefined
})

const fake = consumerClusterPerTest({ topics: { t: 1 } })

async function connectAdmin(): Promise<Admin> {
  admin = new Kafka({ brokers: fake.cluster.brokers, logLevel: logLevel.NOTHING, retry: FAST_RETRY }).admin()
  await admin.connect()
  return admin
}

async function consume() {
  const seen = recorder()
  const c = fake.consumer({ groupId: 'g' })
  await c.connect()
  await c.subscribe({ topic: 't', fromBeginning: true })
  await c.run({ eachMessage: async ({ message }) => seen.record(String(message.value)) })
  return { c, seen }
}

test('setOffsets is refused while a member runs, taken once the group is empty; the next consumer starts there', async () => {
  const producer = fake.producer()
  await producer.connect()
  await producer.send({ topic: 't', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] })
  const a = await connectAdmin()
  expect(await a.fetchOffsets({ groupId: 'g', topics: ['t'] })).toEqual([
    { topic: 't', partitions: [{ partition: 0, offset: '-1', metadata: null }] },
  ])
  const first = await consume()
  await first.seen.count(3)
  await expect(a.setOffsets({ groupId: 'g', topic: 't', partitions: [{ partition: 0, offset: '1' }] })).rejects.toThrow(
    'The consumer group must have no running instances, current state: Stable',
  )
  await first.c.disconnect()
  expect((await a.describeGroups(['g'])).groups[0]).toMatchObject({ groupId: 'g', state: 'Empty', members: [] })
  await a.setOffsets({ groupId: 'g', topic: 't', partitions: [{ partition: 0, offset: '1' }] })
  expect(await a.fetchOffsets({ groupId: 'g', topics: ['t'] })).toMatchObject([
    { topic: 't', partitions: [{ partition: 0, offset: '1' }] },
  ])
  const second = await consume()
  await second.seen.count(2)
  expect(second.seen.values).toEqual(['b', 'c'])
})
