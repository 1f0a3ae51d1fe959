// A wake-up for loops that sleep until something changes (a partition becomes fetchable, data
// arrives, the consumer stops). notify() releases every current waiter; a waiter that arrives after
// it waits for the next one, so callers re-check their condition in a loop.

export class Signal {
  #waiters: (() => void)[] = []

  wait(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      if (timeoutMs === undefined) {
        this.#waiters.push(resolve)
        return
      }
      const timer = setTimeout(done, timeoutMs)
      const self = this
      function done(): void {
        clearTimeout(timer)
        const i = self.#waiters.indexOf(done)
        if (i >= 0) self.#waiters.splice(i, 1)
        resolve()
      }
      this.#waiters.push(done)
    })
  }

  notify(): void {
    const waiters = this.#waiters
    if (waiters.length === 0) return
    this.#waiters = []
    for (const w of waiters) w()
  }
}
