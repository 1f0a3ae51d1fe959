// Metadata requests of the admin client's own: by name, by topic id, or for every topic, never
// creating a topic by asking for it. (The Cluster's metadata serves routing; these answer what the
// user asked about, including the errors for topics that do not exist.)

import { metadataResponseError } from '../cluster/stale-metadata.js'
import type { Connection } from '../network/connection.js'
import {
  createMetadataRequestMetadataRequestTopic,
  Metadata,
  type MetadataResponse,
} from '../protocol/generated/metadata.js'
import { ZERO_UUID } from '../protocol/primitives/uuid.js'
import type { AdminContext } from './context.js'

export interface MetadataQuery {
  /** Topic names; null for every topic. */
  topics?: readonly string[] | null
  /** Topic ids (base64), instead of names. */
  topicIds?: readonly string[]
  includeTopicAuthorizedOperations?: boolean
  includeClusterAuthorizedOperations?: boolean
}

/**
 * Metadata from `connection` (default: the least busy broker), retried on retriable failures. A
 * top-level error (Metadata v13+: REBOOTSTRAP_REQUIRED) fails the attempt and is fed back to the
 * cluster, which then bootstraps again before the retry.
 */
export function requestMetadata(
  ctx: AdminContext,
  query: MetadataQuery,
  connection?: Connection,
): Promise<MetadataResponse> {
  return ctx.withRetry('metadata', async () => {
    const target = connection ?? (await ctx.cluster.anyConnection())
    const response = await requestMetadataOnce(target, query)
    if (response.errorCode !== 0) {
      const error = metadataResponseError(response.errorCode, `Metadata from ${target.broker}`)
      ctx.cluster.noteError(error)
      throw error
    }
    return response
  })
}

export async function requestMetadataOnce(connection: Connection, query: MetadataQuery): Promise<MetadataResponse> {
  const version = connection.versionFor(Metadata)
  const topics =
    query.topicIds !== undefined
      ? query.topicIds.map((topicId) => createMetadataRequestMetadataRequestTopic({ topicId, name: null }))
      : query.topics === null || query.topics === undefined
        ? null
        : query.topics.map((name) => createMetadataRequestMetadataRequestTopic({ name, topicId: ZERO_UUID }))
  const request = Metadata.createRequest({
    topics,
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: query.includeTopicAuthorizedOperations ?? false,
    ...(version <= 10 && { includeClusterAuthorizedOperations: query.includeClusterAuthorizedOperations ?? false }),
  })
  return connection.send(Metadata, request, { version })
}
