// Builds dist/esm (ES modules) and dist/cjs (CommonJS), each with its own .d.ts files, from one tsc config.
// `node scripts/build.mjs <folder>` builds into <folder> instead of dist/: the ecosystem test packs a
// build of the current sources without replacing the dist/ that others may be running from.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
const dist = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist')
rmSync(dist, { recursive: true, force: true })
const targets = [
  { dir: 'esm', type: 'module', args: ['--module', 'ES2022', '--moduleResolution', 'Bundler'] },
  { dir: 'cjs', type: 'commonjs', args: ['--module', 'CommonJS', '--moduleResolution', 'Node10'] },
]
for (const t of targets) {
  const outDir = join(dist, t.dir)
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir, ...t.args], {
    stdio: 'inherit',
  })
  mkdirSync(outDir, { recursive: true })
  rewriteDeclarations(outDir)
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ type: t.type }, null, 2)}\n`)
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
