// Builds dist/esm (ES modules) and dist/cjs (CommonJS), each with its own .d.ts files, from one tsc config.
// `node scripts/build.mjs <folder>` builds into <folder> instead of dist/: the ecosystem test packs a
// build of the current sources without replacing the dist/ that others may be running from.
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
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
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ type: t.type }, null, 2)}\n`)
}
