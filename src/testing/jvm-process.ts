// One broker JVM. Its stdout and stderr go straight to a log file (no pipe to this process, so a
// detached broker keeps running and logging after we exit). Unless detached, a watchdog shell holds
// the read end of a pipe whose write end only this process has: when this process dies in any way,
// SIGKILL included, the pipe closes, the shell's `read` returns and it SIGKILLs the JVM and removes
// the cluster's temp folder.

import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { Socket } from 'node:net'
import { cleanupRegistry } from './cleanup-registry.js'

export interface JvmExit {
  code: number | null
  signal: NodeJS.Signals | null
  error?: Error
}

export interface JvmSpawnOptions {
  java: string
  args: string[]
  cwd: string
  logFile: string
  /** Run in its own session without a watchdog, so that release() can hand it over to outlive us. */
  detached: boolean
  /** Removed by the watchdog after it kills the JVM (this process can no longer do it then). */
  cleanupDir?: string
  label: string
}

// $1: the JVM's pid; $2: a folder to remove after it (the cluster's temp folder), or empty
const WATCHDOG_SCRIPT = 'read _; kill -9 "$1" 2>/dev/null; if [ -n "$2" ]; then rm -rf "$2"; fi'

export class JvmProcess {
  readonly pid: number
  readonly exited: Promise<JvmExit>
  readonly logFile: string
  #child: ChildProcess
  #watchdog: ChildProcess | undefined
  #exit: JvmExit | undefined
  #killedOnPurpose = false

  private constructor(child: ChildProcess, pid: number, logFile: string, exited: Promise<JvmExit>) {
    this.#child = child
    this.pid = pid
    this.logFile = logFile
    this.exited = exited
  }

  static spawn(options: JvmSpawnOptions): JvmProcess {
    const log = openSync(options.logFile, 'a')
    let child: ChildProcess
    try {
      child = spawn(options.java, options.args, {
        cwd: options.cwd,
        stdio: ['ignore', log, log],
        detached: options.detached,
      })
    } finally {
      closeSync(log)
    }
    const exited = new Promise<JvmExit>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }))
      child.once('exit', (code, signal) => resolve({ code, signal }))
    })
    if (child.pid === undefined) {
      // spawn failed (e.g. ENOENT); `exited` carries the error
      return new JvmProcess(child, -1, options.logFile, exited)
    }
    const jvm = new JvmProcess(child, child.pid, options.logFile, exited)
    // a test process that forgets stop() must still be able to exit; the registry kills the JVM then
    child.unref()
    // tracked even when detached: until release(), a failed or interrupted start must not leak it
    cleanupRegistry.trackProcess(child.pid, options.label)
    if (!options.detached) jvm.#watchdog = startWatchdog(child.pid, options.cleanupDir ?? '')
    void exited.then((exit) => {
      jvm.#exit = exit
      jvm.#releaseWatchdog()
      cleanupRegistry.untrackProcess(jvm.pid)
    })
    return jvm
  }

  get running(): boolean {
    return this.#exit === undefined && this.pid > 0
  }

  get exitInfo(): JvmExit | undefined {
    return this.#exit
  }

  /** True once kill() was called: an exit then is expected, not a crash. */
  get killedOnPurpose(): boolean {
    return this.#killedOnPurpose
  }

  /** SIGKILL and wait until the process is gone. */
  async kill(): Promise<void> {
    this.#killedOnPurpose = true
    if (this.running) {
      // the child is unref'd; while we wait for its 'exit' it must hold the event loop open, or Node
      // may run out of work and exit first (a jest globalTeardown would end before jest reports)
      this.#child.ref()
      this.#child.kill('SIGKILL')
    }
    await this.exited
  }

  /** Stops watching a detached-after-start JVM: it is the caller's from now on. */
  release(): void {
    this.#releaseWatchdog()
    cleanupRegistry.untrackProcess(this.pid)
  }

  #releaseWatchdog(): void {
    const watchdog = this.#watchdog
    if (!watchdog) return
    this.#watchdog = undefined
    // kill the watchdog before its pipe closes, so it never fires at a pid that may be reused
    if (watchdog.pid !== undefined) cleanupRegistry.untrackProcess(watchdog.pid)
    watchdog.kill('SIGKILL')
  }
}

function startWatchdog(pid: number, cleanupDir: string): ChildProcess | undefined {
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'kafkit-watchdog', String(pid), cleanupDir], {
    stdio: ['pipe', 'ignore', 'ignore'],
    // its own process group: a terminal's Ctrl-C must not kill the watchdog before it can act
    detached: true,
  })
  watchdog.on('error', () => {})
  watchdog.unref()
  if (watchdog.stdin instanceof Socket) watchdog.stdin.unref()
  watchdog.stdin?.on('error', () => {})
  if (watchdog.pid !== undefined) cleanupRegistry.trackProcess(watchdog.pid, 'kafkit watchdog')
  return watchdog
}

/** The last `lines` lines of a log file (reads at most its last 64 KiB). */
export function readLogTail(file: string, lines = 40): string {
  try {
    const size = statSync(file).size
    const length = Math.min(size, 64 * 1024)
    const bytes = new Uint8Array(length)
    const fd = openSync(file, 'r')
    try {
      readSync(fd, bytes, 0, length, size - length)
    } finally {
      closeSync(fd)
    }
    return Buffer.from(bytes.buffer, 0, length).toString('utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}
