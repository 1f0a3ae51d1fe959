// kafkit's TracingChannels (src/tracing/channels.ts): which events each operation publishes, in
// which order, with which context, on success and on failure. The producer and the connection run
// against the in-process fake server; the consumer's handlers and the transaction object are
// driven through their tracing wrappers, which the consumer and the producer hand out as they are.

import { type TracingChannel, tracingChannel } from 'node:diagnostics_channel'
import {
  Kafka,
  KafkaJSNonRetriableError,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  logLevel,
  type Producer,
  type Transaction,
} from '../../src/index.js'
import { Connection } from '../../src/network/connection.js'
import { ErrorCode } from '../../src/protocol/generated/errors.js'
import {
  Metadata,
  createMetadataResponseMetadataResponseBroker as metadataBroker,
  createMetadataResponseMetadataResponsePartition as metadataPartition,
  createMetadataResponseMetadataResponseTopic as metadataTopic,
} from '../../src/protocol/generated/metadata.js'
import {
  Produce,
  createProduceResponsePartitionProduceResponse as producedPartition,
  createProduceResponseTopicProduceResponse as producedTopic,
} from '../../src/protocol/generated/produce.js'
import {
  type EachBatchTraceContext,
  type EachMessageTraceContext,
  type ProduceTraceContext,
  type RequestTraceContext,
  requestsTraced,
  TracingChannels,
  type TransactionTraceContext,
  tracedHandlers,
  tracedTransaction,
  traceProduce,
} from '../../src/tracing/channels.js'
import { Echo, FakeServer } from '../network/fake-server.js'

type EventName = 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error'

/** Records every event of one channel as [event, context] until stopped. */
function listen<C extends object>(name: string): { events: [EventName, C][]; names(): EventName[]; stop(): void } {
  const channel: TracingChannel<unknown, C> = tracingChannel(name)
  const events: [EventName, C][] = []
  const on = (event: EventName) => (context: C) => {
    events.push([event, context])
  }
  const subscribers = {
    start: on('start'),
    end: on('end'),
    asyncStart: on('asyncStart'),
    asyncEnd: on('asyncEnd'),
    error: on('error'),
  }
  channel.subscribe(subscribers)
  stops.push(() => channel.unsubscribe(subscribers))
  return { events, names: () => events.map(([event]) => event), stop: () => channel.unsubscribe(subscribers) }
}

const stops: (() => void)[] = []
afterEach(() => {
  for (const stop of stops.splice(0)) stop()
})

const SUCCESS: EventName[] = ['start', 'end', 'asyncStart', 'asyncEnd']
const FAILURE: EventName[] = ['start', 'end', 'error', 'asyncStart', 'asyncEnd']

