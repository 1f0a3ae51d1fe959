// KafkaJS's logging surface: numeric levels, a `logCreator(level)` that returns a sink receiving
// `{ namespace, level, label, log }`, and namespaced loggers with info/warn/error/debug.

import type { Logger } from '../network/logger.js'

export const logLevel = Object.freeze({ NOTHING: 0, ERROR: 1, WARN: 2, INFO: 4, DEBUG: 5 } as const)
export type LogLevel = (typeof logLevel)[keyof typeof logLevel]
/** KafkaJS's `logLevel` is an enum, a type as well as a value: `(level: logLevel) => ...` */
export type logLevel = LogLevel

export interface LogEntry {
  namespace: string
  level: LogLevel
  label: string
  log: { timestamp: string; logger: 'kafkit'; message: string; [key: string]: unknown }
}

export type LogCreator = (level: LogLevel) => (entry: LogEntry) => void

export interface KafkaLogger extends Logger {
  namespace(namespace: string, level?: LogLevel): KafkaLogger
  setLogLevel(level: LogLevel): void
}

const LABELS: Record<number, string> = { 1: 'ERROR', 2: 'WARN', 4: 'INFO', 5: 'DEBUG' }

/** The default sink, as KafkaJS: one JSON line per entry on the console (stderr for errors). */
export const defaultLogCreator: LogCreator = () => (entry) => {
  const line = JSON.stringify({ level: entry.label, ...entry.log, namespace: entry.namespace || undefined })
  if (entry.level === logLevel.ERROR) console.error(line)
  else if (entry.level === logLevel.WARN) console.warn(line)
  else console.log(line)
}

export function createLogger(options: { level?: LogLevel; logCreator?: LogCreator } = {}): KafkaLogger {
  const state = { level: options.level ?? logLevel.INFO }
  const sink = (options.logCreator ?? defaultLogCreator)(state.level)
  return namespaced(sink, state, '', undefined)
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
      log: { timestamp: new Date().toISOString(), logger: 'kafkit', message, ...extra },
    })
  }
  return {
    error: write(logLevel.ERROR),
    warn: write(logLevel.WARN),
    info: write(logLevel.INFO),
    debug: write(logLevel.DEBUG),
    namespace: (ns, level) => namespaced(sink, root, ns, level ?? override),
    setLogLevel: (level) => {
      root.level = level
    },
  }
}
