// The logging surface the network and cluster layers write to. KafkaJS's namespaced logger
// (`logger.info(message, extra)`) satisfies it, so the client's logCreator can be plugged in unchanged.

// `extra` is any object, as in KafkaJS's Logger type, so that kafkit's loggers are KafkaJS Loggers.
export interface Logger {
  error(message: string, extra?: object): void
  warn(message: string, extra?: object): void
  info(message: string, extra?: object): void
  debug(message: string, extra?: object): void
  /** The client's loggers have namespaces (KafkaJS's 'Connection', 'BrokerPool', ...); plain sinks may not. */
  namespace?(namespace: string): Logger
}

const ignore = (): void => {}

export const silentLogger: Logger = { error: ignore, warn: ignore, info: ignore, debug: ignore }

/** `logger` writing under KafkaJS's `namespace` when it has namespaces, else `logger` itself. */
export function inNamespace(logger: Logger, namespace: string): Logger {
  return logger.namespace?.(namespace) ?? logger
}
