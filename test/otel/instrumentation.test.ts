// kafkit/otel on its own, fed through kafkit's tracing wrappers without a broker: what it records
// for requests (the duration metric, optional request spans), its error handling, the handler
// scope, the hooks and enable/disable. What it records for a real producer and consumer, side by
// side with KafkaJS's instrumentation, is in integration/otel-kafkajs-parity.test.ts.

import { context, metrics, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { EachMessagePayload } from '../../src/consumer/handlers.js'
import { KafkaJsInstrumentation, KafkitInstrumentation } from '../../src/otel/index.js'
import {
  type RequestTraceContext,
  requestsTraced,
  tracedHandlers,
  traceProduce,
  traceRequest,
} from '../../src/tracing/channels.js'

class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const exporter = new InMemorySpanExporter()
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
let reader: CollectingReader
let instrumentation: KafkitInstrumentation | undefined

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
})

afterAll(() => {
  context.disable()
  propagation.disable()
})

beforeEach(() => {
  exporter.reset()
  reader = new CollectingReader()
})

afterEach(() => {
  instrumentation?.disable()
  instrumentation = undefined
})

function instrument(config: ConstructorParameters<typeof KafkitInstrumentation>[0] = {}): KafkitInstrumentation {
  instrumentation = new KafkitInstrumentation(config)
  instrumentation.setTracerProvider(tracerProvider)
  instrumentation.setMeterProvider(new MeterProvider({ readers: [reader] }))
  return instrumentation
}

function request(fields: Partial<RequestTraceContext> = {}): RequestTraceContext {
  return {
    clientId: 'client-1',
    client: 'producer',
    broker: 'kafka-1:9092',
    host: 'kafka-1',
    port: 9092,
    apiKey: 0,
    apiName: 'Produce',
    apiVersion: 12,
    correlationId: 41,
    expectResponse: true,
    ...fields,
  }
}

async function durationPoints(): Promise<{ attributes: Record<string, unknown>; count: number }[]> {
  const { resourceMetrics } = await reader.collect()
  const metric = resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === 'messaging.client.operation.duration')
  return (metric?.dataPoints ?? []).map((p) => ({
    attributes: { ...p.attributes },
    count: (p.value as { count: number }).count,
  }))
}

const consumer = { clientId: 'c', clusterId: () => 'cluster-1', groupId: 'g' }

test('the drop-in name is the same class', () => {
  expect(KafkaJsInstrumentation).toBe(KafkitInstrumentation)
})

test('it is an OpenTelemetry Instrumentation: registerInstrumentations() sets its providers and enables it', async () => {
  // typed as what NodeSDK's `instrumentations` takes
  const registered: Instrumentation = new KafkitInstrumentation({ enabled: false })
  instrumentation = registered as KafkitInstrumentation
  expect(requestsTraced()).toBe(false)
  const unregister = registerInstrumentations({
    instrumentations: [registered],
    tracerProvider,
    meterProvider: new MeterProvider({ readers: [reader] }),
  })
  expect(requestsTraced()).toBe(true)
  await traceRequest(request(), async () => ({}))
  expect(await durationPoints()).toHaveLength(1)
  unregister()
  expect(requestsTraced()).toBe(false)
})

test('answered producer and consumer requests are measured under KafkaJS names, admin requests are not; no request spans by default', async () => {
  instrument()
  await traceRequest(request(), async () => ({}))
  await traceRequest(request({ client: 'consumer', apiName: 'FindCoordinator', apiKey: 10 }), async () => ({}))
  await traceRequest(request({ client: 'admin', apiName: 'CreateTopics' }), async () => ({}))
  await traceRequest(request({ apiName: 'Fetch' }), async () => Promise.reject(new Error('connection closed'))).catch(
    () => undefined,
  )
  expect(exporter.getFinishedSpans()).toEqual([])
  const points = await durationPoints()
  expect(points.map((p) => p.attributes)).toEqual([
    {
      'messaging.system': 'kafka',
      'messaging.operation.name': 'Produce',
      'server.address': 'kafka-1',
      'server.port': 9092,
    },
    {
      'messaging.system': 'kafka',
      'messaging.operation.name': 'GroupCoordinator',
      'server.address': 'kafka-1',
      'server.port': 9092,
    },
  ])
})

