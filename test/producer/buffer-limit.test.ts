import { KafkaJSBufferExhaustedError } from '../../src/errors.js'
import { BufferLimit } from '../../src/producer/buffer-limit.js'

describe('BufferLimit', () => {
  afterEach(() => jest.useRealTimers())

  test('reserves while there is room; release makes room again', () => {
    const limit = new BufferLimit(100)
    expect(limit.tryReserve(60)).toBe(true)
    expect(limit.tryReserve(60)).toBe(false)
    limit.release(60)
    expect(limit.tryReserve(100)).toBe(true)
    expect(limit.used).toBe(100)
  })

  test('a reservation larger than the capacity proceeds when nothing else is held', () => {
    const limit = new BufferLimit(100)
    expect(limit.tryReserve(150)).toBe(true)
    expect(limit.tryReserve(1)).toBe(false)
  })

  test('waiters are served first come, first served, and tell the sender to hurry', async () => {
    const hurried: number[] = []
    const limit = new BufferLimit(100, () => hurried.push(1))
    limit.tryReserve(100)
    const order: string[] = []
    const a = limit.reserve(60, 10_000).then(() => order.push('a'))
    const b = limit.reserve(30, 10_000).then(() => order.push('b'))
    expect(limit.hasWaiters).toBe(true)
    // a later small request does not jump the queue
    expect(limit.tryReserve(1)).toBe(false)
    expect(hurried.length).toBe(2)
    limit.release(50)
    await Promise.resolve()
    expect(order).toEqual([])
    limit.release(50)
    await Promise.all([a, b])
    expect(order).toEqual(['a', 'b'])
    expect(limit.used).toBe(90)
  })

  test('a waiter fails after its timeout with KafkaJSBufferExhaustedError naming maxBlockMs', async () => {
    jest.useFakeTimers()
    const limit = new BufferLimit(100)
    limit.tryReserve(100)
    const waiting = limit.reserve(10, 250, 1000)
    jest.advanceTimersByTime(250)
    await expect(waiting).rejects.toBeInstanceOf(KafkaJSBufferExhaustedError)
    await expect(waiting).rejects.toThrow(/within maxBlockMs \(1000 ms\): 100 of 100 bytes/)
    expect(limit.hasWaiters).toBe(false)
  })

  test('a waiter timing out in the middle of the queue leaves the others in their order', async () => {
    jest.useFakeTimers()
    const limit = new BufferLimit(100)
    limit.tryReserve(100)
    const order: string[] = []
    const a = limit.reserve(10, 1000).then(() => order.push('a'))
    const b = limit.reserve(10, 100).catch((error: unknown) => {
      order.push('b failed')
      expect(error).toBeInstanceOf(KafkaJSBufferExhaustedError)
    })
    const c = limit.reserve(10, 1000).then(() => order.push('c'))
    const last = limit.reserve(10, 50).catch(() => order.push('last failed'))
    jest.advanceTimersByTime(100)
    await Promise.all([b, last])
    expect(order).toEqual(['last failed', 'b failed'])
    expect(limit.hasWaiters).toBe(true)
    limit.release(100)
    await Promise.all([a, c])
    expect(order).toEqual(['last failed', 'b failed', 'a', 'c'])
    expect(limit.hasWaiters).toBe(false)
    expect(limit.used).toBe(20)
    // a new request goes straight through once no one waits
    expect(limit.tryReserve(10)).toBe(true)
  })

  test('many waiters timing out in arrival order all fail and leave the queue empty', async () => {
    jest.useFakeTimers()
    const limit = new BufferLimit(100)
    limit.tryReserve(100)
    const waiting = Array.from({ length: 1000 }, (_, i) =>
      limit.reserve(1, 10 + i).then(
        () => 'served',
        () => 'failed',
      ),
    )
    jest.advanceTimersByTime(2000)
    expect(new Set(await Promise.all(waiting))).toEqual(new Set(['failed']))
    expect(limit.hasWaiters).toBe(false)
    limit.release(100)
    expect(limit.tryReserve(100)).toBe(true)
  })

  test('failWaiters rejects everyone waiting', async () => {
    const limit = new BufferLimit(10)
    limit.tryReserve(10)
    const waiting = limit.reserve(5, 10_000)
    const second = limit.reserve(5, 10_000)
    limit.failWaiters(new Error('closing'))
    await expect(waiting).rejects.toThrow('closing')
    await expect(second).rejects.toThrow('closing')
    expect(limit.hasWaiters).toBe(false)
  })
})
