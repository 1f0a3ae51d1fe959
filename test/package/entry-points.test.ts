// kafkit's entry points as a project that installed the package gets them: one module instance whether
// imported or required (KafkaJS is CommonJS only, and NestJS 12 imports it while the app requires it), the
// default import being the CommonJS module object as Node, TypeScript's esModuleInterop and Babel give it
// for KafkaJS, and TypeScript accepting the named, namespace and default imports under every
// moduleResolution wherever it accepts them for KafkaJS's own types.
//
// The package is `npm pack` of dist/ when dist/ is current, else of a build of the sources into a folder
// of the test's own (scripts/build.mjs <folder>; dist/ is left alone for whoever runs from it), installed
// with npm into a fresh project in the temp folder. Every Node and tsc here is the one running jest
// (process.execPath), so a run of the unit tests on each supported Node checks the package on each.

import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import ts from 'typescript'
import { installInto, packKafkit } from '../../integration/helpers/ecosystem-project.js'

const run = promisify(execFile)
const root = join(__dirname, '..', '..')
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
const ENTRIES = ['kafkit', 'kafkit/protocol', 'kafkit/testing', 'kafkit/otel']

/**
 * Run in a node process of its own inside the project (jest's module registry would answer for the repo):
 * for the package named in argv, each entry through import() and require(), then what crosses between them.
 */
const CHECK_SCRIPT = `
import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const [pkg, ...entries] = process.argv.slice(2)
const out = { entries: {} }
for (const entry of entries) {
  const imported = await import(entry)
  const required = require(entry)
  const names = Object.keys(required)
  out.entries[entry] = {
    names: names.length,
    defaultIsTheCommonJsModule: imported.default === required,
    importedNamesNotRequired: Object.keys(imported).filter((n) => n !== 'default' && !names.includes(n)),
    requiredNamesNotImported: names.filter((n) => !(n in imported)),
    namesBoundToOtherValues: names.filter((n) => n in imported && imported[n] !== required[n]),
  }
}
// Node names only some of KafkaJS's exports in an ES module (its lexer does not follow the spread of its
// errors), so what is not named is read from the default export, as KafkaJS users in ES modules do
const imported = await import(pkg)
const fromImport = (name) => (name in imported ? imported[name] : imported.default[name])
const required = require(pkg)
out.kafkaIsOneClass = fromImport('Kafka') === required.Kafka
out.errorInstanceofAcross = new (fromImport('KafkaJSNonRetriableError'))('x') instanceof required.KafkaJSError
out.errorInstanceofBack = new required.KafkaJSConnectionError('x') instanceof fromImport('KafkaJSError')
const codec = () => ({ compress: async (e) => e.buffer, decompress: async (b) => b })
required.CompressionCodecs[required.CompressionTypes.LZ4] = codec
out.codecRegisteredByRequireSeenByImport = fromImport('CompressionCodecs')[fromImport('CompressionTypes').LZ4] === codec
out.defaultImport = (await import('./default-import.mjs')).sameKafka
out.esModuleInteropDefaultImport = require('./interop.cjs').sameKafka
out.esModuleInteropNamespaceImport = require('./interop.cjs').sameKafkaThroughNamespace
process.stdout.write(JSON.stringify(out))
`

/** TypeScript's CommonJS output for a default and a namespace import under esModuleInterop, as users compile it. */
function interopModule(pkg: string): string {
  const source = `import kafkajs from '${pkg}'
import * as namespace from '${pkg}'
export const sameKafka = kafkajs.Kafka === require('${pkg}').Kafka
export const sameKafkaThroughNamespace = namespace.Kafka === require('${pkg}').Kafka
`
  return ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, esModuleInterop: true, target: ts.ScriptTarget.ES2020 },
  }).outputText
}

interface EntryReport {
  names: number
  defaultIsTheCommonJsModule: boolean
  importedNamesNotRequired: string[]
  requiredNamesNotImported: string[]
  namesBoundToOtherValues: string[]
}
interface CheckReport {
  entries: Record<string, EntryReport>
  kafkaIsOneClass: boolean
  errorInstanceofAcross: boolean
  errorInstanceofBack: boolean
  codecRegisteredByRequireSeenByImport: boolean
  defaultImport: boolean
  esModuleInteropDefaultImport: boolean
  esModuleInteropNamespaceImport: boolean
}

