// KafkaJS's types, checked on the package as users get it: `npm pack` of the built package, unpacked into a
// fresh project that has nothing else (Node's types and KafkaJS's declarations are linked from this
// repository's node_modules), compiled with the options KafkaJS checks its own declarations with
// (kafkajs 2.2.4 types/tsconfig.json: no target, no esModuleInterop, no skipLibCheck, `types: []`).
// fixtures/usage.ts is code written for KafkaJS's types with the import changed; fixtures/structure.ts
// compares every type KafkaJS exports with kafkit's. Both entry points are compiled: `require` (the
// package's `types`, dist/cjs) and `import` (exports' import condition, dist/esm), and the subpath entries.
//
// The package is dist/ when it is current (CI builds before it tests), else a build of the sources into a
// folder of the test's own (integration/helpers/ecosystem-project.ts packKafkit), which takes longer.

import { execFile, execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packKafkit } from '../../integration/helpers/ecosystem-project.js'

const root = join(__dirname, '..', '..')
const fixtures = join(__dirname, 'fixtures')
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')

// kafkajs 2.2.4's types/tsconfig.json, less its own paths (baseUrl, typeRoots and files name its repository).
const kafkaJSOptions = {
  module: 'commonjs',
  lib: ['es6'],
  noImplicitAny: true,
  noImplicitThis: true,
  strictNullChecks: true,
  types: [],
  noEmit: true,
  forceConsistentCasingInFileNames: true,
  strictFunctionTypes: true,
}

interface Compiled {
  diagnostics: string
  files: string[]
}

/** Runs tsc on `project`: its diagnostics (empty when it passed) and the files it read. */
function compile(project: string): Promise<Compiled> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [tsc, '-p', project, '--listFiles', '--pretty', 'false'], (error, stdout) => {
      // tsc exits 2 with its diagnostics on stdout; anything else (no stdout) is a failure to run it
      if (error !== null && stdout === '') reject(error)
      else {
        const lines = stdout.split('\n')
        resolve({ diagnostics: lines.filter((l) => l !== '' && !l.startsWith('/')).join('\n'), files: lines })
      }
    })
  })
}

describe('KafkaJS types against the packed package', () => {
  let project = ''
  // the compilations run side by side (started once the package is unpacked); each test awaits its own
  const compiled = new Map<string, Promise<Compiled>>()
  const entry = (dir: string, ...path: string[]): string =>
    join(project, 'node_modules', 'kafkit', 'dist', dir, ...path)

  function result(name: string): Promise<Compiled> {
    const promise = compiled.get(name)
    if (promise === undefined) throw new Error(`no compilation named ${name} was started`)
    return promise
  }

  function start(name: string, compilerOptions: object, files: string[]): void {
    const config = join(project, `tsconfig.${name}.json`)
    writeFileSync(config, JSON.stringify({ compilerOptions, files }))
    compiled.set(name, compile(config))
  }

  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), 'kafkit-types-'))
    const tarball = await packKafkit(project)
    const modules = join(project, 'node_modules')
    mkdirSync(join(modules, '@types'), { recursive: true })
    execFileSync('tar', ['xzf', tarball, '-C', modules])
    renameSync(join(modules, 'package'), join(modules, 'kafkit'))
    // kafkit has one runtime dependency (snappyjs, no types); what the compiler needs is Node's types and,
    // for the comparison, KafkaJS's declarations
    symlinkSync(join(root, 'node_modules', '@types', 'node'), join(modules, '@types', 'node'), 'dir')
    symlinkSync(join(root, 'node_modules', 'kafkajs'), join(modules, 'kafkajs'), 'dir')
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-kafkit', private: true }))
    for (const file of ['usage.ts', 'structure.ts']) copyFileSync(join(fixtures, file), join(project, file))
    // the same code as an ES module, which resolves kafkit through exports' import condition, beside a
    // CommonJS module of that project, which resolves it through the require condition
    copyFileSync(join(fixtures, 'usage.ts'), join(project, 'usage.mts'))
    writeFileSync(
      join(project, 'entry.cts'),
      "import { Kafka } from 'kafkit'\nexport const kafka = new Kafka({ brokers: [] })\n",
    )
    for (const sub of ['protocol', 'testing']) {
      writeFileSync(
        join(project, `${sub}.ts`),
        `import * as m from 'kafkit/${sub}'\nexport const names = Object.keys(m)\n`,
      )
    }

    start('require', kafkaJSOptions, ['usage.ts', 'structure.ts'])
    start('import', { ...kafkaJSOptions, module: 'nodenext', moduleResolution: 'nodenext' }, ['usage.mts', 'entry.cts'])
    // each alone: a program that also reads the root entry gets Node's types from it
    start('protocol', kafkaJSOptions, ['protocol.ts'])
    start('testing', kafkaJSOptions, ['testing.ts'])
  })

  afterAll(async () => {
    await Promise.allSettled(compiled.values())
    if (project !== '') rmSync(project, { recursive: true, force: true })
  })

  it('compiles code written for KafkaJS, and every KafkaJS type matches, with KafkaJS compiler options (require)', async () => {
    const { diagnostics, files } = await result('require')
    expect(diagnostics).toBe('')
    expect(files).toContain(entry('cjs', 'index.d.ts'))
  })

  it('compiles the same code as an ES module under Node resolution (exports import and require conditions)', async () => {
    const { diagnostics, files } = await result('import')
    expect(diagnostics).toBe('')
    expect(files).toContain(entry('esm', 'index.d.ts'))
    expect(files).toContain(entry('cjs', 'index.d.ts'))
  })

  it.each(['protocol', 'testing'])('compiles kafkit/%s alone with KafkaJS compiler options', async (sub) => {
    const { diagnostics, files } = await result(sub)
    expect(diagnostics).toBe('')
    expect(files).toContain(entry('cjs', sub, 'index.d.ts'))
  })
})
