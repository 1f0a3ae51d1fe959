#!/usr/bin/env node
// npm run kafka -- start [--nodes 1|3] [--version X] [--config key=value]... [--sasl]
// npm run kafka -- status | stop
//
// Starts a real Kafka cluster from kafkit/testing that keeps running after this command returns
// (its pids and folders go to .kafkit/cli-state.json), so that examples, kcat or a debugger can use it.
// It runs the TypeScript sources directly (compiled in memory by @swc/core, see ts-sources.js), so
// no build is needed.

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const stateFile = process.env.KAFKIT_CLI_STATE || join(root, '.kafkit', 'cli-state.json')

function loadTesting() {
  require('./ts-sources.js').registerTsSources()
  return require(join(root, 'src', 'testing', 'index.ts'))
}

const USAGE = `usage: npm run kafka -- <command> [options]
  start   start a cluster that keeps running; prints its bootstrap servers
          --nodes 1|3          number of nodes (default 1)
          --version X          Kafka release (default: KAFKA_VERSION or the pinned one)
          --config key=value   broker setting, repeatable
          --sasl               also open a SASL_PLAINTEXT listener (user kafkit / kafkit-secret)
          --conformance        the KafkaJS conformance suite's cluster (3 nodes, SSL, SASL_SSL, ACLs);
                               prints the KAFKIT_CONFORMANCE_CLUSTER setting that makes the suite use it
  status  show the running cluster
  stop    stop it and remove its folders`

function parseStartArguments(args) {
  const options = {}
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    const value = () => {
      const next = args[++i]
      if (next === undefined) throw new Error(`${arg} needs a value`)
      return next
    }
    if (arg === '--nodes') {
      const nodes = Number(value())
      if (nodes !== 1 && nodes !== 3) throw new Error('--nodes must be 1 or 3')
      options.nodes = nodes
    } else if (arg === '--version') {
      options.version = value()
    } else if (arg === '--config') {
      const setting = value()
      const eq = setting.indexOf('=')
      if (eq <= 0) throw new Error(`--config takes key=value, got ${setting}`)
      options.brokerConfig = { ...options.brokerConfig, [setting.slice(0, eq)]: setting.slice(eq + 1) }
    } else if (arg === '--conformance') {
      options.conformance = true
    } else if (arg === '--sasl') {
      options.security = { listeners: ['SASL_PLAINTEXT'] }
    } else {
      throw new Error(`unknown option ${arg}`)
    }
  }
  return options
}

function readState() {
  if (!existsSync(stateFile)) return undefined
  return JSON.parse(readFileSync(stateFile, 'utf8'))
}

// Two `start`s at once (two terminals, two scripts) would both find no state file, both start a
// cluster, and the second state file would overwrite the first: that cluster would run on with
// nothing pointing at it. A lock file created exclusively, holding the starter's pid, serializes
// them; a lock left by a starter that died is taken over.
function takeStartLock() {
  const lockFile = `${stateFile}.lock`
  mkdirSync(dirname(lockFile), { recursive: true })
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx')
      writeFileSync(fd, String(process.pid))
      closeSync(fd)
      return () => rmSync(lockFile, { force: true })
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
      const holder = Number(readFileSync(lockFile, 'utf8'))
      // no pid yet: the other starter is between creating the lock and writing it
      if (!(holder > 0) || isAlive(holder)) {
        throw new Error(
          `another "npm run kafka -- start" (${holder > 0 ? `pid ${holder}` : lockFile}) is starting a cluster; wait for it, then run: npm run kafka -- status`,
        )
      }
      rmSync(lockFile, { force: true })
    }
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error.code === 'EPERM'
  }
}

async function start(args) {
  const options = parseStartArguments(args)
  const release = takeStartLock()
  try {
    await startLocked(options)
  } finally {
    release()
  }
}

async function startLocked(options) {
  const testing = loadTesting()
  const previous = readState()
  if (previous) {
    const status = await testing.describeDetachedKafka(previous)
    if (status.some((node) => node.running)) {
      throw new Error(`a cluster is already running (${previous.brokers.join(',')}); run: npm run kafka -- stop`)
    }
    await testing.stopDetachedKafka(previous)
    rmSync(stateFile, { force: true })
  }
  const { conformance, ...startOptions } = options
  let cluster
  if (conformance) {
    const { startConformanceCluster } = require(
      join(root, 'integration', 'kafkajs-conformance', 'cluster-description.ts'),
    )
    const started = await startConformanceCluster({ detached: true })
    cluster = started.cluster
    const descriptionFile = join(dirname(stateFile), 'conformance-cluster.json')
    mkdirSync(dirname(descriptionFile), { recursive: true })
    writeFileSync(descriptionFile, JSON.stringify(started.description))
    console.error(`export KAFKIT_CONFORMANCE_CLUSTER=${descriptionFile}`)
  } else {
    cluster = await testing.startKafka({ ...startOptions, detached: true })
  }
  const state = cluster.state()
  mkdirSync(dirname(stateFile), { recursive: true })
  writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`)
  for (const [listener, servers] of Object.entries(state.listeners)) {
    if (listener !== 'PLAINTEXT') console.error(`${listener}: ${servers.join(',')}`)
  }
  console.error(`Kafka ${state.version}, ${state.nodes.length} node(s), logs in ${state.rootDir}`)
  console.log(state.brokers.join(','))
}

async function status() {
  const state = readState()
  if (!state) {
    console.log('no cluster started by this CLI')
    return 1
  }
  const testing = loadTesting()
  const nodes = await testing.describeDetachedKafka(state)
  console.log(`Kafka ${state.version} started ${state.startedAt}: ${state.brokers.join(',')}`)
  for (const node of nodes) {
    const what = node.running ? (node.answering ? 'running, answering' : 'running, not answering') : 'not running'
    console.log(`  node ${node.id} (pid ${node.pid}): ${what}`)
  }
  return nodes.every((node) => node.answering) ? 0 : 1
}

async function stop() {
  const state = readState()
  if (!state) {
    console.log('no cluster started by this CLI')
    return 0
  }
  const testing = loadTesting()
  const { killed } = await testing.stopDetachedKafka(state)
  rmSync(stateFile, { force: true })
  console.log(`stopped ${killed.length} Kafka JVM(s) and removed ${state.rootDir}`)
  return 0
}

async function main(argv) {
  const [command, ...args] = argv
  switch (command) {
    case 'start':
      await start(args)
      return 0
    case 'status':
      return status()
    case 'stop':
      return stop()
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE)
      return command === undefined ? 1 : 0
    default:
      console.error(`unknown command ${command}\n${USAGE}`)
      return 1
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err)
    process.exitCode = 1
  },
)
