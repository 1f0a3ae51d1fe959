// Builds dist/cjs (CommonJS, with its .d.ts files) from one tsc config, and dist/esm: for each entry point
// in package.json "exports", a thin ES module over the CommonJS one. KafkaJS is CommonJS only, so a process
// that reaches it through both `import` and `require` (NestJS 12 imports it while the app requires it) holds
// one copy: one KafkaJSError class for `instanceof`, one CompressionCodecs registry. A separate ES module
// compile would be a second copy of every class and registry, so there is none.
// `node scripts/build.mjs <folder>` builds into <folder> instead of dist/: the ecosystem test packs a
// build of the current sources without replacing the dist/ that others may be running from.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
const dist = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist')
rmSync(dist, { recursive: true, force: true })

const cjsDir = join(dist, 'cjs')
execFileSync(
  process.execPath,
  [
    tsc,
    '-p',
    join(root, 'tsconfig.build.json'),
    '--outDir',
    cjsDir,
    '--module',
    'CommonJS',
    '--moduleResolution',
    'Node10',
  ],
  { stdio: 'inherit' },
)
rewriteDeclarations(cjsDir)
writeFileSync(join(cjsDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`)

const entries = entryPoints()
for (const { cjs } of entries) dropEsModuleMarker(join(dist, cjs))
const names = exportNames(entries.map(({ cjs }) => join(dist, cjs)))
for (const [i, { cjs, esm }] of entries.entries()) writeEsmWrapper(join(dist, esm), join(dist, cjs), names[i])
writeFileSync(join(dist, 'esm', 'package.json'), `${JSON.stringify({ type: 'module' }, null, 2)}\n`)

/**
 * Every entry point's CommonJS and ES module files, relative to the output folder, as package.json
 * "exports" names them: the wrappers follow the manifest, so a new entry cannot be left without one.
 */
function entryPoints() {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const inDist = (path) => {
    if (!path.startsWith('./dist/')) throw new Error(`package.json exports names ${path}, outside dist/`)
    return path.slice('./dist/'.length)
  }
  return Object.entries(manifest.exports)
    .filter(([, target]) => typeof target === 'object')
    .map(([subpath, target]) => {
      const entry = { subpath, cjs: inDist(target.require.default), esm: inDist(target.import.default) }
      const types = { cjs: inDist(target.require.types), esm: inDist(target.import.types) }
      if (types.cjs !== entry.cjs.replace(/\.js$/, '.d.ts') || types.esm !== entry.esm.replace(/\.js$/, '.d.ts')) {
        throw new Error(`package.json exports ${subpath}: each condition's types must sit beside its code`)
      }
      return entry
    })
}

/**
 * tsc marks every CommonJS file with `__esModule`, which tells TypeScript's esModuleInterop and Babel that
 * `exports.default` is the default export. The entry points have none, so a default import
 * (`import kafkajs from 'kafkajs'`, which works on KafkaJS's plain CommonJS module) would be undefined.
 * Without the marker the default import is the whole module, as for KafkaJS. Internal files keep it.
 */
function dropEsModuleMarker(file) {
  const marker = 'Object.defineProperty(exports, "__esModule", { value: true });\n'
  const text = readFileSync(file, 'utf8')
  if (!text.includes(marker)) throw new Error(`${file}: tsc's __esModule marker not found; check how it is emitted`)
  writeFileSync(file, text.replace(marker, ''))
}

/**
 * The names each CommonJS entry exports when loaded, read in a child process (the build's own process
 * stays free of kafkit). The output folder may be outside the repo, so the repo's dependencies are
 * found through NODE_PATH.
 */
function exportNames(files) {
  const script = `process.stdout.write(JSON.stringify(${JSON.stringify(files)}.map((f) => Object.keys(require(f)))))`
  const out = execFileSync(process.execPath, ['-e', script], {
    env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
    encoding: 'utf8',
  })
  return JSON.parse(out)
}

/**
 * The ES module entry `esmFile` over the CommonJS entry `cjsFile`: each export of the CommonJS module as a
 * named export, and the module object itself as the default export, which is what Node gives an ES module
 * importing a CommonJS package such as KafkaJS. Its .d.ts re-exports the CommonJS declarations, so both
 * conditions resolve to the same types.
 */
function writeEsmWrapper(esmFile, cjsFile, names) {
  const identifier = /^[A-Za-z_$][\w$]*$/
  const odd = names.filter((name) => !identifier.test(name) || name === 'default')
  if (odd.length > 0) throw new Error(`${cjsFile} exports names an ES module wrapper cannot re-export: ${odd}`)
  let from = relative(dirname(esmFile), cjsFile).split('\\').join('/')
  if (!from.startsWith('.')) from = `./${from}`
  const header = '// Generated by scripts/build.mjs: the CommonJS module, so that import and require share one copy.\n'
  const js = [
    header,
    `import cjs from '${from}'\n`,
    names.length > 0 ? `export const { ${names.join(', ')} } = cjs\n` : '',
    'export default cjs\n',
  ]
  const dts = [header, `export * from '${from}'\n`, `import * as cjs from '${from}'\n`, 'export default cjs\n']
  mkdirSync(dirname(esmFile), { recursive: true })
  writeFileSync(esmFile, js.join(''))
  writeFileSync(esmFile.replace(/\.js$/, '.d.ts'), dts.join(''))
}

// The emitted .d.ts files must compile in a user's project under the options KafkaJS's own types are checked
// with (no `target`: ES5 on TypeScript 5). tsc marks a class with `#private` fields by a `#private;` member,
// which TypeScript rejects below ES2015 (TS18028) even inside node_modules. The rewrite is the one
// TypeScript's downlevel-dts applies: a private member named "#private" keeps the class nominal (an object
// literal still cannot pose as a Producer) and compiles under every target.
function rewriteDeclarations(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) rewriteDeclarations(path)
    else if (entry.name.endsWith('.d.ts')) {
      const text = readFileSync(path, 'utf8')
      const rewritten = text.replace(/^(\s*)#private;$/gm, '$1private "#private";')
      if (rewritten !== text) writeFileSync(path, rewritten)
    }
  }
}
