// Every JVM, helper process and temp dir the harness creates is tracked here until it is released,
// so that nothing outlives the test process: on 'exit' they are SIGKILLed and removed synchronously
// (an exit handler cannot wait), and SIGINT/SIGTERM/SIGHUP do the same and then re-raise the signal
// so the process still dies the way its sender meant. Handlers exist only while something is tracked.

import { rmSync } from 'node:fs'

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

class CleanupRegistry {
  #processes = new Map<number, string>()
  #directories = new Set<string>()
  #installed = false
  readonly #onExit = (): void => this.releaseAllSync()
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    this.releaseAllSync()
    this.#uninstall()
    // re-raise only when nobody else listens: then the default action (termination) applies again;
    // another listener (a test runner's own) decides for itself what the signal means
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
  }

  trackProcess(pid: number, label: string): void {
    this.#processes.set(pid, label)
    this.#install()
  }

  untrackProcess(pid: number): void {
    this.#processes.delete(pid)
    this.#uninstallIfIdle()
  }

  trackDirectory(path: string): void {
    this.#directories.add(path)
    this.#install()
  }

  untrackDirectory(path: string): void {
    this.#directories.delete(path)
    this.#uninstallIfIdle()
  }

  /** What is still tracked, for tests of the harness itself. */
  snapshot(): { processes: number[]; directories: string[] } {
    return { processes: [...this.#processes.keys()], directories: [...this.#directories] }
  }

  releaseAllSync(): void {
    for (const pid of this.#processes.keys()) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    this.#processes.clear()
    for (const dir of this.#directories) {
      try {
        rmSync(dir, { recursive: true, force: true })
      } catch {
        // best effort: an exit handler has no one to report to
      }
    }
    this.#directories.clear()
  }

  #install(): void {
    if (this.#installed) return
    this.#installed = true
    process.on('exit', this.#onExit)
    for (const signal of SIGNALS) process.on(signal, this.#onSignal)
  }

  #uninstallIfIdle(): void {
    if (this.#processes.size === 0 && this.#directories.size === 0) this.#uninstall()
  }

  #uninstall(): void {
    if (!this.#installed) return
    this.#installed = false
    process.off('exit', this.#onExit)
    for (const signal of SIGNALS) process.off(signal, this.#onSignal)
  }
}

/** The one registry of this process. */
export const cleanupRegistry = new CleanupRegistry()
