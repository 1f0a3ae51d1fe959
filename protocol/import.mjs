// Imports, from the kafka-clients jar of the pinned Kafka release, everything the generator reads:
// - Kafka's message definitions (common/message/*.json) into protocol/schemas/, in the project's
//   normalized form: facts only (names, types, versions, defaults, tags), no comments or prose,
//   stable key order;
// - Kafka's error table (the org.apache.kafka.common.protocol.Errors enum, compiled Java) into
//   protocol/errors.json, printed by protocol/ErrorTable.java run on the jar.
//
// Needs Maven (resolves the jar and the slf4j-api jar Errors loads into ~/.cache/kafkit/maven) and
// Java 17+ (runs ErrorTable.java with the single-file source launcher). Nothing outside the
// repository is read besides what Maven resolves.
//
// Usage: node protocol/import.mjs
//        node protocol/import.mjs --jar-path   (resolves the jar and prints its path)

import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inflateRawSync } from 'node:zlib'

export const KAFKA_VERSION = '4.3.1'
const here = dirname(fileURLToPath(import.meta.url))
const schemasDir = join(here, 'schemas')
const errorsFile = join(here, 'errors.json')
const cacheDir = join(homedir(), '.cache', 'kafkit', 'maven')

/** Runs a required tool; a missing tool or a failed run throws an error that names it and what it was for. */
function run(tool, args, purpose, options = {}) {
  try {
    return execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options })
  } catch (err) {
    if (err.code === 'ENOENT') throw new Error(`${tool} is not installed (or not on PATH); it is needed to ${purpose}`)
    throw new Error(`${tool} failed to ${purpose}:\n${err.stderr || err.message}`)
  }
}

/** Resolves one Maven artifact (group:artifact:version[:type]) into the cache directory and returns its path. */
function resolveArtifact(coordinates, file) {
  const path = join(cacheDir, file)
  if (existsSync(path)) return path
  mkdirSync(cacheDir, { recursive: true })
  run(
    'mvn',
    [
      '-q',
      'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy',
      `-Dartifact=${coordinates}`,
      `-DoutputDirectory=${cacheDir}`,
    ],
    `resolve ${coordinates} from Maven Central`,
    { cwd: cacheDir },
  )
  if (!existsSync(path)) throw new Error(`mvn resolved ${coordinates} but ${path} is missing`)
  return path
}

/** kafka-clients-<version>.jar, resolved with Maven into the cache directory. */
export function resolveJar() {
  return resolveArtifact(`org.apache.kafka:kafka-clients:${KAFKA_VERSION}`, `kafka-clients-${KAFKA_VERSION}.jar`)
}

/** The slf4j-api jar the kafka-clients release depends on (Errors logs through it), at the version its pom names. */
function resolveSlf4j() {
  const pom = readFileSync(
    resolveArtifact(`org.apache.kafka:kafka-clients:${KAFKA_VERSION}:pom`, `kafka-clients-${KAFKA_VERSION}.pom`),
    'utf8',
  )
  const version = /<artifactId>slf4j-api<\/artifactId>\s*<version>([^<]+)<\/version>/.exec(pom)?.[1]
  if (!version) throw new Error(`kafka-clients-${KAFKA_VERSION}.pom names no slf4j-api version`)
  return resolveArtifact(`org.slf4j:slf4j-api:${version}`, `slf4j-api-${version}.jar`)
}

/** The entries of a zip file whose names match `filter`, as name -> Buffer (stored or deflated only). */
function readZip(file, filter) {
  const zip = readFileSync(file)
  let eocd = zip.length - 22
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--
  if (eocd < 0) throw new Error(`${file}: no zip end-of-central-directory record`)
  const count = zip.readUInt16LE(eocd + 10)
  let p = zip.readUInt32LE(eocd + 16)
  const out = new Map()
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry`)
    const method = zip.readUInt16LE(p + 10)
    const compressedSize = zip.readUInt32LE(p + 20)
    const nameLen = zip.readUInt16LE(p + 28)
    const extraLen = zip.readUInt16LE(p + 30)
    const commentLen = zip.readUInt16LE(p + 32)
    const localOffset = zip.readUInt32LE(p + 42)
    const name = zip.toString('utf8', p + 46, p + 46 + nameLen)
    p += 46 + nameLen + extraLen + commentLen
    if (!filter(name)) continue
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28)
    const data = zip.subarray(dataStart, dataStart + compressedSize)
    if (method === 0) out.set(name, Buffer.from(data))
    else if (method === 8) out.set(name, inflateRawSync(data))
    else throw new Error(`${file}: ${name} uses unsupported compression method ${method}`)
  }
  return out
}

/** Removes `//` comments outside string literals (Kafka's JSON carries them). */
export function stripComments(text) {
  let out = ''
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      out += c
      if (c === '\\') out += text[++i]
      else if (c === '"') inString = false
    } else if (c === '"') {
      inString = true
      out += c
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
      out += '\n'
    } else {
      out += c
    }
  }
  return out
}

