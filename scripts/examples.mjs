// npm run test:examples: runs every program in examples/ against real brokers, as a user would run
// it, and checks its exit code and what it printed. One broker (started here with kafkit/testing)
// serves PLAINTEXT and a SASL_SSL listener with SCRAM and PLAIN users; examples/testing.test.mjs
// starts and stops its own. Each example runs as a child process; the long-running ones (the HTTP
// service and the worker) are driven from here and stopped with SIGTERM, as an orchestrator would.
// Prints one line per example and a summary; exits non-zero when one failed. Brokers and children
// are stopped on success, failure, SIGINT and SIGTERM.
// Usage (after `npm run build`): npm run test:examples [-- --outputFile report.json] [-- name ...]

import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const { values: args, positionals: only } = parseArgs({
  options: { outputFile: { type: 'string' } },
  allowPositionals: true,
})
// each example gets this long; a hang fails it instead of the whole CI run
const EXAMPLE_TIMEOUT_MS = 120_000
const USER = { username: 'example-user', password: 'example-secret' }

if (!existsSync(join(root, 'dist', 'cjs', 'index.js'))) {
  console.error('examples: run `npm run build` first (the examples import kafkit from dist/)')
  process.exit(2)
}
// imported once the check above has passed: they resolve to dist/
const { Kafka, logLevel, Partitioners } = await import('kafkit')
const { startKafka } = await import('kafkit/testing')

const children = new Set()
let cluster
let kafka
let admin
/** The last child started: its output is printed when its example fails. */
let lastRun
const scratch = mkdtempSync(join(tmpdir(), 'kafkit-examples-'))

async function cleanUp() {
  try {
    await Promise.all([...children].map((run) => stopRun(run)))
    await admin?.disconnect().catch(() => {})
    await cluster?.stop()
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
// `on`, not `once`: while this listener is there, kafkit/testing's own handler (which kills the broker
// at once) does not re-raise the signal, so the cleanup below can finish; a second signal exits at once
let interrupted = false
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    const code = signal === 'SIGINT' ? 130 : 143
    if (interrupted) process.exit(code)
    interrupted = true
    console.error(`examples: ${signal}, stopping the examples and brokers`)
    cleanUp().finally(() => process.exit(code))
  })
}

/** Signals the child's whole process group: `node --test` runs the test file in a grandchild. */
function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal)
  } catch {
    // the group is gone
  }
}

/**
 * SIGTERM to the child's group (an example with a broker of its own stops it on SIGTERM), then,
 * after a grace period, SIGKILL to whatever of the group is left.
 */
async function stopRun(run) {
  signalGroup(run.child, 'SIGTERM')
  await Promise.race([run.exited, new Promise((resolve) => setTimeout(resolve, 5000))])
  signalGroup(run.child, 'SIGKILL')
}

/**
 * Starts `node ...argv` with `env` added. The result collects the output as it arrives; `exited`
 * resolves with the exit code (or the signal that ended it), killing the child after the timeout.
 */
function start(argv, env = {}) {
  // its own process group, so that stopping it reaches every process it started
  const child = spawn(process.execPath, argv, { cwd: root, env: { ...process.env, ...env }, detached: true })
  const run = { child, output: '' }
  children.add(run)
  lastRun = run
  const collect = (chunk) => {
    run.output += chunk
  }
  child.stdout.setEncoding('utf8').on('data', collect)
  child.stderr.setEncoding('utf8').on('data', collect)
  const timer = setTimeout(() => {
    run.output += `\n[stopped after ${EXAMPLE_TIMEOUT_MS} ms]`
    stopRun(run)
  }, EXAMPLE_TIMEOUT_MS)
  run.exited = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      children.delete(run)
      resolve(code ?? signal)
    })
  })
  return run
}

