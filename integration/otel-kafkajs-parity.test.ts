// Tracing and metrics survive the switch from KafkaJS: the same scenario (send and sendBatch under
// a parent span, a refused send, eachMessage with a handler failing once, eachBatch, a committed
// transaction with sendOffsets, an aborted and a failed one) runs once on KafkaJS 2.2.4 instrumented by
// @opentelemetry/instrumentation-kafkajs and once on kafkit instrumented by kafkit/otel, each in a
// process of its own (integration/helpers/otel-scenario.ts), and what the OpenTelemetry SDK
// recorded is compared: span names, kinds, attributes, status, parent/child links, links and
// events; metric names, units, kinds and data points. Ids, trace ids and timings are left out; the
// topic names, which differ per side, are replaced by their role.

import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { Kafka, logLevel } from '../src/index.js'
import { brokers } from './helpers/brokers.js'
import type { RecordedMetric, RecordedSpan, ScenarioConfig, ScenarioResult } from './helpers/otel-scenario.js'

jest.setTimeout(240_000)

const ROOT = join(__dirname, '..')
const run = randomUUID().slice(0, 8)
const ROLES = ['warmup', 'main', 'batch', 'tx'] as const

function configFor(side: ScenarioConfig['side']): ScenarioConfig {
  const topic = (role: string) => `otel-${run}-${side}-${role}`
  return {
    side,
    brokers: brokers(),
    topics: { warmup: topic('warmup'), main: topic('main'), batch: topic('batch'), tx: topic('tx') },
    groupPrefix: `otel-${run}-${side}`,
    transactionalId: `otel-${run}-${side}-tx`,
  }
}

