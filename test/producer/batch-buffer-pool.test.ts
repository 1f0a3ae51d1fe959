import { BatchBufferPool } from '../../src/producer/batch-buffer-pool.js'

describe('BatchBufferPool', () => {
  it('gives small buffers as any Buffer and never pools them', () => {
    const pool = new BatchBufferPool(1 << 20)
    const small = pool.allocate(1000)
    expect(small.length).toBe(1000)
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
})
