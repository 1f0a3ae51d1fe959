// kafkit's OpenTelemetry instrumentation, built on its diagnostics_channel traces
// (src/tracing/channels.ts) instead of patching modules. It records what
// @opentelemetry/instrumentation-kafkajs 0.32 records for KafkaJS, so that a service switching from
// KafkaJS keeps its spans, metrics and dashboards:
// - `send <topic>` (PRODUCER) per message of send()/sendBatch(), its context injected into the
//   message's headers; `messaging.client.sent.messages` per message;
// - `process <topic>` (CONSUMER) per eachMessage call, the child of the context extracted from the
//   message's headers, the handler running inside it; `messaging.process.duration` and
//   `messaging.client.consumed.messages`;
// - `poll <topic>` (CLIENT, a new trace) per eachBatch call with one `process <topic>` child per
//   message, linked to the context in its headers, all ending with the handler;
// - `transaction` from producer.transaction() to commit() (status OK) or abort(), parent of the
//   transaction's send spans, errored by a failed send;
// - `messaging.client.operation.duration` per producer and consumer request answered by a broker.
// The error handling is the same as well: `error.type` is the error's class name (`_OTHER` for a
// string or nothing), the status ERROR with the error's message.
// Beyond that, and following OpenTelemetry's messaging conventions: one CLIENT span per broker
// request when `requestSpans` is on (off by default: a consumer makes several requests a second).

import { tracingChannel } from 'node:diagnostics_channel'
import {
  type Attributes,
  type Context,
  type Counter,
  context,
  type DiagLogger,
  diag,
  type Exception,
  type Histogram,
  type Link,
  type Meter,
  type MeterProvider,
  metrics,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api'
import type { KafkaMessage } from '../consumer/message.js'
import { kafkajsApiName } from '../network/kafkajs-api-names.js'
import type { Message } from '../producer/messages.js'
import type { Transaction } from '../producer/producer.js'
import {
  type EachBatchTraceContext,
  type EachMessageTraceContext,
  type HandlerTraceContext,
  type ProduceTraceContext,
  type RequestTraceContext,
  TracingChannels,
  type TransactionTraceContext,
} from '../tracing/channels.js'
import { VERSION } from '../version.js'

export interface MessageInfo<M> {
  topic: string
  message: M
}

export interface KafkitInstrumentationConfig {
  /** false: constructed disabled (registerInstrumentations() enables it). Default true. */
  enabled?: boolean
  /** Called with each `send` span before its message is sent (KafkaJS instrumentation's option). */
  producerHook?(span: Span, info: MessageInfo<Message>): void
  /** Called with each `process` span before its message is handled (KafkaJS instrumentation's option). */
  consumerHook?(span: Span, info: MessageInfo<KafkaMessage>): void
  /**
   * One CLIENT span per request to a broker (named by the API, e.g. `Fetch`), child of the context
   * the request was made in. kafkit only; default false.
   */
  requestSpans?: boolean
}

/** The instrumentation's scope name (its tracer and meter). */
export const INSTRUMENTATION_NAME = 'kafkit/otel'

// The attribute and metric names of OpenTelemetry's messaging conventions that the KafkaJS
// instrumentation records (semantic conventions 1.30).
const ATTR_MESSAGING_SYSTEM = 'messaging.system'
const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name'
const ATTR_MESSAGING_DESTINATION_PARTITION_ID = 'messaging.destination.partition.id'
const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name'
const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type'
const ATTR_MESSAGING_BATCH_MESSAGE_COUNT = 'messaging.batch.message_count'
const ATTR_MESSAGING_KAFKA_MESSAGE_KEY = 'messaging.kafka.message.key'
const ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE = 'messaging.kafka.message.tombstone'
const ATTR_MESSAGING_KAFKA_OFFSET = 'messaging.kafka.offset'
const ATTR_MESSAGING_KAFKA_CLUSTER_ID = 'messaging.kafka.cluster.id'
const ATTR_MESSAGING_CLIENT_ID = 'messaging.client.id'
const ATTR_SERVER_ADDRESS = 'server.address'
const ATTR_SERVER_PORT = 'server.port'
const ATTR_ERROR_TYPE = 'error.type'
const ERROR_TYPE_OTHER = '_OTHER'
const MESSAGING_SYSTEM_KAFKA = 'kafka'
const METRIC_OPERATION_DURATION = 'messaging.client.operation.duration'
const METRIC_SENT_MESSAGES = 'messaging.client.sent.messages'
const METRIC_CONSUMED_MESSAGES = 'messaging.client.consumed.messages'
const METRIC_PROCESS_DURATION = 'messaging.process.duration'
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]

