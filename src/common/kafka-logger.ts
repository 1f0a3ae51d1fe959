// KafkaJS's logging surface, entry for entry: numeric levels, a `logCreator(level)` that returns a
// sink receiving `{ namespace, level, label, log }`, and namespaced loggers with info/warn/error/debug.
// Entries carry KafkaJS's `logger: 'kafkajs'` field and KafkaJS's namespaces ('Consumer', 'Runner',
// 'Connection', ...), so log pipelines and alerts written for KafkaJS keep matching. The
// KAFKAJS_LOG_LEVEL environment variable overrides the configured levels, as in KafkaJS.

import type { Logger } from './logger.js'

export const logLevel = Object.freeze({ NOTHING: 0, ERROR: 1, WARN: 2, INFO: 4, DEBUG: 5 } as const)
export type LogLevel = (typeof logLevel)[keyof typeof logLevel]
/** KafkaJS's `logLevel` is an enum, a type as well as a value: `(level: logLevel) => ...` */
export type logLevel = LogLevel

/** The value of every entry's `log.logger`: KafkaJS's, which log queries select on. */
export const LOGGER_NAME = 'kafkajs'

export interface LogEntry {
  namespace: string
  level: LogLevel
  label: string
  log: { timestamp: string; logger: typeof LOGGER_NAME; message: string; [key: string]: unknown }
}

export type LogCreator = (level: LogLevel) => (entry: LogEntry) => void

export interface KafkaLogger extends Logger {
  /** A logger writing under `namespace` (not nested: KafkaJS's namespaces are flat), at `level` if given. */
  namespace(namespace: string, level?: LogLevel): KafkaLogger
  setLogLevel(level: LogLevel): void
}

const LABELS: Record<number, string> = { 1: 'ERROR', 2: 'WARN', 4: 'INFO', 5: 'DEBUG' }

/**
 * The default sink, as KafkaJS's: one JSON line per entry, the namespace as a `[Namespace] ` prefix
 * of the message, on console.error / warn / info / log by level.
 */
export const defaultLogCreator: LogCreator = () => (entry) => {
  const prefix = entry.namespace ? `[${entry.namespace}] ` : ''
  const line = JSON.stringify({ level: entry.label, ...entry.log, message: `${prefix}${entry.log.message}` })
  switch (entry.level) {
    case logLevel.ERROR:
      console.error(line)
      break
    case logLevel.WARN:
      console.warn(line)
      break
    case logLevel.INFO:
      console.info(line)
      break
    case logLevel.DEBUG:
      console.log(line)
      break
  }
}

/** KAFKAJS_LOG_LEVEL (a level name such as "debug") wins over a configured level. */
function effectiveLevel<L extends LogLevel | undefined>(configured: L): LogLevel | L {
  const name = (process.env.KAFKAJS_LOG_LEVEL ?? '').toUpperCase()
  return Object.hasOwn(logLevel, name) ? logLevel[name as keyof typeof logLevel] : configured
}

export function createLogger(options: { level?: LogLevel; logCreator?: LogCreator } = {}): KafkaLogger {
  const root = { level: effectiveLevel(options.level ?? logLevel.INFO) }
  const sink = (options.logCreator ?? defaultLogCreator)(root.level)
  return namespaced(sink, root, '', undefined)
}

function namespaced(
  sink: (entry: LogEntry) => void,
  root: { level: LogLevel },
  namespace: string,
  override: LogLevel | undefined,
): KafkaLogger {
  const write = (level: LogLevel) => (message: string, extra?: Record<string, unknown>) => {
    const threshold = override ?? root.level
    if (level > threshold) return
    sink({
      namespace,
      level,
      label: LABELS[level]!,
      log: { timestamp: new Date().toISOString(), logger: LOGGER_NAME, message, ...extra },
    })
  }
  return {
    error: write(logLevel.ERROR),
    warn: write(logLevel.WARN),
    info: write(logLevel.INFO),
    debug: write(logLevel.DEBUG),
    namespace: (ns, level) => namespaced(sink, root, ns, effectiveLevel(level)),
    setLogLevel: (level) => {
      root.level = level
    },
  }
}
