// The pure half of jar resolution: the throwaway POM Maven needs to copy dependencies, the exact Maven
// command, and reading Maven's failure output to name the artifact that could not be had.

export interface MavenArtifact {
  groupId: string
  artifactId: string
  version: string
}

/** The dependency plugin is pinned so that the same command behaves the same on every machine. */
export const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1'

export function kafkaArtifacts(version: string, tools: boolean): MavenArtifact[] {
  const artifacts = [{ groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version }]
  if (tools) artifacts.push({ groupId: 'org.apache.kafka', artifactId: 'kafka-tools', version })
  return artifacts
}

export function formatArtifact(a: MavenArtifact): string {
  return `${a.groupId}:${a.artifactId}:${a.version}`
}

function xml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

/** A POM with packaging `pom` whose only content is the dependencies to copy. */
export function buildPom(artifacts: readonly MavenArtifact[]): string {
  const dependencies = artifacts
    .map(
      (a) =>
        `    <dependency><groupId>${xml(a.groupId)}</groupId><artifactId>${xml(a.artifactId)}</artifactId>` +
        `<version>${xml(a.version)}</version></dependency>`,
    )
    .join('\n')
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<project xmlns="http://maven.apache.org/POM/4.0.0">',
    '  <modelVersion>4.0.0</modelVersion>',
    '  <groupId>kafkit.testing</groupId>',
    '  <artifactId>kafka-jars</artifactId>',
    '  <version>1</version>',
    '  <packaging>pom</packaging>',
    '  <dependencies>',
    dependencies,
    '  </dependencies>',
    '</project>',
    '',
  ].join('\n')
}

/** Arguments for `mvn` that copy the POM's runtime dependencies (transitive unless told otherwise). */
export function copyDependenciesArguments(pomFile: string, outputDir: string, transitive: boolean): string[] {
  const args = [
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    pomFile,
    `${DEPENDENCY_PLUGIN}:copy-dependencies`,
    `-DoutputDirectory=${outputDir}`,
    '-DincludeScope=runtime',
  ]
  if (!transitive) args.push('-DexcludeTransitive=true')
  return args
}

export interface MavenFailure {
  /** Artifacts Maven itself could not find or download: the cause. */
  missing: string[]
  /** Every artifact Maven reported as unresolved (those that depend on a missing one included). */
  unresolved: string[]
  /** Maven's first error line, without its "[ERROR]" prefix. */
  reason: string
  /** True when Maven could not reach the repository (a network problem rather than a missing release). */
  transfer: boolean
}

const COORDINATE = '[A-Za-z0-9_.-]+(?::[A-Za-z0-9_.-]+){2,4}'

export function parseMavenFailure(output: string): MavenFailure {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: Maven colours its output with ANSI escapes
  const text = output.replace(/\u001b\[[0-9;]*m/g, '')
  const errorLines = text
    .split('\n')
    .filter((line) => line.startsWith('[ERROR]'))
    .map((line) => line.slice('[ERROR]'.length).trim())
    .filter((line) => line !== '')
  const reason = errorLines[0] ?? text.trim().split('\n').slice(-1)[0] ?? ''
  const unresolved = new Set<string>()
  const listed = /could not be resolved: (.*)/.exec(text)
  if (listed) {
    const list = listed[1]!.split(': ')[0]!
    for (const item of list.split(', ')) {
      if (new RegExp(`^${COORDINATE}$`).test(item.trim())) unresolved.add(item.trim())
    }
  }
  const missing = new Set<string>()
  const causes = [
    new RegExp(`Could not find artifact (${COORDINATE})`, 'g'),
    new RegExp(`Failure to find (${COORDINATE})`, 'g'),
    new RegExp(`(${COORDINATE}) was not found in`, 'g'),
    new RegExp(`Could not transfer artifact (${COORDINATE})`, 'g'),
  ]
  for (const pattern of causes) {
    for (const match of text.matchAll(pattern)) missing.add(match[1]!)
  }
  for (const artifact of missing) unresolved.add(artifact)
  return {
    missing: [...missing],
    unresolved: [...unresolved],
    reason,
    transfer: /Could not transfer artifact|Connect(ion)? (to .* )?(timed out|refused)|UnknownHostException/.test(text),
  }
}

/** Whether the failure is only about the console tools, so that the broker alone may still resolve. */
export function onlyToolsMissing(failure: MavenFailure): boolean {
  return failure.missing.length > 0 && failure.missing.every((a) => /^org\.apache\.kafka:kafka-tools(-api)?:/.test(a))
}
