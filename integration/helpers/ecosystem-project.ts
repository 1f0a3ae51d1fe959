// The ecosystem tests' projects: a folder outside the repo where frameworks built on KafkaJS are
// installed from the registry beside a `kafkajs` that is either kafkit's packed tarball (installed
// under the name kafkajs, as a user swapping the library does) or KafkaJS itself, and the scripts of
// integration/ecosystem/ run in it unchanged.

import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const ROOT = join(__dirname, '..', '..')

/** Bounds each npm step: a warm cache installs the frameworks in seconds, a cold one in well under this. */
const NPM_TIMEOUT_MS = 90_000
/** Bounds a build of the sources into a folder of the test's own (tsc twice, about 40 s on 2 cores). */
const BUILD_TIMEOUT_MS = 240_000

/**
 * The environment npm runs with: without the npm_* variables that `npm test` exports (among them
 * npm_config_local_prefix, the repo), which would make the child npm install into the repo.
 */
function npmEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('npm_')) env[name] = value
  return env
}

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', args, {
    cwd,
    env: npmEnvironment(),
    timeout: NPM_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  })
  return stdout
}

function newestModification(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestModification(join(path, entry)))
  return newest
}

/**
 * True when dist/ holds a build of the current sources: CI builds before it tests, so there the
 * tarball is what `npm pack` of the repo gives; a developer's dist/ may be missing or older.
 */
function distIsCurrent(): boolean {
  const outputs = ['esm', 'cjs'].map((format) => join(ROOT, 'dist', format, 'index.js'))
  if (!outputs.every((file) => existsSync(file))) return false
  const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs))
  // the build script counts as a source: it decides what dist/ holds beside tsc's output
  const inputs = ['package.json', join('scripts', 'build.mjs')].map((file) => statSync(join(ROOT, file)).mtimeMs)
  return newestModification(join(ROOT, 'src')) <= built && Math.max(...inputs) <= built
}

/**
 * `npm pack` of kafkit into `workDir`; returns the tarball's path. A stale or missing dist/ is not
 * rebuilt in place (others may be running from it): the sources are built into a staging folder
 * under `workDir` with the package's manifest beside them, and that folder is packed. The package's
 * `prepack` (a build into dist/) does not run: what is packed was just checked or built here.
 */
export async function packKafkit(workDir: string): Promise<string> {
  let packFrom = ROOT
  if (!distIsCurrent()) {
    packFrom = join(workDir, 'kafkit-package')
    mkdirSync(packFrom, { recursive: true })
    await run(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), join(packFrom, 'dist')], {
      cwd: ROOT,
      timeout: BUILD_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    })
    for (const file of ['package.json', 'README.md']) copyFileSync(join(ROOT, file), join(packFrom, file))
  }
  const packed = JSON.parse(
    await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', workDir], packFrom),
  ) as {
    filename: string
  }[]
  return join(workDir, packed[0].filename)
}

/**
 * `npm install` in the project at `dir`, of `specs` (names, or tarball paths such as packKafkit's) or,
 * without any, of its manifest's dependencies; optional packages and install scripts are left out.
 */
export async function installInto(dir: string, specs: string[]): Promise<void> {
  await npm(
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional', '--ignore-scripts', ...specs],
    dir,
  )
}

/**
 * Creates `dir` as a project of its own depending on `packages` (name -> version or npm spec) and
 * holding the ecosystem scripts. Its manifest overrides every `kafkajs` in the tree with its own, as a
 * user swapping the library writes it: graphql-kafkajs-subscriptions declares kafkajs@^2.2.0 as a
 * peer, which kafkit's own version under that name does not satisfy, and npm refuses the install
 * without the override. Optional dependencies are left out to keep the install short (kafkit's
 * native helpers are optional and have fallbacks), and no install script runs.
 */
export async function createProject(dir: string, packages: Record<string, string>): Promise<void> {
  mkdirSync(dir, { recursive: true })
  const manifest = {
    name: 'ecosystem-check',
    private: true,
    dependencies: packages,
    overrides: { kafkajs: '$kafkajs' },
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  await installInto(dir, [])
  const scripts = join(ROOT, 'integration', 'ecosystem')
  for (const file of readdirSync(scripts)) copyFileSync(join(scripts, file), join(dir, file))
}

/** Where `kafkajs` resolves from inside each of `fromPackages` in the project, and that package's name. */
export async function kafkajsSeenBy(
  dir: string,
  fromPackages: string[],
): Promise<{ project: string; from: string; path: string; name: string; exportsProducer: boolean }[]> {
  // in a node of its own: jest's module registry would answer for the repo, not for the project
  const probe = `
    const { createRequire } = require('node:module')
    const { join } = require('node:path')
    const out = ${JSON.stringify(fromPackages)}.map((from) => {
      const requireThere = createRequire(join(${JSON.stringify(dir)}, 'node_modules', from, 'package.json'))
      const path = requireThere.resolve('kafkajs')
      return { project: ${JSON.stringify(dir)}, from, path, name: requireThere('kafkajs/package.json').name, exportsProducer: typeof requireThere('kafkajs').Producer === 'function' }
    })
    process.stdout.write(JSON.stringify(out))`
  const { stdout } = await run(process.execPath, ['-e', probe], { cwd: dir, timeout: 30_000 })
  return JSON.parse(stdout)
}

export interface ScriptRun<T> {
  /** The RESULT the script printed (undefined when it printed none). */
  result: T | undefined
  /** The exit code, or null when the script had to be killed (it did not end by itself). */
  exitCode: number | null
  stderr: string
}

/**
 * Runs an ecosystem script in the project and waits for it to end by itself; after `timeoutMs` it is
 * killed and reported with exitCode null (a handle left open, or a step that never finished).
 */
export function runScript<T>(
  dir: string,
  script: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<ScriptRun<T>> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script],
      {
        cwd: dir,
        env: { ...process.env, ...env },
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
        const killed = error !== null && (error as { killed?: boolean }).killed === true
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1
        resolve({
          result: line === undefined ? undefined : (JSON.parse(line.slice('RESULT '.length)) as T),
          exitCode: killed ? null : code,
          stderr,
        })
      },
    )
  })
}