function runScenario(config: ScenarioConfig): Promise<ScenarioResult> {
  const script = `require(${JSON.stringify(join(ROOT, 'scripts', 'ts-sources.js'))}).registerTsSources(); require(${JSON.stringify(join(ROOT, 'integration', 'helpers', 'otel-scenario.ts'))})`
  const child = spawn(process.execPath, ['-e', script], {
    cwd: ROOT,
    env: { ...process.env, KAFKIT_OTEL_SCENARIO: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the ${config.side} scenario exited with ${code}: ${stderr}`))
      else resolve(JSON.parse(stdout) as ScenarioResult)
    })
  })
}

/** The side's topic names replaced by their roles, and trace ids (in headers shown in error texts) by a placeholder. */
function normalizer(config: ScenarioConfig): (value: unknown) => unknown {
  return (value) => {
    if (typeof value !== 'string') return value
    let out = value
    for (const role of ROLES) out = out.split(config.topics[role]).join(`<${role}>`)
    return out.replace(/00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]/g, '<traceparent>')
  }
}

interface ComparableSpan {
  label: string
  kind: number
  attributes: Record<string, unknown>
  status: { code: number; message: unknown }
  parent: string
  links: string[]
  events: string[]
}

/** Spans described by what they are, with parents and links named by the span they point to. */
function comparableSpans(result: ScenarioResult, config: ScenarioConfig): ComparableSpan[] {
  const fix = normalizer(config)
  const byId = new Map(result.spans.map((span) => [span.spanId, span]))
  const label = (span: RecordedSpan): string => {
    const a = span.attributes
    const key = a['messaging.kafka.message.key'] ?? '-'
    const partition = a['messaging.destination.partition.id'] ?? '-'
    return `${fix(span.name)} key=${key} partition=${partition} offset=${a['messaging.kafka.offset'] ?? '-'}`
  }
  const named = (id: string | undefined): string => {
    if (id === undefined) return 'none'
    const span = byId.get(id)
    return span === undefined ? 'not recorded' : label(span)
  }
  return result.spans
    .map((span) => ({
      label: label(span),
      kind: span.kind,
      attributes: Object.fromEntries(Object.entries(span.attributes).map(([k, v]) => [k, fix(v)])),
      status: { code: span.status.code, message: fix(span.status.message) },
      parent: named(span.parentSpanId),
      links: span.links.map(named),
      events: span.events.map(
        (e) => `${e.name} ${String(e.attributes['exception.type'])}: ${String(fix(e.attributes['exception.message']))}`,
      ),
    }))
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
}

/** Metric data points by their attributes; for the request duration, which requests were measured. */
function comparableMetrics(result: ScenarioResult, config: ScenarioConfig) {
  const fix = normalizer(config)
  const attributes = (a: Record<string, unknown>) =>
    JSON.stringify(
      Object.fromEntries(
        Object.entries(a)
          .map(([k, v]) => [k, fix(v)] as const)
          .sort(),
      ),
    )
  return result.metrics.map((metric: RecordedMetric) => ({
    name: metric.name,
    unit: metric.unit,
    description: metric.description,
    type: metric.type,
    // one request sequence is not the other's (kafkit joins groups on connections of their own;
    // with Kafka 4's transactions v2 it sends no AddPartitionsToTxn or AddOffsetsToTxn): their
    // attribute keys are compared, and the requests both make, below
    points:
      metric.name === 'messaging.client.operation.duration'
        ? [...new Set(metric.points.map((p) => Object.keys(p.attributes).sort().join(',')))]
        : metric.points.map((p) => `${attributes(p.attributes)} ${p.value}`).sort(),
  }))
}

function measuredRequests(result: ScenarioResult): Set<unknown> {
  const metric = result.metrics.find((m) => m.name === 'messaging.client.operation.duration')
  return new Set(metric?.points.map((p) => p.attributes['messaging.operation.name']))
}

let kafkajs: ScenarioResult
let kafkit: ScenarioResult
const kafkajsConfig = configFor('kafkajs')
const kafkitConfig = configFor('kafkit')

beforeAll(async () => {
  const admin = new Kafka({ brokers: brokers(), clientId: `otel-${run}-setup`, logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [kafkajsConfig, kafkitConfig].flatMap((c) =>
        ROLES.map((role) => ({ topic: c.topics[role], numPartitions: 1, replicationFactor: 1 })),
      ),
    })
  } finally {
    await admin.disconnect()
  }
  // one after the other: the machine's cores are shared with the broker
  kafkajs = await runScenario(kafkajsConfig)
  kafkit = await runScenario(kafkitConfig)
})

/** The warm-up send: KafkaJS knows no cluster id before its producer's first metadata, kafkit knows it from connect(). */
function withoutWarmup(spans: ComparableSpan[]): ComparableSpan[] {
  return spans.filter((s) => !s.label.startsWith('send <warmup>'))
}

test('the spans are the same: names, kinds, attributes, status, parents, links and events', () => {
  const expected = comparableSpans(kafkajs, kafkajsConfig)
  const actual = comparableSpans(kafkit, kafkitConfig)
  // the scenario produced what it should on the KafkaJS side, so the comparison compares something
  expect(expected.length).toBe(29)
  expect(withoutWarmup(actual)).toEqual(withoutWarmup(expected))
})

test('spans carry the cluster id, and a first send on kafkit already has it', () => {
  const clusterIds = new Set(kafkit.spans.map((s) => s.attributes['messaging.kafka.cluster.id']))
  clusterIds.delete(undefined)
  expect(clusterIds.size).toBe(1)
  const warmup = (result: ScenarioResult, config: ScenarioConfig) =>
    result.spans.find((s) => s.name === `send ${config.topics.warmup}`)?.attributes
  expect(warmup(kafkajs, kafkajsConfig)?.['messaging.kafka.cluster.id']).toBeUndefined()
  expect(warmup(kafkit, kafkitConfig)?.['messaging.kafka.cluster.id']).toEqual([...clusterIds][0])
  // every other messaging span of both sides has it
  for (const result of [kafkajs, kafkit]) {
    const config = result === kafkajs ? kafkajsConfig : kafkitConfig
    const messaging = result.spans.filter(
      (s) => s.attributes['messaging.system'] === 'kafka' && s.name !== `send ${config.topics.warmup}`,
    )
    expect(messaging.filter((s) => s.attributes['messaging.kafka.cluster.id'] === undefined)).toEqual([])
  }
})

test('trace context travels in headers: each process span is a child of (eachMessage) or linked to (eachBatch) its send span', () => {
  const spans = comparableSpans(kafkit, kafkitConfig)
  const processed = spans.filter((s) => s.label.startsWith('process <main>'))
  expect(processed.length).toBe(5)
  for (const span of processed) expect(span.parent).toMatch(/^send <main> /)
  const batchProcessed = spans.filter((s) => s.label.startsWith('process <batch>'))
  expect(batchProcessed.map((s) => [s.parent, s.links])).toEqual([
    ['poll <batch> key=- partition=0 offset=-', ['send <batch> key=- partition=- offset=-']],
    ['poll <batch> key=- partition=0 offset=-', ['send <batch> key=- partition=- offset=-']],
  ])
})

test('the handlers run with the process span (eachMessage) or the poll span (eachBatch) active', () => {
  const fixJs = normalizer(kafkajsConfig)
  const fixKit = normalizer(kafkitConfig)
  expect(kafkit.activeInHandlers.map(fixKit)).toEqual(kafkajs.activeInHandlers.map(fixJs))
  expect(kafkit.activeInHandlers.map(fixKit)).toEqual([...Array(5).fill('process <main>'), 'poll <batch>'])
})

test('the metrics are the same: names, units, kinds, attributes and counts', () => {
  expect(comparableMetrics(kafkit, kafkitConfig)).toEqual(comparableMetrics(kafkajs, kafkajsConfig))
  const both = [...measuredRequests(kafkajs)].filter((name) => measuredRequests(kafkit).has(name))
  expect(both).toEqual(
    expect.arrayContaining([
      'ApiVersions',
      'Metadata',
      'Produce',
      'Fetch',
      'GroupCoordinator',
      'JoinGroup',
      'SyncGroup',
      'OffsetFetch',
      'InitProducerId',
      'TxnOffsetCommit',
      'EndTxn',
    ]),
  )
})

test('the instrumentation scope is kafkit/otel', () => {
  expect(
    new Set(kafkit.spans.filter((s) => s.name !== 'parent' && !s.name.startsWith('handled')).map((s) => s.scope)),
  ).toEqual(new Set(['kafkit/otel']))
})
