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
