// What every conformance test shares: the cluster global-setup started, Kafka clients made only
// through the public `Kafka` object (plaintext, SSL, SASL PLAIN and SCRAM), unique names, topics,
// bounded waits and a log capture. Tests import kafkit from src/index.ts, the package's entry point.

import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import {
  type Consumer,
  type ISocketFactory,
  Kafka,
  type KafkaConfig,
  type LogEntry,
  type LogLevel,
  logLevel,
  type SASLOptions,
} from '../../src/index.js'
import { sleep, waitFor } from '../../test/helpers/wait.js'
import type { ConformanceClusterDescription, ConformanceUser } from './cluster-description.js'

export { sleep, waitFor }

let description: ConformanceClusterDescription | undefined

/** The cluster global-setup started (or the one KAFKIT_CONFORMANCE_CLUSTER described beforehand). */
export function conformanceCluster(): ConformanceClusterDescription {
  if (description) return description
  const file = process.env.KAFKIT_CONFORMANCE_CLUSTER
  if (!file)
    throw new Error('KAFKIT_CONFORMANCE_CLUSTER is not set: run these tests with jest --selectProjects conformance')
  description = JSON.parse(readFileSync(file, 'utf8')) as ConformanceClusterDescription
  return description
}

/** KafkaJS's `secureRandom()`: a name no other test or run uses. */
export function secureRandom(length = 10): string {
  return `${randomBytes(length).toString('hex')}-${process.pid}`
}

/** Log entries a client wrote, at every level (the capture's logLevel is DEBUG unless told). */
export class LogCapture {
  readonly entries: Array<LogEntry & { level: LogLevel }> = []
  readonly logCreator = () => (entry: LogEntry) => {
    this.entries.push(entry)
  }
  /** Entries of `namespace` (KafkaJS's namespaces such as 'Runner' or 'Consumer'). */
  inNamespace(namespace: string): Array<LogEntry & { level: LogLevel }> {
    return this.entries.filter((e) => e.namespace === namespace)
  }
}

/** A client on the PLAINTEXT listeners; silent unless the test passes its own logger settings. */
export function createKafka(config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: `test-${secureRandom()}`,
    brokers: conformanceCluster().plaintext,
    logLevel: logLevel.NOTHING,
    ...config,
  })
}

/** A client on the SSL listeners, trusting the test CA (KafkaJS's sslConnectionOpts). */
export function createSslKafka(config: Partial<KafkaConfig> = {}): Kafka {
  const cluster = conformanceCluster()
  return createKafka({ brokers: cluster.ssl, ssl: { ca: [cluster.ca], servername: 'localhost' }, ...config })
}

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512'

/** A client on the SASL_SSL listeners, as `user` with `mechanism` (KafkaJS's saslConnectionOpts and friends). */
export function createSaslKafka(
  mechanism: SaslMechanism,
  user: ConformanceUser = mechanism === 'plain' ? conformanceCluster().users.plain : conformanceCluster().users.scram,
  config: Partial<KafkaConfig> = {},
): Kafka {
  const cluster = conformanceCluster()
  const sasl = { mechanism, username: user.username, password: user.password } as SASLOptions
  return createKafka({ brokers: cluster.saslSsl, ssl: { ca: [cluster.ca], servername: 'localhost' }, sasl, ...config })
}

/** Creates a topic (KafkaJS's createTopic helper: one partition and replica unless told). */
export async function createTopic(options: {
  topic: string
  partitions?: number
  replicas?: number
  config?: Array<{ name: string; value: string }>
}): Promise<void> {
  const admin = createKafka().admin()
  await admin.connect()
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: options.topic,
          numPartitions: options.partitions ?? 1,
          replicationFactor: options.replicas ?? 1,
          configEntries: options.config ?? [],
        },
      ],
    })
  } finally {
    await admin.disconnect()
  }
}

/** KafkaJS's generateMessages: `number` messages with key-i / value-i / a header. */
export function generateMessages(options: { prefix?: string; number?: number } = {}): Array<{
  key: string
  value: string
  headers: Record<string, string>
}> {
  const prefix = options.prefix ? `-${options.prefix}` : ''
  return Array.from({ length: options.number ?? 100 }, (_, i) => ({
    key: `key${prefix}-${i}-${secureRandom()}`,
    value: `value${prefix}-${i}-${secureRandom()}`,
    headers: { 'header-keyA': `header-value${prefix}-${i}-A` },
  }))
}

/** Resolves with `buffer` once it holds `count` items; bounded. */
export async function waitForMessages<T>(buffer: T[], count = 1, timeoutMs = 60000): Promise<T[]> {
  await waitFor(() => buffer.length >= count, `${count} messages (have ${buffer.length})`, timeoutMs)
  return buffer
}

/** Resolves once `consumer` has joined its group (its GROUP_JOIN event), with the event's payload. */
export function waitForConsumerToJoinGroup(consumer: Consumer, timeoutMs = 60000): Promise<unknown> {
  return waitForNextEvent(consumer, consumer.events.GROUP_JOIN, timeoutMs)
}

/** Resolves with the next `eventName` event `consumer` emits; rejects after `timeoutMs`. */
export function waitForNextEvent(consumer: Consumer, eventName: string, timeoutMs = 60000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      remove()
      reject(new Error(`no ${eventName} event within ${timeoutMs} ms`))
    }, timeoutMs)
    const remove = consumer.on(eventName as never, (event: unknown) => {
      clearTimeout(timer)
      remove()
      resolve(event)
    })
  })
}

/** KafkaJS's `<client>.network.request` event payload, key for key; `apiName` any unless given. */
export function requestEventPayload(apiName: unknown = expect.any(String)): Record<string, unknown> {
  return {
    ...requestTimeoutEventPayload(apiName),
    duration: expect.any(Number),
    size: expect.any(Number),
  }
}

/** KafkaJS's `<client>.network.request_timeout` event payload, key for key. */
export function requestTimeoutEventPayload(apiName: unknown = expect.any(String)): Record<string, unknown> {
  return {
    apiKey: expect.any(Number),
    apiName,
    apiVersion: expect.any(Number),
    broker: expect.any(String),
    clientId: expect.any(String),
    correlationId: expect.any(Number),
    createdAt: expect.any(Number),
    pendingDuration: expect.any(Number),
    sentAt: expect.any(Number),
  }
}

/**
 * A socketFactory (KafkaJS's option) whose sockets hold back what the broker sends for `holdMs`
 * after connecting: with a small `requestTimeout`, the first requests of every connection time out
 * whatever the machine's speed, where a fast broker could otherwise answer within the timeout.
 */
export function slowFirstResponses(holdMs = 1000): ISocketFactory {
  return ({ host, port, onConnect }) => {
    const socket = connect({ host, port }, onConnect)
    // a paused socket stays paused when a 'data' listener is added, until resume()
    socket.pause()
    const timer = setTimeout(() => socket.resume(), holdMs)
    socket.once('close', () => clearTimeout(timer))
    return socket
  }
}
