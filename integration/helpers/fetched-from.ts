// Which broker served records to a consumer, read from kafkit's request tracing channel: the
// decoded Fetch response is the trace's `result`. (The consumer.fetch event cannot say it: its
// numberOfBatches is always 0, as in KafkaJS.)

import { tracingChannel } from 'node:diagnostics_channel'
import { type RequestTraceContext, TracingChannels } from '../../src/index.js'

interface FetchedPartitions {
  responses?: Array<{ partitions?: Array<{ records?: Buffer | null }> }>
}

/** One Fetch answer of a consumer of `clientId`: its broker ("host:port") and whether it carried records. */
export interface FetchAnswer {
  broker: string
  withRecords: boolean
}

/**
 * Records every Fetch answer to consumers of `clientId` until `stop()` is called; `answers` grows
 * as they arrive.
 */
export function recordFetchAnswers(clientId: string): { answers: FetchAnswer[]; stop: () => void } {
  const answers: FetchAnswer[] = []
  const asyncEnd = (message: unknown): void => {
    const context = message as RequestTraceContext
    if (context.clientId !== clientId || context.client !== 'consumer' || context.apiName !== 'Fetch') return
    const response = context.result as FetchedPartitions | undefined
    const withRecords = (response?.responses ?? []).some((t) =>
      (t.partitions ?? []).some((p) => p.records !== undefined && p.records !== null && p.records.length > 0),
    )
    answers.push({ broker: context.broker, withRecords })
  }
  const channel = tracingChannel<unknown, RequestTraceContext>(TracingChannels.REQUEST).asyncEnd
  channel.subscribe(asyncEnd)
  return { answers, stop: () => channel.unsubscribe(asyncEnd) }
}
