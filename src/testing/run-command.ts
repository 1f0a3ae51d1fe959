// Runs a short-lived command (Maven, the storage formatter, a console tool) to completion and
// collects its output. The child is tracked so that an interrupted test run does not leave it behind.

import { spawn } from 'node:child_process'
import { cleanupRegistry } from './cleanup-registry.js'

export interface CommandResult {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CommandOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Written to the command's stdin, which is then closed. */
  input?: string | Buffer
  /** SIGKILL the command after this long; the result then has signal SIGKILL. */
  timeoutMs?: number
}

export function runCommand(
  file: string,
  args: readonly string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const pid = child.pid
    if (pid !== undefined) cleanupRegistry.trackProcess(pid, file)
    const timer =
      options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
    child.on('error', (err) => {
      if (timer) clearTimeout(timer)
      if (pid !== undefined) cleanupRegistry.untrackProcess(pid)
      reject(err)
    })
    child.on('close', (exitCode, signal) => {
      if (timer) clearTimeout(timer)
      if (pid !== undefined) cleanupRegistry.untrackProcess(pid)
      resolve({ exitCode, signal, stdout, stderr })
    })
    if (options.input !== undefined && child.stdin) {
      // a tool that exits before reading all of its input is reported by its exit code, not by EPIPE
      child.stdin.on('error', () => {})
      child.stdin.end(options.input)
    }
  })
}