// Request-level attributes of kafkit's own request spans, under its own namespace.
const ATTR_REQUEST_API_VERSION = 'kafkit.request.api_version'
const ATTR_REQUEST_CORRELATION_ID = 'kafkit.request.correlation_id'

/** Header values as kafkit and KafkaJS hand them out: Buffers (or strings, or arrays of either). */
const headerGetter: TextMapGetter<Message['headers']> = {
  get(carrier, key) {
    if (carrier === undefined) return undefined
    for (const name of Object.keys(carrier)) {
      // W3C keys are lower case; a producer may have written them otherwise
      if (name === key || name.toLowerCase() === key) return carrier[name]?.toString()
    }
    return undefined
  },
  keys: (carrier) => (carrier === undefined ? [] : Object.keys(carrier)),
}

/** A metric recording deferred until the operation ends, then given its error type, if any. */
type PendingMetric = (errorType: string | undefined) => void

/** What an operation in progress holds between its start and its end. */
interface Pending {
  spans: Span[]
  metrics: PendingMetric[]
  /** The transaction span a send belongs to: errored when the send fails. */
  transactionSpan?: Span | undefined
}

type Subscribers<C extends object> = Parameters<ReturnType<typeof tracingChannel<unknown, C>>['subscribe']>[0]

export class KafkitInstrumentation {
  readonly instrumentationName = INSTRUMENTATION_NAME
  readonly instrumentationVersion = VERSION
  #config: KafkitInstrumentationConfig
  #tracer: Tracer
  #meter: Meter
  #operationDuration!: Histogram
  #sentMessages!: Counter
  #consumedMessages!: Counter
  #processDuration!: Histogram
  #enabled = false
  /** Operations between their start and end, by their channel context. */
  readonly #pending = new WeakMap<object, Pending>()
  /** Open transactions' spans, by the Transaction object the application holds. */
  readonly #transactionSpans = new WeakMap<Transaction, Span>()
  /** When each traced request started (ms), for the duration metric. */
  readonly #requestStarts = new WeakMap<RequestTraceContext, number>()
  readonly #subscriptions: { name: string; subscribers: Subscribers<object> }[]
  readonly #diag: DiagLogger = diag.createComponentLogger({ namespace: INSTRUMENTATION_NAME })

