// npm run bench -- <name> [args]: runs bench/<name>.bench.ts (TypeScript, no build needed).
// Names: the files in bench/ ending in .bench.ts (producer, codecs, records, ...), and the short
// names in ALIASES.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const names = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
const ALIASES = { share: 'share-consumer' }
const [name, ...args] = process.argv.slice(2)
const file = join(root, 'bench', `${Object.hasOwn(ALIASES, name ?? '') ? ALIASES[name] : name}.bench.ts`)
if (!name || !existsSync(file)) {
  console.error(`usage: npm run bench -- <${[...names, ...Object.keys(ALIASES)].join('|')}> [args]`)
  process.exit(2)
}
const run = spawnSync(process.execPath, ['-r', join(root, 'bench', 'register-swc.cjs'), file, ...args], {
  stdio: 'inherit',
  cwd: root,
})
process.exit(run.status ?? 1)
