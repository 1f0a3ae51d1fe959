// kafkit's diagnostics_channel TracingChannels, the convention of undici and Node's own modules:
// `tracingChannel(name)` publishes start, end, asyncStart, asyncEnd and error around one
// operation, all with the same context object (Node adds `result` or `error` to it). APM agents
// subscribe by name without patching kafkit; kafkit/otel is built on them.
//
// Invariants (checked by test/tracing/channels.test.ts):
// 1. Nothing is built while a channel has no subscriber: one hasSubscribers check per operation.
// 2. One produce trace per call of send() or sendBatch() by the application (on the producer or on
//    a transaction), however the producer reaches its internal path: a send made while another
//    one's start is being published (send() delegating synchronously) is not traced again.
// 3. The consumer handlers' traces enclose the application's handler: start before it is called,
//    asyncEnd (or error) once its promise settled. A start subscriber may set `runHandler` to run
//    the handler inside its own scope (OpenTelemetry's context.with); stores bound with
//    bindStore() are entered as for any TracingChannel.
// 4. The contexts carry the application's own objects (its messages, the fetched message, the
//    Batch, the Transaction), so that a start subscriber can add headers to outgoing messages
//    before they are encoded.

import { type TracingChannel, tracingChannel } from 'node:diagnostics_channel'
import type { Cluster } from '../cluster/cluster.js'
import type { Batch } from '../consumer/batch.js'
import type {
  EachBatchHandler,
  EachBatchPayload,
  EachMessageHandler,
  EachMessagePayload,
} from '../consumer/handlers.js'
import type { KafkaMessage } from '../consumer/message.js'
import type { RecordMetadata, TopicMessages } from '../producer/messages.js'
import type { Transaction } from '../producer/producer.js'
import type { TransactionOffsets } from '../producer/transaction-manager.js'

/** The names to pass to `diagnostics_channel.tracingChannel()`. */
export const TracingChannels = Object.freeze({
  /** producer.send() / sendBatch(), and the same on a transaction: ProduceTraceContext. */
  SEND: 'kafkit:producer:send',
  /** producer.transaction(): TransactionTraceContext, `result` is the Transaction. */
  TRANSACTION_BEGIN: 'kafkit:transaction:begin',
  /** transaction.commit(): TransactionTraceContext. */
  TRANSACTION_COMMIT: 'kafkit:transaction:commit',
  /** transaction.abort(): TransactionTraceContext. */
  TRANSACTION_ABORT: 'kafkit:transaction:abort',
  /** transaction.sendOffsets(): TransactionTraceContext with `offsets`. */
  TRANSACTION_SEND_OFFSETS: 'kafkit:transaction:sendOffsets',
  /** One eachMessage call: EachMessageTraceContext. */
  EACH_MESSAGE: 'kafkit:consumer:eachMessage',
  /** One eachBatch call: EachBatchTraceContext. */
  EACH_BATCH: 'kafkit:consumer:eachBatch',
  /** One request to a broker, on the connection's one request path: RequestTraceContext. */
  REQUEST: 'kafkit:request',
} as const)

/** What every context says about the client. */
export interface ClientTraceContext {
  /** The client id the client sends in its requests. */
  readonly clientId: string
  /** The cluster's id once the client's metadata knows it (undefined before, or from a broker before KIP-78). */
  readonly clusterId: string | undefined
}

export interface ProduceTraceContext extends ClientTraceContext {
  /** The method the application called. */
  readonly method: 'send' | 'sendBatch'
  /**
   * The caller's topics and messages: its own message objects (send()'s record appears as one
   * entry). Headers a start subscriber adds to a message are sent with it.
   */
  readonly topicMessages: readonly TopicMessages[]
  /** The transaction the call belongs to; undefined outside one. */
  readonly transaction: Transaction | undefined
  readonly transactionalId: string | undefined
  /** Set by Node when the call resolved: one entry per topic-partition written. */
  result?: RecordMetadata[]
  /** Set by Node when the call failed. */
  error?: unknown
}

export type TransactionOperation = 'begin' | 'commit' | 'abort' | 'sendOffsets'

export interface TransactionTraceContext extends ClientTraceContext {
  readonly operation: TransactionOperation
  readonly transactionalId: string | undefined
  /** The transaction operated on; undefined for begin, whose `result` is the new Transaction. */
  readonly transaction: Transaction | undefined
  /** sendOffsets()'s argument. */
  readonly offsets: TransactionOffsets | undefined
  result?: unknown
  error?: unknown
}

