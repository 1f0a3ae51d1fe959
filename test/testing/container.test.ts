import { buildContainerPlan, containerEnvName } from '../../src/testing/container.js'

test('containerEnvName inverts the apache/kafka image mapping', () => {
  expect(containerEnvName('num.partitions')).toBe('KAFKA_NUM_PARTITIONS')
  expect(containerEnvName('listener.name.sasl_plaintext.plain.sasl.jaas.config')).toBe(
    'KAFKA_LISTENER_NAME_SASL__PLAINTEXT_PLAIN_SASL_JAAS_CONFIG',
  )
  expect(containerEnvName('listener.name.client.scram-sha-256.sasl.jaas.config')).toBe(
    'KAFKA_LISTENER_NAME_CLIENT_SCRAM___SHA___256_SASL_JAAS_CONFIG',
  )
})

test('buildContainerPlan advertises the fixed host port and keeps broker traffic inside', () => {
  const plan = buildContainerPlan({
    version: '4.3.1',
    hostPort: 41234,
    clusterId: 'MkU3OEVBNTcwNTJENDM2Qg',
    brokerConfig: { 'num.partitions': '4', 'auto.create.topics.enable': 'false' },
  })
  expect(plan.image).toBe('apache/kafka:4.3.1')
  expect(plan.ports).toEqual([{ container: 9092, host: 41234 }])
  expect(plan.env).toMatchObject({
    CLUSTER_ID: 'MkU3OEVBNTcwNTJENDM2Qg',
    KAFKA_NODE_ID: '1',
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
    KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093,INTERNAL://0.0.0.0:9094',
    KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:41234,INTERNAL://localhost:9094',
    KAFKA_INTER_BROKER_LISTENER_NAME: 'INTERNAL',
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    KAFKA_NUM_PARTITIONS: '4',
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
  })
  expect(plan.env.KAFKA_GROUP_COORDINATOR_REBALANCE_PROTOCOLS).toBeUndefined()
})

test('a 3.x container is told to serve the consumer protocol', () => {
  const plan = buildContainerPlan({ version: '3.9.1', hostPort: 1, clusterId: 'x', brokerConfig: {} })
  expect(plan.env.KAFKA_GROUP_COORDINATOR_REBALANCE_PROTOCOLS).toBe('classic,consumer')
})