/** Resolves with the first match of `pattern` in the output, or rejects when the child exits first. */
async function waitForOutput(run, pattern) {
  for (;;) {
    const match = pattern.exec(run.output)
    if (match) return match
    const exited = await Promise.race([run.exited, new Promise((resolve) => setTimeout(resolve, 50, undefined))])
    if (exited !== undefined && !pattern.test(run.output)) {
      throw new Error(`exited (${exited}) before printing ${pattern}`)
    }
  }
}

/** Waits for the exit and checks it was 0 and that the output has every pattern. */
async function expectSuccess(run, ...patterns) {
  const code = await run.exited
  if (code !== 0) throw new Error(`exit code ${code}`)
  for (const pattern of patterns) {
    if (!pattern.test(run.output)) throw new Error(`the output lacks ${pattern}`)
  }
}

async function createTopic(topic) {
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true })
}

async function committedOffsets(groupId, topic) {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] })
  return offsets.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0)
}

const CHECKS = {
  async 'producer-service.mjs'() {
    const topic = 'example-service-orders'
    await createTopic(topic)
    const run = start(['examples/producer-service.mjs'], {
      KAFKA_BROKERS: cluster.brokers.join(','),
      TOPIC: topic,
      PORT: '0',
    })
    const [, port] = await waitForOutput(run, /listening on http:\/\/localhost:(\d+)/)
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`http://localhost:${port}/orders`, {
        method: 'POST',
        headers: { 'x-order-id': `order-${i}` },
        body: JSON.stringify({ item: i }),
      })
      const body = await response.json()
      if (response.status !== 202 || body.offset === undefined) {
        throw new Error(`POST /orders answered ${response.status} ${JSON.stringify(body)}`)
      }
    }
    run.child.kill('SIGTERM')
    await expectSuccess(run, /stopped after sending 5 messages/)
    const offsets = await admin.fetchTopicOffsets(topic)
    const stored = offsets.reduce((sum, p) => sum + Number(p.high), 0)
    if (stored !== 5) throw new Error(`the topic holds ${stored} messages, expected 5`)
    return '5 POSTs answered 202, SIGTERM: exit 0, 5 records in the topic'
  },

  async 'worker.mjs'() {
    const topic = 'example-worker-orders'
    const groupId = 'example-worker'
    await createTopic(topic)
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
    await producer.send({
      topic,
      messages: Array.from({ length: 8 }, (_, i) => ({ key: `k${i}`, value: `order ${i}` })),
    })
    await producer.disconnect()
    const run = start(['examples/worker.mjs'], {
      KAFKA_BROKERS: cluster.brokers.join(','),
      TOPIC: topic,
      GROUP_ID: groupId,
    })
    await waitForOutput(run, /(?:processed .*\n){8}/)
    run.child.kill('SIGTERM')
    await expectSuccess(run, /SIGTERM: stopping after 8 messages/, /disconnected: offsets committed/)
    const committed = await committedOffsets(groupId, topic)
    if (committed !== 8) throw new Error(`the group committed ${committed} of 8`)
    // a member that died without leaving would stay in the group until its session timed out
    const { groups } = await admin.describeGroups([groupId])
    if (groups[0]?.members.length !== 0) throw new Error(`the group still has ${groups[0]?.members.length} member(s)`)
    return '8 messages processed, SIGTERM: exit 0, offsets of all 8 committed, group left'
  },

  async 'transactions.mjs'() {
    const run = start(['examples/transactions.mjs'], { KAFKA_BROKERS: cluster.brokers.join(','), COUNT: '10' })
    await expectSuccess(
      run,
      /transformed 10 orders/,
      /read 10 committed records .* none of the aborted one/,
      /committed offset 10 /,
    )
    return '10 orders transformed in transactions, aborted record hidden, offsets committed'
  },

  async 'admin.mts'() {
    // the TypeScript example: type-checked (strict) and compiled, then run
    const tsc = start([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'examples/tsconfig.json'])
    await expectSuccess(tsc)
    const run = start(['.kafkit/examples-build/admin.mjs'], { KAFKA_BROKERS: cluster.brokers.join(',') })
    await expectSuccess(
      run,
      /created example-admin-/,
      /altered retention.ms to 7200000/,
      /partitions now: 4/,
      /deleted /,
    )
    return 'type-checked; topic created, described, config altered, partitions added, listed, deleted'
  },

  async 'tls-sasl.mjs'() {
    const caFile = join(scratch, 'ca.pem')
    writeFileSync(caFile, cluster.tls.ca)
    const env = {
      KAFKA_BROKERS: cluster.listeners.SASL_SSL.join(','),
      KAFKA_CA_FILE: caFile,
      KAFKA_USERNAME: USER.username,
      KAFKA_PASSWORD: USER.password,
    }
    const outcomes = []
    for (const mechanism of ['scram-sha-512', 'plain']) {
      const run = start(['examples/tls-sasl.mjs'], { ...env, KAFKA_SASL_MECHANISM: mechanism })
      await expectSuccess(run, new RegExp(`authenticated with ${mechanism} over TLS`), /received "hello over SASL_SSL"/)
      outcomes.push(mechanism)
    }
    return `SASL_SSL with the test CA: ${outcomes.join(' and ')} round trips`
  },

  async 'testing.test.mjs'() {
    const run = start(['--test', '--test-reporter=tap', 'examples/testing.test.mjs'])
    await expectSuccess(run, /# pass 1\b/, /# fail 0\b/)
    return 'node --test: its own broker started, 1 test passed, broker stopped'
  },
}

