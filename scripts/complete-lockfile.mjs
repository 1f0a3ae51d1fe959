// npm writes no lock entries for optional platform packages that the registry it used does not
// serve (other platforms' builds of biome, swc, ...), and `npm ci` then refuses the lock file.
// This adds an entry with the platform restriction for each such package, so npm ci skips them on
// platforms they are not for. Run it after `npm install` changes package-lock.json.
import { readFileSync, writeFileSync } from 'node:fs'

const path = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(path, 'utf8'))
const packages = lock.packages
const OS = /(android|darwin|linux|win32|freebsd|openbsd|netbsd|sunos|aix|openharmony)/
const CPU = /(x64|arm64|arm|ia32|s390x|ppc64|loong64|riscv64|mips64el|wasm32)/
let added = 0
for (const entry of Object.values(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`
    if (packages[key]) continue
    const os = OS.exec(name)?.[1]
    const cpu = CPU.exec(name)?.[1]
    if (!os && !cpu) continue
    packages[key] = {
      version,
      ...(entry.dev && { dev: true }),
      optional: true,
      ...(os && { os: [os] }),
      cpu: [cpu ?? 'wasm32'],
      ...(os === 'linux' && { libc: [name.includes('musl') ? 'musl' : 'glibc'] }),
    }
    added++
  }
}
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
)
writeFileSync(path, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`)
console.log(`package-lock.json: added ${added} platform-restricted optional entries`)
