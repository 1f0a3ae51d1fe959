// Stops the cluster global-setup started (a cluster described by KAFKIT_CONFORMANCE_CLUSTER beforehand is left alone).

const { stopHarnessCluster } = require('./global-setup.js') as typeof import('./global-setup.js')

export default async function globalTeardown(): Promise<void> {
  await stopHarnessCluster()
}
