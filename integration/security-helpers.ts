// Shared by the security integration tests: unsigned JWTs for Kafka's unsecured OAUTHBEARER
// validator, the public consumer reading a topic back over a secured client, a raw long-polling
// Fetch reader for the connection-level re-authentication test, and a log capture.

import type { Kafka } from '../src/client/kafka.js'
import type { Cluster } from '../src/cluster/cluster.js'
import type { LogEntry } from '../src/common/kafka-logger.js'
import {
  createFetchRequestFetchPartition,
  createFetchRequestFetchTopic,
  Fetch,
} from '../src/protocol/generated/fetch.js'
import { decodeRecords } from '../src/protocol/records/index.js'
import { waitFor } from '../test/helpers/wait.js'

/**
 * An unsecured JWT (alg "none") as Kafka's OAuthBearerUnsecuredValidatorCallbackHandler accepts it:
 * `sub` names the principal, `exp` ends the session. `expiresInSeconds` may be negative.
 */
export function unsecuredJwt(subject: string, expiresInSeconds: number): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  return `${part({ alg: 'none' })}.${part({ sub: subject, iat: now, exp: now + expiresInSeconds })}.`
}

/**
 * Reads partition 0 of `topic` from offset 0 with long-polling Fetch requests, in offset order,
 * until `until(values)` holds (checked after every response).
 */
export async function fetchValues(
  cluster: Cluster,
  topic: string,
  until: (values: readonly string[]) => boolean,
  options: { maxWaitMs?: number } = {},
): Promise<string[]> {
  const maxWaitMs = options.maxWaitMs ?? 500
  const values: string[] = []
  let offset = 0n
  const deadline = Date.now() + 90000
  while (!until(values)) {
    if (Date.now() > deadline) throw new Error(`fetched ${values.length} values of ${topic}; more were expected`)
    await cluster.refreshMetadataIfNecessary([topic])
    const topicId = cluster.metadata.topics.get(topic)!.topicId
    const connection = await cluster.connectionToLeader(topic, 0)
    const response = await connection.send(
      Fetch,
      Fetch.createRequest({
        maxWaitMs,
        minBytes: 1,
        maxBytes: 4 << 20,
        isolationLevel: 0,
        topics: [
          createFetchRequestFetchTopic({
            topic,
            topicId,
            partitions: [
              createFetchRequestFetchPartition({ partition: 0, fetchOffset: offset, partitionMaxBytes: 4 << 20 }),
            ],
          }),
        ],
      }),
      // a long poll: the request timeout must outlast the broker's wait
      { timeout: maxWaitMs + 30_000 },
    )
    const partition = response.responses[0]!.partitions[0]!
    // right after a topic is created its leader may not have loaded the partition yet: NOT_LEADER_OR_FOLLOWER
    // (6) or UNKNOWN_TOPIC_OR_PARTITION (3) then pass within moments, as for any client
    if (partition.errorCode === 6 || partition.errorCode === 3) {
      cluster.markMetadataStale()
      await new Promise((resolve) => setTimeout(resolve, 100))
      continue
    }
    if (partition.errorCode !== 0) throw new Error(`Fetch ${topic}@${offset}: error ${partition.errorCode}`)
    const { batches } = await decodeRecords(partition.records ?? Buffer.alloc(0))
    for (const batch of batches) {
      for (const record of batch.records) {
        if (record.offset < offset) continue
        values.push(record.value?.toString() ?? '')
        offset = record.offset + 1n
      }
    }
  }
  return values
}

/**
 * Consumes `topic` from the beginning with the public consumer (a new group), collecting values in
 * arrival order until `until(values)` holds (checked after each message and every 50 ms, since the
 * condition may also depend on the caller's state), then stops and disconnects the consumer
 * (`beforeDisconnect` runs just before, e.g. to take stock of what was logged while it ran).
 */
export async function consumeValues(
  client: Kafka,
  topic: string,
  until: (values: readonly string[]) => boolean,
  options: { beforeDisconnect?: () => void } = {},
): Promise<string[]> {
  const consumer = client.consumer({ groupId: `${topic}-reader-${process.pid}-${Date.now()}` })
  const values: string[] = []
  try {
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    let crashed: unknown
    consumer.on(consumer.events.CRASH, (event) => {
      crashed = (event.payload as { error: unknown }).error
    })
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString() ?? '')
      },
    })
    await waitFor(
      () => {
        if (crashed !== undefined) throw crashed
        return until(values)
      },
      `the expected values from ${topic}`,
      90000,
      50,
    )
    return values
  } finally {
    options.beforeDisconnect?.()
    await consumer.disconnect()
  }
}

/** A KafkaJS logCreator that keeps every entry, for checks on what was (and was not) logged. */
export function capturingLogCreator(entries: LogEntry[]): () => (entry: LogEntry) => void {
  return () => (entry) => {
    entries.push(entry)
  }
}
