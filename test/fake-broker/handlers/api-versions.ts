// ApiVersions: every API the cluster has a handler for, with its advertised range, and the
// finalized transaction.version when the cluster was given one.

import { ApiVersions } from '../../../src/protocol/generated/api-versions.js'
import type { HandlerModule } from '../handler.js'

export const apiVersionsHandlers: HandlerModule = (cluster) => {
  cluster.handle(ApiVersions, () => {
    const version = cluster.transactionVersion
    return ApiVersions.createResponse({
      apiKeys: cluster.advertised(),
      ...(version === undefined
        ? {}
        : {
            supportedFeatures: [{ name: 'transaction.version', minVersion: 0, maxVersion: 2 }],
            finalizedFeaturesEpoch: 1n,
            finalizedFeatures: [{ name: 'transaction.version', minVersionLevel: version, maxVersionLevel: version }],
          }),
    })
  })
}
