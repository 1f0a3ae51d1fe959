// Nothing outlives the test process: a child Node process spawns a stand-in "JVM" (sleep) the way
// the harness spawns brokers, then dies in different ways; the stand-in and its folder must go too.

import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cleanupRegistry } from '../../src/testing/cleanup-registry.js'
import { JvmProcess } from '../../src/testing/jvm-process.js'
import { waitFor } from '../helpers/wait.js'

const root = join(__dirname, '..', '..')
const SCRIPT = `
require(${JSON.stringify(join(root, 'scripts', 'ts-sources.js'))}).registerTsSources()
const { JvmProcess } = require(${JSON.stringify(join(root, 'src', 'testing', 'jvm-process.ts'))})
const { cleanupRegistry } = require(${JSON.stringify(join(root, 'src', 'testing', 'cleanup-registry.ts'))})
const dir = process.argv[1]
cleanupRegistry.trackDirectory(dir)
const jvm = JvmProcess.spawn({ java: 'sleep', args: ['300'], cwd: dir, logFile: dir + '/log', detached: false, cleanupDir: dir, label: 'stand-in' })
process.stdout.write(jvm.pid + '\\n')
process.stdin.on('data', () => process.exit(3))
setInterval(() => {}, 1000)
`

/** Gone, or a zombie waiting for init to reap it (it runs no more either way). */
function isGone(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return true
  }
}

async function startParent(dir: string): Promise<{ parent: ChildProcess; standIn: number }> {
  const parent = spawn(process.execPath, ['-e', SCRIPT, dir], { stdio: ['pipe', 'pipe', 'inherit'] })
  const standIn = await new Promise<number>((resolve, reject) => {
    parent.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())))
    parent.once('exit', (code) => reject(new Error(`helper exited with ${code}`)))
  })
  return { parent, standIn }
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kafkit-cleanup-test-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

test('SIGKILL of the test process: the watchdog kills the JVM and removes its folder', async () => {
  const { parent, standIn } = await startParent(dir)
  expect(isGone(standIn)).toBe(false)
  const exit = exited(parent)
  parent.kill('SIGKILL')
  expect(await exit).toEqual({ code: null, signal: 'SIGKILL' })
  await waitFor(() => isGone(standIn) && !existsSync(dir), 'the stand-in JVM to die and its folder to go', 20000, 50)
}, 30_000)

test('SIGTERM: the handler kills the JVM, removes the folder and the process still dies of SIGTERM', async () => {
  const { parent, standIn } = await startParent(dir)
  const exit = exited(parent)
  parent.kill('SIGTERM')
  expect(await exit).toEqual({ code: null, signal: 'SIGTERM' })
  await waitFor(() => isGone(standIn), 'the stand-in JVM to die', 20000, 50)
  expect(existsSync(dir)).toBe(false)
}, 30_000)

test('process.exit: the exit handler kills the JVM and removes its folder', async () => {
  const { parent, standIn } = await startParent(dir)
  const exit = exited(parent)
  parent.stdin!.write('exit\n')
  expect(await exit).toEqual({ code: 3, signal: null })
  await waitFor(() => isGone(standIn), 'the stand-in JVM to die', 20000, 50)
  expect(existsSync(dir)).toBe(false)
}, 30_000)

test('kill() resolves even when nothing else keeps the process alive', async () => {
  // a globalTeardown awaiting stop() is in exactly this position; the JVM child itself is unref'd
  const script = `
require(${JSON.stringify(join(root, 'scripts', 'ts-sources.js'))}).registerTsSources()
const { JvmProcess } = require(${JSON.stringify(join(root, 'src', 'testing', 'jvm-process.ts'))})
const dir = process.argv[1]
const jvm = JvmProcess.spawn({ java: 'sleep', args: ['300'], cwd: dir, logFile: dir + '/log', detached: false, label: 'stand-in' })
jvm.kill().then(() => process.stdout.write('killed ' + jvm.running + '\\n'))
`
  const child = spawn(process.execPath, ['-e', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  expect(await exited(child)).toEqual({ code: 0, signal: null })
  expect(output).toBe('killed false\n')
}, 30_000)

test('a JVM that exits by itself releases its watchdog', async () => {
  const jvm = JvmProcess.spawn({
    java: 'true',
    args: [],
    cwd: dir,
    logFile: join(dir, 'log'),
    detached: false,
    label: 'short-lived',
  })
  expect(await jvm.exited).toEqual({ code: 0, signal: null })
  expect(jvm.running).toBe(false)
  await waitFor(
    () => cleanupRegistry.snapshot().processes.length === 0,
    'the cleanup registry to forget the process',
    20000,
    50,
  )
})
