// One run of the tracing scenario of integration/otel-kafkajs-parity.test.ts, in a process of its
// own (OpenTelemetry's KafkaJS instrumentation patches `require('kafkajs')`, which it cannot do
// inside jest's module registry). The same code runs KafkaJS with
// @opentelemetry/instrumentation-kafkajs and kafkit with kafkit/otel: the two differ in the module
// they load and in the one line that names the instrumentation. Prints what the OpenTelemetry SDK
// recorded (spans and metrics) as one JSON line.

import { context, metrics, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { registerInstrumentations } from '@opentelemetry/instrumentation'
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import type * as kafkit from '../../src/index.js'

export interface ScenarioConfig {
  side: 'kafkajs' | 'kafkit'
  brokers: string[]
  /** Topics with one partition each, created beforehand. */
  topics: { warmup: string; main: string; batch: string; tx: string }
  groupPrefix: string
  transactionalId: string
}

export interface RecordedSpan {
  spanId: string
  traceId: string
  parentSpanId: string | undefined
  name: string
  kind: number
  scope: string
  attributes: Record<string, unknown>
  status: { code: number; message?: string | undefined }
  links: string[]
  events: { name: string; attributes: Record<string, unknown> }[]
}

export interface RecordedMetric {
  name: string
  unit: string
  description: string
  type: string
  scope: string
  points: { attributes: Record<string, unknown>; value: number }[]
}

export interface ScenarioResult {
  spans: RecordedSpan[]
  metrics: RecordedMetric[]
  /** What the handlers saw as OpenTelemetry's active span: its name, per handler call. */
  activeInHandlers: string[]
}

class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.KAFKIT_OTEL_SCENARIO ?? '') as ScenarioConfig
  const exporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  const reader = new CollectingReader()
  const meterProvider = new MeterProvider({ readers: [reader] })
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  trace.setGlobalTracerProvider(tracerProvider)
  metrics.setGlobalMeterProvider(meterProvider)

  // The one line a service changes when it moves from KafkaJS to kafkit:
  const { KafkaJsInstrumentation } =
    config.side === 'kafkajs' ? require('@opentelemetry/instrumentation-kafkajs') : require('../../src/otel/index.js')
  registerInstrumentations({ instrumentations: [new KafkaJsInstrumentation()], tracerProvider, meterProvider })
  // loaded after the instrumentation, as a service's tracing setup runs first
  const { Kafka, logLevel } = (
    config.side === 'kafkajs' ? require('kafkajs') : require('../../src/index.js')
  ) as typeof kafkit

  const tracer = trace.getTracer('scenario')
  const kafka = new Kafka({ brokers: config.brokers, clientId: `otel-${config.side}`, logLevel: logLevel.NOTHING })
  const { topics } = config
  const activeInHandlers: string[] = []
  const activeSpanName = (): string => {
    const span = trace.getActiveSpan()
    return span !== undefined && 'name' in span ? String(span.name) : 'none'
  }

  const producer = kafka.producer()
  await producer.connect()
  // KafkaJS's instrumentation knows the cluster id once the producer has fetched metadata, which
  // its first send does; the comparison starts after it
  await producer.send({ topic: topics.warmup, messages: [{ value: 'warmup' }] })

  const parent = tracer.startSpan('parent')
  await context.with(trace.setSpan(context.active(), parent), async () => {
    await producer.send({
      topic: topics.main,
      messages: [
        { key: 'k1', value: 'v1' },
        { key: 'k2', value: null },
        { value: 'v3', partition: 0 },
      ],
    })
    await producer.sendBatch({
      topicMessages: [
        { topic: topics.main, messages: [{ key: 'b1', value: 'bv1', headers: { own: 'header' } }] },
        { topic: topics.batch, messages: [{ value: 'bv2' }, { value: 'bv3' }] },
      ],
    })
    // a message without value: refused
    await producer
      .send({ topic: topics.main, messages: [{ key: 'bad' } as unknown as kafkit.Message] })
      .catch(() => undefined)
  })
  parent.end()
  await producer.disconnect()

  /** Runs a consumer of its own group on `topic` from the beginning until `done()`, then disconnects it. */
  const consume = async (group: string, topic: string, run: kafkit.ConsumerRunConfig, done: () => boolean) => {
    const consumer = kafka.consumer({ groupId: `${config.groupPrefix}-${group}` })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run(run)
    await until(done, `the ${group} consumer got its messages`)
    await consumer.disconnect()
  }

  // eachMessage: the handler fails once on k2, which then comes again
  let failedOnce = false
  const seen: string[] = []
  await consume(
    'message',
    topics.main,
    {
      eachMessage: async ({ message }) => {
        activeInHandlers.push(activeSpanName())
        tracer.startSpan('handled message').end()
        if (message.key?.toString() === 'k2' && !failedOnce) {
          failedOnce = true
          throw new Error('failing once')
        }
        seen.push(String(message.value))
      },
    },
    () => seen.length >= 4,
  )

  let batched = 0
  await consume(
    'batch',
    topics.batch,
    {
      eachBatch: async ({ batch }) => {
        activeInHandlers.push(activeSpanName())
        tracer.startSpan('handled batch').end()
        batched += batch.messages.length
      },
    },
    () => batched >= 2,
  )

  const transactional = kafka.producer({
    transactionalId: config.transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
  })
  await transactional.connect()
  const committed = await transactional.transaction()
  await committed.send({ topic: topics.tx, messages: [{ key: 't1', value: 'committed' }] })
  // consume-transform-produce: neither instrumentation records a span for it
  await committed.sendOffsets({
    consumerGroupId: `${config.groupPrefix}-message`,
    topics: [{ topic: topics.main, partitions: [{ partition: 0, offset: '1' }] }],
  })
  await committed.commit()
  const aborted = await transactional.transaction()
  await aborted.sendBatch({ topicMessages: [{ topic: topics.tx, messages: [{ key: 't2', value: 'aborted' }] }] })
  await aborted.abort()
  const failed = await transactional.transaction()
  await failed
    .send({ topic: topics.tx, messages: [{ key: 'bad' } as unknown as kafkit.Message] })
    .catch(() => undefined)
  await failed.abort()
  await transactional.disconnect()

  await tracerProvider.forceFlush()
  const { resourceMetrics } = await reader.collect()
  const result: ScenarioResult = {
    spans: exporter.getFinishedSpans().map((span) => ({
      spanId: span.spanContext().spanId,
      traceId: span.spanContext().traceId,
      parentSpanId: span.parentSpanContext?.spanId,
      name: span.name,
      kind: span.kind,
      scope: span.instrumentationScope.name,
      attributes: { ...span.attributes },
      status: { ...span.status },
      links: span.links.map((link) => link.context.spanId),
      events: span.events.map((event) => ({ name: event.name, attributes: { ...event.attributes } })),
    })),
    metrics: resourceMetrics.scopeMetrics.flatMap((scope) =>
      scope.metrics.map((metric) => ({
        name: metric.descriptor.name,
        unit: metric.descriptor.unit,
        description: metric.descriptor.description,
        type: DataPointType[metric.dataPointType] ?? String(metric.dataPointType),
        scope: scope.scope.name,
        points: metric.dataPoints.map((point) => ({
          attributes: { ...point.attributes },
          value: typeof point.value === 'number' ? point.value : (point.value as { count: number }).count,
        })),
      })),
    ),
    activeInHandlers,
  }
  await meterProvider.shutdown()
  await tracerProvider.shutdown()
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
