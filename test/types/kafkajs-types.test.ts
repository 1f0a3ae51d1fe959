// KafkaJS's types, checked on the package as users get it: `npm pack` of the built dist/, unpacked into a
// fresh project that has nothing else (Node's types and KafkaJS's declarations are linked from this
// repository's node_modules), compiled with the options KafkaJS checks its own declarations with
// (kafkajs 2.2.4 types/tsconfig.json: no target, no esModuleInterop, no skipLibCheck, `types: []`).
// fixtures/usage.ts is code written for KafkaJS's types with the import changed; fixtures/structure.ts
// compares every type KafkaJS exports with kafkit's. Both entry points are compiled: `require` (the
// package's `types`, dist/cjs) and `import` (exports' import condition, dist/esm).
//
// It needs dist/ (npm run build); without it the suite is skipped and says so.

import { execFileSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(__dirname, '..', '..')
const fixtures = join(__dirname, 'fixtures')
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
const built = ['cjs', 'esm'].every((dir) => existsSync(join(root, 'dist', dir, 'index.d.ts')))

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

/** Runs tsc on `project`; returns its diagnostics and the files it read, or throws what it printed. */
function compile(project: string): { diagnostics: string; files: string[] } {
  try {
    const out = execFileSync(process.execPath, [tsc, '-p', project, '--listFiles', '--pretty', 'false'], {
      encoding: 'utf8',
    })
    return { diagnostics: '', files: out.split('\n') }
  } catch (error) {
    const { stdout } = error as { stdout?: string }
    if (stdout === undefined) throw error
    const lines = stdout.split('\n')
    return { diagnostics: lines.filter((l) => !l.startsWith('/')).join('\n'), files: lines }
  }
}

const describeBuilt = built ? describe : describe.skip
if (!built) {
  describe('KafkaJS types against the packed package', () => {
    it.skip('needs dist/: run `npm run build` first', () => {})
  })
}

describeBuilt('KafkaJS types against the packed package', () => {
  let project = ''

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'kafkit-types-'))
    const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', project], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const [{ filename }] = JSON.parse(packed) as [{ filename: string }]
    const modules = join(project, 'node_modules')
    mkdirSync(join(modules, '@types'), { recursive: true })
    execFileSync('tar', ['xzf', join(project, filename), '-C', modules])
    renameSync(join(modules, 'package'), join(modules, 'kafkit'))
    // kafkit has one runtime dependency (snappyjs, no types); what the compiler needs is Node's types and,
    // for the comparison, KafkaJS's declarations
    symlinkSync(join(root, 'node_modules', '@types', 'node'), join(modules, '@types', 'node'), 'dir')
    symlinkSync(join(root, 'node_modules', 'kafkajs'), join(modules, 'kafkajs'), 'dir')
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-kafkit', private: true }))
    for (const file of ['usage.ts', 'structure.ts']) copyFileSync(join(fixtures, file), join(project, file))
    // the same code as an ES module, which resolves kafkit through exports' import condition
    copyFileSync(join(fixtures, 'usage.ts'), join(project, 'usage.mts'))
  })

  afterAll(() => {
    if (project !== '') rmSync(project, { recursive: true, force: true })
  })

  it('compiles code written for KafkaJS, and every KafkaJS type matches, with KafkaJS compiler options (require)', () => {
    const config = join(project, 'tsconfig.json')
    writeFileSync(config, JSON.stringify({ compilerOptions: kafkaJSOptions, files: ['usage.ts', 'structure.ts'] }))
    const { diagnostics, files } = compile(config)
    expect(diagnostics).toBe('')
    expect(files).toContain(join(project, 'node_modules', 'kafkit', 'dist', 'cjs', 'index.d.ts'))
  })

  it('compiles the same code as an ES module and as CommonJS under Node resolution (import and require conditions)', () => {
    copyFileSync(join(fixtures, 'usage.ts'), join(project, 'usage.cts'))
    const config = join(project, 'tsconfig.node.json')
    const compilerOptions = { ...kafkaJSOptions, module: 'nodenext', moduleResolution: 'nodenext' }
    writeFileSync(config, JSON.stringify({ compilerOptions, files: ['usage.mts', 'usage.cts'] }))
    const { diagnostics, files } = compile(config)
    expect(diagnostics).toBe('')
    expect(files).toContain(join(project, 'node_modules', 'kafkit', 'dist', 'esm', 'index.d.ts'))
    expect(files).toContain(join(project, 'node_modules', 'kafkit', 'dist', 'cjs', 'index.d.ts'))
  })
})