describe('produce (fake server)', () => {
  let server: FakeServer
  let producer: Producer
  let produceError = 0

  beforeEach(async () => {
    produceError = 0
    server = await FakeServer.start()
    server.serve(Metadata, (request) =>
      Metadata.createResponse({
        clusterId: 'fake-cluster',
        controllerId: 1,
        brokers: [metadataBroker({ nodeId: 1, host: '127.0.0.1', port: server.port })],
        topics: (request.topics ?? []).map(({ name }) =>
          metadataTopic({ name, partitions: [metadataPartition({ partitionIndex: 0, leaderId: 1 })] }),
        ),
      }),
    )
    server.serve(Produce, (request) =>
      Produce.createResponse({
        responses: request.topicData.map((t) =>
          producedTopic({
            name: t.name,
            partitionResponses: t.partitionData.map((p) =>
              producedPartition({ index: p.index, errorCode: produceError, baseOffset: 7n }),
            ),
          }),
        ),
      }),
    )
    // topic names, not ids, in Produce: the fake metadata has no topic ids
    server.advertise(Produce, Produce.minVersion, 12)
    const kafka = new Kafka({
      brokers: [server.broker],
      clientId: 'traced',
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    })
    producer = kafka.producer({ idempotent: false })
    await producer.connect()
  })

  afterEach(async () => {
    await producer.disconnect()
    await server.close()
  })

  it("send(): one trace with the caller's own messages, the cluster id, and the result", async () => {
    const sends = listen<ProduceTraceContext>(TracingChannels.SEND)
    const message = { key: 'k', value: 'v' }
    const result = await producer.send({ topic: 'orders', messages: [message] })
    expect(sends.names()).toEqual(SUCCESS)
    const context = sends.events[0]![1]
    // the same object in every event
    for (const [, c] of sends.events) expect(c).toBe(context)
    expect(context).toMatchObject({
      method: 'send',
      clientId: 'traced',
      clusterId: 'fake-cluster',
      transaction: undefined,
      transactionalId: undefined,
    })
    expect(context.topicMessages).toHaveLength(1)
    expect(context.topicMessages[0]!.topic).toBe('orders')
    expect(context.topicMessages[0]!.messages[0]).toBe(message)
    expect(context.result).toBe(result)
    expect(result[0]).toMatchObject({ topicName: 'orders', partition: 0, baseOffset: '7' })
  })

  it('sendBatch(): one trace listing every topic', async () => {
    const sends = listen<ProduceTraceContext>(TracingChannels.SEND)
    await producer.sendBatch({
      topicMessages: [
        { topic: 'a', messages: [{ value: '1' }] },
        { topic: 'b', messages: [{ value: '2' }, { value: '3' }] },
      ],
    })
    expect(sends.names()).toEqual(SUCCESS)
    const context = sends.events[0]![1]
    expect(context.method).toBe('sendBatch')
    expect(context.topicMessages.map((t) => [t.topic, t.messages.length])).toEqual([
      ['a', 1],
      ['b', 2],
    ])
  })

  it('a start subscriber sees the messages before they are encoded: headers it adds are sent', async () => {
    const channel = tracingChannel<unknown, ProduceTraceContext>(TracingChannels.SEND)
    const subscriber = (context: ProduceTraceContext) => {
      for (const m of context.topicMessages[0]!.messages) m.headers = { ...m.headers, added: 'by subscriber' }
    }
    channel.start.subscribe(subscriber as (message: unknown) => void)
    stops.push(() => channel.start.unsubscribe(subscriber as (message: unknown) => void))
    const message: { value: string; headers?: Record<string, string> } = { value: 'v' }
    await producer.send({ topic: 'orders', messages: [message] })
    expect(message.headers).toEqual({ added: 'by subscriber' })
    const [produced] = server.received(Produce)
    expect(produced!.body.includes(Buffer.from('by subscriber'))).toBe(true)
  })

  it('a refused send: error, then asyncStart and asyncEnd, with the error in the context', async () => {
    const sends = listen<ProduceTraceContext>(TracingChannels.SEND)
    const failure = await producer
      .send({ topic: 'orders', messages: [{ key: 'no value' } as unknown as { value: string }] })
      .catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(KafkaJSNonRetriableError)
    expect(sends.names()).toEqual(FAILURE)
    const [[, context], , [, atError]] = sends.events as [EventName, ProduceTraceContext][]
    expect(atError).toBe(context)
    expect(context!.error).toBe(failure)
    expect(context!.topicMessages[0]!.messages).toHaveLength(1)
  })

  it("a send the broker fails: the same error path, with the broker's error", async () => {
    produceError = ErrorCode.INVALID_REQUIRED_ACKS
    const sends = listen<ProduceTraceContext>(TracingChannels.SEND)
    const failure = await producer.send({ topic: 'orders', messages: [{ value: 'v' }] }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(KafkaJSProtocolError)
    expect(sends.names()).toEqual(FAILURE)
    expect(sends.events[0]![1].error).toBe(failure)
  })

  it('every request of the producer is traced on the connection, with its API, version and correlation id', async () => {
    const requests = listen<RequestTraceContext>(TracingChannels.REQUEST)
    await producer.send({ topic: 'orders', messages: [{ value: 'v' }] })
    const produce = requests.events.filter(([, c]) => c.apiName === 'Produce')
    expect(produce.map(([event]) => event)).toEqual(SUCCESS)
    const context = produce[0]![1]
    expect(context).toMatchObject({
      client: 'producer',
      clientId: 'traced',
      broker: server.broker,
      host: '127.0.0.1',
      port: server.port,
      apiKey: Produce.apiKey,
      apiVersion: 12,
      expectResponse: true,
    })
    const [received] = server.received(Produce)
    expect(context.correlationId).toBe(received!.correlationId)
    expect(context.result).toMatchObject({ responses: [{ name: 'orders' }] })
  })

  it('transaction() without a transactionalId: a begin trace that fails', async () => {
    const begins = listen<TransactionTraceContext>(TracingChannels.TRANSACTION_BEGIN)
    const failure = await producer.transaction().catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(KafkaJSNonRetriableError)
    expect(begins.names()).toEqual(FAILURE)
    expect(begins.events[0]![1]).toMatchObject({ operation: 'begin', transaction: undefined, error: failure })
  })
})

describe('requests (fake server)', () => {
  let server: FakeServer
  const connections: Connection[] = []

  beforeEach(async () => {
    server = await FakeServer.start()
  })

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((c) => c.close()))
    await server.close()
  })

  async function connection(): Promise<Connection> {
    const c = new Connection({ host: '127.0.0.1', port: server.port, clientId: 'conn', requestTimeout: 200 })
    connections.push(c)
    await c.connect()
    return c
  }

  it('the handshake is traced too (ApiVersions), and each request once', async () => {
    const requests = listen<RequestTraceContext>(TracingChannels.REQUEST)
    const c = await connection()
    await c.send(Echo, { value: 5 })
    expect(requests.events.map(([event, context]) => `${context.apiName} ${event}`)).toEqual([
      ...SUCCESS.map((e) => `ApiVersions ${e}`),
      ...SUCCESS.map((e) => `Echo ${e}`),
    ])
    const echo = requests.events[4]![1]
    expect(echo).toMatchObject({ apiKey: Echo.apiKey, apiVersion: 2, clientId: 'conn', client: undefined })
    expect(echo.result).toEqual({ value: 5 })
  })

  it('a request that times out: error with the timeout, then asyncStart and asyncEnd', async () => {
    const c = await connection()
    server.handlers.delete(Echo.apiKey)
    const requests = listen<RequestTraceContext>(TracingChannels.REQUEST)
    const failure = await c.send(Echo, { value: 1 }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(KafkaJSRequestTimeoutError)
    expect(requests.names()).toEqual(FAILURE)
    expect(requests.events[0]![1].error).toBe(failure)
  })
})

