// Waiting in tests for something another party does asynchronously (a server receiving a request, a
// broker renewing a session). Every wait is bounded: a condition that never comes fails the test with
// what it waited for, and no poll loop outlives its test to keep jest from exiting.

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Polls `condition` every `intervalMs` (0: every turn of the event loop) until it holds; throws
 * naming `what` once `timeoutMs` has passed without it.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30000,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await (intervalMs === 0 ? new Promise((resolve) => setImmediate(resolve)) : sleep(intervalMs))
  }
}