const FIELD_KEYS = [
  'name',
  'type',
  'versions',
  'nullableVersions',
  'default',
  'ignorable',
  'taggedVersions',
  'tag',
  'mapKey',
  'entityType',
  'zeroCopy',
  'flexibleVersions',
  'fields',
]
const MESSAGE_KEYS = [
  'name',
  'apiKey',
  'type',
  'listeners',
  'latestVersionUnstable',
  'validVersions',
  'flexibleVersions',
  'deprecatedVersions',
  'fields',
  'commonStructs',
]

function normalizeField(f) {
  const out = {}
  for (const k of FIELD_KEYS) {
    if (f[k] === undefined) continue
    if (k === 'fields') out.fields = f.fields.map(normalizeField)
    else if (k === 'default') out.default = String(f.default)
    else out[k] = f[k]
  }
  return out
}

export function normalizeMessage(m) {
  const out = {}
  for (const k of MESSAGE_KEYS) {
    if (m[k] === undefined) continue
    if (k === 'fields') out.fields = m.fields.map(normalizeField)
    else if (k === 'commonStructs') {
      out.commonStructs = m.commonStructs.map((s) => ({
        name: s.name,
        versions: s.versions,
        fields: s.fields.map(normalizeField),
      }))
    } else out[k] = m[k]
  }
  return out
}

/** Kafka's message definitions from the jar, as file name -> normalized message, sorted by name. */
function readSchemas(jar) {
  const entries = readZip(jar, (n) => /^common\/message\/[^/]+\.json$/.test(n))
  if (entries.size === 0) throw new Error(`${jar}: no common/message/*.json entries`)
  return [...entries]
    .map(([n, b]) => [
      n.slice('common/message/'.length),
      normalizeMessage(JSON.parse(stripComments(b.toString('utf8')))),
    ])
    .sort(([a], [b]) => a.localeCompare(b))
}

const ERROR_COLUMNS = ['code', 'name', 'retriable', 'invalidMetadata', 'exception']

/** Kafka's error table, printed by protocol/ErrorTable.java run on the jar: one entry per Errors value, by code. */
export function readErrors(jar) {
  const classpath = [jar, resolveSlf4j()].join(process.platform === 'win32' ? ';' : ':')
  const out = run(
    'java',
    ['-cp', classpath, join(here, 'ErrorTable.java')],
    `run protocol/ErrorTable.java (Java 17 or newer) on kafka-clients-${KAFKA_VERSION}.jar`,
  )
  const [header, ...lines] = out.trim().split('\n')
  if (header !== ERROR_COLUMNS.join('\t')) throw new Error(`ErrorTable.java printed an unexpected header: ${header}`)
  return lines.map((line) => {
    const [code, name, retriable, invalidMetadata, exception] = line.split('\t')
    return {
      code: Number(code),
      name,
      retriable: retriable === 'true',
      invalidMetadata: invalidMetadata === 'true',
      exception: exception === 'none' ? null : exception,
    }
  })
}

/** protocol/errors.json: the release, then one error per line (stable, diff-friendly, valid JSON). */
function errorsJson(errors) {
  const json = (value) => JSON.stringify(value)
  const rows = errors.map(
    (e) =>
      `    { ${Object.entries(e)
        .map(([k, v]) => `${json(k)}: ${json(v)}`)
        .join(', ')} }`,
  )
  return `{
  "kafkaVersion": ${json(KAFKA_VERSION)},
  "origin": "kafka-clients-${KAFKA_VERSION}.jar: org.apache.kafka.common.protocol.Errors, printed by protocol/ErrorTable.java",
  "errors": [
${rows.join(',\n')}
  ]
}
`
}

function main() {
  if (process.argv.includes('--jar-path')) {
    // used by the golden-bytes tests, which run Kafka's own message classes from the same jar
    console.log(resolveJar())
    return
  }
  const jar = resolveJar()
  const schemas = readSchemas(jar)
  const errors = readErrors(jar)
  rmSync(schemasDir, { recursive: true, force: true })
  mkdirSync(schemasDir, { recursive: true })
  for (const [name, message] of schemas) writeFileSync(join(schemasDir, name), `${JSON.stringify(message, null, 2)}\n`)
  const origin = `kafka-clients-${KAFKA_VERSION}.jar`
  writeFileSync(
    join(schemasDir, '_source.json'),
    `${JSON.stringify({ kafkaVersion: KAFKA_VERSION, origin, files: schemas.length }, null, 2)}\n`,
  )
  writeFileSync(errorsFile, errorsJson(errors))
  console.log(
    `imported ${schemas.length} message definitions into ${schemasDir} and ${errors.length} error codes into ${errorsFile}, from ${origin}`,
  )
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main()
  } catch (err) {
    console.error(`import-protocol: ${err.message}`)
    process.exit(1)
  }
}
