// Shared by the admin integration tests: an admin client on the test broker (or any brokers), and
// names no other test uses, since every test file shares the broker.

import { randomBytes } from 'node:crypto'
import type { Admin } from '../src/admin/admin.js'
import { Kafka, logLevel } from '../src/index.js'
import { brokers } from './helpers/brokers.js'

/** A connected admin client; retries kept short so that failure paths do not take long. */
export async function connectedAdmin(seeds: string[] = brokers(), retries = 5): Promise<Admin> {
  const kafka = new Kafka({
    brokers: seeds,
    clientId: 'kafkit-admin-test',
    logLevel: logLevel.NOTHING,
    retry: { retries, initialRetryTime: 100, maxRetryTime: 2000 },
  })
  const admin = kafka.admin()
  await admin.connect()
  return admin
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`
}

/**
 * Calls `read` until `done` accepts its result, for changes the brokers apply asynchronously (a
 * dynamic broker config reaches the broker when it replays the metadata log); gives up after
 * `attempts` tries and returns the last result, so the test's assertion reports what it saw.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, attempts = 50): Promise<T> {
  let value = await read()
  for (let i = 1; i < attempts && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    value = await read()
  }
  return value
}
