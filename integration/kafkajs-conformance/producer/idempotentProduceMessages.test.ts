// KafkaJS 2.2.4 src/producer/__tests__/idempotentProduceMessages.spec.js: an idempotent producer
// writes every message to the partition once, in order for sequential sends, also when a Produce
// fails with a retriable error before it reaches the broker or after the broker wrote it.
//
// The spec made a broker's produce() throw through a spy. Here a socket factory (KafkaJS's
// `socketFactory` option) makes the same faults on the wire: it closes a connection instead of
// writing its first Produce request (the request never reaches the broker), or closes it when the
// answer to its first Produce request arrives (the broker wrote the records, the producer never
// hears so and sends them again).

import { connect, type Socket } from 'node:net'
import type { Consumer, KafkaConfig, Producer } from '../../../src/index.js'
import { createKafka, createTopic, secureRandom, waitForMessages } from '../helpers.js'

/** before-write-second: the connection's second Produce request is the one that never arrives. */
type Fault = 'none' | 'before-write' | 'before-write-second' | 'after-write'

/** A socket factory making `fault` once per broker (as the spec's spies), on its first Produce request. */
function faultySockets(fault: Fault): { socketFactory: KafkaConfig['socketFactory']; faults: () => number } {
  let faults = 0
  const faulted = new Set<string>()
  const socketFactory: KafkaConfig['socketFactory'] = ({ host, port, onConnect }) => {
    const socket = connect({ host, port }, onConnect)
    if (fault === 'none' || faulted.has(`${host}:${port}`)) return socket
    let producesBeforeFault = fault === 'before-write-second' ? 1 : 0
    let armed = true
    let awaitedCorrelationId: number | undefined
    const write = socket.write.bind(socket) as (chunk: Buffer, cb?: (error?: Error | null) => void) => boolean
    socket.write = ((chunk: Buffer, cb?: (error?: Error | null) => void) => {
      // a request frame: int32 size, int16 apiKey (0 is Produce), int16 apiVersion, int32 correlationId
      if (armed && Buffer.isBuffer(chunk) && chunk.length >= 12 && chunk.readInt16BE(4) === 0) {
        if (producesBeforeFault-- > 0) return write(chunk, cb)
        armed = false
        faulted.add(`${host}:${port}`)
        if (fault !== 'after-write') {
          faults++
          const error = new Error('connection lost before the Produce request was written')
          socket.destroy(error)
          cb?.(error)
          return false
        }
        awaitedCorrelationId = chunk.readInt32BE(8)
      }
      return write(chunk, cb)
    }) as Socket['write']
    const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      const data = args[0]
      // a response frame: int32 size, int32 correlationId
      if (
        event === 'data' &&
        awaitedCorrelationId !== undefined &&
        Buffer.isBuffer(data) &&
        data.length >= 8 &&
        data.readInt32BE(4) === awaitedCorrelationId
      ) {
        awaitedCorrelationId = undefined
        faults++
        socket.destroy(new Error('connection lost after the broker wrote the records'))
        return true
      }
      return emit(event, ...args)
    }) as Socket['emit']
    return socket
  }
  return { socketFactory, faults: () => faults }
}

describe('Producer > Idempotent producer (KafkaJS src/producer/__tests__/idempotentProduceMessages.spec.js)', () => {
  let producer: Producer | undefined
  let consumer: Consumer | undefined
  let topicName: string
  const messages = Array.from({ length: 4 }, (_, i) => ({ key: `key-${secureRandom()}`, value: `${i}` }))

  async function setUp(fault: Fault): Promise<() => number> {
    topicName = `test-topic-${secureRandom()}`
    await createTopic({ topic: topicName, partitions: 1 })
    const { socketFactory, faults } = faultySockets(fault)
    producer = createKafka({ socketFactory }).producer({ idempotent: true })
    consumer = createKafka().consumer({ groupId: `consumer-group-id-${secureRandom()}`, maxWaitTimeInMs: 0 })
    await Promise.all([producer.connect(), consumer.connect()])
    await consumer.subscribe({ topic: topicName, fromBeginning: true })
    return faults
  }

  /** The values the partition holds, read once `count` arrived (a duplicate would come among them). */
  async function consumeValues(count: number): Promise<string[]> {
    const values: string[] = []
    await consumer?.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString() ?? '')
      },
    })
    await waitForMessages(values, count)
    return values
  }

  afterEach(async () => {
    await Promise.all([producer?.disconnect(), consumer?.disconnect()])
    producer = undefined
    consumer = undefined
  })

  const sequential: Array<[string, Fault]> = [
    ['all messages are written to the partition once, in order', 'none'],
    [
      'where produce() throws a retriable error, all messages are written to the partition once, in order',
      'before-write',
    ],
    [
      'where produce() throws a retriable error after the message is written to the log, all messages are written to the partition once, in order',
      'after-write',
    ],
  ]
  for (const [name, fault] of sequential) {
    test(`sequential produce() calls > ${name}`, async () => {
      const faults = await setUp(fault)
      for (const m of messages) await producer?.send({ acks: -1, topic: topicName, messages: [m] })
      // the end offset would show a duplicate written after the last value read
      const values = await consumeValues(messages.length)
      expect(values).toEqual(messages.map((m) => m.value))
      expect(await endOffset()).toBe(String(messages.length))
      if (fault !== 'none') expect(faults()).toBeGreaterThan(0)
    })
  }

  const concurrent: Array<[string, Fault]> = [
    ['all messages are written to the partition once', 'none'],
    [
      'where produce() throws a retriable error on the first call, all messages are written to the partition once',
      'before-write',
    ],
    [
      'where produce() throws a retriable error on 2nd call, all messages are written to the partition once',
      'before-write-second',
    ],
    [
      'where produce() throws a retriable error after the message is written to the log, all messages are written to the partition once',
      'after-write',
    ],
  ]
  for (const [name, fault] of concurrent) {
    test(`concurrent produce() calls > ${name}`, async () => {
      const faults = await setUp(fault)
      const sends = messages.map((m) => producer?.send({ acks: -1, topic: topicName, messages: [m] }))
      await Promise.all(sends)
      const values = await consumeValues(messages.length)
      expect([...values].sort()).toEqual(messages.map((m) => m.value).sort())
      expect(await endOffset()).toBe(String(messages.length))
      // the second Produce of a connection may not come: concurrent sends can share one request
      if (fault !== 'none' && fault !== 'before-write-second') expect(faults()).toBeGreaterThan(0)
    })
  }

  /** The partition's end offset: a duplicate written anywhere would move it past the count sent. */
  async function endOffset(): Promise<string | undefined> {
    const admin = createKafka().admin()
    await admin.connect()
    try {
      const offsets = await admin.fetchTopicOffsets(topicName)
      return offsets.find((o) => o.partition === 0)?.offset
    } finally {
      await admin.disconnect()
    }
  }
})
