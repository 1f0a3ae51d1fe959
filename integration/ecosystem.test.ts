// Frameworks built on KafkaJS, run unchanged on kafkit: kafkit is packed (`npm pack`) and installed
// under the name kafkajs in a project of its own beside NestJS's Kafka transport and
// graphql-kafkajs-subscriptions, and the scripts in integration/ecosystem/ (written as those
// frameworks' users write them) run there against the test broker. The same scripts run in a second
// project against KafkaJS 2.2.4 itself: that proves they check what KafkaJS users rely on, and what
// both runs observe is compared. docs/ecosystem.md says what is covered and how to run it.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brokers } from './helpers/brokers.js'
import { createProject, kafkajsSeenBy, packKafkit, runScript, type ScriptRun } from './helpers/ecosystem-project.js'

/**
 * The frameworks and the versions they are checked at (docs/ecosystem.md lists the same). NestJS 12
 * is ES modules only and loads kafkajs with import() (kafkit's ES module entry over its CommonJS
 * module, so both are one copy, as of KafkaJS) as well as require();
 * NestJS 11, which most NestJS services run, is CommonJS and loads it with require() alone.
 */
const NEST = {
  '12': {
    '@nestjs/common': '12.5.1',
    '@nestjs/core': '12.5.1',
    '@nestjs/microservices': '12.1.1',
    'reflect-metadata': '0.2.2',
    rxjs: '7.8.2',
  },
  '11': {
    '@nestjs/common': '11.2.12',
    '@nestjs/core': '11.2.12',
    '@nestjs/microservices': '11.2.6',
    'reflect-metadata': '0.2.2',
    rxjs: '7.8.2',
  },
}
const GRAPHQL = { 'graphql-kafkajs-subscriptions': '4.0.13', graphql: '16.15.0' }
/** The KafkaJS release the repo compares with (its devDependency). */
const KAFKAJS_VERSION = (
  JSON.parse(readFileSync(join(__dirname, '..', 'node_modules', 'kafkajs', 'package.json'), 'utf8')) as {
    version: string
  }
).version

/**
 * A script's own bound on all its waits together: it reports a stuck step itself, well before it
 * would be killed for not ending.
 */
const SCRIPT_WAIT_MS = 40_000
const SCRIPT_KILL_MS = 60_000

interface LogEntry {
  level: string
  text: string
  context?: string
}
interface NestResult {
  error?: string
  /** What the run's topic and group names start with. */
  prefix: string
  steps: string[]
  kafkajs: { name: string; version: string }
  sums: unknown[]
  failure: { resolved?: unknown; rejected?: unknown }
  clientError: { resolved?: true; name?: string; message?: string; isKafkaJSError?: boolean }
  created: { id: number; name: string; topic: string; partition: number }[]
  flakyAttempts: string[]
  logged: LogEntry[]
}
interface GraphqlResult {
  error?: string
  prefix: string
  steps: string[]
  kafkajs: { name: string; version: string }
  news: unknown[]
  sports: unknown[]
  logged: { namespace: string; level: number; label: string; message: string; extra: Record<string, unknown> }[]
}

/** A project with kafkit installed as kafkajs, and one with KafkaJS itself, holding the same frameworks. */
interface ProjectPair {
  onKafkit: string
  onKafkajs: string
}
let workDir: string
let nest12AndGraphql: ProjectPair
let nest11: ProjectPair
let runCount = 0

function run<T>(project: string, script: string): Promise<ScriptRun<T>> {
  const env = {
    KAFKA_BROKERS: brokers().join(','),
    ECOSYSTEM_PREFIX: `ecosystem-${process.pid}-${++runCount}`,
    ECOSYSTEM_WAIT_MS: String(SCRIPT_WAIT_MS),
  }
  return runScript<T>(project, script, env, SCRIPT_KILL_MS)
}

/** The run's result, after checking that the script finished every step and ended by itself. */
function completed<T extends { error?: string }>(outcome: ScriptRun<T>, library: string): T {
  const detail = `${library}: exit code ${outcome.exitCode}\n${JSON.stringify(outcome.result, null, 1)}\n${outcome.stderr}`
  if (outcome.result === undefined || outcome.result.error !== undefined || outcome.exitCode !== 0) {
    // exit code null: killed after SCRIPT_KILL_MS, so something kept the process alive after closing
    throw new Error(`the script did not complete on ${detail}`)
  }
  return outcome.result
}

