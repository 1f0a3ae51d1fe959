// Shared by the admin integration tests: an admin client on the test broker (or any brokers), and
// names no other test uses, since every test file shares the broker.

import { randomBytes } from 'node:crypto'
import type { Admin } from '../src/admin/admin.js'
import { Cluster } from '../src/cluster/cluster.js'
import { Kafka, type KafkaConfig, logLevel } from '../src/index.js'
import { Produce } from '../src/protocol/generated/produce.js'
import { encodeRecordBatch } from '../src/protocol/records/index.js'
import { type CommandResult, runKafkaTool } from '../src/testing/index.js'
import { brokers } from './helpers/brokers.js'

/** A connected admin client; retries kept short so that failure paths do not take long. */
export async function connectedAdmin(
  seeds: string[] = brokers(),
  retries = 5,
  sasl?: KafkaConfig['sasl'],
): Promise<Admin> {
  const kafka = new Kafka({
    brokers: seeds,
    clientId: 'kafkit-admin-test',
    logLevel: logLevel.NOTHING,
    retry: { retries, initialRetryTime: 100, maxRetryTime: 2000 },
    ...(sasl !== undefined && { sasl }),
  })
  const admin = kafka.admin()
  await admin.connect()
  return admin
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`
}

/**
 * Calls `read` until `done` accepts its result, for state the cluster reaches asynchronously (a
 * dynamic broker config reaches the broker when it replays the metadata log; a consumer group
 * exists once its first member joins). A read that throws counts as not done yet. Gives up after
 * `attempts` tries and returns (or throws) what the last read gave, so that the test's assertion
 * reports what it saw.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, attempts = 50): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      const value = await read()
      if (done(value) || i >= attempts) return value
    } catch (error) {
      if (i >= attempts) throw error
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Writes records with the given values (and timestamps) to one partition, through its leader. */
export async function produceRecords(
  topic: string,
  partition: number,
  records: Array<{ value: string; timestamp?: number }>,
  seeds: string[] = brokers(),
): Promise<void> {
  const cluster = new Cluster({ brokers: seeds, clientId: 'kafkit-admin-test-producer', allowAutoTopicCreation: false })
  try {
    await cluster.connect()
    const metadata = await cluster.refreshMetadata([topic])
    const topicId = metadata.topics.get(topic)!.topicId
    const batch = await encodeRecordBatch({
      records: records.map((r) => ({
        value: Buffer.from(r.value),
        ...(r.timestamp !== undefined && { timestamp: r.timestamp }),
      })),
    })
    // a new partition's leader may answer NOT_LEADER_OR_FOLLOWER (6) or UNKNOWN_TOPIC_OR_PARTITION (3)
    // for a moment after metadata already names it, until it has applied its leadership
    for (let attempt = 1; ; attempt++) {
      const leader = await cluster.connectionToLeader(topic, partition)
      const response = await leader.send(
        Produce,
        Produce.createRequest({
          acks: -1,
          timeoutMs: 30000,
          topicData: [{ name: topic, topicId, partitionData: [{ index: partition, records: batch }] }],
        }),
      )
      const code = response.responses[0]!.partitionResponses[0]!.errorCode
      if (code === 0) return
      if ((code !== 6 && code !== 3) || attempt === 50) {
        throw new Error(`Produce to ${topic}-${partition} failed with error code ${code}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
      await cluster.refreshMetadata([topic])
    }
  } finally {
    await cluster.disconnect()
  }
}

/**
 * Starts Java's console consumer in a group (it exits after `idleMs` without new records); the
 * returned promise settles when it exits. `properties` are consumer properties, e.g.
 * group.protocol=consumer for a KIP-848 member.
 */
export function runConsoleConsumer(options: {
  topic: string
  groupId: string
  properties?: Record<string, string>
  idleMs?: number
  seeds?: string[]
}): Promise<CommandResult> {
  const properties = Object.entries(options.properties ?? {}).flatMap(([k, v]) => ['--consumer-property', `${k}=${v}`])
  return runKafkaTool(
    'org.apache.kafka.tools.consumer.ConsoleConsumer',
    [
      '--bootstrap-server',
      (options.seeds ?? brokers()).join(','),
      '--topic',
      options.topic,
      '--group',
      options.groupId,
      '--from-beginning',
      '--timeout-ms',
      String(options.idleMs ?? 10_000),
      ...properties,
    ],
    { timeoutMs: 120_000 },
  )
}
