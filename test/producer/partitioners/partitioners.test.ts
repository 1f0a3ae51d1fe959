import type { Message } from '../../../src/producer/messages.js'
import { isStickyPartitioner, STICKY_STATE } from '../../../src/producer/partitioners/default-partitioner.js'
import { createPartitioner, Partitioners } from '../../../src/producer/partitioners/index.js'
import { StickyPartition } from '../../../src/producer/partitioners/sticky-partition.js'
import type { PartitionMetadata } from '../../../src/producer/partitioners/types.js'

function partitions(n: number, leaderless: number[] = []): PartitionMetadata[] {
  return Array.from({ length: n }, (_, i) => ({
    partitionErrorCode: 0,
    partitionId: i,
    leader: leaderless.includes(i) ? -1 : 1,
    replicas: [1],
    isr: [1],
  }))
}

const args = (message: Message, n = 12, topic = 't') => ({ topic, partitionMetadata: partitions(n), message })

describe('DefaultPartitioner', () => {
  test('keyed records go where Java puts them: toPositive(murmur2(key)) % n', () => {
    const partition = Partitioners.DefaultPartitioner()
    // toPositive(-973932308) % 12, toPositive(-790332482) % 12
    expect(partition(args({ key: '21', value: 'x' }))).toBe((-973932308 & 0x7fffffff) % 12)
    expect(partition(args({ key: Buffer.from('foobar'), value: 'x' }))).toBe((-790332482 & 0x7fffffff) % 12)
  })

  test('keyed placement ignores leaderless partitions (the hash decides, as Java)', () => {
    const partition = Partitioners.DefaultPartitioner()
    const all = partitions(12, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    expect(partition({ topic: 't', partitionMetadata: all, message: { key: '21', value: null } })).toBe(
      (-973932308 & 0x7fffffff) % 12,
    )
  })

  test('an explicit partition wins', () => {
    expect(Partitioners.DefaultPartitioner()(args({ key: '21', value: 'x', partition: 7 }))).toBe(7)
  })

  test('keyless records stick to one partition for about batchSize bytes, then move on', () => {
    const partition = Partitioners.DefaultPartitioner()
    const value = Buffer.alloc(1000)
    const chosen = Array.from({ length: 64 }, () => partition(args({ value })))
    // 16384 bytes per partition at 1000 bytes a record: runs of 17 (or of 34, 51... when the random
    // pick lands on the same partition again)
    const runs: number[] = []
    let run = 1
    for (let i = 1; i < chosen.length; i++) {
      if (chosen[i] === chosen[i - 1]) run++
      else {
        runs.push(run)
        run = 1
      }
    }
    expect(runs.length).toBeGreaterThan(0)
    for (const length of runs) expect(length % 17).toBe(0)
  })

  test('exposes its per-topic sticky state to the producer', () => {
    const partition = Partitioners.DefaultPartitioner()
    expect(isStickyPartitioner(partition)).toBe(true)
    expect(isStickyPartitioner(Partitioners.LegacyPartitioner())).toBe(false)
    if (!isStickyPartitioner(partition)) return
    expect(partition[STICKY_STATE]('a')).toBe(partition[STICKY_STATE]('a'))
    expect(partition[STICKY_STATE]('a')).not.toBe(partition[STICKY_STATE]('b'))
  })
})

describe('StickyPartition', () => {
  test('switches once batchSize bytes went out and the last batch is full, or after twice batchSize', () => {
    let r = 0
    const sticky = new StickyPartition(100, () => [0.1, 0.6, 0.9][r++ % 3]!)
    const meta = partitions(10)
    expect(sticky.partition(meta)).toBe(1)
    sticky.appended(150, false, meta)
    expect(sticky.partition(meta)).toBe(1)
    sticky.appended(10, true, meta)
    expect(sticky.partition(meta)).toBe(6)
    sticky.appended(199, false, meta)
    expect(sticky.partition(meta)).toBe(6)
    sticky.appended(1, false, meta)
    expect(sticky.partition(meta)).toBe(9)
  })

  test('picks only partitions with a leader', () => {
    const sticky = new StickyPartition(1)
    const meta = partitions(4, [0, 1, 3])
    for (let i = 0; i < 20; i++) {
      expect(sticky.partition(meta)).toBe(2)
      sticky.appended(1, true, meta)
    }
  })

  test('with queue sizes, prefers partitions with shorter queues (KIP-794)', () => {
    const sticky = new StickyPartition(1)
    const meta = partitions(3)
    const queues = [10, 0, 10]
    const counts = [0, 0, 0]
    for (let i = 0; i < 3000; i++) {
      counts[sticky.partition(meta, (p) => queues[p]!)]!++
      sticky.appended(1, true, meta, (p) => queues[p]!)
    }
    // weights 1, 11, 1
    expect(counts[1]!).toBeGreaterThan(counts[0]! * 4)
    expect(counts[1]!).toBeGreaterThan(counts[2]! * 4)
  })
})

describe('LegacyPartitioner', () => {
  test('keyed records use KafkaJS 1.x hashing', () => {
    const partition = Partitioners.LegacyPartitioner()
    expect(partition(args({ key: '0', value: 'x' }, 7))).toBe((272173970 & 0x7fffffff) % 7)
  })
})

describe('KafkaJSDefaultPartitioner (KafkaJS 2 DefaultPartitioner)', () => {
  test('keyed records go where DefaultPartitioner (Java) puts them', () => {
    const kafkajs = Partitioners.KafkaJSDefaultPartitioner()
    const java = Partitioners.DefaultPartitioner()
    for (const key of ['a', 'key-1', 'user-42', Buffer.from([1, 2, 3])]) {
      expect(kafkajs(args({ key, value: 'x' }, 7))).toBe(java(args({ key, value: 'x' }, 7)))
    }
  })
})

// KafkaJS's two own partitioners share the keyless rule
describe.each(['LegacyPartitioner', 'KafkaJSDefaultPartitioner'] as const)('%s', (name) => {
  test('keyless records go round robin per record over partitions with a leader', () => {
    const partition = Partitioners[name]()
    const meta = partitions(4, [2])
    const seen = Array.from({ length: 6 }, () =>
      partition({ topic: 't', partitionMetadata: meta, message: { value: 'v' } }),
    )
    expect(seen).not.toContain(2)
    expect(new Set(seen.slice(0, 3)).size).toBe(3)
    expect(seen.slice(3)).toEqual(seen.slice(0, 3))
  })
})

describe('RoundRobinPartitioner', () => {
  test('spreads keyed and keyless records alike, per topic', () => {
    const partition = Partitioners.RoundRobinPartitioner()
    const chosen = [0, 1, 2, 3].map((i) => partition(args({ key: 'same', value: `${i}` }, 3)))
    expect(chosen).toEqual([0, 1, 2, 0])
    expect(partition(args({ value: 'x' }, 3, 'other'))).toBe(0)
  })
})

describe('createPartitioner', () => {
  test('honours an explicit partition and checks what the function returns', () => {
    const partition = createPartitioner(({ message }) => (message.key === 'bad' ? 99 : 1))()
    expect(partition(args({ value: 'x', partition: 4 }))).toBe(4)
    expect(partition(args({ key: 'k', value: 'x' }))).toBe(1)
    expect(() => partition(args({ key: 'bad', value: 'x' }))).toThrow(
      /chose partition 99 for topic t, which has partitions 0-11/,
    )
  })

  test('refuses a non-function', () => {
    expect(() => createPartitioner(42 as never)).toThrow(/createPartitioner takes a function/)
  })
})
