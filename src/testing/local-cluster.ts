// A Kafka cluster of local JVMs: one combined broker+controller per node, each in its own temp
// folder with its own loopback ports, all formatted with one cluster id.

import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KafkaJSInvalidArgumentError } from '../errors.js'
import { cleanupRegistry } from './cleanup-registry.js'
import type { DetachedKafkaState, KafkaNodeInfo, KafkaTestCluster } from './cluster-types.js'
import { type KafkaDistribution, resolveKafkaDistribution } from './distribution.js'
import { KafkaCommandError, KafkaStartError } from './errors.js'
import { findJava } from './executables.js'
import { brokerJvmFlags, randomClusterId, toolJvmFlags } from './jvm-options.js'
import { type JvmExit, JvmProcess, readLogTail } from './jvm-process.js'
import { log4j2Properties, log4jProperties, loggingJvmFlags } from './logging.js'
import type { ListenerName, NormalizedStartOptions, SecureListener } from './options.js'
import { findFreePorts } from './ports.js'
import { probeApiVersions, probeBrokers } from './probe.js'
import { runCommand } from './run-command.js'
import {
  buildServerProperties,
  LOOPBACK,
  type NodeAddresses,
  renderProperties,
  scramFormatArguments,
} from './server-properties.js'
import {
  createTestCertificates,
  type KafkaTestTlsMaterial,
  type TestCertificates,
  tlsMaterialForClients,
} from './test-certificates.js'
import { toolLoggingFlags } from './tools.js'

interface LocalNode {
  addresses: NodeAddresses
  dir: string
  dataDir: string
  logFile: string
  propertiesFile: string
  loggingFlags: string[]
  jvm: JvmProcess | undefined
}

const PROBE_INTERVAL_MS = 250
const FORMAT_TIMEOUT_MS = 5 * 60 * 1000

// Free ports are found before the JVMs bind them, so another process can take one in between;
// such a start is retried with new ports (the only start failure worth retrying).
const START_ATTEMPTS = 3

export async function startLocalKafka(options: NormalizedStartOptions): Promise<KafkaTestCluster> {
  const java = findJava()
  const distribution = await resolveKafkaDistribution({ version: options.version, cacheDir: options.cacheDir })
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(java, distribution, options)
    } catch (err) {
      if (attempt >= START_ATTEMPTS || !isPortTaken(err)) throw err
    }
  }
}

function isPortTaken(err: unknown): boolean {
  return err instanceof KafkaStartError && /Address already in use|BindException/.test(err.logTail)
}

async function startOnce(
  java: string,
  distribution: KafkaDistribution,
  options: NormalizedStartOptions,
): Promise<KafkaTestCluster> {
  const rootDir = mkdtempSync(join(tmpdir(), 'kafkit-kafka-'))
  cleanupRegistry.trackDirectory(rootDir)
  const cluster = new LocalKafkaCluster(java, distribution, rootDir, options)
  try {
    const secureListeners = options.security?.listeners ?? []
    const ports = await findFreePorts(options.nodes * (2 + secureListeners.length))
    await cluster.makeCertificates()
    cluster.layOut(ports, secureListeners)
    await cluster.format()
    await cluster.startAll()
  } catch (err) {
    await cluster.stop()
    throw err
  }
  if (options.detached) cluster.detach()
  return cluster
}

export class LocalKafkaCluster implements KafkaTestCluster {
  readonly version: string
  readonly clusterId = randomClusterId()
  readonly runtime = 'jvm' as const
  #java: string
  #distribution: KafkaDistribution
  #rootDir: string
  #options: NormalizedStartOptions
  #nodes: LocalNode[] = []
  #stopped = false
  #startedAt = new Date()
  #certificates: TestCertificates | undefined

  constructor(java: string, distribution: KafkaDistribution, rootDir: string, options: NormalizedStartOptions) {
    this.#java = java
    this.#distribution = distribution
    this.#rootDir = rootDir
    this.#options = options
    this.version = options.version
  }

  get brokers(): string[] {
    return this.#nodes.map((n) => `${LOOPBACK}:${n.addresses.port}`)
  }

  get listeners(): Partial<Record<ListenerName, string[]>> {
    const result: Partial<Record<ListenerName, string[]>> = { PLAINTEXT: this.brokers }
    for (const listener of this.#options.security?.listeners ?? []) {
      result[listener] = this.#nodes.map((n) => `${LOOPBACK}:${n.addresses.securePorts[listener]}`)
    }
    return result
  }

  /** The CA to trust and a client certificate, when there is an SSL or SASL_SSL listener. */
  get tls(): KafkaTestTlsMaterial | undefined {
    return this.#certificates === undefined ? undefined : tlsMaterialForClients(this.#certificates)
  }

