import { AdminEvents, AdminInstrumentation } from '../../src/admin/instrumentation.js'
import { KafkaJSNonRetriableError } from '../../src/errors.js'

describe('admin instrumentation events', () => {
  const logged: string[] = []
  const logger = {
    error: (message: string) => logged.push(message),
    warn: () => {},
    info: () => {},
    debug: () => {},
  }

  it('delivers KafkaJS-shaped events until the listener is removed', () => {
    const events = new AdminInstrumentation('test-admin', logger)
    const seen: unknown[] = []
    const remove = events.on(AdminEvents.CONNECT, (e) => seen.push(e))
    events.emit(AdminEvents.CONNECT)
    remove()
    events.emit(AdminEvents.CONNECT)
    expect(seen).toEqual([{ id: 0, type: 'admin.connect', timestamp: expect.any(Number), payload: undefined }])
  })

  it('refuses unknown event names as KafkaJS does', () => {
    const events = new AdminInstrumentation('test-admin', logger)
    expect(() => events.on('admin.nope' as never, () => {})).toThrow(KafkaJSNonRetriableError)
    expect(() => events.on('admin.nope' as never, () => {})).toThrow(/admin\.events\.CONNECT/)
  })

  it('logs a failing listener instead of throwing into the operation', async () => {
    const events = new AdminInstrumentation('test-admin', logger)
    events.on(AdminEvents.DISCONNECT, () => {
      throw new Error('sync boom')
    })
    events.on(AdminEvents.DISCONNECT, async () => {
      throw new Error('async boom')
    })
    expect(() => events.emit(AdminEvents.DISCONNECT)).not.toThrow()
    await new Promise((resolve) => setImmediate(resolve))
    expect(logged).toEqual(['Failed to execute listener: sync boom', 'Failed to execute listener: async boom'])
  })
})
