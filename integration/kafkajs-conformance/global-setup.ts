// Starts the cluster every conformance test runs against: three nodes, each with PLAINTEXT, SSL and
// SASL_SSL listeners (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and Kafka's StandardAuthorizer, the setup
// KafkaJS 2.2.4's own integration specs ran against. Workers find it through
// KAFKIT_CONFORMANCE_CLUSTER, the path of a JSON description (helpers.ts reads it). When that variable
// is already set, the cluster it describes is used as it is and nothing is started (a developer may
// keep one running across runs: `npm run conformance:cluster -- start`).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { KafkaTestCluster } from '../../src/testing/index.js'
import type { ConformanceClusterDescription } from './cluster-description.js'

const { installTsSourceResolution } = require('../../scripts/ts-sources.js') as {
  installTsSourceResolution: () => void
}
installTsSourceResolution()
const { startConformanceCluster } = require('./cluster-description.js') as typeof import('./cluster-description.js')

interface HarnessGlobals {
  __kafkitConformanceCluster?: { cluster: KafkaTestCluster; dir: string }
}

export default async function globalSetup(): Promise<void> {
  if (process.env.KAFKIT_CONFORMANCE_CLUSTER && process.env.KAFKIT_CONFORMANCE_SOURCE !== 'harness') return
  const { cluster, description } = await startConformanceCluster({ detached: false })
  const dir = mkdtempSync(join(tmpdir(), 'kafkit-conformance-'))
  const file = join(dir, 'cluster.json')
  writeFileSync(file, JSON.stringify(description satisfies ConformanceClusterDescription))
  ;(globalThis as HarnessGlobals).__kafkitConformanceCluster = { cluster, dir }
  process.env.KAFKIT_CONFORMANCE_CLUSTER = file
  process.env.KAFKIT_CONFORMANCE_SOURCE = 'harness'
}

export async function stopHarnessCluster(): Promise<void> {
  const globals = globalThis as HarnessGlobals
  const started = globals.__kafkitConformanceCluster
  globals.__kafkitConformanceCluster = undefined
  if (!started) return
  delete process.env.KAFKIT_CONFORMANCE_CLUSTER
  delete process.env.KAFKIT_CONFORMANCE_SOURCE
  try {
    await started.cluster.stop()
  } finally {
    rmSync(started.dir, { recursive: true, force: true })
  }
}
