import {
  buildPom,
  copyDependenciesArguments,
  kafkaArtifacts,
  onlyToolsMissing,
  parseMavenFailure,
} from '../../src/testing/maven-pom.js'

// Maven's output: the first two as captured on a project machine (colours included), the third in
// Maven's format for a repository it cannot reach; repository addresses replaced.
const TOOLS_API_MISSING = [
  '\u001b[0m\u001b[0m[ERROR] Failed to execute goal on project kafka-jars: Could not resolve dependencies for project ' +
    'kafkit.testing:kafka-jars:pom:1: The following artifacts could not be resolved: ' +
    'org.apache.kafka:kafka-tools-api:jar:4.4.0, org.apache.kafka:kafka-tools:jar:4.4.0: ' +
    'org.apache.kafka:kafka-tools-api:jar:4.4.0 was not found in https://repo.example/maven2 during a previous ' +
    'attempt. This failure was cached in the local repository and resolution is not reattempted until the update ' +
    'interval of central has elapsed or updates are forced -> [Help 1]',
  '[ERROR] ',
  '[ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.',
].join('\n')

const RELEASE_MISSING = [
  '[ERROR] Failed to execute goal on project kafka-jars: Could not resolve dependencies for project ' +
    'kafkit.testing:kafka-jars:pom:1: The following artifacts could not be resolved: ' +
    'org.apache.kafka:kafka_2.13:jar:9.9.9, org.apache.kafka:kafka-tools:jar:9.9.9: Could not find artifact ' +
    'org.apache.kafka:kafka_2.13:jar:9.9.9 in central (https://repo.example/maven2) -> [Help 1]',
  '[ERROR] ',
].join('\n')

const OFFLINE = [
  '[ERROR] Failed to execute goal on project kafka-jars: Could not resolve dependencies for project ' +
    'kafkit.testing:kafka-jars:pom:1: Failed to collect dependencies at org.apache.kafka:kafka_2.13:jar:4.3.1: ' +
    'Failed to read artifact descriptor for org.apache.kafka:kafka_2.13:jar:4.3.1: Could not transfer artifact ' +
    'org.apache.kafka:kafka_2.13:pom:4.3.1 from/to central (https://repo.example/maven2): Connect to ' +
    'repo.example:443 failed: Connection refused -> [Help 1]',
].join('\n')

describe('parseMavenFailure', () => {
  test('names the missing artifact apart from those that merely depend on it', () => {
    const failure = parseMavenFailure(TOOLS_API_MISSING)
    expect(failure.missing).toEqual(['org.apache.kafka:kafka-tools-api:jar:4.4.0'])
    expect(failure.unresolved).toEqual([
      'org.apache.kafka:kafka-tools-api:jar:4.4.0',
      'org.apache.kafka:kafka-tools:jar:4.4.0',
    ])
    expect(failure.reason).toMatch(/^Failed to execute goal on project kafka-jars/)
    expect(failure.transfer).toBe(false)
    expect(onlyToolsMissing(failure)).toBe(true)
  })

  test('a release that does not exist names the broker artifact', () => {
    const failure = parseMavenFailure(RELEASE_MISSING)
    expect(failure.missing).toEqual(['org.apache.kafka:kafka_2.13:jar:9.9.9'])
    expect(onlyToolsMissing(failure)).toBe(false)
  })

  test('an unreachable repository is a transfer failure', () => {
    const failure = parseMavenFailure(OFFLINE)
    expect(failure.missing).toEqual(['org.apache.kafka:kafka_2.13:pom:4.3.1'])
    expect(failure.transfer).toBe(true)
  })

  test('output without artifacts still gives a reason', () => {
    const failure = parseMavenFailure('[ERROR] The goal you specified requires a project to execute\n')
    expect(failure).toEqual({
      missing: [],
      unresolved: [],
      reason: 'The goal you specified requires a project to execute',
      transfer: false,
    })
  })
})

test('buildPom lists the dependencies in a pom-packaged project', () => {
  const pom = buildPom(kafkaArtifacts('4.3.1', true))
  expect(pom).toContain('<packaging>pom</packaging>')
  expect(pom).toContain(
    '<dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>4.3.1</version></dependency>',
  )
  expect(pom).toContain('<artifactId>kafka-tools</artifactId>')
  expect(buildPom(kafkaArtifacts('4.3.1', false))).not.toContain('kafka-tools')
})

test('copyDependenciesArguments pins the plugin and keeps runtime scope', () => {
  expect(copyDependenciesArguments('/w/pom.xml', '/w/libs', true)).toEqual([
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    '/w/pom.xml',
    'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
    '-DoutputDirectory=/w/libs',
    '-DincludeScope=runtime',
  ])
  expect(copyDependenciesArguments('/w/pom.xml', '/w/libs', false).at(-1)).toBe('-DexcludeTransitive=true')
})
