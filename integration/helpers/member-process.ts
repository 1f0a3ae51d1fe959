// Runs integration/helpers/consumer-member.ts in a child process (TypeScript sources compiled on
// load) and collects what it reports.

import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import type { MemberConfig } from './consumer-member.js'

const ROOT = join(__dirname, '..', '..')

export class MemberProcess {
  readonly name: string
  readonly received: string[] = []
  readonly assignments: Record<string, number[]>[] = []
  readonly revocations: { topic: string; partition: number }[][] = []
  readonly errors: string[] = []
  /** The member's log lines (WARN and above), for diagnosing a failure. */
  readonly logs: string[] = []
  #child: ChildProcess
  #stopped: Promise<void>

  constructor(name: string, config: MemberConfig) {
    this.name = name
    const script = `require(${JSON.stringify(join(ROOT, 'scripts', 'ts-sources.js'))}).registerTsSources(); require(${JSON.stringify(join(ROOT, 'integration', 'helpers', 'consumer-member.ts'))})`
    this.#child = spawn(process.execPath, ['-e', script], {
      cwd: ROOT,
      env: { ...process.env, KAFKIT_MEMBER_CONFIG: JSON.stringify(config) },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let buffered = ''
    this.#child.stdout!.setEncoding('utf8')
    this.#child.stdout!.on('data', (chunk: string) => {
      buffered += chunk
      let newline = buffered.indexOf('\n')
      while (newline >= 0) {
        this.#handle(buffered.slice(0, newline))
        buffered = buffered.slice(newline + 1)
        newline = buffered.indexOf('\n')
      }
    })
    this.#child.stderr!.setEncoding('utf8')
    this.#child.stderr!.on('data', (chunk: string) => this.logs.push(chunk))
    this.#stopped = new Promise((resolve) => this.#child.on('exit', () => resolve()))
  }

  #handle(line: string): void {
    let event: {
      type: string
      items?: string[]
      assignment?: Record<string, number[]>
      partitions?: { topic: string; partition: number }[]
      message?: string
    }
    try {
      event = JSON.parse(line)
    } catch {
      return
    }
    if (event.type === 'messages') this.received.push(...(event.items ?? []))
    else if (event.type === 'joined') this.assignments.push(event.assignment ?? {})
    else if (event.type === 'revoked') this.revocations.push(event.partitions ?? [])
    else if (event.type === 'error') this.errors.push(event.message ?? '')
  }

  /** Stops the member cleanly (commit, leave) and waits for its process to exit. */
  async stop(): Promise<void> {
    this.#child.stdin!.write('stop\n')
    await this.#stopped
  }

  /** Kills the process if it is still running (test cleanup). */
  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL')
  }
}
