// KafkaJS's consumer documentation examples (docs/Consuming.md, docs/CustomPartitionAssigner.md,
// KafkaJS 2.2.4), unchanged but for the import (require('kafkajs') became kafkit) and the topic and
// group names, which the test passes in. Each example is wrapped in a function; console.log is
// what the test observes.
// biome-ignore-all lint/correctness/noUnusedFunctionParameters: the examples destructure what they document

const { Kafka, AssignerProtocol, PartitionAssigners } = require('../../src/index.js')

exports.eachMessage = async (kafka, { topic, groupId }) => {
  const consumer = kafka.consumer({ groupId })

  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })

  await consumer.run({
    eachMessage: async ({ topic, partition, message, heartbeat, pause }) => {
      console.log({
        key: message.key.toString(),
        value: message.value.toString(),
        headers: message.headers,
      })
    },
  })
  return consumer
}

exports.eachBatch = async (kafka, { topic, groupId }) => {
  const consumer = kafka.consumer({ groupId })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })

  await consumer.run({
    eachBatchAutoResolve: true,
    eachBatch: async ({
      batch,
      resolveOffset,
      heartbeat,
      commitOffsetsIfNecessary,
      uncommittedOffsets,
      isRunning,
      isStale,
      pause,
    }) => {
      for (const message of batch.messages) {
        console.log({
          topic: batch.topic,
          partition: batch.partition,
          highWatermark: batch.highWatermark,
          message: {
            offset: message.offset,
            key: message.key.toString(),
            value: message.value.toString(),
            headers: message.headers,
          },
        })

        resolveOffset(message.offset)
        await heartbeat()
      }
    },
  })
  return consumer
}

exports.concurrentRegexSeek = async (kafka, { topicPattern, topic, groupId }) => {
  const consumer = kafka.consumer({ groupId })
  await consumer.connect()
  await consumer.subscribe({ topics: [topicPattern], fromBeginning: true })

  // you don't need to await consumer#run
  consumer.run({
    partitionsConsumedConcurrently: 3, // Default: 1
    eachMessage: async ({ topic, partition, message }) => {
      console.log(`${partition}:${message.offset}`)
    },
  })
  consumer.seek({ topic, partition: 0, offset: 3 })
  return consumer
}

exports.describeGroup = async (consumer) => {
  const data = await consumer.describeGroup()
  return data
}

exports.customAssigner = async (kafka, { topic, groupId }) => {
  const { MemberMetadata, MemberAssignment } = AssignerProtocol

  const MyPartitionAssigner = ({ cluster }) => ({
    name: 'MyPartitionAssigner',
    version: 1,
    async assign({ members, topics }) {
      // one member gets every partition of every topic
      const assignment = {}
      for (const topic of topics) {
        assignment[topic] = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId)
      }
      return members.map(({ memberId }, i) => ({
        memberId,
        memberAssignment: MemberAssignment.encode({
          version: this.version,
          assignment: i === 0 ? assignment : {},
          userData: Buffer.from('custom'),
        }),
      }))
    },
    protocol({ topics }) {
      return {
        name: this.name,
        metadata: MemberMetadata.encode({
          version: this.version,
          topics,
          userData: Buffer.alloc(0),
        }),
      }
    },
  })

  const { roundRobin } = PartitionAssigners

  const consumer = kafka.consumer({
    groupId,
    partitionAssigners: [MyPartitionAssigner, roundRobin],
  })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  await consumer.run({ eachMessage: async ({ partition, message }) => console.log(`${partition}:${message.offset}`) })
  return consumer
}

// docs/ConsumerExample.md
exports.consumerExample = async (kafka, { topic, groupId }) => {
  const consumer = kafka.consumer({ groupId })

  const run = async () => {
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      // eachBatch: async ({ batch }) => {
      //   console.log(batch)
      // },
      eachMessage: async ({ topic, partition, message }) => {
        const prefix = `${topic}[${partition} | ${message.offset}] / ${message.timestamp}`
        console.log(`- ${prefix} ${message.key}#${message.value}`)
      },
    })
  }

  await run().catch((e) => console.error(`[example/consumer] ${e.message}`, e))
  return consumer
}

exports.Kafka = Kafka
