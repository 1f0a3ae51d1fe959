// Runs a Java tool from the resolved Kafka release (console producer/consumer, perf tools, topic
// admin): the interop peers of the integration tests. Tool logging goes to stderr at WARN so that
// stdout carries only the tool's own output.

import { existsSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type KafkaDistribution, resolveKafkaDistribution } from './distribution.js'
import { findJava } from './executables.js'
import { toolJvmFlags } from './jvm-options.js'
import { log4j2Properties, log4jProperties, loggingJvmFlags } from './logging.js'
import { type CommandResult, runCommand } from './run-command.js'

export interface RunKafkaToolOptions {
  /** Kafka release whose jars to use. Default: env KAFKA_VERSION, else the pinned version. */
  version?: string
  cacheDir?: string
  /** Written to the tool's stdin (then closed), e.g. lines for the console producer. */
  input?: string | Buffer
  /** SIGKILL the tool after this long. Default 120 000 ms. */
  timeoutMs?: number
}

/** JVM flags that send a tool's logging to stderr at WARN; the files live in the distribution's cache folder. */
export function toolLoggingFlags(distribution: KafkaDistribution): string[] {
  const files = {
    'tool-log4j2.properties': log4j2Properties('WARN', 'stderr'),
    'tool-log4j.properties': log4jProperties('WARN', 'stderr'),
  }
  for (const [name, text] of Object.entries(files)) {
    const path = join(distribution.dir, name)
    if (existsSync(path)) continue
    // written whole then renamed: a concurrent reader never sees half a file
    const temp = `${path}.${process.pid}.tmp`
    writeFileSync(temp, text)
    renameSync(temp, path)
  }
  return loggingJvmFlags(
    join(distribution.dir, 'tool-log4j2.properties'),
    join(distribution.dir, 'tool-log4j.properties'),
  )
}

/**
 * Runs `java -cp <kafka jars> <mainClass> <args>` and resolves its exit code and output (it does
 * not throw on a non-zero exit: interop tests assert on it).
 */
export async function runKafkaTool(
  mainClass: string,
  args: readonly string[],
  options: RunKafkaToolOptions = {},
): Promise<CommandResult> {
  const java = findJava()
  const distribution = await resolveKafkaDistribution({ version: options.version, cacheDir: options.cacheDir })
  return runCommand(
    java,
    [...toolJvmFlags(), ...toolLoggingFlags(distribution), '-cp', distribution.classpath, mainClass, ...args],
    { input: options.input, timeoutMs: options.timeoutMs ?? 120_000 },
  )
}
