// The layers of src/, checked from the import statements of every module: the common floor
// (src/common) below networking, the cluster below the clients, the three clients (producer,
// consumer, admin) side by side, and the Kafka facade (src/client) above them, imported only by the
// package entry (src/index.ts).

import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const srcDir = join(__dirname, '..', 'src')

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return modules(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

// `import ... from '...'`, `export ... from '...'`, `import '...'` and `import('...')`, type-only included
const SPECIFIER = /\b(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g

/** The area of a path under src/: its top folder ('producer', 'common', ...) or its file name ('errors.ts'). */
function areaOf(path: string): string {
  const [first, ...rest] = relative(srcDir, path).split(/[\\/]/)
  return rest.length > 0 ? first! : first!.replace(/\.js$/, '.ts')
}

interface Edge {
  from: string
  fromArea: string
  to: string
  toArea: string
}

const edges: Edge[] = modules(srcDir).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(SPECIFIER)].map(([, specifier]) => {
    const target = resolve(dirname(file), specifier!)
    return {
      from: relative(srcDir, file),
      fromArea: areaOf(file),
      to: relative(srcDir, target),
      toArea: areaOf(target),
    }
  }),
)

/** The imports of modules in `from` areas that reach `forbidden` areas, as "importer -> imported". */
function violations(from: readonly string[], forbidden: (area: string, importerArea: string) => boolean): string[] {
  return edges
    .filter((e) => from.includes(e.fromArea) && e.toArea !== e.fromArea && forbidden(e.toArea, e.fromArea))
    .map((e) => `${e.from} -> ${e.to}`)
}

const CLIENTS = ['producer', 'consumer', 'admin']
const ABOVE_COMMON = ['network', 'cluster', ...CLIENTS, 'client', 'tracing', 'otel', 'testing', 'index.ts']

test('the import statements are found (the check below has something to check)', () => {
  expect(edges.length).toBeGreaterThan(500)
  expect(edges).toContainEqual(expect.objectContaining({ from: 'index.ts', toArea: 'client' }))
  expect(edges).toContainEqual(expect.objectContaining({ fromArea: 'producer', toArea: 'common' }))
})

test('producer, consumer and admin import none of each other, nor the Kafka facade', () => {
  expect(violations(CLIENTS, (area) => CLIENTS.includes(area) || area === 'client')).toEqual([])
})

test('only the package entry (src/index.ts) imports the Kafka facade (src/client)', () => {
  const importers = edges.filter((e) => e.toArea === 'client' && e.fromArea !== 'client').map((e) => e.from)
  expect([...new Set(importers)]).toEqual(['index.ts'])
})

test('the common floor imports nothing above it', () => {
  expect(violations(['common'], (area) => ABOVE_COMMON.includes(area))).toEqual([])
})

test('networking imports neither the cluster nor any client', () => {
  expect(violations(['network'], (area) => ['cluster', ...CLIENTS, 'client'].includes(area))).toEqual([])
})

test('the cluster imports no client', () => {
  expect(violations(['cluster'], (area) => [...CLIENTS, 'client'].includes(area))).toEqual([])
})
