// Topic administration with the admin client, in TypeScript: create a topic, describe it, change a
// config and read it back, add partitions, list topics, delete the topic. The types come from
// kafkit's own declarations; `npm run test:examples` type-checks this file (strict) before running it.
//
//   KAFKA_BROKERS=localhost:9092 node --experimental-strip-types examples/admin.mts   (Node >= 22.6)
//   or compile it with tsc -p examples and run the output

import { type Admin, ConfigResourceTypes, Kafka, logLevel } from 'kafkit'

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',')
const topic = process.env.TOPIC ?? `example-admin-${process.pid}`

async function topicConfig(admin: Admin, name: string): Promise<string | null | undefined> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [name] }],
  })
  return resources[0]?.configEntries.find((entry) => entry.configName === name)?.configValue
}

/**
 * A change reaches the brokers through the cluster's metadata log, so a read right after it may
 * still see the old state: read again (every 100 ms, for up to 10 s) until `done` holds.
 */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const value = await read()
    if (done(value) || attempt === 100) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const kafka = new Kafka({ clientId: 'example-admin', brokers, logLevel: logLevel.WARN })
const admin = kafka.admin()
await admin.connect()
try {
  const cluster = await admin.describeCluster()
  console.log(`cluster ${cluster.clusterId}: ${cluster.brokers.length} broker(s), controller ${cluster.controller}`)

  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
    waitForLeaders: true,
  })
  console.log(created ? `created ${topic}` : `${topic} already existed`)

  const { topics } = await admin.describeTopics({ topics: [topic] })
  const description = topics[0]
  if (description === undefined) throw new Error(`${topic} was not described`)
  console.log(`described ${topic}: id ${description.topicId}, ${description.partitions.length} partitions`)

  console.log(`retention.ms is ${await topicConfig(admin, 'retention.ms')}`)
  // incrementalAlterConfigs changes the named configs and leaves the others as they are
  await admin.incrementalAlterConfigs({
    resources: [
      { type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: '7200000' }] },
    ],
  })
  const retention = await eventually(
    () => topicConfig(admin, 'retention.ms'),
    (value) => value === '7200000',
  )
  if (retention !== '7200000') throw new Error(`retention.ms is ${retention} after the change`)
  console.log(`altered retention.ms to ${retention}`)

  await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] })
  const partitions = await eventually(
    async () => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.length,
    (count) => count === 4,
  )
  if (partitions !== 4) throw new Error(`${topic} has ${partitions} partitions after the change`)
  console.log(`partitions now: ${partitions}`)

  const listed = await admin.listTopics()
  if (!listed.includes(topic)) throw new Error(`${topic} is not listed`)
  console.log(`listed ${listed.length} topic(s), ${topic} among them`)

  await admin.deleteTopics({ topics: [topic] })
  console.log(`deleted ${topic}`)
} finally {
  await admin.disconnect()
}