describe('without subscribers', () => {
  it("nothing is traced: the operation's own promise comes back, the connection builds no context", () => {
    expect(requestsTraced()).toBe(false)
    const promise = Promise.resolve(['sent'])
    const source = { clientId: 'c', clusterId: () => 'x', transactionalId: undefined }
    expect(traceProduce(source, 'send', { topic: 't', messages: [] }, undefined, () => promise)).toBe(promise)
    const handled = Promise.resolve()
    const { eachMessage } = tracedHandlers(
      { clientId: 'c', clusterId: () => 'x', groupId: 'g' },
      () => handled,
      undefined,
    )
    expect(eachMessage!({} as Parameters<NonNullable<typeof eachMessage>>[0])).toBe(handled)
  })

  it('a subscriber makes the channel traced, unsubscribing makes it free again', () => {
    const requests = listen<RequestTraceContext>(TracingChannels.REQUEST)
    expect(requestsTraced()).toBe(true)
    requests.stop()
    expect(requestsTraced()).toBe(false)
  })
})

describe('consumer handlers', () => {
  const source = { clientId: 'consumer-client', clusterId: () => 'cluster-1', groupId: 'group-1' }
  const message = { key: Buffer.from('k'), value: Buffer.from('v'), offset: '3', headers: {} }
  const payload = { topic: 't', partition: 2, message, heartbeat: async () => {}, pause: () => () => {} }

  it('eachMessage: start before the handler, asyncEnd after it settled; runHandler set at start encloses it', async () => {
    const messages = listen<EachMessageTraceContext>(TracingChannels.EACH_MESSAGE)
    const order: string[] = []
    const channel = tracingChannel<unknown, EachMessageTraceContext>(TracingChannels.EACH_MESSAGE)
    const scope = (context: EachMessageTraceContext) => {
      context.runHandler = (handler) => {
        order.push('scope entered')
        return handler()
      }
    }
    channel.start.subscribe(scope as (message: unknown) => void)
    stops.push(() => channel.start.unsubscribe(scope as (message: unknown) => void))
    const { eachMessage } = tracedHandlers(
      source,
      async () => {
        order.push(`handler after ${messages.names().join(',')}`)
      },
      undefined,
    )
    await eachMessage!(payload as unknown as Parameters<NonNullable<typeof eachMessage>>[0])
    expect(order).toEqual(['scope entered', 'handler after start'])
    expect(messages.names()).toEqual(SUCCESS)
    expect(messages.events[0]![1]).toMatchObject({
      clientId: 'consumer-client',
      clusterId: 'cluster-1',
      groupId: 'group-1',
      topic: 't',
      partition: 2,
    })
    expect(messages.events[0]![1].message).toBe(message)
  })

  it('eachMessage: a handler that throws publishes error with what it threw, which still reaches the runner', async () => {
    const messages = listen<EachMessageTraceContext>(TracingChannels.EACH_MESSAGE)
    const thrown = { reason: 'a plain object, as NestJS throws' }
    const { eachMessage } = tracedHandlers(
      source,
      async () => {
        throw thrown
      },
      undefined,
    )
    await expect(eachMessage!(payload as unknown as Parameters<NonNullable<typeof eachMessage>>[0])).rejects.toBe(
      thrown,
    )
    expect(messages.names()).toEqual(FAILURE)
    expect(messages.events[0]![1].error).toBe(thrown)
  })

  it('eachBatch: the batch handed to the handler', async () => {
    const batches = listen<EachBatchTraceContext>(TracingChannels.EACH_BATCH)
    const batch = { topic: 't', partition: 0, messages: [message] }
    const { eachBatch } = tracedHandlers(source, undefined, async () => {})
    await eachBatch!({ batch } as unknown as Parameters<NonNullable<typeof eachBatch>>[0])
    expect(batches.names()).toEqual(SUCCESS)
    expect(batches.events[0]![1].batch).toBe(batch)
  })
})

