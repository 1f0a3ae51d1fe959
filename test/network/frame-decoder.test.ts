import { KafkaJSDecodeError } from '../../src/errors.js'
import { FrameDecoder } from '../../src/network/frame-decoder.js'

function frame(body: Buffer): Buffer {
  return concat([body])
}

/** Size-prefixes each body and joins them. */
function concat(bodies: Buffer[]): Buffer {
  return Buffer.concat(
    bodies.flatMap((body) => {
      const prefix = Buffer.alloc(4)
      prefix.writeInt32BE(body.length)
      return [prefix, body]
    }),
  )
}

const bodies = [Buffer.from('first frame'), Buffer.alloc(0), Buffer.from('x'), Buffer.alloc(70_000, 7)]
const stream = concat(bodies)

test('many frames in one chunk come out in order', () => {
  const decoder = new FrameDecoder()
  expect(decoder.push(stream)).toEqual(bodies)
  expect(decoder.buffered).toBe(0)
})

test('frames split at every possible byte boundary reassemble', () => {
  for (let cut = 1; cut < 40; cut++) {
    const decoder = new FrameDecoder()
    const out = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))]
    expect(out).toEqual(bodies)
  }
})

test('a stream fed one byte at a time reassembles, size prefix split too', () => {
  const decoder = new FrameDecoder()
  const out: Buffer[] = []
  const small = concat(bodies.slice(0, 3))
  for (let i = 0; i < small.length; i++) out.push(...decoder.push(small.subarray(i, i + 1)))
  expect(out).toEqual(bodies.slice(0, 3))
})

test('a frame within one chunk is a view of that chunk, not a copy', () => {
  const chunk = frame(Buffer.from('view me'))
  const [out] = new FrameDecoder().push(chunk)
  expect(out!.buffer).toBe(chunk.buffer)
})

test('a large frame in many chunks is assembled in a single buffer', () => {
  const decoder = new FrameDecoder()
  const big = frame(Buffer.alloc(1_000_000, 3))
  const out: Buffer[] = []
  for (let i = 0; i < big.length; i += 1000) out.push(...decoder.push(big.subarray(i, i + 1000)))
  expect(out).toHaveLength(1)
  expect(out[0]!.length).toBe(1_000_000)
  expect(out[0]!.every((b) => b === 3)).toBe(true)
})

test('a negative frame size is a decode error', () => {
  const decoder = new FrameDecoder()
  expect(() => decoder.push(Buffer.from([0xff, 0xff, 0xff, 0xfe]))).toThrow(KafkaJSDecodeError)
})

test('a frame size above the bound is a decode error before anything is allocated for it', () => {
  const decoder = new FrameDecoder(1024)
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(1025)
  expect(() => decoder.push(prefix)).toThrow(/invalid frame size 1025: must be between 0 and 1024/)
  // "HTTP" read as a size: what a client sees when it dials a web server
  expect(() => new FrameDecoder().push(Buffer.from('HTTP/1.1 400'))).toThrow(KafkaJSDecodeError)
})

test('a frame of exactly the bound is accepted', () => {
  const decoder = new FrameDecoder(16)
  expect(decoder.push(frame(Buffer.alloc(16)))).toHaveLength(1)
})

test('the bound is validated', () => {
  expect(() => new FrameDecoder(-1)).toThrow(RangeError)
  expect(() => new FrameDecoder(1.5)).toThrow(RangeError)
})

