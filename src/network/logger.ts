// The logging surface the network and cluster layers write to. KafkaJS's namespaced logger
// (`logger.info(message, extra)`) satisfies it, so the client's logCreator can be plugged in unchanged.

export interface Logger {
  error(message: string, extra?: Record<string, unknown>): void
  warn(message: string, extra?: Record<string, unknown>): void
  info(message: string, extra?: Record<string, unknown>): void
  debug(message: string, extra?: Record<string, unknown>): void
}

const ignore = (): void => {}

export const silentLogger: Logger = { error: ignore, warn: ignore, info: ignore, debug: ignore }
