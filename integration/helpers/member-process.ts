// Runs a member script (integration/helpers/consumer-member.ts by default, share-member.ts for share
// groups) in a child process (TypeScript sources compiled on load) and collects what it reports.
// spawnTsModule runs any such module (the chaos scenarios' processors too).

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
  /** Called with each group of messages as it arrives (`partition:offset` items). */
  onMessages: ((items: string[]) => void) | undefined
  #child: ChildProcess
  #stopped: Promise<void>

  constructor(name: string, config: MemberConfig | object, member = 'consumer-member.ts') {
    this.name = name
    this.#child = spawnTsModule(
      join(ROOT, 'integration', 'helpers', member),
      { KAFKIT_MEMBER_CONFIG: JSON.stringify(config) },
      (line) => this.#handle(line),
      (chunk) => this.logs.push(chunk),
    )
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
    if (event.type === 'messages') {
      this.received.push(...(event.items ?? []))
      this.onMessages?.(event.items ?? [])
    } else if (event.type === 'joined') this.assignments.push(event.assignment ?? {})
    else if (event.type === 'revoked') this.revocations.push(event.partitions ?? [])
    else if (event.type === 'error') this.errors.push(event.message ?? '')
  }

  /** Stops the member cleanly (commit, leave) and waits for its process to exit. */
  async stop(): Promise<void> {
    this.#child.stdin!.write('stop\n')
    await this.#stopped
  }

  /** Kills the process with SIGKILL if it is still running (test cleanup, or a member dying mid-stream). */
  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL')
  }
}

/**
 * Runs a TypeScript module of this repository in a child Node process (compiled on load), with
 * `env` added to the environment; calls `onLine` with each line of its stdout and `onStderr` with
 * its stderr.
 */
export function spawnTsModule(
  modulePath: string,
  env: Record<string, string>,
  onLine: (line: string) => void,
  onStderr: (chunk: string) => void,
): ChildProcess {
  const script = `require(${JSON.stringify(join(ROOT, 'scripts', 'ts-sources.js'))}).registerTsSources(); require(${JSON.stringify(modulePath)})`
  const child = spawn(process.execPath, ['-e', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let buffered = ''
  child.stdout!.setEncoding('utf8')
  child.stdout!.on('data', (chunk: string) => {
    buffered += chunk
    let newline = buffered.indexOf('\n')
    while (newline >= 0) {
      onLine(buffered.slice(0, newline))
      buffered = buffered.slice(newline + 1)
      newline = buffered.indexOf('\n')
    }
  })
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', onStderr)
  return child
}
