// The client entry point with KafkaJS's constructor and options. It validates the shared options
// once and hands each producer, consumer or admin client its own Cluster (own connections), as
// KafkaJS does.

import type * as tls from 'node:tls'
import type { Admin, AdminConfig } from '../admin/admin.js'
import { Cluster } from '../cluster/cluster.js'
import type { ClusterOptions, MetadataRecoveryStrategy } from '../cluster/cluster-options.js'
import type { RetryOptions } from '../common/backoff.js'
import { createLogger, type KafkaLogger, type LogCreator, type LogLevel, logLevel } from '../common/kafka-logger.js'
import type { Consumer } from '../consumer/consumer.js'
import type { ConsumerConfig } from '../consumer/consumer-options.js'
import type { ShareConsumer } from '../consumer/share/share-consumer.js'
import type { ShareConsumerConfig } from '../consumer/share/share-consumer-options.js'
import { KafkaJSInvalidArgumentError } from '../errors.js'
import { DEFAULT_CLIENT_ID } from '../network/connection-options.js'
import type { SASLConfig } from '../network/sasl/sasl-options.js'
import type { SocketFactory } from '../network/socket-factory.js'
import type { Producer } from '../producer/producer.js'
import type { ProducerConfig } from '../producer/producer-options.js'
import { createAdmin } from './create-admin.js'
import { createConsumer } from './create-consumer.js'
import { createProducer } from './create-producer.js'
import { createShareConsumer } from './create-share-consumer.js'

export interface KafkaConfig {
  brokers: string[] | (() => string[] | Promise<string[]>)
  clientId?: string
  /** true, or tls.connect options (ca, cert, key, passphrase, servername, ...), for TLS listeners. */
  ssl?: boolean | tls.ConnectionOptions
  /**
   * SASL options (KafkaJS shape: plain, scram-sha-256, scram-sha-512, oauthbearer, or a custom
   * `{ mechanism, authenticationProvider }`), or a function returning them at each (re)authentication.
   */
  sasl?: SASLConfig
  connectionTimeout?: number
  /** Time allowed for each SASL request, in ms; default 10000. */
  authenticationTimeout?: number
  /**
   * Accepted as KafkaJS's option, without effect: kafkit renews a SASL session at 85-95% of the lifetime the
   * broker grants (KIP-368), as the Java client does, rather than this many ms before it ends.
   */
  reauthenticationThreshold?: number
  requestTimeout?: number
  /** false: requests never time out once connected (default true, as KafkaJS). */
  enforceRequestTimeout?: boolean
  /**
   * kafkit's: bytes of requests a connection leaves in its socket's buffer before later requests wait
   * for it to drain; default 1 MiB. Bounds what a slow or stalled broker can make the client hold.
   */
  maxBufferedWriteBytes?: number
  retry?: RetryOptions
  /**
   * When no metadata can be had from the brokers the client knows (all unreachable, none answering
   * for `metadataRecoveryRebootstrapTrigger` ms, or a broker answering REBOOTSTRAP_REQUIRED):
   * 'rebootstrap' (default, Java's since Kafka 4.0) connects to `brokers` again, calling the function
   * again if it is one and resolving the names again; 'none' keeps retrying the known brokers
   * (Java's `metadata.recovery.strategy`, KIP-899).
   */
  metadataRecoveryStrategy?: MetadataRecoveryStrategy
  /**
   * How long (ms) metadata attempts may fail before the client bootstraps again; default 300000
   * (Java's `metadata.recovery.rebootstrap.trigger.ms`, KIP-1102).
   */
  metadataRecoveryRebootstrapTrigger?: number
  socketFactory?: SocketFactory
  logLevel?: LogLevel
  logCreator?: LogCreator
}

export class Kafka {
  readonly #config: KafkaConfig
  readonly #logger: KafkaLogger

  constructor(config: KafkaConfig) {
    if (config === null || typeof config !== 'object') {
      throw new KafkaJSInvalidArgumentError('Kafka config must be an object with at least `brokers`')
    }
    if (config.clientId !== undefined && typeof config.clientId !== 'string') {
      throw new KafkaJSInvalidArgumentError(`clientId must be a string, got ${typeof config.clientId}`)
    }
    if (config.logLevel !== undefined && !Object.values(logLevel).includes(config.logLevel)) {
      throw new KafkaJSInvalidArgumentError(`logLevel must be one of logLevel.*, got ${String(config.logLevel)}`)
    }
    this.#config = { ...config }
    this.#logger = createLogger({
      ...(config.logLevel !== undefined && { level: config.logLevel }),
      ...(config.logCreator !== undefined && { logCreator: config.logCreator }),
    })
    // fail at construction, not at connect(), on a bad broker list or bad connection options
    new Cluster(this.clusterOptions('kafkit'))
  }

  logger(): KafkaLogger {
    return this.#logger
  }

  /**
   * Options for one client's own Cluster; `overrides` carries client-specific settings.
   * @internal
   */
  protected clusterOptions(namespace: string, overrides: Partial<ClusterOptions> = {}): ClusterOptions {
    const c = this.#config
    const options: ClusterOptions = {
      brokers: c.brokers,
      clientId: c.clientId ?? DEFAULT_CLIENT_ID,
      logger: this.#logger.namespace(namespace),
      ...(c.ssl !== undefined && { ssl: c.ssl }),
      ...(c.sasl !== undefined && { sasl: c.sasl }),
      ...(c.authenticationTimeout !== undefined && { authenticationTimeout: c.authenticationTimeout }),
      ...(c.connectionTimeout !== undefined && { connectionTimeout: c.connectionTimeout }),
      ...(c.requestTimeout !== undefined && { requestTimeout: c.requestTimeout }),
      ...(c.enforceRequestTimeout !== undefined && { enforceRequestTimeout: c.enforceRequestTimeout }),
      ...(c.maxBufferedWriteBytes !== undefined && { maxBufferedWriteBytes: c.maxBufferedWriteBytes }),
      ...(c.retry !== undefined && { retry: c.retry }),
      ...(c.metadataRecoveryStrategy !== undefined && { metadataRecoveryStrategy: c.metadataRecoveryStrategy }),
      ...(c.metadataRecoveryRebootstrapTrigger !== undefined && {
        metadataRecoveryRebootstrapTrigger: c.metadataRecoveryRebootstrapTrigger,
      }),
      ...(c.socketFactory !== undefined && { socketFactory: c.socketFactory }),
      ...overrides,
    }
    return options
  }

  /**
   * A Cluster (its own connections and metadata) for a producer, consumer or admin client.
   * @internal
   */
  createCluster(namespace: string, overrides: Partial<ClusterOptions> = {}): Cluster {
    return new Cluster(this.clusterOptions(namespace, overrides))
  }

  /** An admin client with its own connections (KafkaJS `kafka.admin({ retry })`). */
  admin(config?: AdminConfig): Admin {
    return createAdmin(this, config)
  }

  /** A producer with its own connections (KafkaJS `kafka.producer(config)`). */
  producer(config?: ProducerConfig): Producer {
    return createProducer(this, config)
  }

  /** A consumer with its own connections (KafkaJS `kafka.consumer({ groupId, ... })`). */
  consumer(config: ConsumerConfig): Consumer {
    return createConsumer(this, config)
  }

  /**
   * A share consumer (KIP-932 share groups, Kafka 4.2+): members of one group divide the records of
   * the same partitions, acknowledging each record instead of committing offsets.
   */
  shareConsumer(config: ShareConsumerConfig): ShareConsumer {
    return createShareConsumer(this, config)
  }

  get config(): Readonly<KafkaConfig> {
    return this.#config
  }
}