describe('the transaction object', () => {
  const source = { clientId: 'p', clusterId: () => 'cluster-1', transactionalId: 'tx-1' }
  const inner: Transaction = {
    send: async () => [],
    sendBatch: async () => [],
    sendOffsets: async () => {},
    commit: async () => {},
    abort: async () => {
      throw new KafkaJSNonRetriableError('Cannot continue to use transaction once ended')
    },
    isActive: () => true,
  }

  it('its sends are produce traces naming it; sendOffsets, commit and abort have their own channels', async () => {
    const sends = listen<ProduceTraceContext>(TracingChannels.SEND)
    const offsets = listen<TransactionTraceContext>(TracingChannels.TRANSACTION_SEND_OFFSETS)
    const commits = listen<TransactionTraceContext>(TracingChannels.TRANSACTION_COMMIT)
    const aborts = listen<TransactionTraceContext>(TracingChannels.TRANSACTION_ABORT)
    const transaction = tracedTransaction(source, inner)
    await transaction.send({ topic: 't', messages: [{ value: 'v' }] })
    await transaction.sendBatch({ topicMessages: [{ topic: 't', messages: [{ value: 'v' }] }] })
    const given = { consumerGroupId: 'g', topics: [{ topic: 't', partitions: [{ partition: 0, offset: '5' }] }] }
    await transaction.sendOffsets(given)
    await transaction.commit()
    await expect(transaction.abort()).rejects.toThrow('Cannot continue to use transaction once ended')
    expect(
      sends.events.filter(([e]) => e === 'start').map(([, c]) => [c.method, c.transaction === transaction]),
    ).toEqual([
      ['send', true],
      ['sendBatch', true],
    ])
    expect(sends.events[0]![1].transactionalId).toBe('tx-1')
    expect(offsets.names()).toEqual(SUCCESS)
    expect(offsets.events[0]![1]).toMatchObject({ operation: 'sendOffsets', offsets: given, transaction })
    expect(commits.names()).toEqual(SUCCESS)
    expect(commits.events[0]![1]).toMatchObject({ operation: 'commit', transaction, clusterId: 'cluster-1' })
    expect(aborts.names()).toEqual(FAILURE)
    expect(transaction.isActive()).toBe(true)
  })
})
