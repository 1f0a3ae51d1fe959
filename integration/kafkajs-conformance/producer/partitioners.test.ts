// KafkaJS 2.2.4 src/producer/partitioners (default/index.js, legacy/partitioner.js; their specs are
// unit specs of the hash functions): where records land. Keyed records land where KafkaJS 2 (and
// the Java client) put them. Keyless records are the one deliberate difference: kafkit's default
// sticks to a partition per batch (the Java client's KIP-480), KafkaJS 2 goes round robin per
// record; Partitioners.KafkaJSDefaultPartitioner restores KafkaJS's placement.

import { type Admin, type ICustomPartitioner, Partitioners, type Producer } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom } from '../helpers.js'

describe('Producer partitioners (KafkaJS src/producer/partitioners)', () => {
  let producer: Producer | undefined
  let admin: Admin | undefined

  afterEach(async () => {
    await producer?.disconnect()
    await admin?.disconnect()
    producer = undefined
    admin = undefined
  })

  /** Sends `messages` in one call with `createPartitioner` and returns how many landed on each partition. */
  async function placement(
    messages: Array<{ key?: string; value: string }>,
    createPartitioner?: ICustomPartitioner,
  ): Promise<number[]> {
    const topic = `test-topic-${secureRandom()}`
    await createTopic({ topic, partitions: 3 })
    const kafka = createKafka()
    producer = kafka.producer(createPartitioner ? { createPartitioner } : {})
    await producer.connect()
    await producer.send({ topic, messages })
    admin = kafka.admin()
    const offsets = await admin.fetchTopicOffsets(topic)
    return offsets.sort((a, b) => a.partition - b.partition).map((p) => Number(p.high) - Number(p.low))
  }

  const keyless = Array.from({ length: 6 }, (_, i) => ({ value: `value-${i}` }))

  test('keyed records land on toPositive(murmur2(key)) % partitions with either partitioner', async () => {
    // toPositive(murmur2(key)) % 3: 'key-0' -> 1, 'key-1' -> 0, 'key-2' -> 2, 'key-3' -> 2 (kafkit's
    // murmur2 is checked against the Java client's values in test/producer/partitioners/murmur2.test.ts)
    const keyed = ['key-0', 'key-1', 'key-2', 'key-3'].map((key) => ({ key, value: key }))
    const expected = [1, 1, 2]
    expect(await placement(keyed)).toEqual(expected)
    await producer?.disconnect()
    await admin?.disconnect()
    expect(await placement(keyed, Partitioners.KafkaJSDefaultPartitioner)).toEqual(expected)
  })

  test('difference: keyless records of one send stick to one partition (KafkaJS 2: round robin per record)', async () => {
    const counts = await placement(keyless)
    expect(counts.filter((n) => n > 0)).toEqual([6])
  })

  test('Partitioners.KafkaJSDefaultPartitioner places keyless records round robin, as KafkaJS 2 does', async () => {
    expect(await placement(keyless, Partitioners.KafkaJSDefaultPartitioner)).toEqual([2, 2, 2])
  })
})
