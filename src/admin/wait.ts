// Waiting for the cluster to reflect a change (new topics have leaders, deleted topics are gone):
// ask every broker, since a client may reach any of them next, until all agree or time runs out.

import { sleep } from '../common/backoff.js'
import { errorMessage } from '../common/error-message.js'
import { KafkaJSTimeout } from '../errors.js'
import type { MetadataResponse } from '../protocol/generated/metadata.js'
import type { AdminContext } from './context.js'
import { requestMetadataOnce } from './metadata-request.js'
import { allBrokerIds } from './routing.js'

/** How often the cluster is asked again while waiting. */
export const POLL_INTERVAL_MS = 100

/**
 * Resolves once `pending(response)` lists nothing for the Metadata of `topics` on every broker;
 * throws KafkaJSTimeout naming what is still pending after `timeoutMs` (or with `timeoutMessage`). A broker that cannot be
 * reached counts as not agreeing yet.
 */
export async function waitForMetadata(
  ctx: AdminContext,
  topics: readonly string[],
  timeoutMs: number,
  pending: (response: MetadataResponse) => string[],
  what: string,
  /** The whole message of the KafkaJSTimeout, where KafkaJS has its own text for it. */
  timeoutMessage?: string,
): Promise<void> {
  if (topics.length === 0) return
  const deadline = Date.now() + timeoutMs
  for (;;) {
    let left: string[] = []
    try {
      const ids = await allBrokerIds(ctx)
      const answers = await Promise.all(
        ids.map(async (id) => requestMetadataOnce(await ctx.cluster.connectionToNode(id), { topics })),
      )
      left = [...new Set(answers.flatMap(pending))]
    } catch (error) {
      ctx.cluster.noteError(error)
      left = [`(${errorMessage(error)})`]
    }
    if (left.length === 0) return
    if (Date.now() >= deadline) {
      throw new KafkaJSTimeout(
        timeoutMessage ?? `Timed out after ${timeoutMs} ms while waiting for ${what}: ${left.join(', ')}`,
      )
    }
    await sleep(Math.min(POLL_INTERVAL_MS, Math.max(0, deadline - Date.now())))
  }
}