test('requestSpans: one CLIENT span per request, errored when the request fails', async () => {
  instrument({ requestSpans: true })
  await traceRequest(request(), async () => ({}))
  class KafkaJSRequestTimeoutError extends Error {}
  await traceRequest(request({ apiName: 'Fetch', correlationId: 42 }), async () =>
    Promise.reject(new KafkaJSRequestTimeoutError('Request Fetch timed out')),
  ).catch(() => undefined)
  const [produce, fetch] = exporter.getFinishedSpans()
  expect(produce).toMatchObject({
    name: 'Produce',
    kind: SpanKind.CLIENT,
    status: { code: SpanStatusCode.UNSET },
    attributes: {
      'messaging.system': 'kafka',
      'messaging.operation.name': 'Produce',
      'messaging.client.id': 'client-1',
      'server.address': 'kafka-1',
      'server.port': 9092,
      'kafkit.request.api_version': 12,
      'kafkit.request.correlation_id': 41,
    },
  })
  expect(fetch).toMatchObject({
    name: 'Fetch',
    status: { code: SpanStatusCode.ERROR, message: 'Request Fetch timed out' },
    attributes: { 'error.type': 'KafkaJSRequestTimeoutError' },
  })
})

test('the handler runs inside its process span, a child of the context in its headers', async () => {
  instrument()
  const tracer = tracerProvider.getTracer('test')
  const producer = tracer.startSpan('producer side')
  const headers: Record<string, string> = {}
  propagation.inject(trace.setSpan(context.active(), producer), headers)
  let active: string | undefined
  const { eachMessage } = tracedHandlers(
    consumer,
    async () => {
      const span = trace.getActiveSpan()
      active = span !== undefined && 'name' in span ? String(span.name) : undefined
    },
    undefined,
  )
  const message = {
    key: Buffer.from('k'),
    value: null,
    offset: '9',
    headers: { traceparent: Buffer.from(headers.traceparent!) },
  }
  await eachMessage!({ topic: 't', partition: 1, message } as unknown as EachMessagePayload)
  expect(active).toBe('process t')
  const [span] = exporter.getFinishedSpans()
  expect(span!.parentSpanContext?.spanId).toBe(producer.spanContext().spanId)
  expect(span!.spanContext().traceId).toBe(producer.spanContext().traceId)
  expect(span!.attributes).toEqual({
    'messaging.destination.partition.id': '1',
    'messaging.system': 'kafka',
    'messaging.destination.name': 't',
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.kafka.message.key': 'k',
    'messaging.kafka.message.tombstone': true,
    'messaging.kafka.offset': '9',
    'messaging.kafka.cluster.id': 'cluster-1',
  })
})

test("a thrown value that is not an Error: error.type _OTHER, as KafkaJS's instrumentation records it", async () => {
  instrument()
  const { eachMessage } = tracedHandlers(
    consumer,
    async () => {
      throw { reason: 'not an Error' }
    },
    undefined,
  )
  const message = { key: null, value: Buffer.from('v'), offset: '1', headers: {} }
  await eachMessage!({ topic: 't', partition: 0, message } as unknown as EachMessagePayload).catch(() => undefined)
  const [span] = exporter.getFinishedSpans()
  expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: undefined })
  expect(span!.attributes['error.type']).toBe('_OTHER')
})

test('hooks are called with the span and the message; a failing hook breaks nothing', async () => {
  const seen: string[] = []
  instrument({
    producerHook: (span, { topic, message }) => {
      span.setAttribute('custom', `${topic}:${String(message.value)}`)
      seen.push('producer')
      throw new Error('hook bug')
    },
  })
  const message: { value: string; headers?: Record<string, string> } = { value: 'v' }
  const source = { clientId: 'p', clusterId: () => undefined, transactionalId: undefined }
  await traceProduce(source, 'send', { topic: 't', messages: [message] }, undefined, async () => [])
  expect(seen).toEqual(['producer'])
  const [span] = exporter.getFinishedSpans()
  expect(span!.attributes.custom).toBe('t:v')
  // no cluster id known: none recorded
  expect(span!.attributes['messaging.kafka.cluster.id']).toBeUndefined()
  expect(message.headers?.traceparent).toMatch(new RegExp(`^00-${span!.spanContext().traceId}-`))
})

test('disable() unsubscribes, so that kafkit goes back to tracing nothing; enable() subscribes again', () => {
  expect(requestsTraced()).toBe(false)
  const i = instrument()
  expect(requestsTraced()).toBe(true)
  i.disable()
  expect(requestsTraced()).toBe(false)
  i.enable()
  i.enable()
  expect(requestsTraced()).toBe(true)
  i.disable()
  expect(requestsTraced()).toBe(false)
  expect(new KafkitInstrumentation({ enabled: false }).getConfig().enabled).toBe(false)
  expect(requestsTraced()).toBe(false)
})

test('before a meter provider is set, the global one is used', () => {
  expect(metrics.getMeterProvider()).toBeDefined()
  const i = new KafkitInstrumentation()
  expect(i.instrumentationName).toBe('kafkit/otel')
  i.disable()
})
