// The names of every topic in the cluster, for regex subscriptions: one Metadata request for all
// topics (topics: null), without touching the cluster view's cached metadata.

import type { Cluster } from '../cluster/cluster.js'
import type { ResolvedRetryOptions } from '../network/backoff.js'
import { retry } from '../network/backoff.js'
import { protocolError } from '../protocol/generated/errors.js'
import { Metadata } from '../protocol/generated/metadata.js'

export function listTopicNames(cluster: Cluster, retryOptions: ResolvedRetryOptions): Promise<string[]> {
  return retry(async () => {
    const connection = await cluster.anyConnection()
    const response = await connection.send(
      Metadata,
      Metadata.createRequest({ topics: null, allowAutoTopicCreation: false }),
    )
    if (response.errorCode !== 0) throw protocolError(response.errorCode, 'Metadata (all topics)')
    return response.topics
      .filter((t) => t.name !== null && !t.isInternal && t.errorCode === 0)
      .map((t) => t.name as string)
  }, retryOptions)
}
