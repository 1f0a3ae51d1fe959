// The logging surface the network and cluster layers write to. KafkaJS's namespaced logger
// (`logger.info(message, extra)`) satisfies it, so the client's logCreator can be plugged in unchanged.

// `extra` is any object, as in KafkaJS's Logger type, so that kafkit's loggers are KafkaJS Loggers.
export interface Logger {
  error(message: string, extra?: object): void
  warn(message: string, extra?: object): void
  info(message: string, extra?: object): void
  debug(message: string, extra?: object): void
}

const ignore = (): void => {}

export const silentLogger: Logger = { error: ignore, warn: ignore, info: ignore, debug: ignore }
