import type { EachMessageHandler, EachMessagePayload } from '../../src/consumer/handlers.js'
import { HandlerAborted } from '../../src/consumer/handlers.js'
import { MessageIterator } from '../../src/consumer/message-iterator.js'

function payload(offset: string): EachMessagePayload {
  return {
    topic: 't',
    partition: 0,
    message: { offset } as EachMessagePayload['message'],
    heartbeat: async () => {},
    pause: () => () => {},
  }
}

/** An iterator over a fake runner that hands `offsets` out one at a time, as the runner does. */
function harness(offsets: string[]) {
  const outcomes: string[] = []
  let crash: ((error: Error) => void) | undefined
  let stopped = 0
  let delivering: Promise<void> = Promise.resolve()
  const iterator = new MessageIterator({
    start: async (eachMessage: EachMessageHandler) => {
      delivering = (async () => {
        for (const offset of offsets) {
          try {
            await eachMessage(payload(offset))
            outcomes.push(`${offset} processed`)
          } catch (error) {
            outcomes.push(`${offset} ${error instanceof HandlerAborted ? 'aborted' : String(error)}`)
            return
          }
        }
      })()
    },
    stop: async () => {
      stopped++
    },
    onCrash: (listener) => {
      crash = listener
      return () => {
        crash = undefined
      }
    },
  })
  return { iterator, outcomes, crash: (e: Error) => crash?.(e), stopped: () => stopped, delivered: () => delivering }
}

describe('MessageIterator', () => {
  test('a message is processed when the loop asks for the next; the one in hand at break is not', async () => {
    const h = harness(['0', '1', '2', '3'])
    const seen: string[] = []
    for await (const { message } of h.iterator) {
      seen.push(message.offset)
      if (message.offset === '2') break
    }
    await h.delivered()
    expect(seen).toEqual(['0', '1', '2'])
    expect(h.outcomes).toEqual(['0 processed', '1 processed', '2 aborted'])
    expect(h.stopped()).toBe(1)
    expect(await h.iterator.next()).toEqual({ value: undefined, done: true })
  })

  test('messages that arrive before the loop asks are handed out in order', async () => {
    const h = harness(['0', '1'])
    const first = await h.iterator.next()
    expect(first.value?.message.offset).toBe('0')
    // the runner now waits for the loop; the next message arrives once the loop asks
    const second = await h.iterator.next()
    expect(second.value?.message.offset).toBe('1')
    await h.iterator.return()
    await h.delivered()
    expect(h.outcomes).toEqual(['0 processed', '1 aborted'])
  })

  test('a crash rejects the waiting next() and every later one', async () => {
    const h = harness([])
    const waiting = h.iterator.next()
    await new Promise((resolve) => setImmediate(resolve))
    h.crash(new Error('boom'))
    await expect(waiting).rejects.toThrow('boom')
    await expect(h.iterator.next()).rejects.toThrow('boom')
  })

  test('a throw in the loop body ends the iteration and aborts the message in hand', async () => {
    const h = harness(['0', '1'])
    await expect(
      (async () => {
        for await (const { message } of h.iterator) {
          if (message.offset === '1') throw new Error('handler failed')
        }
      })(),
    ).rejects.toThrow('handler failed')
    await h.delivered()
    expect(h.outcomes).toEqual(['0 processed', '1 aborted'])
    expect(h.stopped()).toBe(1)
  })
})
