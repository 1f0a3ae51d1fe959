// One connection per broker node, reused by every request to that node, and made again (with
// backoff) once it is lost. Addresses come from metadata (setBrokers) or from FindCoordinator
// answers (addBroker); the pool never decides which node a request goes to, only how to reach it.

import { Backoff, type ResolvedRetryOptions, resolveRetryOptions, sleep } from '../common/backoff.js'
import { errorMessage } from '../common/error-message.js'
import { inNamespace, type Logger } from '../common/logger.js'
import { KafkaJSBrokerNotFound, KafkaJSConnectionClosedError } from '../errors.js'
import { Connection } from './connection.js'
import type { ConnectionOptions } from './connection-options.js'

export interface BrokerAddress {
  readonly nodeId: number
  readonly host: string
  readonly port: number
  readonly rack?: string | null
}

/** Options shared by every connection the pool makes: everything but the address. */
export type PoolConnectionOptions = Omit<ConnectionOptions, 'host' | 'port'>

/**
 * Waits between attempts to reconnect to one node: Java's reconnect.backoff.ms (50) growing to
 * reconnect.backoff.max.ms (1000), with jitter. Short, because the retry loop above has its own.
 */
export const DEFAULT_RECONNECT_BACKOFF: ResolvedRetryOptions = resolveRetryOptions({
  initialRetryTime: 50,
  maxRetryTime: 1000,
})

interface NodeEntry {
  address: BrokerAddress
  connection: Connection | undefined
  connecting: Promise<Connection> | undefined
  readonly backoff: Backoff
  /** Date.now() before which no new connection is attempted, after a failed one. */
  retryAt: number
}

export class BrokerPool {
  readonly #connectionOptions: PoolConnectionOptions
  readonly #reconnectBackoff: ResolvedRetryOptions
  readonly #logger: Logger
  readonly #nodes = new Map<number, NodeEntry>()
  /** Connections not (or no longer) tied to a node id: seeds, replaced connections. Closed on close(). */
  readonly #detached = new Set<Connection>()
  #closed = false

  constructor(options: {
    connection: PoolConnectionOptions
    reconnectBackoff?: ResolvedRetryOptions
    logger: Logger
  }) {
    this.#connectionOptions = options.connection
    this.#reconnectBackoff = options.reconnectBackoff ?? DEFAULT_RECONNECT_BACKOFF
    this.#logger = options.logger
  }

  /** A connection to an address outside the node table (a bootstrap seed), connected and ready. */
  async connectTo(host: string, port: number): Promise<Connection> {
    this.#assertOpen()
    const connection = this.#newConnection(host, port)
    this.#detached.add(connection)
    try {
      await connection.connect()
    } finally {
      if (!connection.isReady) this.#detached.delete(connection)
    }
    return connection
  }

  /**
   * Replaces the node table with the brokers of fresh metadata. A node whose address changed loses
   * its connection; a node no longer listed is dropped with its connection.
   */
  setBrokers(brokers: readonly BrokerAddress[]): void {
    const listed = new Set<number>()
    for (const broker of brokers) {
      listed.add(broker.nodeId)
      this.addBroker(broker)
    }
    for (const [nodeId, entry] of this.#nodes) {
      if (listed.has(nodeId)) continue
      this.#nodes.delete(nodeId)
      this.#retire(entry.connection, `node ${nodeId} left the cluster metadata`)
    }
  }