/** A small deterministic generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

test('fuzz: random frames cut at random points reassemble exactly', () => {
  for (let seed = 1; seed <= 50; seed++) {
    const next = random(seed)
    const frames = Array.from({ length: 1 + Math.floor(next() * 20) }, () =>
      Buffer.from(Array.from({ length: Math.floor(next() * 300) }, () => Math.floor(next() * 256))),
    )
    const bytes = concat(frames)
    const decoder = new FrameDecoder(1000)
    const out: Buffer[] = []
    for (let at = 0; at < bytes.length; ) {
      const size = 1 + Math.floor(next() * 400)
      out.push(...decoder.push(bytes.subarray(at, at + size)))
      at += size
    }
    expect(out).toEqual(frames)
    expect(decoder.buffered).toBe(0)
  }
})

test('fuzz: random bytes yield frames or a KafkaJSDecodeError, nothing else', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const next = random(seed)
    const decoder = new FrameDecoder(4096)
    try {
      for (let i = 0; i < 20; i++) {
        decoder.push(Buffer.from(Array.from({ length: Math.floor(next() * 64) }, () => Math.floor(next() * 256))))
      }
    } catch (error) {
      expect(error).toBeInstanceOf(KafkaJSDecodeError)
    }
    expect(decoder.buffered).toBeLessThanOrEqual(4 + 4096)
  }
})

describe('reading into the decoder (a socket with onread)', () => {
  /** Feeds `bytes` as a socket would: each read fills at most `readSize` bytes of readBuffer(). */
  function readInto(decoder: FrameDecoder, bytes: Buffer, readSize: (at: number) => number): Buffer[] {
    const out: Buffer[] = []
    for (let at = 0; at < bytes.length; ) {
      const target = decoder.readBuffer()
      expect(target.length).toBeGreaterThan(0)
      const n = Math.min(target.length, readSize(at), bytes.length - at)
      bytes.copy(target, 0, at, at + n)
      out.push(...decoder.commit(n))
      at += n
    }
    return out
  }

  test('frames come out in order, whatever the reads', () => {
    for (const size of [1, 3, 4, 5, 17, 1000, 65536, 1 << 20]) {
      const decoder = new FrameDecoder()
      expect(readInto(decoder, stream, () => size)).toEqual(bodies)
      expect(decoder.buffered).toBe(0)
    }
  })

  test('the rest of a large frame is read into the frame itself, which is never reused', () => {
    const decoder = new FrameDecoder()
    const big = frame(Buffer.alloc(1_000_000, 3))
    let frameTarget: ArrayBufferLike | undefined
    const out: Buffer[] = []
    for (let at = 0; at < big.length; ) {
      const target = decoder.readBuffer()
      if (at > 70_000) {
        // past the first read, every read lands in the frame's own buffer
        frameTarget ??= target.buffer
        expect(target.buffer).toBe(frameTarget)
      }
      const n = Math.min(target.length, 65_536, big.length - at)
      big.copy(target, 0, at, at + n)
      out.push(...decoder.commit(n))
      at += n
    }
    expect(out).toHaveLength(1)
    expect(out[0]!.buffer).toBe(frameTarget)
    expect(out[0]!.every((b) => b === 3)).toBe(true)
    // a frame read through the scratch buffer is a copy: the next read does not change it
    const small = readInto(decoder, frame(Buffer.from('abc')), () => 100)
    readInto(decoder, frame(Buffer.from('xyz')), () => 100)
    expect(small[0]!.toString()).toBe('abc')
  })

  test('an invalid size is a decode error, before anything is allocated for it', () => {
    const decoder = new FrameDecoder(1024)
    const prefix = Buffer.alloc(4)
    prefix.writeInt32BE(1025)
    expect(() => readInto(decoder, prefix, () => 4)).toThrow(/invalid frame size 1025/)
    expect(() => readInto(new FrameDecoder(), Buffer.from([0xff, 0xff, 0xff, 0xfe]), () => 4)).toThrow(
      KafkaJSDecodeError,
    )
  })

  test('fuzz: random frames read in random sizes reassemble exactly', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const next = random(seed)
      const frames = Array.from({ length: 1 + Math.floor(next() * 40) }, () =>
        Buffer.alloc(Math.floor(next() * (next() < 0.1 ? 200_000 : 300)), Math.floor(next() * 256)),
      )
      const decoder = new FrameDecoder()
      expect(readInto(decoder, concat(frames), () => 1 + Math.floor(next() * 70_000))).toEqual(frames)
      expect(decoder.buffered).toBe(0)
    }
  })

  test('fuzz: random bytes yield frames or a KafkaJSDecodeError, nothing else', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = random(seed)
      const decoder = new FrameDecoder(4096)
      const bytes = Buffer.from(Array.from({ length: Math.floor(next() * 2000) }, () => Math.floor(next() * 256)))
      try {
        readInto(decoder, bytes, () => 1 + Math.floor(next() * 64))
      } catch (error) {
        expect(error).toBeInstanceOf(KafkaJSDecodeError)
      }
      expect(decoder.buffered).toBeLessThanOrEqual(4096)
    }
  })
})
