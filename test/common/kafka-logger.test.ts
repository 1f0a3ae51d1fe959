import { createLogger, defaultLogCreator, type LogEntry, logLevel } from '../../src/common/kafka-logger.js'

describe('createLogger', () => {
  function capture(level = logLevel.INFO as (typeof logLevel)[keyof typeof logLevel]) {
    const entries: LogEntry[] = []
    const creators: number[] = []
    const logger = createLogger({
      level,
      logCreator: (l) => {
        creators.push(l)
        return (entry) => entries.push(entry)
      },
    })
    return { logger, entries, creators }
  }

  it('passes KafkaJS-shaped entries to the logCreator sink and filters by level', () => {
    const { logger, entries, creators } = capture()
    expect(creators).toEqual([logLevel.INFO])
    logger.namespace('Producer').info('sent', { topic: 't' })
    logger.debug('hidden')
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      namespace: 'Producer',
      level: logLevel.INFO,
      label: 'INFO',
      log: { message: 'sent', topic: 't', logger: 'kafkajs' },
    })
  })

  it('setLogLevel changes every namespace; a namespace level overrides it', () => {
    const { logger, entries } = capture(logLevel.ERROR)
    const quiet = logger.namespace('a')
    const loud = logger.namespace('b', logLevel.DEBUG)
    quiet.warn('no')
    loud.debug('yes')
    logger.setLogLevel(logLevel.WARN)
    quiet.warn('now yes')
    expect(entries.map((e) => e.log.message)).toEqual(['yes', 'now yes'])
  })

  it('logs nothing at NOTHING', () => {
    const { logger, entries } = capture(logLevel.NOTHING)
    logger.error('x')
    expect(entries).toHaveLength(0)
  })

  it("writes KafkaJS's console lines: the namespace as a message prefix, INFO on console.info", () => {
    const info = jest.spyOn(console, 'info').mockImplementation(() => {})
    const error = jest.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const logger = createLogger({ level: logLevel.INFO, logCreator: defaultLogCreator })
      logger.namespace('Consumer').info('Starting', { groupId: 'g' })
      logger.namespace('Runner').error('Error when calling eachMessage', { error: { code: 1 } })
      expect(JSON.parse(String(info.mock.calls[0]?.[0]))).toEqual({
        level: 'INFO',
        timestamp: expect.any(String),
        logger: 'kafkajs',
        message: '[Consumer] Starting',
        groupId: 'g',
      })
      expect(JSON.parse(String(error.mock.calls[0]?.[0]))).toMatchObject({
        level: 'ERROR',
        message: '[Runner] Error when calling eachMessage',
        error: { code: 1 },
      })
    } finally {
      info.mockRestore()
      error.mockRestore()
    }
  })

  it('namespaces are flat, each at its own level or the root one', () => {
    const { logger, entries } = capture(logLevel.ERROR)
    const loud = logger.namespace('Consumer', logLevel.DEBUG)
    loud.namespace('Runner').debug('root level applies')
    loud.debug('namespace level applies')
    expect(entries.map((e) => [e.namespace, e.log.message])).toEqual([['Consumer', 'namespace level applies']])
  })

  it('KAFKAJS_LOG_LEVEL overrides the configured level, as in KafkaJS', () => {
    const saved = process.env.KAFKAJS_LOG_LEVEL
    process.env.KAFKAJS_LOG_LEVEL = 'debug'
    try {
      const { logger, entries, creators } = capture(logLevel.ERROR)
      expect(creators).toEqual([logLevel.DEBUG])
      logger.namespace('Consumer', logLevel.NOTHING).debug('shown')
      expect(entries).toHaveLength(1)
    } finally {
      if (saved === undefined) delete process.env.KAFKAJS_LOG_LEVEL
      else process.env.KAFKAJS_LOG_LEVEL = saved
    }
  })
})
