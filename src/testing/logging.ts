// The broker's POM brings no SLF4J binding, and without one the broker logs nothing at all, so a
// failed start would be unexplainable. The binding depends on what the release resolved to: Kafka 4.x
// ships log4j2 (bind SLF4J to it at the same log4j version), 3.x expects reload4j.

import type { MavenArtifact } from './maven-pom.js'

const BINDING_JARS = [/^slf4j-reload4j-/, /^slf4j-log4j12-/, /^log4j-slf4j-impl-/, /^log4j-slf4j2-impl-/]
const RELOAD4J_VERSION = '1.2.25'

function versionOf(jars: readonly string[], artifactId: string): string | undefined {
  const pattern = new RegExp(`^${artifactId.replaceAll('.', '\\.')}-(\\d[^/]*)\\.jar$`)
  for (const jar of jars) {
    const match = pattern.exec(jar)
    if (match) return match[1]
  }
  return undefined
}

/** The extra artifacts that give the resolved jars a working SLF4J binding (none when one is there). */
export function chooseLoggingBinding(jars: readonly string[]): MavenArtifact[] {
  if (jars.some((jar) => BINDING_JARS.some((pattern) => pattern.test(jar)))) return []
  const slf4j = versionOf(jars, 'slf4j-api')
  if (slf4j === undefined) return []
  const slf4jMajor = Number(slf4j.split('.')[0])
  const log4jCore = versionOf(jars, 'log4j-core')
  if (log4jCore !== undefined) {
    const artifactId = slf4jMajor >= 2 ? 'log4j-slf4j2-impl' : 'log4j-slf4j-impl'
    return [{ groupId: 'org.apache.logging.log4j', artifactId, version: log4jCore }]
  }
  const artifacts: MavenArtifact[] = [{ groupId: 'org.slf4j', artifactId: 'slf4j-reload4j', version: slf4j }]
  if (versionOf(jars, 'reload4j') === undefined) {
    artifacts.push({ groupId: 'ch.qos.reload4j', artifactId: 'reload4j', version: RELOAD4J_VERSION })
  }
  return artifacts
}

export type LogTarget = 'stdout' | 'stderr'

/** log4j2 configuration (Kafka 4.x): one console appender; the harness sends the console to a file. */
export function log4j2Properties(level: string, target: LogTarget): string {
  return [
    'status = warn',
    'appender.console.type = Console',
    'appender.console.name = CONSOLE',
    `appender.console.target = ${target === 'stdout' ? 'SYSTEM_OUT' : 'SYSTEM_ERR'}`,
    'appender.console.layout.type = PatternLayout',
    'appender.console.layout.pattern = [%d] %p %m (%c)%n',
    `rootLogger.level = ${level}`,
    'rootLogger.appenderRef.console.ref = CONSOLE',
    '',
  ].join('\n')
}

/** log4j 1.x configuration (reload4j, Kafka 3.x), same shape as the log4j2 one. */
export function log4jProperties(level: string, target: LogTarget): string {
  return [
    `log4j.rootLogger=${level}, console`,
    'log4j.appender.console=org.apache.log4j.ConsoleAppender',
    `log4j.appender.console.Target=${target === 'stdout' ? 'System.out' : 'System.err'}`,
    'log4j.appender.console.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.console.layout.ConversionPattern=[%d] %p %m (%c)%n',
    '',
  ].join('\n')
}

/** JVM flags that point both log4j generations at their configuration files. */
export function loggingJvmFlags(log4j2File: string, log4jFile: string): string[] {
  return [`-Dlog4j2.configurationFile=${log4j2File}`, `-Dlog4j.configuration=file:${log4jFile}`]
}
