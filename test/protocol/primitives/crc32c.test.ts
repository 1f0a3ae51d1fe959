import {
  crc32c,
  crc32cImplementation,
  crc32cPortable,
  crc32cTypeScript,
  loadNativeCrc32c,
} from '../../../src/protocol/primitives/crc32c.js'
import { pseudoRandomBytes } from '../../helpers/bytes.js'

// the optional native package, when installed, is loaded before any checksum below: crc32c is then
// the native one for inputs of 128 bytes and more, and crc32cTypeScript the fallback
beforeAll(async () => {
  await loadNativeCrc32c()
})

/** The definition, one bit at a time: the reference the table-driven versions must match. */
function bitwiseCrc32c(data: Uint8Array, start = 0, end = data.length): number {
  let c = 0xffffffff
  for (let i = start; i < end; i++) {
    c ^= data[i]!
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
  }
  return ~c >>> 0
}

const bytes = (values: number[]): Buffer => Buffer.from(values)

// RFC 3720 (iSCSI) appendix B.4, the check value of the CRC catalogue, and Kafka's Crc32CTest
const VECTORS: [string, Buffer, number][] = [
  ['32 bytes of zeros (RFC 3720)', Buffer.alloc(32), 0x8a9136aa],
  ['32 bytes of 0xff (RFC 3720)', Buffer.alloc(32, 0xff), 0x62a8ab43],
  ['32 ascending bytes (RFC 3720)', bytes(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
  ['32 descending bytes (RFC 3720)', bytes(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
  [
    'an iSCSI read command PDU (RFC 3720)',
    bytes([
      0x01, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0x14, 0, 0, 0, 0x18,
      0x28, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0,
    ]),
    0xd9963a56,
  ],
  ['"123456789" (check value)', Buffer.from('123456789'), 0xe3069283],
  ['"Some String" (Kafka Crc32CTest)', Buffer.from('Some String'), 608512271],
  ['empty', Buffer.alloc(0), 0],
]

const IMPLEMENTATIONS = [
  ['crc32c', (data: Uint8Array, start: number, end: number, crc: number) => crc32c(data, start, end, crc)],
  // without the native package
  ['crc32cTypeScript', crc32cTypeScript],
  // what crc32cTypeScript runs on big-endian hosts
  ['crc32cPortable', crc32cPortable],
] as const

describe.each(IMPLEMENTATIONS)('CRC-32C (%s)', (_name, crc) => {
  it.each(VECTORS)('%s', (_label, data, expected) => {
    expect(crc(data, 0, data.length, 0)).toBe(expected)
  })

  it('matches the bitwise definition for every start alignment and many lengths (16-byte blocks and a tail)', () => {
    const data = pseudoRandomBytes(300, 7)
    for (let start = 0; start < 8; start++) {
      for (const length of [0, 1, 3, 4, 15, 16, 17, 31, 63, 64, 65, 100, 127, 128, 129, 255, 292 - start]) {
        expect(crc(data, start, start + length, 0)).toBe(bitwiseCrc32c(data, start, start + length))
      }
    }
  })

  it('reads a view at its own offset in a shared ArrayBuffer', () => {
    const backing = pseudoRandomBytes(4096, 11)
    for (const offset of [1, 2, 3, 5, 1000]) {
      const view = backing.subarray(offset, offset + 1500)
      expect(crc(view, 0, view.length, 0)).toBe(bitwiseCrc32c(backing, offset, offset + 1500))
    }
  })

  it('continues a checksum across ranges', () => {
    const data = pseudoRandomBytes(1000, 3)
    const whole = bitwiseCrc32c(data)
    for (const cut of [0, 1, 17, 500, 999, 1000]) {
      expect(crc(data, cut, data.length, crc(data, 0, cut, 0))).toBe(whole)
    }
  })
})

it('checksums a batch-sized buffer as the bitwise definition does', () => {
  const data = pseudoRandomBytes(1 << 20, 5).subarray(21)
  expect(crc32c(data)).toBe(bitwiseCrc32c(data))
})

it('uses the native package where it is installed (it is a dependency of this repository), the TypeScript where not or with KAFKIT_CRC32C=typescript', async () => {
  let installed = process.env.KAFKIT_CRC32C !== 'typescript'
  try {
    require.resolve('@node-rs/crc32')
  } catch {
    installed = false
  }
  expect(await loadNativeCrc32c()).toBe(installed ? 'native' : 'typescript')
  expect(crc32cImplementation()).toBe(installed ? 'native' : 'typescript')
})
