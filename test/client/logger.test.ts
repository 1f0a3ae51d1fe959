import { createLogger, type LogEntry, logLevel } from '../../src/client/logger.js'

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
      log: { message: 'sent', topic: 't', logger: 'kafkit' },
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
})
