// Shared by the connection-layer integration tests (network, metadata, api-versions).

import { Cluster } from '../src/cluster/cluster.js'
import { CreateTopics, createCreateTopicsRequestCreatableTopic } from '../src/protocol/generated/create-topics.js'
import {
  createListOffsetsRequestListOffsetsPartition,
  createListOffsetsRequestListOffsetsTopic,
  ListOffsets,
} from '../src/protocol/generated/list-offsets.js'
import { brokers } from './helpers/brokers.js'

/** A connected cluster view on the test broker; auto-creation off so that only CreateTopics makes topics. */
export async function connectedCluster(clientId: string): Promise<Cluster> {
  const cluster = new Cluster({ brokers: brokers(), clientId, allowAutoTopicCreation: false })
  await cluster.connect()
  return cluster
}

/**
 * Creates a topic through the controller and waits until every partition's leader answers as its
 * leader: a broker's metadata may name a leader before that node has taken the partition over, and
 * the node then answers NOT_LEADER_OR_FOLLOWER (seen in CI on the 3-node test cluster).
 */
export async function createTopic(cluster: Cluster, name: string, partitions: number): Promise<void> {
  const controller = await cluster.controllerConnection()
  const topic = createCreateTopicsRequestCreatableTopic({ name, numPartitions: partitions, replicationFactor: 1 })
  const response = await controller.send(
    CreateTopics,
    CreateTopics.createRequest({ topics: [topic], timeoutMs: 30000 }),
  )
  const result = response.topics.find((t) => t.name === name)
  if (result?.errorCode !== 0)
    throw new Error(`CreateTopics ${name}: error ${result?.errorCode} ${result?.errorMessage}`)
  for (let p = 0; p < partitions; p++) await waitForLeader(cluster, name, p)
}

const LEADER_WAIT_MS = 30000

async function waitForLeader(cluster: Cluster, topic: string, partition: number): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS
  for (;;) {
    await cluster.leaderFor(topic, partition)
    const { errorCode } = await latestOffset(cluster, topic, partition)
    if (errorCode === 0) return
    if (Date.now() > deadline) throw new Error(`${topic}-${partition}: its leader still answers error ${errorCode}`)
    cluster.markMetadataStale()
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The partition leader's ListOffsets(-1) answer: its end offset (high watermark) and error code. */
export async function latestOffset(
  cluster: Cluster,
  topic: string,
  partition: number,
): Promise<{ errorCode: number; offset: bigint }> {
  const leader = await cluster.connectionToLeader(topic, partition)
  const response = await leader.send(
    ListOffsets,
    ListOffsets.createRequest({
      replicaId: -1,
      topics: [
        createListOffsetsRequestListOffsetsTopic({
          name: topic,
          partitions: [createListOffsetsRequestListOffsetsPartition({ partitionIndex: partition, timestamp: -1n })],
        }),
      ],
    }),
  )
  const answer = response.topics[0]!.partitions[0]!
  return { errorCode: answer.errorCode, offset: answer.offset }
}
