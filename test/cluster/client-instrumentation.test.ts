import { ClientInstrumentation, clientEvents } from '../../src/cluster/client-instrumentation.js'
import { KafkaJSNonRetriableError } from '../../src/errors.js'

const quietLogger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} }

describe('client instrumentation', () => {
  it('names every event after its client', () => {
    expect(clientEvents('consumer')).toEqual({
      CONNECT: 'consumer.connect',
      DISCONNECT: 'consumer.disconnect',
      REQUEST: 'consumer.network.request',
      REQUEST_TIMEOUT: 'consumer.network.request_timeout',
      REQUEST_QUEUE_SIZE: 'consumer.network.request_queue_size',
    })
    expect(Object.isFrozen(clientEvents('admin'))).toBe(true)
  })

  it("refuses another client's event names with KafkaJS's message", () => {
    const producer = new ClientInstrumentation('producer', 'c', quietLogger)
    expect(() => producer.on('admin.connect' as never, () => {})).toThrow(KafkaJSNonRetriableError)
    expect(() => producer.on('admin.connect' as never, () => {})).toThrow(
      'Event name should be one of producer.events.CONNECT, producer.events.DISCONNECT, producer.events.REQUEST, ' +
        'producer.events.REQUEST_TIMEOUT, producer.events.REQUEST_QUEUE_SIZE',
    )
  })

  it('numbers events in one sequence across clients and delivers one entry per registration', () => {
    const admin = new ClientInstrumentation('admin', 'c', quietLogger)
    const producer = new ClientInstrumentation('producer', 'c', quietLogger)
    const ids: number[] = []
    const listener = (event: { id: number }) => ids.push(event.id)
    admin.on(admin.events.CONNECT, listener)
    const remove = admin.on(admin.events.CONNECT, listener)
    producer.on(producer.events.CONNECT, listener)
    admin.emit(admin.events.CONNECT)
    remove()
    producer.emit(producer.events.CONNECT)
    admin.emit(admin.events.CONNECT)
    expect(ids).toHaveLength(4)
    expect(ids[0]).toBe(ids[1])
    expect(ids[2]).toBeGreaterThan(ids[0]!)
    expect(ids[3]).toBeGreaterThan(ids[2]!)
  })

  it('is a RequestObserver that wants only the records someone listens to, and emits them as payloads', () => {
    const admin = new ClientInstrumentation('admin', 'c', quietLogger)
    expect([admin.observesRequests, admin.observesTimeouts, admin.observesQueueSize]).toEqual([false, false, false])
    const payloads: unknown[] = []
    const remove = admin.on(admin.events.REQUEST, (event) => payloads.push(event.payload))
    admin.on(admin.events.REQUEST_QUEUE_SIZE, () => {})
    expect([admin.observesRequests, admin.observesTimeouts, admin.observesQueueSize]).toEqual([true, false, true])
    const record = {
      apiKey: 3,
      apiName: 'Metadata',
      apiVersion: 12,
      broker: 'b:9092',
      clientId: 'c',
      correlationId: 7,
      createdAt: 1,
      sentAt: 2,
      pendingDuration: 1,
      duration: 3,
      size: 40,
    }
    admin.onRequest(record)
    expect(payloads).toEqual([record])
    remove()
    expect(admin.observesRequests).toBe(false)
  })
})