/** Runs the handler; set by a start subscriber that needs the handler to run in its own scope. */
export type HandlerScope = <T>(handler: () => T) => T

export interface HandlerTraceContext extends ClientTraceContext {
  readonly groupId: string
  /**
   * A start subscriber may set this; kafkit then calls the handler through it. A subscriber that
   * finds one already set wraps it, so that every subscriber's scope is entered.
   */
  runHandler: HandlerScope | undefined
  /** Set by Node when the handler threw or rejected. */
  error?: unknown
}

export interface EachMessageTraceContext extends HandlerTraceContext {
  readonly topic: string
  readonly partition: number
  /** The message handed to eachMessage. */
  readonly message: KafkaMessage
}

export interface EachBatchTraceContext extends HandlerTraceContext {
  /** The batch handed to eachBatch (topic, partition, messages). */
  readonly batch: Batch
}

export interface RequestTraceContext {
  readonly clientId: string
  /** 'producer', 'consumer' or 'admin': the kind of client the connection belongs to, when known. */
  readonly client: string | undefined
  /** "host:port" */
  readonly broker: string
  readonly host: string
  readonly port: number
  readonly apiKey: number
  /** Kafka's name of the API, e.g. "Produce", "FindCoordinator". */
  readonly apiName: string
  readonly apiVersion: number
  /** The correlation id the request carries on the wire. */
  readonly correlationId: number
  /** false for a request the broker does not answer (Produce with acks 0). */
  readonly expectResponse: boolean
  /** Set by Node when the response arrived: the decoded response (undefined without one). */
  result?: unknown
  /** Set by Node when the request failed (timeout, connection closed, decode error). */
  error?: unknown
}

const sendChannel = tracingChannel<unknown, ProduceTraceContext>(TracingChannels.SEND)
const transactionChannels: Readonly<Record<TransactionOperation, TracingChannel<unknown, TransactionTraceContext>>> = {
  begin: tracingChannel(TracingChannels.TRANSACTION_BEGIN),
  commit: tracingChannel(TracingChannels.TRANSACTION_COMMIT),
  abort: tracingChannel(TracingChannels.TRANSACTION_ABORT),
  sendOffsets: tracingChannel(TracingChannels.TRANSACTION_SEND_OFFSETS),
}
const eachMessageChannel = tracingChannel<unknown, EachMessageTraceContext>(TracingChannels.EACH_MESSAGE)
const eachBatchChannel = tracingChannel<unknown, EachBatchTraceContext>(TracingChannels.EACH_BATCH)
const requestChannel = tracingChannel<unknown, RequestTraceContext>(TracingChannels.REQUEST)

/** What a traced client reads when an operation starts. */
export interface TraceSource {
  readonly clientId: string
  clusterId(): string | undefined
}

export interface ProducerTraceSource extends TraceSource {
  readonly transactionalId: string | undefined
}

export interface ConsumerTraceSource extends TraceSource {
  readonly groupId: string
}

/** The trace source of a client whose metadata lives in `cluster`, with what else its traces carry. */
export function clusterTraceSource<E extends object>(clientId: string, cluster: Cluster, extra: E): TraceSource & E {
  return {
    ...extra,
    clientId,
    clusterId: () => (cluster.isConnected ? cluster.metadata.clusterId || undefined : undefined),
  }
}

// Set while a produce trace's start is published and its function entered (invariant 2).
let producing = false

/**
 * Runs `send` inside a produce trace. `input` is what the application passed: send()'s record or
 * sendBatch()'s batch, read defensively since it has not been validated yet.
 */
export function traceProduce<T>(
  source: ProducerTraceSource,
  method: 'send' | 'sendBatch',
  input: unknown,
  transaction: Transaction | undefined,
  send: () => Promise<T>,
): Promise<T> {
  if (producing || !sendChannel.hasSubscribers) return send()
  const context: ProduceTraceContext = {
    clientId: source.clientId,
    clusterId: source.clusterId(),
    method,
    topicMessages: method === 'send' ? recordTopicMessages(input) : batchTopicMessages(input),
    transaction,
    transactionalId: source.transactionalId,
  }
  producing = true
  try {
    return sendChannel.tracePromise(send, context) as Promise<T>
  } finally {
    producing = false
  }
}