const selected = only.length === 0 ? Object.keys(CHECKS) : only
for (const name of selected) {
  if (!(name in CHECKS)) {
    console.error(`examples: no example ${name} (known: ${Object.keys(CHECKS).join(', ')})`)
    process.exit(2)
  }
}

const results = []
const started = performance.now()
try {
  const t0 = performance.now()
  cluster = await startKafka({
    security: { listeners: ['SASL_SSL'], saslMechanisms: ['SCRAM-SHA-512', 'PLAIN'], users: [USER] },
  })
  kafka = new Kafka({ clientId: 'examples-runner', brokers: cluster.brokers, logLevel: logLevel.WARN })
  admin = kafka.admin()
  await admin.connect()
  console.log(`broker: Apache Kafka ${cluster.version}, PLAINTEXT and SASL_SSL, in ${seconds(t0)}`)

  for (const name of selected) {
    const t = performance.now()
    lastRun = undefined
    try {
      const what = await CHECKS[name]()
      results.push({ name, ok: true })
      console.log(`PASS ${name} (${seconds(t)}): ${what}`)
    } catch (error) {
      results.push({ name, ok: false })
      console.log(`FAIL ${name} (${seconds(t)}): ${error.message}`)
      // the output of the example that failed (the last child started for it)
      if (lastRun?.output) console.log(indent(lastRun.output))
      await Promise.all([...children].map((run) => stopRun(run)))
    }
  }
} catch (error) {
  console.error(`examples: ${error.stack ?? error}`)
  results.push({ name: 'setup', ok: false })
} finally {
  await cleanUp()
}

const passed = results.filter((r) => r.ok).length
const failed = results.length - passed
console.log(`examples: ${passed} passed, ${failed} failed in ${seconds(started)}`)
if (args.outputFile) {
  // the counts of a Jest JSON report, for CI summaries that add reports up
  writeFileSync(
    args.outputFile,
    JSON.stringify({
      success: failed === 0,
      numTotalTests: results.length,
      numPassedTests: passed,
      numFailedTests: failed,
      numRuntimeErrorTestSuites: 0,
    }),
  )
}
process.exitCode = failed === 0 && passed > 0 ? 0 : 1

function seconds(since) {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`
}
function indent(text) {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `    | ${line}`)
    .join('\n')
}
