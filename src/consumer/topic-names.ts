// The names (and ids) of every topic in the cluster, for regex subscriptions and for naming the
// topics a KIP-848 coordinator assigns by id: one Metadata request for all topics (topics: null),
// without touching the cluster view's cached metadata.

import type { Cluster } from '../cluster/cluster.js'
import type { ResolvedRetryOptions } from '../common/backoff.js'
import { retry } from '../common/backoff.js'
import { protocolError } from '../protocol/generated/errors.js'
import { Metadata } from '../protocol/generated/metadata.js'

export async function listTopicNames(cluster: Cluster, retryOptions: ResolvedRetryOptions): Promise<string[]> {
  return (await listTopics(cluster, retryOptions)).map((t) => t.name)
}

/** Every topic's name and id (Metadata v10+ carries ids; older brokers give the zero id). */
export function listTopics(
  cluster: Cluster,
  retryOptions: ResolvedRetryOptions,
): Promise<{ name: string; topicId: string }[]> {
  return retry(async () => {
    const connection = await cluster.anyConnection()
    const response = await connection.send(
      Metadata,
      Metadata.createRequest({ topics: null, allowAutoTopicCreation: false }),
    )
    if (response.errorCode !== 0) throw protocolError(response.errorCode, 'Metadata (all topics)')
    return response.topics
      .filter((t) => t.name !== null && !t.isInternal && t.errorCode === 0)
      .map((t) => ({ name: t.name as string, topicId: t.topicId }))
  }, retryOptions)
}