  constructor(config: KafkitInstrumentationConfig = {}) {
    this.#config = { enabled: true, ...config }
    this.#tracer = trace.getTracer(INSTRUMENTATION_NAME, VERSION)
    this.#meter = metrics.getMeter(INSTRUMENTATION_NAME, VERSION)
    this.#createInstruments()
    this.#subscriptions = [
      this.#subscription<ProduceTraceContext>(TracingChannels.SEND, {
        start: (c) => this.#sendStarted(c),
        asyncEnd: (c) => this.#sendEnded(c),
        error: (c) => this.#sendEnded(c),
      }),
      this.#subscription<EachMessageTraceContext>(TracingChannels.EACH_MESSAGE, {
        start: (c) => this.#eachMessageStarted(c),
        asyncEnd: (c) => this.#handlerEnded(c),
        error: (c) => this.#handlerEnded(c),
      }),
      this.#subscription<EachBatchTraceContext>(TracingChannels.EACH_BATCH, {
        start: (c) => this.#eachBatchStarted(c),
        asyncEnd: (c) => this.#handlerEnded(c),
        error: (c) => this.#handlerEnded(c),
      }),
      this.#subscription<TransactionTraceContext>(TracingChannels.TRANSACTION_BEGIN, {
        start: (c) => this.#transactionBegins(c),
        asyncEnd: (c) => this.#transactionBegun(c),
        error: (c) => this.#transactionBegun(c),
      }),
      this.#subscription<TransactionTraceContext>(TracingChannels.TRANSACTION_COMMIT, {
        asyncEnd: (c) => this.#transactionEnded(c, true),
        error: (c) => this.#transactionEnded(c, true),
      }),
      this.#subscription<TransactionTraceContext>(TracingChannels.TRANSACTION_ABORT, {
        asyncEnd: (c) => this.#transactionEnded(c, false),
        error: (c) => this.#transactionEnded(c, false),
      }),
      this.#subscription<RequestTraceContext>(TracingChannels.REQUEST, {
        start: (c) => this.#requestStarted(c),
        asyncEnd: (c) => this.#requestEnded(c),
        error: (c) => this.#requestEnded(c),
      }),
    ]
    if (this.#config.enabled) this.enable()
  }

  /** Subscribes to kafkit's channels; calling it again changes nothing. */
  enable(): void {
    if (this.#enabled) return
    this.#enabled = true
    for (const { name, subscribers } of this.#subscriptions) tracingChannel(name).subscribe(subscribers)
  }

  /** Unsubscribes: kafkit's channels go back to costing nothing. Operations in progress end untraced. */
  disable(): void {
    if (!this.#enabled) return
    this.#enabled = false
    for (const { name, subscribers } of this.#subscriptions) tracingChannel(name).unsubscribe(subscribers)
  }

  setTracerProvider(provider: TracerProvider): void {
    this.#tracer = provider.getTracer(INSTRUMENTATION_NAME, VERSION)
  }

  setMeterProvider(provider: MeterProvider): void {
    this.#meter = provider.getMeter(INSTRUMENTATION_NAME, VERSION)
    this.#createInstruments()
  }

  setConfig(config: KafkitInstrumentationConfig = {}): void {
    this.#config = { ...config, enabled: config.enabled ?? this.#config.enabled }
  }

  getConfig(): KafkitInstrumentationConfig {
    return this.#config
  }

  #createInstruments(): void {
    const advice = { explicitBucketBoundaries: DURATION_BUCKETS }
    this.#operationDuration = this.#meter.createHistogram(METRIC_OPERATION_DURATION, { advice })
    this.#sentMessages = this.#meter.createCounter(METRIC_SENT_MESSAGES)
    this.#consumedMessages = this.#meter.createCounter(METRIC_CONSUMED_MESSAGES)
    this.#processDuration = this.#meter.createHistogram(METRIC_PROCESS_DURATION, { advice })
  }

  #subscription<C extends object>(
    name: string,
    handlers: { [K in keyof Subscribers<C>]?: (context: C) => void },
  ): { name: string; subscribers: Subscribers<object> } {
    // diagnostics_channel wants all five; a subscriber's failure must never reach kafkit's caller
    // (an instrumentation bug may lose a span, never the application's operation)
    const noop = (): void => {}
    const guarded = (handler: ((context: C) => void) | undefined) =>
      handler === undefined
        ? noop
        : (message: unknown) => {
            try {
              handler(message as C)
            } catch (error) {
              this.#diag.error(`${name} subscriber failed`, error)
            }
          }
    return {
      name,
      subscribers: {
        start: guarded(handlers.start),
        end: noop,
        asyncStart: noop,
        asyncEnd: guarded(handlers.asyncEnd),
        error: guarded(handlers.error),
      },
    }
  }

  // --- produce

  #sendStarted(c: ProduceTraceContext): void {
    const transactionSpan = c.transaction === undefined ? undefined : this.#transactionSpans.get(c.transaction)
    const parent = transactionSpan === undefined ? context.active() : trace.setSpan(context.active(), transactionSpan)
    const pending: Pending = { spans: [], metrics: [], transactionSpan }
    for (const { topic, messages } of c.topicMessages) {
      for (const message of messages) {
        if (message === null || typeof message !== 'object') continue
        pending.spans.push(this.#producerSpan(topic, message, parent, c.clusterId))
        pending.metrics.push(
          counting(this.#sentMessages, 1, {
            [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
            [ATTR_MESSAGING_OPERATION_NAME]: 'send',
            [ATTR_MESSAGING_DESTINATION_NAME]: topic,
            ...(message.partition !== undefined && {
              [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(message.partition),
            }),
          }),
        )
      }
    }
    this.#pending.set(c, pending)
  }

  #producerSpan(topic: string, message: Message, parent: Context, clusterId: string | undefined): Span {
    const span = this.#tracer.startSpan(
      `send ${topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
          [ATTR_MESSAGING_DESTINATION_NAME]: topic,
          [ATTR_MESSAGING_KAFKA_MESSAGE_KEY]: message.key ? String(message.key) : undefined,
          [ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE]: message.key && message.value === null ? true : undefined,
          [ATTR_MESSAGING_DESTINATION_PARTITION_ID]:
            message.partition !== undefined ? String(message.partition) : undefined,
          [ATTR_MESSAGING_OPERATION_NAME]: 'send',
          [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
          ...(clusterId !== undefined && { [ATTR_MESSAGING_KAFKA_CLUSTER_ID]: clusterId }),
        },
      },
      parent,
    )
    // the trace context travels in the message's headers (W3C traceparent with the default propagator)
    message.headers ??= {}
    propagation.inject(trace.setSpan(parent, span), message.headers)
    const hook = this.#config.producerHook
    if (hook !== undefined) this.#runHook('producerHook', () => hook(span, { topic, message }))
    return span
  }

  #sendEnded(c: ProduceTraceContext): void {
    const pending = this.#take(c)
    if (pending === undefined) return
    if (!('error' in c)) {
      end(pending)
      return
    }
    fail(pending, c.error)
    const transactionSpan = pending.transactionSpan
    if (transactionSpan !== undefined) {
      // as KafkaJS's instrumentation: a failed send marks its transaction
      transactionSpan.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(c.error) })
      transactionSpan.recordException(c.error as Exception)
    }
  }

  // --- consume

  #eachMessageStarted(c: EachMessageTraceContext): void {
    const { topic, partition, message } = c
    const propagated = propagation.extract(ROOT_CONTEXT, message.headers, headerGetter)
    const span = this.#consumerSpan(topic, message, 'process', propagated, undefined, c.clusterId, {
      [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(partition),
    })
    const attributes = {
      [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
      [ATTR_MESSAGING_OPERATION_NAME]: 'process',
      [ATTR_MESSAGING_DESTINATION_NAME]: topic,
      [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(partition),
    }
    this.#pending.set(c, {
      spans: [span],
      metrics: [timing(this.#processDuration, Date.now(), attributes), counting(this.#consumedMessages, 1, attributes)],
    })
    runWithin(c, trace.setSpan(propagated, span))
  }

  #eachBatchStarted(c: EachBatchTraceContext): void {
    const { topic, partition, messages } = c.batch
    const partitionId = String(partition)
    const receiving = this.#consumerSpan(topic, undefined, 'receive', ROOT_CONTEXT, undefined, c.clusterId, {
      [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: messages.length,
      [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: partitionId,
    })
    const batchContext = trace.setSpan(context.active(), receiving)
    const startTime = Date.now()
    const attributes = {
      [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
      [ATTR_MESSAGING_OPERATION_NAME]: 'process',
      [ATTR_MESSAGING_DESTINATION_NAME]: topic,
      [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: partitionId,
    }
    const pending: Pending = {
      spans: [receiving],
      metrics: [counting(this.#consumedMessages, messages.length, attributes)],
    }
    for (const message of messages) {
      // each message's span belongs to the batch's trace and links to the one its producer started
      const origin = trace.getSpan(propagation.extract(ROOT_CONTEXT, message.headers, headerGetter))?.spanContext()
      pending.spans.push(
        this.#consumerSpan(topic, message, 'process', batchContext, origin && { context: origin }, c.clusterId, {
          [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: partitionId,
        }),
      )
      pending.metrics.push(timing(this.#processDuration, startTime, attributes))
    }
    this.#pending.set(c, pending)
    runWithin(c, batchContext)
  }

  #consumerSpan(
    topic: string,
    message: KafkaMessage | undefined,
    operationType: 'process' | 'receive',
    parent: Context,
    link: Link | undefined,
    clusterId: string | undefined,
    attributes: Attributes,
  ): Span {
    const operationName = operationType === 'receive' ? 'poll' : operationType
    const span = this.#tracer.startSpan(
      `${operationName} ${topic}`,
      {
        kind: operationType === 'receive' ? SpanKind.CLIENT : SpanKind.CONSUMER,
        attributes: {
          ...attributes,
          [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
          [ATTR_MESSAGING_DESTINATION_NAME]: topic,
          [ATTR_MESSAGING_OPERATION_TYPE]: operationType,
          [ATTR_MESSAGING_OPERATION_NAME]: operationName,
          [ATTR_MESSAGING_KAFKA_MESSAGE_KEY]: message?.key ? String(message.key) : undefined,
          [ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE]: message?.key && message.value === null ? true : undefined,
          [ATTR_MESSAGING_KAFKA_OFFSET]: message?.offset,
          ...(clusterId !== undefined && { [ATTR_MESSAGING_KAFKA_CLUSTER_ID]: clusterId }),
        },
        links: link === undefined ? [] : [link],
      },
      parent,
    )
    const hook = this.#config.consumerHook
    if (hook !== undefined && message !== undefined) {
      this.#runHook('consumerHook', () => hook(span, { topic, message }))
    }
    return span
  }

  #handlerEnded(c: HandlerTraceContext): void {
    const pending = this.#take(c)
    if (pending === undefined) return
    if ('error' in c) fail(pending, c.error)
    else end(pending)
  }

  // --- transactions

  #transactionBegins(c: TransactionTraceContext): void {
    this.#pending.set(c, { spans: [this.#tracer.startSpan('transaction')], metrics: [] })
  }

  #transactionBegun(c: TransactionTraceContext): void {
    const pending = this.#take(c)
    const span = pending?.spans[0]
    if (span === undefined) return
    if ('error' in c) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(c.error) })
      span.recordException(c.error as Exception)
      span.end()
      return
    }
    this.#transactionSpans.set(c.result as Transaction, span)
  }

  #transactionEnded(c: TransactionTraceContext, committing: boolean): void {
    const span = c.transaction === undefined ? undefined : this.#transactionSpans.get(c.transaction)
    if (span === undefined) return
    if ('error' in c) {
      fail({ spans: [span], metrics: [] }, c.error)
      return
    }
    if (committing) span.setStatus({ code: SpanStatusCode.OK })
    span.end()
  }

  // --- requests

  #requestStarted(c: RequestTraceContext): void {
    this.#requestStarts.set(c, Date.now())
    if (!this.#config.requestSpans) return
    const span = this.#tracer.startSpan(c.apiName, {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
        [ATTR_MESSAGING_OPERATION_NAME]: c.apiName,
        [ATTR_MESSAGING_CLIENT_ID]: c.clientId,
        [ATTR_SERVER_ADDRESS]: c.host,
        [ATTR_SERVER_PORT]: c.port,
        [ATTR_REQUEST_API_VERSION]: c.apiVersion,
        [ATTR_REQUEST_CORRELATION_ID]: c.correlationId,
      },
    })
    this.#pending.set(c, { spans: [span], metrics: [] })
  }

  #requestEnded(c: RequestTraceContext): void {
    const started = this.#requestStarts.get(c)
    this.#requestStarts.delete(c)
    const pending = this.#take(c)
    if ('error' in c) {
      if (pending !== undefined) fail(pending, c.error)
      return
    }
    if (pending !== undefined) end(pending)
    // as KafkaJS's instrumentation, which records the producer's and consumer's answered requests
    if (started === undefined || (c.client !== 'producer' && c.client !== 'consumer')) return
    this.#operationDuration.record((Date.now() - started) / 1000, {
      [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
      [ATTR_MESSAGING_OPERATION_NAME]: kafkajsApiName(c.apiKey, c.apiName), // the request metric carries KafkaJS's name, as its instrumentation's
      [ATTR_SERVER_ADDRESS]: c.host,
      [ATTR_SERVER_PORT]: c.port,
    })
  }

  #take(c: object): Pending | undefined {
    const pending = this.#pending.get(c)
    this.#pending.delete(c)
    return pending
  }

  #runHook(name: string, hook: () => void): void {
    // the user's hook must not break the operation it observes, as with KafkaJS's instrumentation
    try {
      hook()
    } catch (error) {
      this.#diag.error(`${name} error`, error)
    }
  }
}

/** Makes the handler run with `active` as OpenTelemetry's active context, inside any scope set before. */
function runWithin(c: HandlerTraceContext, active: Context): void {
  const outer = c.runHandler
  c.runHandler = (handler) => context.with(active, outer === undefined ? handler : () => outer(handler))
}

function counting(counter: Counter, value: number, attributes: Attributes): PendingMetric {
  return (errorType) => counter.add(value, withErrorType(attributes, errorType))
}

function timing(histogram: Histogram, startedAt: number, attributes: Attributes): PendingMetric {
  return (errorType) => histogram.record((Date.now() - startedAt) / 1000, withErrorType(attributes, errorType))
}

function withErrorType(attributes: Attributes, errorType: string | undefined): Attributes {
  return errorType ? { ...attributes, [ATTR_ERROR_TYPE]: errorType } : attributes
}

function end(pending: Pending): void {
  for (const record of pending.metrics) record(undefined)
  for (const span of pending.spans) span.end()
}

/** Ends the spans and records the metrics of a failed operation, as KafkaJS's instrumentation does. */
function fail(pending: Pending, reason: unknown): void {
  let message: string | undefined
  let errorType = ERROR_TYPE_OTHER
  if (typeof reason === 'string') {
    message = reason
  } else if (reason !== null && typeof reason === 'object' && Object.hasOwn(reason, 'message')) {
    message = messageOf(reason)
    errorType = reason.constructor.name
  }
  for (const record of pending.metrics) record(errorType)
  for (const span of pending.spans) {
    span.setAttribute(ATTR_ERROR_TYPE, errorType)
    span.setStatus({ code: SpanStatusCode.ERROR, message })
    span.end()
  }
}

function messageOf(reason: unknown): string | undefined {
  if (reason === null || typeof reason !== 'object') return undefined
  const { message } = reason as { message?: unknown }
  return message === undefined ? undefined : String(message)
}
