// Independent reads for the producer's integration tests: records fetched back with the generated
// Fetch API and the record decoder (not the producer's code), and kcat (librdkafka) as a second
// reader.

import { Cluster } from '../src/cluster/cluster.js'
import {
  createFetchRequestFetchPartition,
  createFetchRequestFetchTopic,
  Fetch,
} from '../src/protocol/generated/fetch.js'
import { decodeRecords } from '../src/protocol/records/index.js'
import { findOnPath } from '../src/testing/executables.js'
import { runCommand } from '../src/testing/run-command.js'
import { latestOffset } from './network-helpers.js'

export interface StoredRecord {
  partition: number
  offset: bigint
  timestamp: bigint
  key: string | null
  value: string | null
  headers: [string, string | null][]
  producerId: bigint
  producerEpoch: number
  /** The record's sequence number: its batch's base sequence plus its offset delta (-1 without idempotence). */
  sequence: number
  compression: number
  transactional: boolean
}

export const kcatPath = findOnPath('kcat') ?? findOnPath('kafkacat')

/** A cluster view for reading back, separate from the producer under test. */
export async function readerCluster(brokers: string[], clientId: string): Promise<Cluster> {
  const cluster = new Cluster({ brokers, clientId, allowAutoTopicCreation: false })
  await cluster.connect()
  return cluster
}

/** The partition's end offset (high watermark), by ListOffsets(-1). */
export async function endOffset(cluster: Cluster, topic: string, partition: number): Promise<bigint> {
  const { errorCode, offset } = await latestOffset(cluster, topic, partition)
  if (errorCode !== 0) throw new Error(`ListOffsets ${topic}-${partition}: error ${errorCode}`)
  return offset
}

/**
 * Every data record of a partition from offset 0 to its end offset (read uncommitted), in offset
 * order, with its batch's producer fields. Control batches (transaction markers) are left out.
 */
export async function readPartition(cluster: Cluster, topic: string, partition: number): Promise<StoredRecord[]> {
  await cluster.refreshMetadata([topic])
  const end = await endOffset(cluster, topic, partition)
  const topicId = cluster.metadata.topics.get(topic)!.topicId
  const out: StoredRecord[] = []
  let offset = 0n
  while (offset < end) {
    const connection = await cluster.connectionToLeader(topic, partition)
    const response = await connection.send(
      Fetch,
      Fetch.createRequest({
        maxWaitMs: 100,
        minBytes: 1,
        maxBytes: 16 * 1024 * 1024,
        isolationLevel: 0,
        topics: [
          createFetchRequestFetchTopic({
            topic,
            topicId,
            partitions: [
              createFetchRequestFetchPartition({ partition, fetchOffset: offset, partitionMaxBytes: 8 * 1024 * 1024 }),
            ],
          }),
        ],
      }),
    )
    const p = response.responses[0]!.partitions[0]!
    if (p.errorCode !== 0) throw new Error(`Fetch ${topic}-${partition}@${offset}: error ${p.errorCode}`)
    const { batches } = await decodeRecords(p.records ?? Buffer.alloc(0))
    if (batches.length === 0) throw new Error(`Fetch ${topic}-${partition}@${offset} returned no batch before ${end}`)
    for (const batch of batches) {
      if (batch.lastOffset < offset) continue
      if (!batch.isControlBatch) {
        for (const r of batch.records) {
          if (r.offset < offset) continue
          out.push({
            partition,
            offset: r.offset,
            timestamp: r.timestamp,
            key: r.key === null ? null : r.key.toString(),
            value: r.value === null ? null : r.value.toString(),
            headers: r.headers.map((h): [string, string | null] => [
              h.key,
              h.value === null ? null : h.value.toString(),
            ]),
            producerId: batch.producerId,
            producerEpoch: batch.producerEpoch,
            sequence: batch.baseSequence < 0 ? -1 : batch.baseSequence + Number(r.offset - batch.baseOffset),
            compression: batch.compression,
            transactional: batch.isTransactional,
          })
        }
      }
      offset = batch.lastOffset + 1n
    }
  }
  return out
}

/** Every partition's records, partition by partition. */
export async function readTopic(cluster: Cluster, topic: string, partitions: number): Promise<StoredRecord[]> {
  const all: StoredRecord[] = []
  for (let p = 0; p < partitions; p++) all.push(...(await readPartition(cluster, topic, p)))
  return all
}

/**
 * kcat's view of a topic: one line per record, formatted with `format` (kcat -f), read to the end.
 * `config` adds -X settings (e.g. isolation.level=read_committed).
 */
export async function kcatConsume(
  bootstrap: string,
  topic: string,
  format: string,
  config: Record<string, string> = {},
): Promise<string[]> {
  if (kcatPath === undefined) throw new Error('kcat is not installed')
  const extra = Object.entries(config).flatMap(([k, v]) => ['-X', `${k}=${v}`])
  const result = await runCommand(
    kcatPath,
    ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', format, ...extra],
    { timeoutMs: 60_000 },
  )
  if (result.exitCode !== 0) throw new Error(`kcat failed (${result.exitCode}): ${result.stderr}`)
  return result.stdout.split('\n').filter((line) => line !== '')
}

/** kcat -P with one key per line (key and value separated by a tab), to a topic, with a partitioner. */
export async function kcatProduceKeys(
  bootstrap: string,
  topic: string,
  keys: string[],
  partitioner: string,
): Promise<void> {
  if (kcatPath === undefined) throw new Error('kcat is not installed')
  const result = await runCommand(
    kcatPath,
    ['-P', '-b', bootstrap, '-t', topic, '-K', '\t', '-X', `topic.partitioner=${partitioner}`],
    { input: `${keys.map((k) => `${k}\t${k}`).join('\n')}\n`, timeoutMs: 60_000 },
  )
  if (result.exitCode !== 0) throw new Error(`kcat -P failed (${result.exitCode}): ${result.stderr}`)
}
