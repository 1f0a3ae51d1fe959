// Resolves a Kafka release's jars with Maven into a per-version cache folder. Resolution happens in
// a temp folder that is renamed into place only once complete (and marked so), so a killed resolution
// never leaves a half cache behind; later starts find the folder and skip Maven entirely.

import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { MavenResolutionError } from './errors.js'
import { findMaven } from './executables.js'
import { chooseLoggingBinding } from './logging.js'
import {
  buildPom,
  copyDependenciesArguments,
  formatArtifact,
  kafkaArtifacts,
  type MavenArtifact,
  onlyToolsMissing,
  parseMavenFailure,
} from './maven-pom.js'
import { runCommand } from './run-command.js'
import { chooseKafkaVersion } from './version.js'

export interface KafkaDistribution {
  version: string
  /** The cache folder of this version. */
  dir: string
  libsDir: string
  /** A java -cp value holding every jar of the release. */
  classpath: string
  /** Whether kafka-tools (console producer/consumer, perf tools) is on the classpath. */
  tools: boolean
}

export interface ResolveKafkaOptions {
  version?: string
  cacheDir?: string
}

const MARKER = 'kafkit-distribution.json'
const MARKER_FORMAT = 1
const STALE_TEMP_MS = 60 * 60 * 1000
const MAVEN_TIMEOUT_MS = 15 * 60 * 1000

interface Marker {
  format: number
  version: string
  tools: boolean
  loggingBinding: string[]
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KAFKIT_CACHE_DIR) return env.KAFKIT_CACHE_DIR
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kafkit')
}

const inFlight = new Map<string, Promise<KafkaDistribution>>()

/** The jars of Kafka `version`, from the cache or resolved with Maven (about 60 MB the first time). */
export function resolveKafkaDistribution(options: ResolveKafkaOptions = {}): Promise<KafkaDistribution> {
  const version = chooseKafkaVersion(options.version)
  const cacheDir = options.cacheDir ?? defaultCacheDir()
  const dir = join(cacheDir, `kafka-${version}`)
  const cached = readCompleteDistribution(dir)
  if (cached) return Promise.resolve(cached)
  let pending = inFlight.get(dir)
  if (!pending) {
    pending = resolveIntoCache(version, cacheDir, dir).finally(() => inFlight.delete(dir))
    inFlight.set(dir, pending)
  }
  return pending
}

function distributionOf(dir: string, marker: Marker): KafkaDistribution {
  const libsDir = join(dir, 'libs')
  return { version: marker.version, dir, libsDir, classpath: join(libsDir, '*'), tools: marker.tools }
}

function readCompleteDistribution(dir: string): KafkaDistribution | undefined {
  try {
    const marker = JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as Marker
    if (marker.format !== MARKER_FORMAT) return undefined
    return distributionOf(dir, marker)
  } catch {
    return undefined
  }
}

async function resolveIntoCache(version: string, cacheDir: string, dir: string): Promise<KafkaDistribution> {
  const mvn = findMaven()
  mkdirSync(cacheDir, { recursive: true })
  removeStaleTemps(cacheDir)
  const temp = join(cacheDir, `.tmp-kafka-${version}-${process.pid}-${randomBytes(4).toString('hex')}`)
  mkdirSync(temp)
  try {
    const libsDir = join(temp, 'libs')
    let tools = true
    try {
      await copyDependencies(mvn, temp, 'pom.xml', kafkaArtifacts(version, true), libsDir, true, version)
    } catch (err) {
      // some releases lack the console tools' jars on Maven Central; the broker alone may still resolve
      if (!(err instanceof MavenResolutionError) || !onlyToolsMissing(parseMavenFailure(err.output))) throw err
      tools = false
      rmSync(libsDir, { recursive: true, force: true })
      await copyDependencies(mvn, temp, 'pom.xml', kafkaArtifacts(version, false), libsDir, true, version)
    }
    const binding = chooseLoggingBinding(readdirSync(libsDir))
    if (binding.length > 0) await copyDependencies(mvn, temp, 'logging-pom.xml', binding, libsDir, false, version)
    const marker: Marker = { format: MARKER_FORMAT, version, tools, loggingBinding: binding.map(formatArtifact) }
    writeFileSync(join(temp, MARKER), `${JSON.stringify(marker, null, 2)}\n`)
    try {
      renameSync(temp, dir)
    } catch (err) {
      // another process finished first: use its copy; a leftover without a marker is replaced
      const winner = readCompleteDistribution(dir)
      if (winner) {
        rmSync(temp, { recursive: true, force: true })
        return winner
      }
      if (!existsSync(dir)) throw err
      rmSync(dir, { recursive: true, force: true })
      renameSync(temp, dir)
    }
    return distributionOf(dir, marker)
  } catch (err) {
    rmSync(temp, { recursive: true, force: true })
    throw err
  }
}

async function copyDependencies(
  mvn: string,
  workDir: string,
  pomName: string,
  artifacts: MavenArtifact[],
  libsDir: string,
  transitive: boolean,
  version: string,
): Promise<void> {
  const pomFile = join(workDir, pomName)
  writeFileSync(pomFile, buildPom(artifacts))
  const result = await runCommand(mvn, copyDependenciesArguments(pomFile, libsDir, transitive), {
    cwd: workDir,
    timeoutMs: MAVEN_TIMEOUT_MS,
  })
  if (result.exitCode === 0) return
  const output = `${result.stdout}\n${result.stderr}`
  const failure = parseMavenFailure(output)
  const named = failure.missing.length > 0 ? failure.missing : failure.unresolved
  const what = named.length > 0 ? named.join(', ') : artifacts.map(formatArtifact).join(', ')
  const hint = failure.transfer ? ' (is the Maven repository reachable from this machine?)' : ''
  const exit = result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`
  throw new MavenResolutionError(
    `Maven could not resolve ${what} for Kafka ${version}${hint}: ${failure.reason || exit}`,
    { artifacts: named, output },
  )
}

function removeStaleTemps(cacheDir: string): void {
  for (const name of readdirSync(cacheDir)) {
    if (!name.startsWith('.tmp-kafka-')) continue
    const path = join(cacheDir, name)
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_TEMP_MS) rmSync(path, { recursive: true, force: true })
    } catch {
      // raced with its owner or another cleaner
    }
  }
}
