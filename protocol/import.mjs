// Imports Kafka's message definitions into protocol/schemas/ in the project's normalized form:
// facts only (names, types, versions, defaults, tags), no comments or prose, stable key order.
//
// Source: common/message/*.json inside the kafka-clients jar of the pinned release, resolved with
// Maven into ~/.cache/kafkit/. Without Maven, the copy in ../shared/kafka-protocol/message is used.
//
// Usage: node protocol/import.mjs [--source <dir-with-json>]
//        node protocol/import.mjs --jar-path   (resolves the jar and prints its path)

import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inflateRawSync } from 'node:zlib'

export const KAFKA_VERSION = '4.3.1'
const here = dirname(fileURLToPath(import.meta.url))
const schemasDir = join(here, 'schemas')
const fallbackDir = resolve(here, '../../shared/kafka-protocol/message')

/** Resolves kafka-clients-<version>.jar with Maven into a cache directory; null when Maven is unavailable. */
function resolveJar() {
  const cacheDir = join(homedir(), '.cache', 'kafkit', 'maven')
  const jar = join(cacheDir, `kafka-clients-${KAFKA_VERSION}.jar`)
  if (existsSync(jar)) return jar
  mkdirSync(cacheDir, { recursive: true })
  try {
    execFileSync(
      'mvn',
      [
        '-q',
        'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy',
        `-Dartifact=org.apache.kafka:kafka-clients:${KAFKA_VERSION}`,
        `-DoutputDirectory=${cacheDir}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'], cwd: cacheDir },
    )
  } catch (err) {
    console.warn(`maven could not resolve kafka-clients ${KAFKA_VERSION}: ${err.message}`)
    return null
  }
  return existsSync(jar) ? jar : null
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

function loadSources(sourceDir) {
  if (sourceDir) {
    const files = new Map()
    for (const f of readdirSync(sourceDir).filter((n) => n.endsWith('.json'))) {
      files.set(f, readFileSync(join(sourceDir, f)))
    }
    return { files, origin: sourceDir }
  }
  const jar = resolveJar()
  if (jar) {
    const entries = readZip(jar, (n) => /^common\/message\/[^/]+\.json$/.test(n))
    const files = new Map([...entries].map(([n, b]) => [n.slice('common/message/'.length), b]))
    return { files, origin: `kafka-clients-${KAFKA_VERSION}.jar` }
  }
  console.warn(`falling back to ${fallbackDir}`)
  return loadSources(fallbackDir)
}

function main() {
  if (process.argv.includes('--jar-path')) {
    // used by the golden-bytes tests, which run Kafka's own message classes from the same jar
    const jar = resolveJar()
    if (!jar) process.exit(1)
    console.log(jar)
    return
  }
  const i = process.argv.indexOf('--source')
  const { files, origin } = loadSources(i > 0 ? process.argv[i + 1] : undefined)
  if (files.size === 0) throw new Error(`no message definitions found in ${origin}`)
  rmSync(schemasDir, { recursive: true, force: true })
  mkdirSync(schemasDir, { recursive: true })
  for (const [name, buf] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const message = normalizeMessage(JSON.parse(stripComments(buf.toString('utf8'))))
    writeFileSync(join(schemasDir, name), `${JSON.stringify(message, null, 2)}\n`)
  }
  writeFileSync(
    join(schemasDir, '_source.json'),
    `${JSON.stringify({ kafkaVersion: KAFKA_VERSION, origin, files: files.size }, null, 2)}\n`,
  )
  console.log(`imported ${files.size} message definitions from ${origin} into ${schemasDir}`)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
