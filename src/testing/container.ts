// Kafka in a container (apache/kafka), for machines with a Docker engine: opt in with
// KAFKIT_TEST_CONTAINER=1 or runtime: 'container'. testcontainers is an optional peer dependency,
// imported only here and only when this path runs. One node; the image formats its own storage.

import { KafkaJSNotImplemented } from '../errors.js'
import type { KafkaNodeInfo, KafkaTestCluster } from './cluster-types.js'
import { KafkaStartError, KafkaTestingError } from './errors.js'
import { randomClusterId } from './jvm-options.js'
import type { NormalizedStartOptions } from './options.js'
import { findFreePorts } from './ports.js'
import { probeBrokers } from './probe.js'
import { clusterDefaults, LOOPBACK } from './server-properties.js'

export interface ContainerPlan {
  image: string
  env: Record<string, string>
  ports: Array<{ container: number; host: number }>
}

const CLIENT_PORT = 9092
const CONTROLLER_PORT = 9093
const INTERNAL_PORT = 9094

/**
 * apache/kafka turns KAFKA_* variables into settings: the prefix goes, `_` becomes `.`, `__` becomes
 * `_` and `___` becomes `-`. This is the inverse.
 */
export function containerEnvName(setting: string): string {
  const body = [...setting].map((c) => (c === '.' ? '_' : c === '_' ? '__' : c === '-' ? '___' : c)).join('')
  return `KAFKA_${body.toUpperCase()}`
}

/**
 * Clients reach the broker through a host port fixed before start (so it can be advertised); the
 * broker talks to itself over a separate in-container listener, since the host port means nothing
 * inside the container.
 */
export function buildContainerPlan(input: {
  version: string
  hostPort: number
  clusterId: string
  brokerConfig: Record<string, string>
}): ContainerPlan {
  const settings: Record<string, string> = {
    'node.id': '1',
    'process.roles': 'broker,controller',
    'controller.quorum.voters': `1@localhost:${CONTROLLER_PORT}`,
    listeners: `PLAINTEXT://0.0.0.0:${CLIENT_PORT},CONTROLLER://0.0.0.0:${CONTROLLER_PORT},INTERNAL://0.0.0.0:${INTERNAL_PORT}`,
    'advertised.listeners': `PLAINTEXT://${LOOPBACK}:${input.hostPort},INTERNAL://localhost:${INTERNAL_PORT}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT',
    'inter.broker.listener.name': 'INTERNAL',
    'controller.listener.names': 'CONTROLLER',
    ...clusterDefaults(1, input.version),
    ...input.brokerConfig,
  }
  const env: Record<string, string> = { CLUSTER_ID: input.clusterId }
  for (const [key, value] of Object.entries(settings)) env[containerEnvName(key)] = value
  return {
    image: `apache/kafka:${input.version}`,
    env,
    ports: [{ container: CLIENT_PORT, host: input.hostPort }],
  }
}

type Testcontainers = typeof import('testcontainers')

async function importTestcontainers(): Promise<Testcontainers> {
  try {
    return await import('testcontainers')
  } catch (err) {
    throw new KafkaTestingError(
      'the container runtime of kafkit/testing needs the optional package testcontainers (npm install -D testcontainers)',
      'ERR_TESTCONTAINERS_MISSING',
      { cause: err },
    )
  }
}

export async function startContainerKafka(options: NormalizedStartOptions): Promise<KafkaTestCluster> {
  if (options.nodes !== 1) throw new KafkaJSNotImplemented('kafkit/testing: the container runtime runs one node only')
  if (options.security)
    throw new KafkaJSNotImplemented('kafkit/testing: the container runtime has no security option yet')
  if (options.detached) throw new KafkaJSNotImplemented('kafkit/testing: the container runtime cannot detach')
  if (Object.keys(options.features).length > 0) {
    throw new KafkaJSNotImplemented('kafkit/testing: the container runtime cannot set features yet')
  }
  const tc = await importTestcontainers()
  const [hostPort] = await findFreePorts(1)
  const clusterId = randomClusterId()
  const plan = buildContainerPlan({
    version: options.version,
    hostPort: hostPort!,
    clusterId,
    brokerConfig: options.nodeBrokerConfig.get(1) ?? options.brokerConfig,
  })
  const container = await new tc.GenericContainer(plan.image)
    .withEnvironment(plan.env)
    .withExposedPorts(...plan.ports)
    .withStartupTimeout(options.startTimeoutMs)
    .start()
  const deadline = Date.now() + options.startTimeoutMs
  for (;;) {
    try {
      if ((await probeBrokers(LOOPBACK, hostPort!)).length > 0) break
    } catch (err) {
      if (Date.now() >= deadline) {
        await container.stop()
        throw new KafkaStartError(`the ${plan.image} container did not answer within ${options.startTimeoutMs} ms`, {
          cause: err,
        })
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  let stopped = false
  const broker = `${LOOPBACK}:${hostPort}`
  const node: KafkaNodeInfo = {
    id: 1,
    host: LOOPBACK,
    port: hostPort!,
    controllerPort: CONTROLLER_PORT,
    listeners: { PLAINTEXT: broker },
    dir: '',
    dataDir: '/tmp/kraft-combined-logs',
    logFile: '',
    pid: undefined,
    running: true,
  }
  return {
    version: options.version,
    clusterId,
    runtime: 'container',
    brokers: [broker],
    listeners: { PLAINTEXT: [broker] },
    get nodes() {
      return [{ ...node, running: !stopped }]
    },
    async stop() {
      if (stopped) return
      stopped = true
      await container.stop()
    },
    async killNode() {
      throw new KafkaJSNotImplemented('kafkit/testing: killNode needs the jvm runtime')
    },
    async restartNode() {
      throw new KafkaJSNotImplemented('kafkit/testing: restartNode needs the jvm runtime')
    },
    state() {
      throw new KafkaJSNotImplemented('kafkit/testing: detached state needs the jvm runtime')
    },
  }
}