/**
 * Runs `script` in the pair's kafkit project, then in its KafkaJS one (one after the other: the
 * machine has 2 cores, and each run takes a few seconds), from a beforeAll of the describe calling
 * this; the results are read after it, from the returned object.
 */
function runOnBoth<T extends { error?: string }>(
  script: string,
  projects: () => ProjectPair,
): { onKafkit: T; onKafkajs: T } {
  const results = {} as { onKafkit: T; onKafkajs: T }
  beforeAll(
    async () => {
      const kafkit = await run<T>(projects().onKafkit, script)
      const kafkajs = await run<T>(projects().onKafkajs, script)
      results.onKafkajs = completed(kafkajs, `KafkaJS ${KAFKAJS_VERSION}`)
      results.onKafkit = completed(kafkit, 'kafkit')
    },
    2 * SCRIPT_KILL_MS + 10_000,
  )
  return results
}

/**
 * The Kafka client's entries for a failed handler as NestJS's Kafka logger wrote them
 * (`${label} [${namespace}] ${message} ${JSON of the rest}`), without their timestamps and with the
 * topics named without the run's prefix. Only these: a busy broker may make either client log
 * answers it retries (NOT_LEADER, a coordinator still loading), which vary from run to run.
 */
function handlerFailureEntries(result: NestResult): unknown[] {
  return result.logged
    .filter((entry) => /^(Server|Client)Kafka$/.test(entry.context ?? '') && entry.text.includes('Error when calling'))
    .map((entry) => {
      const match = /^(\w+) \[(.*?)\] (.*?) (\{.*\})$/s.exec(entry.text)
      if (match === null) return { unparsed: entry.text }
      const { timestamp: _timestamp, ...extra } = JSON.parse(match[4]) as Record<string, unknown>
      if (typeof extra.topic === 'string') extra.topic = extra.topic.replace(result.prefix, '')
      return { label: match[1], namespace: match[2], message: match[3], extra }
    })
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'kafkit-ecosystem-'))
  const tarball = await packKafkit(workDir)
  const pair = async (name: string, frameworks: Record<string, string>): Promise<ProjectPair> => {
    const projects = { onKafkit: join(workDir, `${name}-on-kafkit`), onKafkajs: join(workDir, `${name}-on-kafkajs`) }
    await createProject(projects.onKafkit, { ...frameworks, kafkajs: `file:${tarball}` })
    await createProject(projects.onKafkajs, { ...frameworks, kafkajs: KAFKAJS_VERSION })
    return projects
  }
  // the installs wait mostly for npm's cache and the registry, so they overlap
  ;[nest12AndGraphql, nest11] = await Promise.all([
    pair('nest12-graphql', { ...NEST['12'], ...GRAPHQL }),
    pair('nest11', NEST['11']),
  ])
}, 300_000)

afterAll(() => {
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true })
})

test('the frameworks in the kafkit projects load kafkit as kafkajs', async () => {
  const seen = [
    ...(await kafkajsSeenBy(nest12AndGraphql.onKafkit, ['@nestjs/microservices', 'graphql-kafkajs-subscriptions'])),
    ...(await kafkajsSeenBy(nest11.onKafkit, ['@nestjs/microservices'])),
  ]
  expect(seen).toHaveLength(3)
  for (const entry of seen) {
    expect(entry).toMatchObject({ name: 'kafkit', exportsProducer: true })
    expect(entry.path.startsWith(join(entry.project, 'node_modules', 'kafkajs'))).toBe(true)
  }
  // and the comparison projects have KafkaJS itself, which has no Producer class export
  const real = [
    ...(await kafkajsSeenBy(nest12AndGraphql.onKafkajs, ['@nestjs/microservices'])),
    ...(await kafkajsSeenBy(nest11.onKafkajs, ['@nestjs/microservices'])),
  ]
  expect(real).toMatchObject([
    { name: 'kafkajs', exportsProducer: false },
    { name: 'kafkajs', exportsProducer: false },
  ])
})