/** A folder of the project holding the check's files for `pkg`; returns it. */
function checkProject(base: string, pkg: string): string {
  const dir = join(base, `check-${pkg}`)
  mkdirSync(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `check-${pkg}`, private: true }))
  writeFileSync(join(dir, 'check.mjs'), CHECK_SCRIPT)
  writeFileSync(
    join(dir, 'default-import.mjs'),
    `import kafkajs from '${pkg}'\nimport { Kafka } from '${pkg}'\nexport const sameKafka = kafkajs.Kafka === Kafka\n`,
  )
  writeFileSync(join(dir, 'interop.cjs'), interopModule(pkg))
  return dir
}

async function check(dir: string, pkg: string, entries: string[]): Promise<CheckReport> {
  const { stdout } = await run(process.execPath, ['check.mjs', pkg, ...entries], { cwd: dir, timeout: 60_000 })
  return JSON.parse(stdout) as CheckReport
}

/**
 * The TypeScript setups checked: each moduleResolution, with and without esModuleInterop. `files` are
 * the file extensions compiled there: under node16/nodenext a .ts file of this project (no "type") is
 * CommonJS and a .mts file an ES module.
 */
const SETUPS = [
  { name: 'node10', options: { module: 'commonjs', moduleResolution: 'node10' }, files: ['ts'] },
  { name: 'node16', options: { module: 'node16', moduleResolution: 'node16' }, files: ['ts', 'mts'] },
  { name: 'nodenext', options: { module: 'nodenext', moduleResolution: 'nodenext' }, files: ['ts', 'mts'] },
  { name: 'bundler', options: { module: 'esnext', moduleResolution: 'bundler' }, files: ['ts'] },
].flatMap((setup) =>
  [false, true].map((esModuleInterop) => ({
    ...setup,
    name: `${setup.name}${esModuleInterop ? ' esModuleInterop' : ''}`,
    options: { ...setup.options, esModuleInterop },
  })),
)

/** Each way of importing, as a file of its own, so that a diagnostic names the import that failed. */
const IMPORT_STYLES: Record<string, (pkg: string) => string> = {
  named: (pkg) => `import { Kafka, KafkaJSError } from '${pkg}'
export const client = new Kafka({ brokers: ['localhost:9092'] })
export const isKafkaError = (e: unknown): e is KafkaJSError => e instanceof KafkaJSError
`,
  namespace: (pkg) => `import * as kafkajs from '${pkg}'
export const client = new kafkajs.Kafka({ brokers: ['localhost:9092'] })
export const level: kafkajs.logLevel = kafkajs.logLevel.INFO
`,
  default: (pkg) => `import kafkajs from '${pkg}'
export const client = new kafkajs.Kafka({ brokers: ['localhost:9092'] })
export const level: kafkajs.logLevel = kafkajs.logLevel.INFO
`,
}

interface Compiled {
  /** The project's files (relative) with a diagnostic. */
  failing: string[]
  /** Diagnostics inside kafkit's own declaration files. */
  inKafkit: string[]
  output: string
}

function compile(project: string, config: string): Promise<Compiled> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [tsc, '-p', config, '--pretty', 'false'], { cwd: project }, (error, stdout) => {
      if (error !== null && stdout === '') reject(error)
      else {
        const lines = stdout.split('\n').filter((line) => /error TS\d+/.test(line))
        const fileOf = (line: string): string => line.replace(/\(.*$/s, '')
        const failing = new Set(lines.map(fileOf).filter((file) => !file.includes('/')))
        const inKafkit = lines.filter((line) => fileOf(line).includes('node_modules/kafkit/'))
        resolve({ failing: [...failing].sort(), inKafkit, output: stdout })
      }
    })
  })
}

