import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { VERSION } from '../../src/version.js'

test('VERSION matches package.json, as sent to brokers in ApiVersions (KIP-511)', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
  expect(VERSION).toBe(pkg.version)
})

test('VERSION passes the broker check on ClientSoftwareVersion (KIP-511), or the broker rejects ApiVersions', () => {
  expect(VERSION).toMatch(/^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/)
})