function recordTopicMessages(record: unknown): TopicMessages[] {
  if (record === null || typeof record !== 'object') return []
  const { topic, messages } = record as Partial<TopicMessages>
  return [{ topic: topic as string, messages: Array.isArray(messages) ? messages : [] }]
}

function batchTopicMessages(batch: unknown): TopicMessages[] {
  if (batch === null || typeof batch !== 'object') return []
  const { topicMessages } = batch as { topicMessages?: unknown }
  if (!Array.isArray(topicMessages)) return []
  return topicMessages
    .filter((t): t is Partial<TopicMessages> => t !== null && typeof t === 'object')
    .map((t) => ({ topic: t.topic as string, messages: Array.isArray(t.messages) ? t.messages : [] }))
}

/**
 * The transaction object the application gets: each call of `inner` traced (the sends as produce
 * traces that name this object as their transaction). Calls are traced before `inner` checks that
 * the transaction is still open, so a refused call is traced with its error.
 */
export function tracedTransaction(source: ProducerTraceSource, inner: Transaction): Transaction {
  const transaction: Transaction = {
    send: (record) => traceProduce(source, 'send', record, transaction, () => inner.send(record)),
    sendBatch: (batch) => traceProduce(source, 'sendBatch', batch, transaction, () => inner.sendBatch(batch)),
    sendOffsets: (offsets) =>
      traceTransaction(source, 'sendOffsets', transaction, () => inner.sendOffsets(offsets), offsets),
    commit: () => traceTransaction(source, 'commit', transaction, () => inner.commit()),
    abort: () => traceTransaction(source, 'abort', transaction, () => inner.abort()),
    isActive: () => inner.isActive(),
  }
  return transaction
}

/** Runs a transaction operation inside its trace. */
export function traceTransaction<T>(
  source: ProducerTraceSource,
  operation: TransactionOperation,
  transaction: Transaction | undefined,
  run: () => Promise<T>,
  offsets?: TransactionOffsets,
): Promise<T> {
  const channel = transactionChannels[operation]
  if (!channel.hasSubscribers) return run()
  const context: TransactionTraceContext = {
    clientId: source.clientId,
    clusterId: source.clusterId(),
    operation,
    transactionalId: source.transactionalId,
    transaction,
    offsets,
  }
  return channel.tracePromise(run, context) as Promise<T>
}

/** The consumer's handlers, traced per call; the consumer hands these to its runner. */
export function tracedHandlers(
  source: ConsumerTraceSource,
  eachMessage: EachMessageHandler | undefined,
  eachBatch: EachBatchHandler | undefined,
): { eachMessage: EachMessageHandler | undefined; eachBatch: EachBatchHandler | undefined } {
  const { clientId, groupId } = source
  // literals with every field, not spreads: Node adds result or error to them later
  return {
    eachMessage:
      eachMessage &&
      traceHandler(eachMessageChannel, eachMessage, ({ topic, partition, message }: EachMessagePayload) => ({
        clientId,
        clusterId: source.clusterId(),
        groupId,
        runHandler: undefined,
        topic,
        partition,
        message,
      })),
    eachBatch:
      eachBatch &&
      traceHandler(eachBatchChannel, eachBatch, ({ batch }: EachBatchPayload) => ({
        clientId,
        clusterId: source.clusterId(),
        groupId,
        runHandler: undefined,
        batch,
      })),
  }
}

function traceHandler<P, C extends HandlerTraceContext>(
  channel: TracingChannel<unknown, C>,
  handler: (payload: P) => Promise<void>,
  contextOf: (payload: P) => C,
): (payload: P) => Promise<void> {
  return (payload) => {
    if (!channel.hasSubscribers) return handler(payload)
    const context = contextOf(payload)
    return channel.tracePromise(() => {
      // read once start's subscribers have run: one of them may have set it
      const scope = context.runHandler
      return scope === undefined ? handler(payload) : scope(() => handler(payload))
    }, context)
  }
}

/** Whether anyone traces broker requests: the connection builds a context only then. */
export function requestsTraced(): boolean {
  return requestChannel.hasSubscribers
}

/** Runs one broker request inside its trace. */
export function traceRequest<T>(context: RequestTraceContext, request: () => Promise<T>): Promise<T> {
  return requestChannel.tracePromise(request, context) as Promise<T>
}
