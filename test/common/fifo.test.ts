import { Fifo } from '../../src/common/fifo.js'

test('items come out in the order they went in, across compactions', () => {
  const q = new Fifo<number>()
  const out: number[] = []
  for (let i = 0; i < 5000; i++) {
    q.push(i)
    if (i % 3 === 0) out.push(q.shift()!)
  }
  expect(q.length).toBe(5000 - out.length)
  expect(q.peek()).toBe(out.length)
  out.push(...q.drain())
  expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i))
  expect(q.length).toBe(0)
  expect(q.shift()).toBeUndefined()
})