  /** Makes the TLS listeners' certificates (in the cluster's folder) when there are TLS listeners. */
  async makeCertificates(): Promise<void> {
    const tls = this.#options.security?.tls
    if (tls === undefined) return
    this.#certificates = await createTestCertificates(join(this.#rootDir, 'tls'), { ca: tls.ca })
  }

  get nodes(): KafkaNodeInfo[] {
    return this.#nodes.map((n) => {
      const listeners: Partial<Record<ListenerName, string>> = { PLAINTEXT: `${LOOPBACK}:${n.addresses.port}` }
      for (const [name, port] of Object.entries(n.addresses.securePorts)) {
        listeners[name as SecureListener] = `${LOOPBACK}:${port}`
      }
      const running = n.jvm?.running ?? false
      return {
        id: n.addresses.id,
        host: LOOPBACK,
        port: n.addresses.port,
        controllerPort: n.addresses.controllerPort,
        listeners,
        dir: n.dir,
        dataDir: n.dataDir,
        logFile: n.logFile,
        pid: running ? n.jvm?.pid : undefined,
        running,
      }
    })
  }

  /** Assigns ports and folders and writes each node's configuration files. */
  layOut(ports: number[], secureListeners: readonly SecureListener[]): void {
    const take = (): number => ports.shift()!
    const addresses: NodeAddresses[] = []
    for (let id = 1; id <= this.#options.nodes; id++) {
      const securePorts: Partial<Record<SecureListener, number>> = {}
      const port = take()
      const controllerPort = take()
      for (const listener of secureListeners) securePorts[listener] = take()
      addresses.push({ id, port, controllerPort, securePorts })
    }
    for (const node of addresses) {
      const dir = join(this.#rootDir, `node-${node.id}`)
      const dataDir = join(dir, 'data')
      mkdirSync(dataDir, { recursive: true })
      const propertiesFile = join(dir, 'server.properties')
      const settings = buildServerProperties({
        node,
        cluster: addresses,
        dataDir,
        version: this.version,
        brokerConfig: this.#options.nodeBrokerConfig.get(node.id) ?? this.#options.brokerConfig,
        security: this.#options.security,
        certificates: this.#certificates,
      })
      writeFileSync(propertiesFile, renderProperties(settings))
      writeFileSync(join(dir, 'log4j2.properties'), log4j2Properties('INFO', 'stdout'))
      writeFileSync(join(dir, 'log4j.properties'), log4jProperties('INFO', 'stdout'))
      this.#nodes.push({
        addresses: node,
        dir,
        dataDir,
        logFile: join(dir, 'kafka.log'),
        propertiesFile,
        loggingFlags: loggingJvmFlags(join(dir, 'log4j2.properties'), join(dir, 'log4j.properties')),
        jvm: undefined,
      })
    }
  }

  /** Formats every node's storage with the one cluster id (and SCRAM users and features). */
  async format(): Promise<void> {
    const loggingFlags = toolLoggingFlags(this.#distribution)
    const extra = [
      ...scramFormatArguments(this.#options.security),
      ...Object.entries(this.#options.features).flatMap(([name, level]) => ['--feature', `${name}=${level}`]),
    ]
    await Promise.all(
      this.#nodes.map(async (node) => {
        const args = [
          ...toolJvmFlags(),
          ...loggingFlags,
          '-cp',
          this.#distribution.classpath,
          'kafka.tools.StorageTool',
          'format',
          '-t',
          this.clusterId,
          '-c',
          node.propertiesFile,
          ...extra,
        ]
        const result = await runCommand(this.#java, args, { cwd: node.dir, timeoutMs: FORMAT_TIMEOUT_MS })
        if (result.exitCode !== 0) {
          throw new KafkaCommandError(
            `formatting the storage of Kafka ${this.version} node ${node.addresses.id} failed`,
            {
              exitCode: result.exitCode,
              output: `${result.stdout}${result.stderr}`.trim(),
            },
          )
        }
      }),
    )
  }

  async startAll(): Promise<void> {
    for (const node of this.#nodes) this.#spawn(node)
    const deadline = Date.now() + this.#options.startTimeoutMs
    await this.#waitUntilServing(this.#nodes, deadline)
  }

  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    await Promise.all(this.#nodes.map((n) => n.jvm?.kill()))
    rmSync(this.#rootDir, { recursive: true, force: true })
    cleanupRegistry.untrackDirectory(this.#rootDir)
  }

  async killNode(id: number): Promise<void> {
    const node = this.#node(id)
    await node.jvm?.kill()
  }

  async restartNode(id: number): Promise<void> {
    const node = this.#node(id)
    await node.jvm?.kill()
    appendFileSync(node.logFile, `\n----- kafkit: restarting node ${id} at ${new Date().toISOString()} -----\n`)
    this.#spawn(node)
    await this.#waitUntilServing([node], Date.now() + this.#options.startTimeoutMs)
  }

  /** Hands the JVMs and folders over to the caller: they outlive this process until stopDetachedKafka. */
  detach(): void {
    for (const node of this.#nodes) node.jvm?.release()
    cleanupRegistry.untrackDirectory(this.#rootDir)
  }

  state(): DetachedKafkaState {
    return {
      version: this.version,
      clusterId: this.clusterId,
      brokers: this.brokers,
      listeners: this.listeners,
      rootDir: this.#rootDir,
      nodes: this.#nodes.map((n) => ({
        id: n.addresses.id,
        pid: n.jvm?.pid ?? -1,
        port: n.addresses.port,
        dir: n.dir,
        logFile: n.logFile,
      })),
      startedAt: this.#startedAt.toISOString(),
    }
  }

  #node(id: number): LocalNode {
    if (this.#stopped) throw new KafkaJSInvalidArgumentError('this Kafka cluster was stopped')
    const node = this.#nodes.find((n) => n.addresses.id === id)
    if (!node) {
      throw new KafkaJSInvalidArgumentError(
        `no Kafka node ${id}; node ids are ${this.#nodes.map((n) => n.addresses.id).join(', ')}`,
      )
    }
    return node
  }

  #spawn(node: LocalNode): void {
    node.jvm = JvmProcess.spawn({
      java: this.#java,
      args: [
        ...brokerJvmFlags(this.#options.nodes),
        ...node.loggingFlags,
        '-cp',
        this.#distribution.classpath,
        'kafka.Kafka',
        node.propertiesFile,
      ],
      cwd: node.dir,
      logFile: node.logFile,
      detached: this.#options.detached,
      cleanupDir: this.#rootDir,
      label: `kafka node ${node.addresses.id}`,
    })
  }

  /**
   * Ready means: each of `nodes` answers ApiVersions, and then each of them lists every node of the
   * cluster as a registered broker (so topics with replication up to the node count can be created).
   */
  async #waitUntilServing(nodes: LocalNode[], deadline: number): Promise<void> {
    await Promise.all(
      nodes.map((node) =>
        this.#poll(node, deadline, 'answer ApiVersions', async () => {
          await probeApiVersions(LOOPBACK, node.addresses.port)
        }),
      ),
    )
    await Promise.all(
      nodes.map((node) =>
        this.#poll(node, deadline, 'list every running node as a registered broker', async () => {
          const registered = new Set((await probeBrokers(LOOPBACK, node.addresses.port)).map((b) => b.nodeId))
          const missing = this.#nodes.filter((n) => isExpectedUp(n) && !registered.has(n.addresses.id))
          if (missing.length > 0) {
            throw new Error(`node(s) ${missing.map((n) => n.addresses.id).join(', ')} not registered yet`)
          }
        }),
      ),
    )
  }

  async #poll(node: LocalNode, deadline: number, what: string, check: () => Promise<void>): Promise<void> {
    let lastError: unknown
    for (;;) {
      if (this.#stopped) {
        throw new KafkaStartError(
          `Kafka node ${node.addresses.id}: the cluster was stopped while waiting for it to ${what}`,
        )
      }
      for (const other of this.#nodes) {
        const exit = other.jvm?.exitInfo
        if (exit && isExpectedUp(other)) throw this.#exitError(other, exit)
      }
      try {
        await check()
        return
      } catch (err) {
        lastError = err
      }
      if (Date.now() >= deadline) {
        const reason = lastError instanceof Error ? `: ${lastError.message}` : ''
        throw new KafkaStartError(
          `Kafka ${this.version} node ${node.addresses.id} did not ${what} within ${this.#options.startTimeoutMs} ms${reason}`,
          { nodeId: node.addresses.id, logFile: node.logFile, logTail: readLogTail(node.logFile), cause: lastError },
        )
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS))
    }
  }

  #exitError(node: LocalNode, exit: JvmExit): KafkaStartError {
    const how = exit.error
      ? `could not be started (${exit.error.message})`
      : exit.signal
        ? `was killed by ${exit.signal}`
        : `exited with code ${exit.code}`
    return new KafkaStartError(`Kafka ${this.version} node ${node.addresses.id} ${how} before it was ready`, {
      nodeId: node.addresses.id,
      logFile: node.logFile,
      logTail: readLogTail(node.logFile),
      cause: exit.error,
    })
  }
}

/** Every node is expected up unless a test killed it on purpose (killNode) and has not restarted it. */
function isExpectedUp(node: LocalNode): boolean {
  return node.jvm !== undefined && !node.jvm.killedOnPurpose
}