  /** Adds or updates one node's address (a coordinator FindCoordinator named). */
  addBroker(broker: BrokerAddress): void {
    const entry = this.#nodes.get(broker.nodeId)
    if (entry === undefined) {
      this.#nodes.set(broker.nodeId, {
        address: broker,
        connection: undefined,
        connecting: undefined,
        backoff: new Backoff(this.#reconnectBackoff),
        retryAt: 0,
      })
      return
    }
    const moved = entry.address.host !== broker.host || entry.address.port !== broker.port
    entry.address = broker
    if (moved) {
      this.#retire(entry.connection, `node ${broker.nodeId} moved to ${broker.host}:${broker.port}`)
      entry.connection = undefined
      entry.connecting = undefined
      entry.backoff.succeed()
      entry.retryAt = 0
    }
  }

  /**
   * Makes `connection` (a ready seed connection) the connection of the node at the same address, if
   * there is one, so that bootstrapping costs no second connection. Otherwise closes it.
   */
  adopt(connection: Connection): void {
    this.#detached.delete(connection)
    for (const entry of this.#nodes.values()) {
      const { host, port } = entry.address
      if (
        host === connection.host &&
        port === connection.port &&
        entry.connection === undefined &&
        connection.isReady
      ) {
        entry.connection = connection
        return
      }
    }
    this.#retire(connection, 'seed connection not needed')
  }

  /**
   * Closes every node's connection, keeping the node table (a rebootstrap: the client no longer
   * trusts what it is connected to). Requests on them fail and get retried on new connections.
   */
  closeConnections(reason: string): void {
    for (const entry of this.#nodes.values()) {
      this.#retire(entry.connection, reason)
      entry.connection = undefined
    }
  }

  has(nodeId: number): boolean {
    return this.#nodes.has(nodeId)
  }

  address(nodeId: number): BrokerAddress | undefined {
    return this.#nodes.get(nodeId)?.address
  }

  get nodeIds(): number[] {
    return [...this.#nodes.keys()]
  }

  /** The ready connection to a node, if there is one now: nothing is started. */
  readyConnection(nodeId: number): Connection | undefined {
    const connection = this.#nodes.get(nodeId)?.connection
    return connection?.isReady ? connection : undefined
  }

  /**
   * The node's connection: the current one if ready, the attempt in progress if any, or a new one,
   * no sooner than the node's reconnect backoff allows.
   */
  connection(nodeId: number): Promise<Connection> {
    if (this.#closed) return Promise.reject(this.#closedError())
    const entry = this.#nodes.get(nodeId)
    if (entry === undefined) {
      return Promise.reject(new KafkaJSBrokerNotFound(`Broker ${nodeId} not found in the cached metadata`))
    }
    if (entry.connection?.isReady) return Promise.resolve(entry.connection)
    entry.connecting ??= this.#reconnect(nodeId, entry)
    return entry.connecting
  }

  async close(): Promise<void> {
    this.#closed = true
    const connections = [...this.#detached]
    for (const entry of this.#nodes.values()) if (entry.connection) connections.push(entry.connection)
    this.#detached.clear()
    this.#nodes.clear()
    await Promise.all(connections.map((c) => c.close()))
  }

  async #reconnect(nodeId: number, entry: NodeEntry): Promise<Connection> {
    try {
      const wait = entry.retryAt - Date.now()
      if (wait > 0) await sleep(wait)
      this.#assertOpen()
      // the table may have moved on while we waited (address change, node dropped)
      if (this.#nodes.get(nodeId) !== entry) throw new KafkaJSBrokerNotFound(`Broker ${nodeId} left the pool`)
      if (entry.connection !== undefined) this.#retire(entry.connection, 'reconnecting')
      const { host, port } = entry.address
      const connection = this.#newConnection(host, port)
      entry.connection = connection
      try {
        await connection.connect()
      } catch (error) {
        const delay = entry.backoff.fail()
        entry.retryAt = Date.now() + delay
        this.#logger.warn(`Connection to node ${nodeId} at ${host}:${port} failed, next attempt in ${delay} ms`, {
          error: errorMessage(error),
        })
        throw error
      }
      entry.backoff.succeed()
      entry.retryAt = 0
      if (this.#closed) {
        await connection.close()
        throw this.#closedError()
      }
      return connection
    } finally {
      if (this.#nodes.get(nodeId) === entry) entry.connecting = undefined
    }
  }

  #newConnection(host: string, port: number): Connection {
    // a connection's entries go under KafkaJS's 'Connection' namespace
    return new Connection({ ...this.#connectionOptions, host, port, logger: inNamespace(this.#logger, 'Connection') })
  }

  /** Closes a connection that is no longer anyone's; requests still on it fail and get retried. */
  #retire(connection: Connection | undefined, reason: string): void {
    if (connection === undefined) return
    this.#detached.delete(connection)
    this.#logger.debug(`Closing connection to ${connection.broker}: ${reason}`)
    void connection.close()
  }

  #assertOpen(): void {
    if (this.#closed) throw this.#closedError()
  }

  #closedError(): KafkaJSConnectionClosedError {
    return new KafkaJSConnectionClosedError('The broker pool is closed', { retriable: false })
  }
}
