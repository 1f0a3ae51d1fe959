// Errors of the test harness. Each says what is missing or what failed and what to do about it,
// because the person reading it is usually looking at a red CI run, not at this code.

import { KafkaJSNonRetriableError } from '../errors.js'

/** Base class of every error raised by kafkit/testing. */
export class KafkaTestingError extends KafkaJSNonRetriableError {
  constructor(message: string, code: string, options: { cause?: unknown } = {}) {
    super(message, options, code)
  }
}

export class JavaNotFoundError extends KafkaTestingError {
  constructor(searched: string) {
    super(
      `no Java runtime found (${searched}); the Kafka broker runs on Java 17 or newer. ` +
        'Install one (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME',
      'ERR_JAVA_NOT_FOUND',
    )
  }
}

export class MavenNotFoundError extends KafkaTestingError {
  constructor(searched: string) {
    super(
      `no Maven found (${searched}); kafkit/testing resolves the Kafka broker jars with Maven. ` +
        'Install it (Debian/Ubuntu: apt-get install -y maven) or set KAFKIT_MVN to its path',
      'ERR_MAVEN_NOT_FOUND',
    )
  }
}

/** Maven could not resolve the broker's jars; `artifacts` names the ones it could not get. */
export class MavenResolutionError extends KafkaTestingError {
  readonly artifacts: readonly string[]
  readonly output: string
  constructor(message: string, info: { artifacts: readonly string[]; output: string }) {
    super(message, 'ERR_MAVEN_RESOLUTION')
    this.artifacts = info.artifacts
    this.output = info.output
  }
}

/** A broker JVM exited, or never answered, while the harness waited for it. */
export class KafkaStartError extends KafkaTestingError {
  readonly nodeId: number | undefined
  readonly logFile: string | undefined
  readonly logTail: string
  constructor(message: string, info: { nodeId?: number; logFile?: string; logTail?: string; cause?: unknown } = {}) {
    // the log's folder is usually removed by the time anyone reads this, so the tail travels in the message
    const tail = info.logTail ? `\n--- last lines of its log (${info.logFile ?? 'kafka.log'}) ---\n${info.logTail}` : ''
    super(`${message}${tail}`, 'ERR_KAFKA_START', { cause: info.cause })
    this.nodeId = info.nodeId
    this.logFile = info.logFile
    this.logTail = info.logTail ?? ''
  }
}

/** A command of the harness (storage format, a console tool) failed. */
export class KafkaCommandError extends KafkaTestingError {
  readonly exitCode: number | null
  readonly output: string
  constructor(message: string, info: { exitCode: number | null; output: string }) {
    super(`${message}${info.output ? `\n${info.output}` : ''}`, 'ERR_KAFKA_COMMAND')
    this.exitCode = info.exitCode
    this.output = info.output
  }
}
