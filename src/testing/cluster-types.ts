// What startKafka resolves: the same shape whether JVMs or a container run the brokers.

import type { KafkaRuntime, ListenerName } from './options.js'
import type { KafkaTestTlsMaterial } from './test-certificates.js'

export interface KafkaNodeInfo {
  /** node.id (1..n). */
  id: number
  host: string
  /** PLAINTEXT client port. */
  port: number
  controllerPort: number
  /** host:port of each client listener of this node. */
  listeners: Partial<Record<ListenerName, string>>
  /** The node's own temp folder: server.properties, logging configuration, kafka.log, data/. */
  dir: string
  /** log.dirs (also the KRaft metadata log). */
  dataDir: string
  logFile: string
  /** The JVM's pid while it runs. */
  pid: number | undefined
  running: boolean
}

export interface KafkaTestCluster {
  readonly version: string
  readonly clusterId: string
  readonly runtime: KafkaRuntime
  /** PLAINTEXT bootstrap servers, host:port. */
  readonly brokers: string[]
  /** Bootstrap servers of every client listener (PLAINTEXT and the security listeners). */
  readonly listeners: Partial<Record<ListenerName, string[]>>
  /** With an SSL or SASL_SSL listener: the CA to trust and a client certificate for mutual TLS. */
  readonly tls?: KafkaTestTlsMaterial
  /** A fresh snapshot of every node. */
  readonly nodes: KafkaNodeInfo[]
  /** SIGKILLs every node and removes every temp folder. Safe to call twice. */
  stop(): Promise<void>
  /** SIGKILLs one node; its ports then refuse connections. */
  killNode(id: number): Promise<void>
  /** Starts a node again (killing it first if it runs) with the same ports, config and data. */
  restartNode(id: number): Promise<void>
  /** Pids and folders, for stopDetachedKafka in another process (jvm runtime only). */
  state(): DetachedKafkaState
}

/** What a detached cluster leaves for a later process to find and stop it (the CLI's state file). */
export interface DetachedKafkaState {
  version: string
  clusterId: string
  brokers: string[]
  listeners: Partial<Record<ListenerName, string[]>>
  rootDir: string
  nodes: Array<{ id: number; pid: number; port: number; dir: string; logFile: string }>
  startedAt: string
}
