import { BatchBufferPool } from '../../src/producer/batch-buffer-pool.js'

describe('BatchBufferPool', () => {
  it('gives small buffers (under 8 KiB) as any Buffer and never pools them', () => {
    const pool = new BatchBufferPool(1 << 20)
    const small = pool.allocate(8000)
    expect(small.length).toBe(8000)
    pool.release(small)
    expect(pool.pooledBytes).toBe(0)
  })

  it('reuses the memory of a released buffer for the next one of its size class', () => {
    const pool = new BatchBufferPool(1 << 22)
    const first = pool.allocate(100_000)
    expect(first.length).toBe(100_000)
    first.fill(7)
    pool.release(first)
    expect(pool.pooledBytes).toBe(131072)
    const second = pool.allocate(120_000)
    expect(second.length).toBe(120_000)
    expect(second.buffer).toBe(first.buffer)
    expect(pool.pooledBytes).toBe(0)
    // a different size class gets other memory
    expect(pool.allocate(200_000).buffer).not.toBe(first.buffer)
  })

  it('hands a buffer out once however often it is released', () => {
    const pool = new BatchBufferPool(1 << 22)
    const buffer = pool.allocate(70_000)
    pool.release(buffer)
    pool.release(buffer)
    expect(pool.pooledBytes).toBe(131072)
    const a = pool.allocate(70_000)
    const b = pool.allocate(70_000)
    expect(a.buffer).not.toBe(b.buffer)
  })

  it('takes back only its own buffers, and keeps at most maxPooledBytes', () => {
    const pool = new BatchBufferPool(131072)
    pool.release(Buffer.allocUnsafeSlow(131072))
    expect(pool.pooledBytes).toBe(0)
    const a = pool.allocate(100_000)
    const b = pool.allocate(100_000)
    pool.release(a)
    pool.release(b)
    expect(pool.pooledBytes).toBe(131072)
  })

  it('serves a request from a free store up to four times its size class, not larger', () => {
    const pool = new BatchBufferPool(1 << 24)
    const large = pool.allocate(500_000) // a 512 KiB store
    pool.release(large)
    // 150,000 bytes: the 256 KiB class is empty, the 512 KiB store is twice it
    const smaller = pool.allocate(150_000)
    expect(smaller.buffer).toBe(large.buffer)
    expect(smaller.length).toBe(150_000)
    pool.release(smaller)
    expect(pool.pooledBytes).toBe(524288)
    // 20,000 bytes (the 32 KiB class): 512 KiB is more than four times it
    expect(pool.allocate(20_000).buffer).not.toBe(large.buffer)
  })

  it('drops smaller free stores to keep a larger one when the bound is reached', () => {
    const pool = new BatchBufferPool(1 << 20)
    const small = [1, 2, 3, 4].map(() => pool.allocate(200_000)) // four 256 KiB stores
    const large = pool.allocate(1_000_000) // one 1 MiB store
    for (const b of small) pool.release(b)
    expect(pool.pooledBytes).toBe(1 << 20)
    pool.release(large)
    expect(pool.pooledBytes).toBe(1 << 20)
    expect(pool.allocate(900_000).buffer).toBe(large.buffer)
    // the small ones were let go
    expect(pool.pooledBytes).toBe(0)
  })
})