describe.each([
  ['12', () => nest12AndGraphql],
  ['11', () => nest11],
])(
  'a NestJS %s Kafka microservice and client (@nestjs/microservices ServerKafka, ClientKafka)',
  (_version, projects) => {
    const both = runOnBoth<NestResult>('nest-microservice.mjs', projects)

    test('runs every step and its process ends by itself after app.close()', () => {
      const steps = [
        'topics created',
        'app listening',
        'client connected',
        'requests answered',
        'failing request answered',
        'events handled',
        'closed',
      ]
      expect(both.onKafkit.kafkajs.name).toBe('kafkit')
      expect(both.onKafkit.steps).toEqual(steps)
      expect(both.onKafkajs.kafkajs).toEqual({ name: 'kafkajs', version: KAFKAJS_VERSION })
      expect(both.onKafkajs.steps).toEqual(steps)
    })

    test('request-reply over the reply topics returns the handlers results', () => {
      // NestJS's serializer sends a number as its text, and the client hands back what it reads
      expect(both.onKafkit.sums).toEqual(['6', '100'])
      expect(both.onKafkit.sums).toEqual(both.onKafkajs.sums)
    })

    test("a failing message handler's error reaches the client", () => {
      expect(both.onKafkit.failure).toEqual({ rejected: { status: 'error', message: 'cannot divide by zero' } })
      expect(both.onKafkit.failure).toEqual(both.onKafkajs.failure)
    })

    test("an error from NestJS's client is instanceof the KafkaJSError the app requires", () => {
      // NestJS 12 loads kafkajs with import(), the app with require(): both must be one module
      expect(both.onKafkit.clientError).toEqual({
        name: 'KafkaJSNonRetriableError',
        message: 'Invalid topic',
        isKafkaJSError: true,
      })
      expect(both.onKafkit.clientError).toEqual(both.onKafkajs.clientError)
    })

    test('every event reaches its handler with its topic', () => {
      // which partition an unkeyed event lands in is the partitioner's choice, and theirs differ
      const users = (result: NestResult) =>
        result.created.map(({ partition: _p, topic, ...user }) => ({
          ...user,
          topic: topic.replace(result.prefix, ''),
        }))
      expect(users(both.onKafkit)).toEqual([
        { id: 1, name: 'user 1', topic: '.user.created' },
        { id: 2, name: 'user 2', topic: '.user.created' },
        { id: 3, name: 'user 3', topic: '.user.created' },
      ])
      expect(users(both.onKafkit)).toEqual(users(both.onKafkajs))
    })

    test('an event whose handler fails is logged as KafkaJS logs it and delivered again', () => {
      expect(both.onKafkit.flakyAttempts).toEqual(['f-1', 'f-1'])
      expect(both.onKafkajs.flakyAttempts).toEqual(['f-1', 'f-1'])
      // KafkaJS logs the value the handler threw (NestJS's plain error object) in its eachMessage entry
      const expected = {
        label: 'ERROR',
        namespace: 'Runner',
        message: 'Error when calling eachMessage',
        extra: {
          logger: 'kafkajs',
          topic: '.user.flaky',
          partition: 0,
          offset: '0',
          error: { status: 'error', message: 'flaky handler failed on f-1' },
        },
      }
      expect(handlerFailureEntries(both.onKafkajs)).toEqual([expected])
      expect(handlerFailureEntries(both.onKafkit)).toEqual([expected])
    })
  },
)

describe('GraphQL subscriptions over Kafka (graphql-kafkajs-subscriptions)', () => {
  const both = runOnBoth<GraphqlResult>('graphql-subscriptions.cjs', () => nest12AndGraphql)

  test('delivers each published message to the subscriptions of its channel, and ends by itself', () => {
    expect(both.onKafkit.kafkajs.name).toBe('kafkit')
    expect(both.onKafkit.steps).toEqual([
      'topic created',
      'pubsub created',
      'consumer receiving',
      'subscriptions delivered',
      'disconnected',
    ])
    expect(both.onKafkit.news).toEqual([
      { data: { postAdded: { id: 1, text: 'first news', author: 'ada' } } },
      { data: { postAdded: { id: 3, text: 'second news', author: 'grace' } } },
    ])
    expect(both.onKafkit.sports).toEqual([{ data: { postAdded: { id: 2, text: 'a match', author: null } } }])
    expect(both.onKafkit.steps).toEqual(both.onKafkajs.steps)
    expect(both.onKafkit.news).toEqual(both.onKafkajs.news)
    expect(both.onKafkit.sports).toEqual(both.onKafkajs.sports)
  })
})
