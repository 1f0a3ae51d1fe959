// ApiVersions against a real broker, at every version the broker supports.

import { Connection } from '../src/network/connection.js'
import { ApiVersions } from '../src/protocol/generated/api-versions.js'
import { Metadata } from '../src/protocol/generated/metadata.js'
import { VERSION } from '../src/version.js'
import { brokers, hostAndPort } from './helpers/brokers.js'

const { host, port } = hostAndPort(brokers()[0]!)

let connection: Connection

beforeAll(async () => {
  connection = new Connection({ host, port, clientId: 'kafkit-api-versions-test' })
  await connection.connect()
})

afterAll(() => connection.close())

test('the handshake negotiated ApiVersions and a table that covers the core APIs', () => {
  const table = connection.apiVersions
  expect(table.get(ApiVersions.apiKey)!.minVersion).toBe(0)
  expect(table.get(ApiVersions.apiKey)!.maxVersion).toBeGreaterThanOrEqual(3)
  // every key the broker lists is a real range
  for (const [key, range] of table) {
    expect(key).toBeGreaterThanOrEqual(0)
    expect(range.minVersion).toBeLessThanOrEqual(range.maxVersion)
  }
  expect(connection.versionFor(Metadata)).toBe(Math.min(Metadata.maxVersion, table.get(Metadata.apiKey)!.maxVersion))
})

test('ApiVersions decodes sanely at every version the broker supports', async () => {
  const { minVersion, maxVersion } = connection.apiVersions.get(ApiVersions.apiKey)!
  const versions = Array.from({ length: maxVersion - minVersion + 1 }, (_, i) => minVersion + i)
  const request = ApiVersions.createRequest({ clientSoftwareName: 'kafkit', clientSoftwareVersion: VERSION })
  for (const version of versions) {
    if (version > ApiVersions.latestVersion) continue
    const response = await connection.send(ApiVersions, request, { version })
    expect({ version, errorCode: response.errorCode }).toEqual({ version, errorCode: 0 })
    const byKey = new Map(response.apiKeys.map((k) => [k.apiKey, k]))
    // the same table at every version, as the handshake saw it
    expect(byKey.size).toBe(connection.apiVersions.size)
    for (const [key, range] of connection.apiVersions) {
      expect(byKey.get(key)).toEqual({ apiKey: key, minVersion: range.minVersion, maxVersion: range.maxVersion })
    }
    if (version >= 1) expect(response.throttleTimeMs).toBe(0)
    if (version >= 3) {
      // KRaft brokers always report the metadata.version feature and a finalized level for it
      expect(response.finalizedFeaturesEpoch).toBeGreaterThanOrEqual(0n)
      expect(response.finalizedFeatures.map((f) => f.name)).toContain('metadata.version')
      const supported = response.supportedFeatures.find((f) => f.name === 'metadata.version')
      expect(supported!.maxVersion).toBeGreaterThanOrEqual(supported!.minVersion)
    } else {
      expect(response.supportedFeatures).toEqual([])
    }
  }
})
