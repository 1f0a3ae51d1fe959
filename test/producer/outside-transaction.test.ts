// A transactional producer's sends outside its transactions, on a fake broker: they go out under
// a second producer id got by InitProducerId without a transactional id, in Produce requests
// without one, and a refused InitProducerId fails the sends waiting for it (a real broker refuses
// it only to a principal without write access anywhere); the next send asks again.

import { Kafka, KafkaJSProtocolError, logLevel, type Producer } from '../../src/index.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import {
  createFindCoordinatorResponseCoordinator as coordinator,
  FindCoordinator,
} from '../../src/protocol/generated/find-coordinator.js'
import { InitProducerId } from '../../src/protocol/generated/init-producer-id.js'
import {
  createMetadataResponseMetadataResponseBroker as broker,
  Metadata,
  createMetadataResponseMetadataResponsePartition as partition,
  createMetadataResponseMetadataResponseTopic as topicResponse,
} from '../../src/protocol/generated/metadata.js'
import {
  Produce,
  createProduceResponsePartitionProduceResponse as partitionResponse,
  createProduceResponseTopicProduceResponse as topicProduceResponse,
} from '../../src/protocol/generated/produce.js'
import { FakeServer } from '../network/fake-server.js'

/** What a Produce request carried: its transactional id and its batch's producer id and transactional flag. */
interface ProducedBatch {
  transactionalId: string | null
  producerId: bigint
  transactional: boolean
}

// record batch v2 header offsets: attributes (bit 4: transactional) and producerId
const ATTRIBUTES_OFFSET = 21
const PRODUCER_ID_OFFSET = 43
const TRANSACTIONAL_FLAG = 0x10

let server: FakeServer
let producer: Producer | undefined
let produced: ProducedBatch[]
let plainInitAnswers: number[]

beforeEach(async () => {
  produced = []
  plainInitAnswers = []
  server = await FakeServer.start()
  server.serve(Metadata, (request) =>
    Metadata.createResponse({
      clusterId: 'fake',
      controllerId: 1,
      brokers: [broker({ nodeId: 1, host: '127.0.0.1', port: server.port })],
      topics: (request.topics ?? []).map(({ name }) =>
        topicResponse({ name, partitions: [partition({ partitionIndex: 0, leaderId: 1 })] }),
      ),
    }),
  )
  server.serve(FindCoordinator, (request) =>
    FindCoordinator.createResponse({
      coordinators: request.coordinatorKeys.map((key) =>
        coordinator({ key, nodeId: 1, host: '127.0.0.1', port: server.port }),
      ),
    }),
  )
  server.serve(InitProducerId, (request) => {
    if (request.transactionalId !== null) return InitProducerId.createResponse({ producerId: 1000n, producerEpoch: 0 })
    const errorCode = plainInitAnswers.shift() ?? ErrorCode.NONE
    return InitProducerId.createResponse({
      errorCode,
      producerId: errorCode === ErrorCode.NONE ? 2000n : -1n,
      producerEpoch: errorCode === ErrorCode.NONE ? 0 : -1,
    })
  })
  let offset = 0n
  server.serve(Produce, (request) => {
    const responses = request.topicData.map((topic) => {
      const partitionResponses = topic.partitionData.map((p) => {
        const records = p.records as Buffer
        produced.push({
          transactionalId: request.transactionalId,
          producerId: records.readBigInt64BE(PRODUCER_ID_OFFSET),
          transactional: (records.readInt16BE(ATTRIBUTES_OFFSET) & TRANSACTIONAL_FLAG) !== 0,
        })
        const response = partitionResponse({ index: p.index, baseOffset: offset })
        offset += 1n
        return response
      })
      return topicProduceResponse({ name: topic.name, partitionResponses })
    })
    return Produce.createResponse({ responses })
  })
})

afterEach(async () => {
  await producer?.disconnect()
  producer = undefined
  await server.close()
})

function transactionalProducer(): Producer {
  const kafka = new Kafka({ brokers: [server.broker], clientId: 'outside', logLevel: logLevel.NOTHING })
  return kafka.producer({ transactionalId: 'txn', createPartitioner: () => () => 0 })
}

test('a send outside a transaction goes out under its own producer id, without the transactional id', async () => {
  producer = transactionalProducer()
  await producer.connect()
  await producer.send({ topic: 't', messages: [{ value: 'outside' }] })
  expect(produced).toEqual([{ transactionalId: null, producerId: 2000n, transactional: false }])
  const requests = server.received(InitProducerId)
  // one for the transactional id at connect, one for the sends outside transactions
  expect(requests).toHaveLength(2)
})

test('a refused InitProducerId fails the sends waiting for it; the next send asks again and is delivered', async () => {
  plainInitAnswers = [ErrorCode.CLUSTER_AUTHORIZATION_FAILED]
  producer = transactionalProducer()
  await producer.connect()
  const refused = producer.send({ topic: 't', messages: [{ value: 'first' }] })
  await expect(refused).rejects.toBeInstanceOf(KafkaJSProtocolError)
  await expect(refused).rejects.toMatchObject({ type: 'CLUSTER_AUTHORIZATION_FAILED' })
  expect(produced).toEqual([])
  await producer.send({ topic: 't', messages: [{ value: 'second' }] })
  expect(produced).toEqual([{ transactionalId: null, producerId: 2000n, transactional: false }])
})
