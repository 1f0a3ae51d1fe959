// Shared by the connection-layer integration tests (network, metadata, api-versions).

import { Cluster } from '../src/cluster/cluster.js'
import { CreateTopics, createCreateTopicsRequestCreatableTopic } from '../src/protocol/generated/create-topics.js'
import { brokers } from './helpers/brokers.js'

/** A connected cluster view on the test broker; auto-creation off so that only CreateTopics makes topics. */
export async function connectedCluster(clientId: string): Promise<Cluster> {
  const cluster = new Cluster({ brokers: brokers(), clientId, allowAutoTopicCreation: false })
  await cluster.connect()
  return cluster
}

/** Creates a topic through the controller and waits until every partition has a leader. */
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
  for (let p = 0; p < partitions; p++) await cluster.leaderFor(name, p)
}