let work = ''
let kafkit: CheckReport
let kafkajs: CheckReport
const compiled = new Map<string, Promise<Compiled>>()

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kafkit-entries-'))
  const tarball = await packKafkit(work)
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'uses-kafkit', private: true }))
  // as a user installs it: npm installs the tarball and its runtime dependency from the registry
  await installInto(work, [tarball])
  // then the entries' optional peers, KafkaJS to compare with, and Node's types, from the repo
  const modules = join(work, 'node_modules')
  mkdirSync(join(modules, '@types'), { recursive: true })
  for (const name of ['@opentelemetry', 'kafkajs', join('@types', 'node')]) {
    symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir')
  }

  for (const [style, source] of Object.entries(IMPORT_STYLES)) {
    for (const pkg of ['kafkit', 'kafkajs']) {
      for (const ext of ['ts', 'mts']) writeFileSync(join(work, `${pkg}-${style}.${ext}`), source(pkg))
    }
  }
  for (const setup of SETUPS) {
    const files = Object.keys(IMPORT_STYLES).flatMap((style) =>
      ['kafkit', 'kafkajs'].flatMap((pkg) => setup.files.map((ext) => `${pkg}-${style}.${ext}`)),
    )
    // KafkaJS's own declaration options (types/tsconfig.json of kafkajs 2.2.4), less `module`
    const compilerOptions = {
      ...setup.options,
      lib: ['es6'],
      strict: true,
      types: [],
      noEmit: true,
      skipLibCheck: false,
    }
    const config = join(work, `tsconfig.${setup.name.replace(' ', '-')}.json`)
    writeFileSync(config, JSON.stringify({ compilerOptions, files }))
    compiled.set(setup.name, compile(work, config))
  }

  const kafkitProject = checkProject(work, 'kafkit')
  const kafkajsProject = checkProject(work, 'kafkajs')
  kafkit = await check(kafkitProject, 'kafkit', ENTRIES)
  kafkajs = await check(kafkajsProject, 'kafkajs', ['kafkajs'])
}, 300_000)

afterAll(async () => {
  await Promise.allSettled(compiled.values())
  if (work !== '') rmSync(work, { recursive: true, force: true })
})

test.each(ENTRIES)('%s is one module whether imported or required, its default export the CommonJS module', (entry) => {
  const report = kafkit.entries[entry]
  expect(report).toEqual({
    names: report.names,
    defaultIsTheCommonJsModule: true,
    importedNamesNotRequired: [],
    requiredNamesNotImported: [],
    namesBoundToOtherValues: [],
  })
  expect(report.names).toBeGreaterThan(0)
})

test('classes, instanceof and the codec registry are shared between import and require, as on KafkaJS', () => {
  const shared = {
    kafkaIsOneClass: true,
    errorInstanceofAcross: true,
    errorInstanceofBack: true,
    codecRegisteredByRequireSeenByImport: true,
  }
  expect(kafkajs).toMatchObject(shared)
  expect(kafkit).toMatchObject(shared)
})

test("a default import is the module object: Node's, and TypeScript's esModuleInterop output's", () => {
  const defaults = { defaultImport: true, esModuleInteropDefaultImport: true, esModuleInteropNamespaceImport: true }
  expect(kafkajs).toMatchObject(defaults)
  expect(kafkit).toMatchObject(defaults)
})

test.each(SETUPS.map((setup) => setup.name))(
  'TypeScript (moduleResolution %s) accepts every import of kafkit it accepts of KafkaJS',
  async (name) => {
    const compilation = compiled.get(name)
    if (compilation === undefined) throw new Error(`no compilation named ${name} was started`)
    const { failing, inKafkit, output } = await compilation
    expect(inKafkit).toEqual([])
    // named and namespace imports compile everywhere, a default import wherever it does for KafkaJS's types
    const failingOnKafkitOnly = failing.filter(
      (file) => file.startsWith('kafkit-') && !failing.includes(file.replace(/^kafkit-/, 'kafkajs-')),
    )
    expect(output.split('\n').filter((line) => failingOnKafkitOnly.some((file) => line.startsWith(file)))).toEqual([])
    expect(failing.filter((file) => !file.includes('-default.'))).toEqual([])
  },
)
