import { legacyMurmur2 } from '../../../src/producer/partitioners/legacy-murmur2.js'
import { murmur2, toPositive } from '../../../src/producer/partitioners/murmur2.js'

// Computed with org.apache.kafka.common.utils.Utils.murmur2 from kafka-clients 4.3.1 (UTF-8 keys);
// the first three are the vectors of Kafka's own UtilsTest.
const JAVA_VECTORS: [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['', 275646681],
  ['a', -1563381124],
  ['ab', 316155434],
  ['abc', 479470107],
  ['abcd', -1323649548],
  ['abcde', 461995741],
  ['key-0', 29210041],
  ['key-999', -1349681240],
  ['h\u00e9llo w\u00f6rld', 439213890],
  ['\u65e5\u672c\u8a9e', 1431860170],
]

describe('murmur2 (Java-compatible)', () => {
  test.each(JAVA_VECTORS)('%j hashes as in Java', (key, expected) => {
    expect(murmur2(Buffer.from(key, 'utf8'))).toBe(expected)
  })

  test('binary keys hash as in Java', () => {
    const bytes = Buffer.from([0, 1, 2, 3, 4, 5, 6].map((i) => 0xf0 + i * 3))
    expect(murmur2(bytes)).toBe(-1398462498)
  })

  test('toPositive clears the sign bit as Java Utils.toPositive', () => {
    expect(toPositive(-973932308)).toBe(-973932308 & 0x7fffffff)
    expect(toPositive(-2147483648)).toBe(0)
    expect(toPositive(5)).toBe(5)
  })
})

describe('legacyMurmur2 (KafkaJS LegacyPartitioner)', () => {
  // KafkaJS 1.x's published expectations for its default partitioner's hash
  const LEGACY_VECTORS: [string, number][] = [
    ['0', 272173970],
    ['1', 1311020360],
    ['128', 2053105854],
    ['2187', -2081355488],
    ['16384', 204404061],
    ['78125', -677491393],
    ['10000000', -1778616326],
    ['170859375', 102939717],
  ]

  test.each(LEGACY_VECTORS)('%j hashes as KafkaJS 1.x did', (key, expected) => {
    expect(legacyMurmur2(key)).toBe(expected)
  })

  test('numbers and Buffers hash as their string form', () => {
    expect(legacyMurmur2(0)).toBe(272173970)
    expect(legacyMurmur2(Buffer.from('1'))).toBe(1311020360)
  })

  test('differs from Java murmur2 for some keys (why it is kept separate)', () => {
    const differing = JAVA_VECTORS.filter(([key, java]) => legacyMurmur2(key) !== java)
    expect(differing.length).toBeGreaterThan(0)
  })
})
